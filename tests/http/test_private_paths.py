"""Private stays private on every path: pages, htmx fragments, refusals, reports, CSV and PDFs,
for a visitor, a neighbour, staff of another community and the street's official (who sees a
case only once it has been escalated to the street)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from civic.web import codes
from civic.wishes import service as wishes
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

SECRET_TEXT = "地下室堆着易燃物秘闻甲乙"
FILER_NAME, FILER_GIVEN, FILER_PHONE = "欧阳秘书", "阳秘书", "13598765432"
BENEFICIARY, BENEFICIARY_GIVEN, BENEFICIARY_PHONE = "司马懿平", "马懿平", "13587654321"
CLAIMER, CLAIMER_GIVEN = "诸葛孔明", "葛孔明"
THANKED, THANKED_GIVEN = "上官婉儿", "官婉儿"
REVOKE_REASON = "因为秘密原因丙丁"


@dataclass
class World:
    slug: str
    street_slug: str
    code: str
    wishes: dict[str, int]
    phones: dict[str, str]
    staff_id: int


async def _member(community_id: int, staff, name: str):
    person_id, _phone = await builders.person((Role.PARTY_MEMBER, community_id), name=name)
    helper_id = await wishes.report(person_id, community_id, Helper.Kind.MEMBER, name)
    await wishes.decide_report(staff, helper_id, True, NOW)
    return await load_viewer(person_id), helper_id


@pytest.fixture
async def world() -> World:
    district = await builders.district()
    street_id = await builders.street(district, slug="liuyin")
    here = await builders.community(street_id)
    there = await builders.community(street_id)
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, here.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    phones = {}
    _, phones["neighbour"] = await builders.person((Role.RESIDENT, here.id), name="张福林")
    _, phones["staff_elsewhere"] = await builders.person(
        (Role.COMMUNITY_STAFF, there.id), name="刘志强"
    )
    _, phones["street"] = await builders.person((Role.STREET_OFFICIAL, street_id), name="周建国")
    filer_id, _ = await builders.person(
        (Role.RESIDENT, here.id), name=FILER_NAME, phone=FILER_PHONE
    )
    code = await cases.file_case(
        await load_viewer(filer_id),
        here.id,
        category="治安安全",
        text=SECRET_TEXT,
        now=NOW,
        is_public=False,
    )
    # A public case beside it, so that the board and the report have something to show.
    await cases.file_case(None, here.id, category="环境卫生", text="3 号楼楼道灯坏了", now=NOW)

    owner_id, _ = await builders.person(
        (Role.RESIDENT, here.id), name=BENEFICIARY, phone=BENEFICIARY_PHONE
    )
    owner = await load_viewer(owner_id)
    claimer, _ = await _member(here.id, staff, CLAIMER)
    thanked, _ = await _member(here.id, staff, THANKED)
    revoked, revoked_helper = await _member(here.id, staff, "慕容复")
    made = {}
    for key, helper in (("claimed", claimer), ("confirmed", thanked), ("revoked", revoked)):
        wish_id = await wishes.submit_wish(
            owner, here.id, owner.id, "修理水龙头", "", "维修", 80, NOW
        )
        await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
        await wishes.claim(helper, wish_id, NOW)
        made[key] = wish_id
    await wishes.move(thanked, made["confirmed"], S.FULFILLED, NOW, note="换好了")
    await wishes.move(owner, made["confirmed"], S.CONFIRMED, NOW, note="谢谢")
    await wishes.decide_report(staff, revoked_helper, False, NOW, reason=REVOKE_REASON)
    return World(here.slug, "liuyin", code, made, phones, staff_id)


def _pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(body)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def _paths(w: World) -> list[str]:
    c, s = f"/c/{w.slug}", f"/staff/c/{w.slug}"
    wish_pages = [f"{c}/wishes/{n}/" for n in w.wishes.values()]
    return [
        "/",
        f"{c}/",
        f"{c}/wishes/",
        *wish_pages,
        f"{c}/wishes/{w.wishes['confirmed']}/thanks.pdf",
        f"{c}/suggestions/",
        f"{c}/suggestions/report",
        f"{c}/suggestions/report.pdf",
        f"/s/{w.code}",
        f"/s/{w.code}/receipt.pdf",
        f"/s/{w.code}/photos/1",
        f"{s}/suggestions/",
        f"{s}/suggestions/report",
        f"{s}/wishes/",
        f"{s}/wishes/figures.csv",
        f"/staff/street/{w.street_slug}/suggestions/",
        f"/staff/street/{w.street_slug}/suggestions/report",
        f"/staff/street/{w.street_slug}/suggestions/report.pdf",
        "/me",
    ]


SECRETS = [
    SECRET_TEXT,
    "秘闻甲乙",
    FILER_GIVEN,
    FILER_PHONE,
    FILER_PHONE[-4:] + "</",
    BENEFICIARY_GIVEN,
    BENEFICIARY_PHONE,
    CLAIMER_GIVEN,
    THANKED_GIVEN,
    REVOKE_REASON,
]


@pytest.mark.parametrize("who", ["visitor", "neighbour", "staff_elsewhere", "street"])
async def test_nothing_private_reaches_someone_it_is_not_for(client, world, who, tmp_path):
    if who != "visitor":
        await builders.sign_in(client, world.phones[who])
    private_code = [world.code, codes.shown(world.code)]
    # The street official may see the case's code in the street's lists, never its words.
    forbidden = SECRETS + ([] if who == "street" else private_code)
    leaks = []
    for path in _paths(world):
        for headers in ({}, {"HX-Request": "true"}):
            response = await client.get(path, headers=headers)
            assert response.status_code < 500, (who, path, response.status_code)
            if response.headers.get("content-type", "").startswith("application/pdf"):
                body = _pdf_text(response.content, tmp_path)
            else:
                body = response.content.decode("utf-8-sig", errors="replace")
            # Who asks for /s/<code> knows the code: it is the rest that must not show.
            shown = SECRETS if world.code in path else forbidden
            leaks += [(path, headers, s) for s in shown if s in body]
    # A refused step asked for by htmx from a queue row: the refusal, not the row.
    refused = await builders.post_form(
        client,
        f"/s/{world.code}/act",
        {"verb": "accept", "next": f"/staff/c/{world.slug}/suggestions/"},
        headers={"HX-Request": "true", "HX-Target": f"case-{world.code}"},
    )
    assert refused.status_code in (403, 404), refused.status_code
    leaks += [("act", {}, s) for s in SECRETS if s in refused.text]
    assert not leaks, f"{who} saw: {leaks}"


async def test_the_public_sees_a_helper_masked_and_an_organisation_by_name(client, world):
    page = (await client.get(f"/c/{world.slug}/wishes/{world.wishes['claimed']}/")).text
    assert "诸**" in page and CLAIMER not in page


async def test_the_street_sees_a_private_case_once_it_is_escalated(client, world):
    await builders.sign_in(client, world.phones["street"])
    before = await client.get(f"/s/{world.code}")
    assert SECRET_TEXT not in before.text
    staff = await load_viewer(world.staff_id)
    await cases.act(staff, world.code, Verb.ESCALATE, NOW, note="需要街道协调")
    after = await client.get(f"/s/{world.code}")
    assert SECRET_TEXT in after.text
