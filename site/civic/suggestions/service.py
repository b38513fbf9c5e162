"""The rules of 意见箱 and 吹哨报到: filing a case and every step it takes. No HTTP in here."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.query import Select

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.viewer import Place, Viewer, may_act
from civic.db import write_transaction
from civic.errors import DomainError, Invalid, InvalidTransition, NotAllowed, NotFound
from civic.photos import service as photos
from civic.places.tables import Building, Department
from civic.prepared import Prepared
from civic.settings import CaseClocks
from civic.suggestions import notify
from civic.suggestions.tables import Case, CaseEvent, CasePhoto
from civic.suggestions.workflow import (
    CASES,
    FILER_VERBS,
    MOVES,
    OPEN,
    STATUS_LABELS,
    L,
    Party,
    S,
    Verb,
)
from civic.web import codes
from civic.web.i18n import _
from civic.web.inputs import clean_name, too_long

MAX_TEXT = 1000
MAX_PHOTOS = 3
FILE_FOR_OTHERS = frozenset({Role.COMMUNITY_STAFF, Role.BUILDING_LEADER, Role.GRID_WORKER})
DEFAULT_CLOCKS = CaseClocks()
RESPONSES = frozenset({Verb.ACCEPT, Verb.REPLY, Verb.ESCALATE, Verb.REJECT, Verb.MERGE})
"""Steps that count as the first response the 12-hour clock asks for."""


@dataclass(frozen=True)
class CaseRef:
    """What the rules need to know about a case: its row and where it sits."""

    row: dict
    street_id: int

    @property
    def status(self) -> S:
        return S(self.row["status"])

    @property
    def level(self) -> L:
        return L(self.row["level"])


def _select_cases() -> Select:
    return Case.select(*Case.all_columns(), Case.community.street.as_alias("street_id"))


def _ref(row: dict) -> CaseRef:
    return CaseRef(row, row.pop("street_id"))


async def load(code: str) -> CaseRef:
    row = await _select_cases().where(Case.code == code).first()
    if row is None:
        raise NotFound(_("没有找到这个查询码。"))
    return _ref(row)


# Who the viewer is to a case -----------------------------------------------------------------


def is_community_side(viewer: Viewer | None, case: CaseRef) -> bool:
    """Staff of the case's community, or the party representative it is addressed to."""
    place = Place(community_id=case.row["community"])
    if may_act(viewer, {Role.COMMUNITY_STAFF}, place):
        return True
    return (
        viewer is not None
        and case.row["representative"] == viewer.id
        and may_act(viewer, {Role.PARTY_REPRESENTATIVE}, place)
    )


def is_street_side(viewer: Viewer | None, case: CaseRef) -> bool:
    return may_act(viewer, {Role.STREET_OFFICIAL}, Place(street_id=case.street_id))


def is_department_side(viewer: Viewer | None, case: CaseRef) -> bool:
    department = case.row["department"]
    return department is not None and may_act(
        viewer, {Role.DEPARTMENT_STAFF}, Place(department_id=department)
    )


def parties(viewer: Viewer | None, case: CaseRef, proven: bool = False) -> set[Party]:
    """How the viewer stands to the case: the keys of the MOVES table. `proven`: the visitor
    typed the code and the last four digits of the filer's phone."""
    found: set[Party] = set()
    if proven or (viewer is not None and viewer.id in (case.row["filer"], case.row["filed_by"])):
        found.add(Party.FILER)
    if is_community_side(viewer, case):
        found.add(Party.COMMUNITY)
    holder = {
        L.COMMUNITY: is_community_side,
        L.STREET: is_street_side,
        L.DEPARTMENT: is_department_side,
    }[case.level]
    if holder(viewer, case):
        found.add(Party.HOLDER)
    return found


def is_nobody_to(viewer: Viewer, case: CaseRef) -> bool:
    """The viewer is neither party nor staff to the case, nor the one it would be linked to
    (link_filer): they see its page as anyone signed in does."""
    phone = case.row["filer_phone"]
    return (
        not parties(viewer, case)
        and not is_staff_of(viewer, case)
        and not (case.row["filer"] is None and phone and viewer.phone == phone)
    )


def is_staff_of(viewer: Viewer | None, case: CaseRef) -> bool:
    """Staff the case reaches see names, phones and the notes passed between them: its
    community, the street once the case has been escalated to it (not every case of the
    street), and the department summoned."""
    return (
        is_community_side(viewer, case)
        or (case.row["escalated_at"] is not None and is_street_side(viewer, case))
        or is_department_side(viewer, case)
    )


def may_see_content(viewer: Viewer | None, case: CaseRef, proven: bool = False) -> bool:
    """A public case is seen by all; a private one by its filer and the staff it reaches."""
    return (
        case.row["is_public"]
        or Party.FILER in parties(viewer, case, proven)
        or is_staff_of(viewer, case)
    )


