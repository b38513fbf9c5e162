"""The rules of 微心愿: reporting as a helper, and every move of a wish. No HTTP in here."""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.columns import Integer
from piccolo.engine.postgres import PostgresEngine

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.viewer import Place, Viewer, may_act
from civic.db import write_transaction
from civic.errors import DomainError, Invalid, InvalidTransition, NotAllowed, NotFound
from civic.kept import kept
from civic.photos import service as photos
from civic.prepared import Prepared
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long
from civic.wishes import notify
from civic.wishes.tables import Helper, TreeSettings, Wish
from civic.wishes.workflow import (
    REPORTS,
    UNCLAIM,
    WISHES,
    Party,
    ReportVerb,
    S,
    Verb,
    visible,
)

CLAIM_DAYS = 7
MAX_OPEN_CLAIMS = 3
VALUE_CAP = 500
"""A wish's value cap in yuan where the community's staff have not set their own."""
HIGHEST_VALUE_CAP = 5000
"""The highest cap staff may set: a 微心愿 is a small wish; larger needs go to the community."""
MAX_DESCRIPTION = 300
MAX_NOTE = 300
"""A reason, a note of what was done, a thank-you: as long as the forms let them be."""


# 报到: helpers ----------------------------------------------------------------------------


def check_report(kind: str, name: str, **more: str) -> dict[str, str]:
    """Field -> message for what is wrong with a report as typed; `more` are its other
    fields (work_unit, party_branch, contact_phone), each held to its column."""
    errors: dict[str, str] = {}
    if kind not in {k.value for k in Helper.Kind}:
        errors["kind"] = _("请选择以党员身份还是以单位身份报到。")
    if not clean_name(name):
        errors["name"] = _("请填写姓名或单位名称。")
    fields = {"name": clean_name(name), **more}
    for field, value in fields.items():
        if problem := too_long(value, getattr(Helper, field).length):
            errors.setdefault(field, problem)
    return errors


async def report(
    person_id: int,
    community_id: int,
    kind: Helper.Kind | str,
    name: str,
    work_unit: str = "",
    party_branch: str = "",
    contact_phone: str = "",
    photo_id: int | None = None,
) -> int:
    """A party member or organisation reports to a community; staff verify it later. The
    photo (of the member, or of a work card) is seen by the community's staff only."""
    work_unit, party_branch = clean_name(work_unit), clean_name(party_branch)
    contact_phone = contact_phone.strip()
    errors = check_report(
        kind, name, work_unit=work_unit, party_branch=party_branch, contact_phone=contact_phone
    )
    if errors:
        raise Invalid(errors)
    helper = Helper(
        person=person_id,
        community=community_id,
        kind=Helper.Kind(kind),
        name=clean_name(name),
        work_unit=work_unit,
        party_branch=party_branch,
        contact_phone=contact_phone,
        photo=photo_id,
    )
    async with write_transaction(Helper._meta.db):
        helper_id = (await Helper.insert(helper).returning(Helper.id))[0]["id"]
        await photos.attach(photo_id)
    return helper_id


async def decide_report(
    viewer: Viewer, helper_id: int, verified: bool, now: datetime, reason: str = ""
) -> None:
    """Staff verify a report, refuse it, or revoke a verification. A revoked helper's open
    claims go back to the tree in the same transaction, each with an event saying why. A
    refused or revoked report is not verified again: the member reports anew."""
    helper = (
        await Helper.select(Helper.id, Helper.community, Helper.status, Helper.version)
        .where(Helper.id == helper_id)
        .first()
    )
    if helper is None:
        raise NotFound(_("没有这条报到记录。"))
    if not may_act(viewer, {Role.COMMUNITY_STAFF}, Place(community_id=helper["community"])):
        raise NotAllowed(_("只有本社区工作人员可以审核报到。"))
    if verified:
        verb = ReportVerb.VERIFY
    elif helper["status"] == Helper.Status.VERIFIED:
        verb = ReportVerb.REVOKE
    else:
        verb = ReportVerb.REFUSE
    reason = reason.strip()
    if REPORTS.moves[verb].needs_note and not reason:
        raise DomainError(_("不通过时请写明原因。"))
    if problem := too_long(reason, Helper.reason.length):
        raise Invalid({"reason": problem})
    REPORTS.check(verb, helper["status"], {Party.STAFF}, reason)
    async with write_transaction(Wish._meta.db):
        # The helper's row is written first: on PostgreSQL that locks it, so a claim being
        # made at this moment (claim() locks the same row) is either done before, and released
        # below, or waits and then finds the helper revoked.
        await REPORTS.apply(
            helper,
            verb,
            actor_id=viewer.id,
            now=now,
            note=reason,
            changes={Helper.reason: reason, Helper.decided_by: viewer.id, Helper.decided_at: now},
        )
        if verb is ReportVerb.REVOKE:
            await _release_claims_of(helper_id, viewer.id, now)


