"""The database store behind sessions and throttling, on SQLite and PostgreSQL."""

from __future__ import annotations

from civic.web.stores import DatabaseStore


async def test_set_get_overwrite_delete():
    store = DatabaseStore("t")
    assert await store.get("a") is None
    await store.set("a", "一")
    await store.set("a", b"two", expires_in=60)
    assert await store.get("a") == b"two"
    assert 0 < (await store.expires_in("a")) <= 60
    await store.delete("a")
    assert not await store.exists("a")


async def test_namespaces_do_not_see_each_other():
    sessions, throttle = DatabaseStore("sessions"), DatabaseStore("throttle")
    await sessions.set("k", b"s")
    await throttle.set("k", b"t")
    assert await sessions.get("k") == b"s"
    await throttle.delete_all()
    assert await throttle.get("k") is None
    assert await sessions.get("k") == b"s"


async def test_expired_entries_are_gone():
    store = DatabaseStore("t")
    await store.set("old", b"x", expires_in=-5)
    assert await store.get("old") is None
    assert not await store.exists("old")