def proves_filer(case: CaseRef, last_four: str) -> bool:
    phone = case.row["filer_phone"]
    # Full-width digits (a Chinese keyboard's) and spaces are what a person may type.
    typed = "".join(unicodedata.normalize("NFKC", last_four).split())
    return len(phone) >= 4 and typed == phone[-4:]


async def link_filer(viewer: Viewer | None, case: CaseRef) -> bool:
    """A case filed as a visitor with a phone number becomes the case of whoever signs in with
    that number and opens it with its code: it then appears under 我反映的事. Once: the UPDATE
    only takes a case nobody holds yet, and only for the phone it was filed with, so a
    different signed-in person is never linked. Returns whether this viewer got it now."""
    phone = case.row["filer_phone"]
    if viewer is None or case.row["filer"] is not None or not phone or viewer.phone != phone:
        return False
    linked = (
        await Case.update({Case.filer: viewer.id})
        .where((Case.id == case.row["id"]) & Case.filer.is_null() & (Case.filer_phone == phone))
        .returning(Case.id)
    )
    if linked:
        case.row["filer"] = viewer.id
    return bool(linked)


# Filing ------------------------------------------------------------------------------------


def check_case(category: str, text: str, place: str, phone: str, name: str = "") -> dict[str, str]:
    """Field -> message for what is wrong with a case as typed."""
    errors: dict[str, str] = {}
    if category not in {c.value for c in Case.Category}:
        errors["category"] = _("请选择类别。")
    if not text.strip():
        errors["text"] = _("请写下您要反映的事情，例如“3 号楼楼道灯坏了一周”。")
    elif problem := too_long(text.strip(), MAX_TEXT):
        errors["text"] = problem
    if problem := too_long(place.strip(), Case.place.length):
        errors["place"] = problem
    if problem := too_long(clean_name(name), Case.filer_name.length):
        errors["name"] = problem
    if phone and accounts.phone_error(phone):
        errors["phone"] = accounts.phone_error(phone) or ""
    return errors


def can_file_for_others(viewer: Viewer | None, community_id: int) -> bool:
    """Building leaders, grid workers and staff file cases for residents without a phone."""
    return may_act(viewer, FILE_FOR_OTHERS, Place(community_id=community_id))


_CODE_TAKEN = Prepared(lambda code: Case.select(Case.id).where(Case.code == code).first(), code=str)


async def file_case(
    viewer: Viewer | None,
    community_id: int,
    *,
    category: str,
    text: str,
    now: datetime,
    building_id: int | None = None,
    place: str = "",
    is_public: bool = True,
    representative_id: int | None = None,
    name: str = "",
    phone: str = "",
    photo_ids: Sequence[int] = (),
    clocks: CaseClocks = DEFAULT_CLOCKS,
) -> str:
    """Anyone files, signed in or not; returns the tracking code. Someone who may file for
    others does so by typing the resident's name or phone."""
    phone = accounts.normalise_phone(phone)
    name = clean_name(name)
    errors = check_case(category, text, place, phone, name)
    if errors:
        raise DomainError(next(iter(errors.values())))
    if building_id is not None:
        building = await Building.select(Building.community).where(Building.id == building_id)
        if not building or building[0]["community"] != community_id:
            raise DomainError(_("请选择本社区的楼栋。"))
    if len(photo_ids) > MAX_PHOTOS:
        raise DomainError(_("最多 {n} 张照片。").format(n=MAX_PHOTOS))
    if representative_id is not None:
        representatives = await accounts.holders(Role.PARTY_REPRESENTATIVE, community_id)
        if representative_id not in {r["id"] for r in representatives}:
            raise DomainError(_("请选择本社区的党代表。"))
    for_other = bool(name or phone) and can_file_for_others(viewer, community_id)
    if viewer is not None and not for_other:
        filer, name, phone = viewer.id, viewer.name, viewer.phone
    else:
        filer = None
    case = Case(
        community=community_id,
        category=category,
        text=text.strip(),
        building=building_id,
        place=place.strip(),
        is_public=is_public,
        filer=filer,
        filed_by=viewer.id if viewer else None,
        filer_name=name,
        filer_phone=phone,
        representative=representative_id,
        filed_at=now,
        respond_by=now + timedelta(hours=clocks.respond_hours),
        resolve_by=now + timedelta(days=clocks.resolve_days),
    )
    async with write_transaction(Case._meta.db):
        for _attempt in range(5):
            code = codes.new_code()
            if await _CODE_TAKEN(code=code) is None:
                break
        case.code = code
        actor_id = viewer.id if viewer else None
        event = {"level": L.COMMUNITY}
        made = await CASES.create(case, actor_id=actor_id, now=now, verb=Verb.FILE, event=event)
        case_id = made["id"]
        if photo_ids:
            await CasePhoto.insert(
                *(CasePhoto(case=case_id, photo_id=p, position=n) for n, p in enumerate(photo_ids))
            )
            await photos.attach(*photo_ids)
        await notify.new_case(case_id, now)
    return code