async def _release_claims_of(helper_id: int, actor_id: int, now: datetime) -> None:
    """Inside the revoking transaction: every open claim of the helper returns to the tree."""
    claims = await Wish.select(Wish.id, Wish.status, Wish.version).where(
        (Wish.claimed_by == helper_id) & (Wish.status == S.CLAIMED)
    )
    # The reason stays on the report, for staff: the wish's history is public.
    note = _("认领人的报到已被社区撤销，心愿回到心愿树。")
    for wish in claims:
        try:
            await WISHES.apply(
                wish, Verb.REVOKE, actor_id=actor_id, now=now, note=note, changes=UNCLAIM
            )
        except InvalidTransition:
            continue  # fulfilled or released a moment ago: nothing left to give back


# Every signed-in view of the tree and of a wish asks this: built once (civic/prepared.py).
_VERIFIED_HELPER = Prepared(
    lambda person, community: (
        Helper.select(Helper.id)
        .where(
            (Helper.person == person)
            & (Helper.community == community)
            & (Helper.status == Helper.Status.VERIFIED)
        )
        .first()
    ),
    person=int,
    community=int,
)


async def verified_helper(person_id: int, community_id: int) -> int | None:
    # Most people are no helper: that answer is kept too (the person is the signed-in one).
    return await kept(
        ("helper", person_id, community_id),
        lambda: _verified_helper(person_id, community_id),
        misses=True,
    )


async def _verified_helper(person_id: int, community_id: int) -> int | None:
    row = await _VERIFIED_HELPER(person=person_id, community=community_id)
    return row["id"] if row else None


# A community's settings ------------------------------------------------------------------


async def value_cap(community_id: int) -> int:
    """The most a wish of this community may be worth, in yuan."""
    row = (
        await TreeSettings.select(TreeSettings.value_cap)
        .where(TreeSettings.community == community_id)
        .first()
    )
    return row["value_cap"] if row else VALUE_CAP


def check_value_cap(cap: int | None) -> str:
    """What is wrong with a value cap as typed; "" when nothing is."""
    if cap is None or not 1 <= cap <= HIGHEST_VALUE_CAP:
        return _("请填写 1 到 {most} 之间的整数（元）。").format(most=HIGHEST_VALUE_CAP)
    return ""


async def set_value_cap(viewer: Viewer, community_id: int, cap: int, now: datetime) -> None:
    """The community's staff set the most a wish may be worth; wishes already posted keep
    their value, new and resubmitted ones are checked against the new cap."""
    if not may_act(viewer, {Role.COMMUNITY_STAFF}, Place(community_id=community_id)):
        raise NotAllowed(_("只有本社区工作人员可以修改心愿设置。"))
    problem = check_value_cap(cap)
    if problem:
        raise DomainError(problem)
    await TreeSettings.insert(
        TreeSettings(community=community_id, value_cap=cap, updated_by=viewer.id, updated_at=now)
    ).on_conflict(
        target=TreeSettings.community,
        action="DO UPDATE",
        values=[TreeSettings.value_cap, TreeSettings.updated_by, TreeSettings.updated_at],
    )


# Wishes ------------------------------------------------------------------------------------


