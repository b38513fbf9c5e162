"""Telling people: one function every feature calls inside the transaction of its event, so a
message exists exactly when what it reports happened. No HTTP in here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.messages.tables import Message

PAGE = 50


async def tell(people: Iterable[int | None], text: str, link: str, now: datetime) -> None:
    """One message to each person (once each, whoever is listed twice; None is nobody)."""
    ids = sorted({p for p in people if p is not None})
    if ids:
        await Message.insert(
            *(Message(person=p, text=text, link=link[:200], created_at=now) for p in ids)
        )


async def holders(role: Role, scope_id: int) -> list[int]:
    """Who holds a role in a place: the desk a message for "the community's staff" goes to."""
    return [r["id"] for r in await accounts.holders(role, scope_id)]


async def inbox(person_id: int) -> list[dict]:
    return (
        await Message.select(
            Message.id, Message.text, Message.link, Message.created_at, Message.read_at
        )
        .where(Message.person == person_id)
        .order_by(Message.id, ascending=False)
        .limit(PAGE)
    )


async def mark_read(person_id: int, now: datetime) -> None:
    await Message.update({Message.read_at: now}).where(
        (Message.person == person_id) & Message.read_at.is_null()
    )