# Moving a case -----------------------------------------------------------------------------


async def _move(
    case: CaseRef,
    verb: Verb,
    actor_id: int | None,
    now: datetime,
    note: str = "",
    changes: dict | None = None,
) -> None:
    """Apply one step through the engine; the event also records who holds the case after it."""
    values = dict(changes or {})
    await CASES.apply(
        case.row,
        verb,
        actor_id=actor_id,
        now=now,
        note=note,
        changes=values,
        event={
            "level": values.get(Case.level, case.row["level"]),
            "department": values.get(Case.department, case.row["department"]),
        },
    )


async def act(
    viewer: Viewer | None,
    code: str,
    verb: Verb,
    now: datetime,
    *,
    note: str = "",
    department_id: int | None = None,
    original_code: str = "",
    clocks: CaseClocks = DEFAULT_CLOCKS,
) -> None:
    """Every staff step: accept, reply, start, escalate, take, hand back, answer, reject,
    merge, adopt. Who may take it is the MOVES table's answer."""
    if verb in FILER_VERBS:
        raise NotAllowed(_("您现在不能这样处理这件事。"))
    case = await load(code)
    found = parties(viewer, case)
    move = MOVES[verb]
    if not move.parties & found:
        raise NotAllowed(_("您现在不能这样处理这件事。"))
    if case.status not in move.sources:
        raise InvalidTransition(
            _("这件事已经是“{state}”，不能再这样处理。").format(state=STATUS_LABELS[case.status])
        )
    note = note.strip()
    if move.needs_note and not note:
        raise DomainError(_("请写上说明，对方会看到。"))
    if problem := too_long(note, MAX_TEXT):
        raise Invalid({"note": problem})
    changes: dict = {}
    if verb in RESPONSES and case.row["responded_at"] is None:
        changes[Case.responded_at] = now
    if verb is Verb.ESCALATE:
        changes.update(await _escalation(case, department_id))
        changes[Case.held_since] = now
        # Escalated cases get the longer clock, counted from filing as the seeds count it.
        escalated_by = case.row["filed_at"] + timedelta(days=clocks.escalated_resolve_days)
        if escalated_by > case.row["resolve_by"]:
            changes[Case.resolve_by] = escalated_by
            changes[Case.resolve_warned_at] = None  # a new deadline, warned of anew
        if case.row["escalated_at"] is None:
            changes[Case.escalated_at] = now
    elif verb is Verb.TAKE:
        changes[Case.held_since] = None
    elif verb is Verb.HAND_BACK:
        if case.level is L.COMMUNITY:
            raise DomainError(_("社区是办理这件事的第一责任方，不能再往下退。"))
        down = L.STREET if case.level is L.DEPARTMENT else L.COMMUNITY
        changes.update({Case.level: down, Case.held_since: None})
        if down is L.COMMUNITY:
            changes[Case.department] = None
    elif verb is Verb.ANSWER:
        changes[Case.answer] = note
        if now > case.row["resolve_by"]:
            changes[Case.answered_late] = True
    elif verb in {Verb.REJECT, Verb.MERGE}:
        if case.level is not L.COMMUNITY:
            raise NotAllowed(_("上报后的事项不能不予受理或合并，请退回社区。"))
        if verb is Verb.REJECT:
            changes[Case.answer] = note  # the reason and where to go instead: the answer
        if verb is Verb.MERGE:
            changes[Case.merged_into] = await _original(case, original_code)
            note = note or _("与案件 {code} 是同一件事。").format(
                code=codes.shown(changes[Case.merged_into])
            )
    elif verb is Verb.ADOPT:
        if case.row["adopted_at"] is not None:
            raise InvalidTransition(_("这条建议已经采纳了。"))
        changes[Case.adopted_at] = now
    elif verb is Verb.REPLY and await _same_as_last(case, viewer, note):
        return  # a double tap or a retried request: the reply is there already
    await _move(case, verb, viewer.id if viewer else None, now, note, changes)


async def _escalation(case: CaseRef, department_id: int | None) -> dict:
    if case.level is L.COMMUNITY:
        return {Case.level: L.STREET}
    if case.level is L.STREET:
        if department_id is None or not await Department.exists().where(
            Department.id == department_id
        ):
            raise DomainError(_("请选择要吹哨的职能部门。"))
        return {Case.level: L.DEPARTMENT, Case.department: department_id}
    raise DomainError(_("职能部门不能再向上吹哨；办不了请退回街道并说明原因。"))