def check_wish(
    title: str, description: str, category: str, value_yuan: int | None, cap: int = VALUE_CAP
) -> dict[str, str]:
    """Field -> message for what is wrong with a wish as typed."""
    errors: dict[str, str] = {}
    title = clean_name(title)
    if not title:
        errors["title"] = _("请写下心愿，例如“修理厨房水龙头”。")
    elif problem := too_long(title, Wish.title.length):
        errors["title"] = problem
    if problem := too_long(description.strip(), MAX_DESCRIPTION):
        errors["description"] = problem
    if category not in {c.value for c in Wish.Category}:
        errors["category"] = _("请选择类别。")
    if value_yuan is None:
        errors["value_yuan"] = _("请填写估计价值（整数，单位元）。")
    elif value_yuan < 0:
        errors["value_yuan"] = _("估计价值不能是负数。")
    elif value_yuan > cap:
        errors["value_yuan"] = _("微心愿的价值不超过 {cap} 元；更大的困难请直接联系社区。").format(
            cap=cap
        )
    return errors


def can_post_for_others(viewer: Viewer | None, community_id: int) -> bool:
    """Staff, building leaders and grid workers post wishes for residents without a phone."""
    return may_act(
        viewer,
        {Role.COMMUNITY_STAFF, Role.BUILDING_LEADER, Role.GRID_WORKER},
        Place(community_id=community_id),
    )


async def beneficiary_for(viewer: Viewer, community_id: int, phone: str) -> int:
    """Whom a wish is for: the viewer, or the resident of this community whose phone a building
    leader, grid worker or staff member typed (others' phones are ignored for residents)."""
    if not phone or not can_post_for_others(viewer, community_id):
        return viewer.id
    found = await accounts.resident_by_phone(accounts.normalise_phone(phone), community_id)
    if found is None:
        raise Invalid({"for_phone": _("本社区没有这个手机号的居民，请先帮他注册。")})
    return found


async def submit_wish(
    viewer: Viewer,
    community_id: int,
    beneficiary_id: int,
    title: str,
    description: str,
    category: str,
    value_yuan: int | None,
    now: datetime,
    grid_id: int | None = None,
    photo_id: int | None = None,
) -> int:
    """A resident's own wish, or one posted for a resident by staff, a building leader or a
    grid worker of the community (the record keeps who posted it), with an optional photo
    (stored by civic.photos) shown wherever the wish is."""
    place = Place(community_id=community_id)
    if viewer.id != beneficiary_id and not can_post_for_others(viewer, community_id):
        raise NotAllowed(_("只有社区工作人员、楼门长和网格员可以替居民许愿。"))
    if viewer.id == beneficiary_id and not may_act(viewer, {Role.RESIDENT}, place):
        raise NotAllowed(_("请先注册为本社区居民。"))
    errors = check_wish(title, description, category, value_yuan, await value_cap(community_id))
    if errors:
        raise Invalid(errors)
    wish = Wish(
        community=community_id,
        grid=grid_id,
        beneficiary=beneficiary_id,
        posted_by=viewer.id,
        title=clean_name(title),
        description=description.strip(),
        category=category,
        value_yuan=value_yuan or 0,
        photo=photo_id,
        created_at=now,
    )
    async with write_transaction(Wish._meta.db):
        wish_id = (await WISHES.create(wish, actor_id=viewer.id, now=now, verb="submit"))["id"]
        await photos.attach(photo_id)
        await notify.new_wish(wish_id, now)
    return wish_id


async def _wish(wish_id: int) -> dict:
    row = await Wish.select().where(Wish.id == wish_id).first()
    if row is None:
        raise NotFound(_("没有这个心愿。"))
    return row


async def parties(viewer: Viewer | None, wish: dict) -> set[Party]:
    """How the viewer stands to the wish: the keys of the TRANSITIONS table."""
    if viewer is None:
        return set()
    found: set[Party] = set()
    if may_act(viewer, {Role.COMMUNITY_STAFF}, Place(community_id=wish["community"])):
        found.add(Party.STAFF)
    if viewer.id in (wish["beneficiary"], wish["posted_by"]):
        found.add(Party.OWNER)
    if viewer.id == wish["beneficiary"]:
        found.add(Party.BENEFICIARY)
    helper_id = await verified_helper(viewer.id, wish["community"])
    if helper_id is not None:
        found.add(Party.HELPER)
        if wish["claimed_by"] == helper_id:
            found.add(Party.CLAIMER)
    return found


async def visible_wish(viewer: Viewer | None, community_id: int, wish_id: int) -> dict:
    """The wish, if it is this community's and the viewer may see it; NotFound otherwise (a
    wish not yet public does not exist for others, as on its page)."""
    wish = (
        await Wish.select().where((Wish.id == wish_id) & (Wish.community == community_id)).first()
    )
    if wish is None or not visible(S(wish["status"]), await parties(viewer, wish)):
        raise NotFound(_("没有这个心愿。"))
    return wish


