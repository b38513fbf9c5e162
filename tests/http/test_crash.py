"""Nothing lost on a crash: a worker killed with SIGKILL in the middle of a burst of filings
with photos and of claims leaves every case and wish with its history, and no photo that
belongs to nobody once the sweep has run."""

from __future__ import annotations

import io
import os
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
from PIL import Image

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.photos import service as photos
from civic.photos.tables import Photo
from civic.suggestions.tables import Case, CaseEvent, CasePhoto
from civic.wishes import service as wishes
from civic.wishes.tables import Helper, Wish, WishEvent
from civic.wishes.workflow import S
from tests import builders
from tests.processes import CIVIC, free_port

NOW = datetime.now(UTC)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def _start(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [CIVIC, "serve", "--port", str(port)],
        env={**os.environ, "CIVIC_DB_POOL_SIZE": "8"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the site did not start")


def _keep_filing(base: str, slug: str, stop: threading.Event) -> None:
    photo = _jpeg()
    with httpx.Client(base_url=base, timeout=5) as browser:
        try:
            browser.get(f"/c/{slug}/suggestions/new")
            while not stop.is_set():
                browser.post(
                    f"/c/{slug}/suggestions/new",
                    data={
                        "category": "环境卫生",
                        "text": "楼道里堆满了杂物",
                        "public": "1",
                        "_csrf_token": browser.cookies["csrftoken"],
                    },
                    files=[("photos", ("a.jpg", photo, "image/jpeg"))],
                )
        except httpx.TransportError:
            return  # the worker is gone


def _claim_all(base: str, phone: str, paths: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=5) as browser:
        try:
            browser.get("/login")
            browser.post(
                "/login",
                data={
                    "phone": phone,
                    "password": builders.PASSWORD,
                    "_csrf_token": browser.cookies["csrftoken"],
                },
            )
            for path in paths:
                if stop.is_set():
                    return
                browser.post(path, data={"_csrf_token": browser.cookies["csrftoken"]})
        except httpx.TransportError:
            return


async def test_a_worker_killed_mid_burst_leaves_nothing_half_done():
    community = await builders.community()
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    owner_id, _ = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    owner = await load_viewer(owner_id)
    wish_ids = []
    for n in range(12):
        wish_id = await wishes.submit_wish(
            owner, community.id, owner_id, f"心愿{n}", "", "维修", 50, NOW
        )
        await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
        wish_ids.append(wish_id)
    phones = []
    for name in ("黄志远", "林晓梅", "高建华"):
        person_id, phone = await builders.person((Role.PARTY_MEMBER, community.id), name=name)
        helper_id = await wishes.report(person_id, community.id, Helper.Kind.MEMBER, name)
        await wishes.decide_report(staff, helper_id, True, NOW)
        phones.append(phone)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(port)
    stop = threading.Event()
    claims = [f"/c/{community.slug}/wishes/{w}/claim" for w in wish_ids]
    workers = [
        threading.Thread(target=_keep_filing, args=(base, community.slug, stop)) for _ in range(4)
    ] + [threading.Thread(target=_claim_all, args=(base, phone, claims, stop)) for phone in phones]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 20
        while await Case.count() < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.kill()  # SIGKILL: no clean shutdown, transactions cut wherever they are
        process.wait(timeout=10)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
        if process.poll() is None:
            process.kill()

    cases = await Case.select(Case.id, Case.status)
    assert len(cases) >= 5, "the burst reached the database before the kill"
    for case in cases:
        history = await (
            CaseEvent.select(CaseEvent.to_status)
            .where(CaseEvent.case == case["id"])
            .order_by(CaseEvent.id)
        )
        assert history and history[-1]["to_status"] == case["status"]
        assert await CasePhoto.count().where(CasePhoto.case == case["id"]) == 1
    for wish in await Wish.select(Wish.id, Wish.status, Wish.claimed_by):
        history = await (
            WishEvent.select(WishEvent.to_status)
            .where(WishEvent.wish == wish["id"])
            .order_by(WishEvent.id)
        )
        assert history[-1]["to_status"] == wish["status"]
        assert (wish["status"] == S.CLAIMED) == (wish["claimed_by"] is not None)
    # A day later the sweep removes what the kill left unattached; every photo left belongs to
    # a case.
    await photos.delete_orphans(datetime.now(UTC) + timedelta(days=1))
    kept = {p["id"] for p in await Photo.select(Photo.id)}
    attached = {p["photo_id"] for p in await CasePhoto.select(CasePhoto.photo_id)}
    assert kept == attached