async def _original(case: CaseRef, typed: str) -> str:
    code = codes.normalise(typed)
    original = (
        await Case.select(Case.code, Case.community, Case.status).where(Case.code == code).first()
    )
    if (
        original is None
        or code == case.row["code"]
        or original["community"] != case.row["community"]
        or original["status"] == S.MERGED
    ):
        raise DomainError(_("请填写本社区另一件事的查询码。"))
    return code


async def _same_as_last(case: CaseRef, viewer: Viewer | None, note: str) -> bool:
    last = (
        await CaseEvent.select(CaseEvent.verb, CaseEvent.actor, CaseEvent.note)
        .where(CaseEvent.case == case.row["id"])
        .order_by(CaseEvent.id, ascending=False)
        .first()
    )
    return bool(
        last
        and last["verb"] == Verb.REPLY
        and last["note"] == note
        and last["actor"] == (viewer.id if viewer else None)
    )


async def rate(
    viewer: Viewer | None,
    code: str,
    rating: str,
    now: datetime,
    *,
    comment: str = "",
    proven: bool = False,
    clocks: CaseClocks = DEFAULT_CLOCKS,
) -> Verb:
    """一事一评. 不满意 the first time sends the case back to whoever answered it, at the top
    of their queue; otherwise the case closes with the rating. Returns the step taken."""
    case = await load(code)
    try:
        chosen = Case.Rating(rating)
    except ValueError:
        raise DomainError(_("请选择满意、基本满意或不满意。")) from None
    found = parties(viewer, case, proven)
    reopens = chosen is Case.Rating.UNSATISFIED and not case.row["reopened"]
    verb = Verb.REOPEN if reopens else Verb.RATE
    if Party.FILER not in found:
        raise NotAllowed(_("只有反映人可以评价。请输入手机号后四位证明是您本人。"))
    if not CASES.allowed(verb, case.status, found):
        raise InvalidTransition(_("这件事现在不能评价：反馈之后才能评价，评价过就不用再评了。"))
    comment = comment.strip()
    if problem := too_long(comment, Case.rating_comment.length):
        raise Invalid({"comment": problem})
    if verb is Verb.REOPEN:
        days = clocks.escalated_resolve_days if case.row["escalated_at"] else clocks.resolve_days
        changes = {
            Case.reopened: True,
            Case.resolve_by: now + timedelta(days=days),
            Case.resolve_warned_at: None,  # a new deadline, warned of anew
        }
    else:
        changes = {Case.rating: chosen, Case.rating_comment: comment}
    await _move(case, verb, viewer.id if viewer else None, now, comment, changes)
    return verb


async def close_unrated(
    now: datetime,
    *,
    code: str | None = None,
    clocks: CaseClocks = DEFAULT_CLOCKS,
) -> int:
    """Cases without a rating close themselves `autoclose_days` after feedback, by the clocks
    (civic/sweeps.py); `code` only that one. Returns how many closed."""
    where = None
    if code is not None:
        where = Case.code == code
    return await CASES.sweep(now, clocks, where=where)


# Telling the desk before a clock runs out ----------------------------------------------------


async def warn_due(now: datetime, *, clocks: CaseClocks = DEFAULT_CLOCKS) -> int:
    """Tells the desk holding a case once when its first response is due within
    `respond_warn_hours`, and once when its feedback is due within `resolve_warn_hours`, from
    `civic sweep`. Being told is a fact on the case (`respond_warned_at`,
    `resolve_warned_at`), written by an UPDATE only one of two sweeps running at once can
    make, in the transaction of the message. A step that sets a new deadline sets its warning
    back to None, so a reopened case is warned again. Returns how many warnings were sent."""
    clocks_to_warn = (
        (
            "respond",
            Case.respond_by,
            Case.respond_warned_at,
            timedelta(hours=clocks.respond_warn_hours),
            Case.responded_at.is_null(),
        ),
        (
            "resolve",
            Case.resolve_by,
            Case.resolve_warned_at,
            timedelta(hours=clocks.resolve_warn_hours),
            None,
        ),
    )
    told = 0
    for which, due_at, warned_at, before, also in clocks_to_warn:
        where = (
            Case.status.is_in(list(OPEN))
            & warned_at.is_null()
            & (due_at > now)
            & (due_at <= now + before)
        )
        if also is not None:
            where = where & also
        for row in await Case.select(Case.id, Case.version, due_at).where(where):
            async with write_transaction(Case._meta.db):
                won = (
                    await Case.update({warned_at: now})
                    .where(
                        (Case.id == row["id"])
                        & (Case.version == row["version"])  # as read: still this deadline
                        & warned_at.is_null()
                    )
                    .returning(Case.id)
                )
                if won:
                    await notify.due_soon(row["id"], which, row[due_at._meta.name], now)
                    told += 1
    return told