async def wish_photo_id(
    viewer: Viewer | None, community_id: int, wish_id: int, fulfilment: bool = False
) -> int:
    """The id of the wish's photo (or of its fulfilment photo) for someone who may see the
    wish; NotFound for anyone else, or when there is none."""
    wish = await visible_wish(viewer, community_id, wish_id)
    photo_id = wish["fulfil_photo" if fulfilment else "photo"]
    if photo_id is None:
        raise NotFound(_("这个心愿没有照片。"))
    return photo_id


async def report_photo_id(viewer: Viewer, community_id: int, helper_id: int) -> int:
    """The photo of a report (报到), for the community's staff and the person who reported."""
    helper = (
        await Helper.select(Helper.person, Helper.photo)
        .where((Helper.id == helper_id) & (Helper.community == community_id))
        .first()
    )
    if helper is None or helper["photo"] is None:
        raise NotFound(_("没有这张照片。"))
    staff = may_act(viewer, {Role.COMMUNITY_STAFF}, Place(community_id=community_id))
    if not staff and helper["person"] != viewer.id:
        raise NotAllowed(_("报到照片只有本人和本社区工作人员能看。"))
    return helper["photo"]


async def move(
    viewer: Viewer | None,
    wish_id: int,
    target: S,
    now: datetime,
    note: str = "",
    edits: dict[str, str | int] | None = None,
    photo_id: int | None = None,
    drop_photo: bool = False,
) -> None:
    """Every move but claiming: approve, return, reject, resubmit, release, fulfil, confirm,
    withdraw. Who may make it is the TRANSITIONS table's answer. A returned wish is resubmitted
    with its `edits` (title, description, category, value_yuan) and a new photo (`photo_id`)
    or none (`drop_photo`); a fulfilment may carry a photo of what was done (`photo_id`)."""
    await release_expired(now, wish_id)
    wish = await _wish(wish_id)
    current = S(wish["status"])
    step = WISHES.toward(current, target, await parties(viewer, wish))
    if step is None or step.name == Verb.CLAIM:
        if (current, target) == (S.PUBLISHED, S.FULFILLED):
            raise InvalidTransition(_("认领已过期，心愿已回到心愿树上，请重新认领。"))
        raise NotAllowed(_("您现在不能这样处理这个心愿。"))
    if step.needs_note and not note.strip():
        raise DomainError(_("请写明原因，居民会看到。"))
    changes: dict = {}
    replaced: int | None = None  # a photo the move takes off the wish, removed afterwards
    if target is S.FULFILLED:
        changes[Wish.fulfil_note] = note.strip()
        if photo_id is not None:
            changes[Wish.fulfil_photo] = photo_id
            replaced = wish["fulfil_photo"]
    if target is S.CONFIRMED and note.strip():
        changes[Wish.thank_you] = note.strip()
    if current is S.CLAIMED and target is S.PUBLISHED:
        changes.update(UNCLAIM)
    if target is S.SUBMITTED and edits:
        fields = {k: edits.get(k, wish[k]) for k in ("title", "description", "category")}
        value = int(edits.get("value_yuan", wish["value_yuan"]))
        errors = check_wish(
            str(fields["title"]),
            str(fields["description"]),
            str(fields["category"]),
            value,
            await value_cap(wish["community"]),
        )
        if errors:
            raise Invalid(errors)
        changes.update(
            {
                Wish.title: clean_name(str(fields["title"])),
                Wish.description: str(fields["description"]).strip(),
                Wish.category: fields["category"],
                Wish.value_yuan: value,
            }
        )
    if target is S.SUBMITTED and (photo_id is not None or drop_photo):
        changes[Wish.photo] = photo_id
        replaced = wish["photo"]
    async with write_transaction(Wish._meta.db):
        await WISHES.apply(
            wish,
            step.name,
            actor_id=viewer.id if viewer else None,
            now=now,
            note=note.strip(),
            changes=changes,
        )
        if target is S.FULFILLED:
            await _count(Helper.fulfilments, wish["claimed_by"])
        await photos.attach(photo_id)
    if replaced is not None and replaced != photo_id:
        # A photo nobody will see again is personal data kept for nothing.
        await photos.discard(replaced)


async def _count(tally: Integer, helper_id: int | None) -> None:
    """One more claim or fulfilment for the helper, in the transaction of the move: one
    statement, so concurrent moves never lose a count."""
    if helper_id is not None:
        await Helper.update({tally: tally + 1}).where(Helper.id == helper_id)


async def claim(viewer: Viewer, wish_id: int, now: datetime) -> None:
    """One verified helper gets the wish however many tap at once; a helper holds at most
    MAX_OPEN_CLAIMS open claims, also when claiming several wishes at once."""
    await release_expired(now, wish_id)
    wish = await _wish(wish_id)
    helper_id = await verified_helper(viewer.id, wish["community"])
    if helper_id is None:
        raise NotAllowed(_("报到并通过社区审核后才能认领心愿。"))
    if wish["status"] != S.PUBLISHED:
        raise InvalidTransition(_("有人比您快了一步，这个心愿已被认领。换一个心愿吧。"))
    engine = Wish._meta.db
    async with write_transaction(engine):
        if isinstance(engine, PostgresEngine):
            # One helper's claims are counted and made one at a time.
            await Helper.raw("SELECT id FROM helper WHERE id = {} FOR UPDATE", helper_id)
        # Checked again under the lock: a verification revoked a moment ago frees no claim
        # made after it.
        still_verified = await Helper.exists().where(
            (Helper.id == helper_id) & (Helper.status == Helper.Status.VERIFIED)
        )
        if not still_verified:
            raise NotAllowed(_("报到并通过社区审核后才能认领心愿。"))
        open_claims = await Wish.count().where(
            (Wish.claimed_by == helper_id) & (Wish.status == S.CLAIMED)
        )
        if open_claims >= MAX_OPEN_CLAIMS:
            raise NotAllowed(
                _("您已认领 {n} 个心愿，完成后再认领新的吧。").format(n=MAX_OPEN_CLAIMS)
            )
        try:
            await WISHES.apply(
                wish,
                Verb.CLAIM,
                actor_id=viewer.id,
                now=now,
                changes={
                    Wish.claimed_by: helper_id,
                    Wish.claim_deadline: now + timedelta(days=CLAIM_DAYS),
                    Wish.claim_warned_at: None,  # a new claim is warned of its own deadline
                },
            )
            await _count(Helper.claims, helper_id)
        except InvalidTransition:
            raise InvalidTransition(
                _("有人比您快了一步，这个心愿已被认领。换一个心愿吧。")
            ) from None


async def release_expired(
    now: datetime,
    wish_id: int | None = None,
    community_id: int | None = None,
    street_id: int | None = None,
) -> int:
    """Claims past their deadline go back to the tree; run by the clocks (civic/sweeps.py) and
    before a step on one wish. Returns how many were released."""
    where = None
    if wish_id is not None:
        where = Wish.id == wish_id
    elif community_id is not None:
        where = Wish.community == community_id
    elif street_id is not None:
        where = Wish.community.street == street_id
    return await WISHES.sweep(now, where=where)


async def warn_expiring(now: datetime, warn_before: timedelta) -> int:
    """Tells each claimer once that their claim runs out within `warn_before`, from
    `civic sweep`. Being told is a fact on the wish (`claim_warned_at`), written by an UPDATE
    that only one of two sweeps running at once can make, in the transaction of the message;
    it is guarded by the version read too, so a claim released and made again meanwhile is
    not warned in its predecessor's name. Returns how many were told."""
    due = await Wish.select(Wish.id, Wish.version, Wish.claimed_by, Wish.claim_deadline).where(
        (Wish.status == S.CLAIMED)
        & Wish.claim_warned_at.is_null()
        & (Wish.claim_deadline > now)
        & (Wish.claim_deadline <= now + warn_before)
    )
    told = 0
    for row in due:
        async with write_transaction(Wish._meta.db):
            won = (
                await Wish.update({Wish.claim_warned_at: now})
                .where(
                    (Wish.id == row["id"])
                    & (Wish.version == row["version"])
                    & Wish.claim_warned_at.is_null()
                )
                .returning(Wish.id)
            )
            if won:
                await notify.claim_expiring(row, now)
                told += 1
    return told
