"""户: the staff pages of a community's dwellings and residents (confirm, 户长, add, edit,
import a CSV), and a resident's own choice of home on /me."""

from __future__ import annotations

import json
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Template

from civic.accounts.guards import requires, signed_in
from civic.accounts.roles import Role
from civic.accounts.viewer import SignedIn, Viewer
from civic.errors import DomainError, Invalid
from civic.places import households
from civic.places.service import CommunityInfo
from civic.web.forms import Form, chosen_id, name, text
from civic.web.i18n import _
from civic.web.inputs import Id, MaybeId
from civic.web.once import FIELD as ONCE
from civic.web.once import once_of
from civic.web.pages import now_of, render, see_other

DOOR = name(households.DOOR_LENGTH)
AREA = text(20)
DWELLING = {"building": chosen_id(), "household": chosen_id(), "door": DOOR, "area": AREA}
RESIDENT = {"person": chosen_id(), "household": chosen_id(), "decision": text(10)}
IMPORT = {"building": chosen_id(), "csv": text(households.MAX_CSV_CHARS)}
IMPORT_CONFIRM = {"building": chosen_id(), "rows": text(3 * households.MAX_CSV_CHARS)}
HOME = {"building": chosen_id(), "door": DOOR}
MAX_UPLOAD = 512 * 1024
"""A CSV of a few thousand dwellings is well under this."""

Count = Annotated[int | None, Parameter(ge=0, le=households.MAX_ROWS)]
DECISIONS = ("confirm", "reject", "head")
STAFF = [requires(Role.COMMUNITY_STAFF, Role.BUILDING_LEADER)]
EDITORS = [requires(Role.COMMUNITY_STAFF)]


def _base(community: CommunityInfo) -> str:
    return f"/staff/c/{community.slug}/households/"


def _decode(data: bytes) -> str:
    """A CSV as Excel saves it in China (GB18030) or as anything else does (UTF-8)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid({"file": _("读不出这个文件，请另存为 CSV（逗号分隔）后再上传。")})


def _checked_building(form: Form, message: str) -> int:
    """The building chosen in the form, after every field is checked (all refusals at once)."""
    building = form.int("building")
    if building is None:
        form.error("building", message)
        raise Invalid(dict(form.errors))
    form.check()
    return building


class HouseholdController(Controller):
    @get("/staff/c/{slug:str}/households/", guards=STAFF)
    async def homes(
        self,
        request: Request,
        viewer: SignedIn,
        slug: FromPath[str],
        building: FromQuery[MaybeId] = None,
        imported: FromQuery[Count] = None,
        skipped: FromQuery[Count] = None,
    ) -> Template:
        community: CommunityInfo = request.state["community"]
        editor = households.may_edit(viewer, community.id)
        led = None if editor else households.led_buildings(viewer, community.id)
        buildings = await households.community_homes(community.id, viewer, led)
        if led is not None and building is None and led:
            building = led[0]
        chosen = next((b for b in buildings if b.id == building), None)
        waiting = [(b, d, r) for b in buildings for d in b.dwellings for r in d.waiting]
        return render(
            request,
            "places/households.html",
            community=community,
            buildings=buildings,
            chosen=chosen,
            waiting=waiting,
            editor=editor,
            imported=imported,
            skipped=skipped,
        )

    @post("/staff/c/{slug:str}/households/residents", guards=STAFF)
    async def decide(self, request: Request, viewer: SignedIn, slug: FromPath[str]) -> Redirect:
        community: CommunityInfo = request.state["community"]
        form = await Form.read(request, RESIDENT)
        person, household = form.int("person"), form.int("household")
        decision = form.get("decision")
        if not form.ok or person is None or household is None or decision not in DECISIONS:
            raise Invalid({"person": _("请从列表里选择。")})
        found = await households.dwelling(community.id, household)
        now = now_of(request)
        if decision == "confirm":
            await households.confirm(viewer, person, household, now)
        elif decision == "reject":
            await households.unconfirm(viewer, person, household, now)
        else:
            await households.make_head(viewer, person, household)
        return see_other(f"{_base(community)}?building={found.building_id}#h-{household}")

    async def _dwelling_page(
        self, request: Request, community: CommunityInfo, form: Form, status: int = 200
    ) -> Template:
        choices = [(b.id, b.name) for b in await households.community_homes(community.id)]
        return render(
            request,
            "places/households_dwelling.html",
            community=community,
            form=form,
            buildings=choices,
            editing=bool(form.get("household")),
            status=status,
        )

    @get("/staff/c/{slug:str}/households/new", guards=EDITORS)
    async def new_dwelling(
        self, request: Request, slug: FromPath[str], building: FromQuery[MaybeId] = None
    ) -> Template:
        community: CommunityInfo = request.state["community"]
        return await self._dwelling_page(
            request, community, Form({"building": str(building or "")})
        )

    @post("/staff/c/{slug:str}/households/new", guards=EDITORS)
    async def add_dwelling(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        community: CommunityInfo = request.state["community"]
        form = await Form.read(request, DWELLING)
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            return see_other(made)
        try:
            building = _checked_building(form, _("请选择楼门。"))
            household = await households.add_dwelling(
                community.id, building, form.get("door"), form.get("area")
            )
        except DomainError as refused:
            await once.refused()
            form.refuse(refused, "door")
            return await self._dwelling_page(request, community, form, 422)
        where = f"{_base(community)}?building={building}#h-{household}"
        await once.done(where)
        return see_other(where)

    @get("/staff/c/{slug:str}/households/edit", guards=EDITORS)
    async def edit_page(
        self, request: Request, slug: FromPath[str], household: FromQuery[Id]
    ) -> Template:
        community: CommunityInfo = request.state["community"]
        found = await households.dwelling(community.id, household)
        form = Form(
            {
                "household": str(found.id),
                "building": str(found.building_id),
                "door": found.door,
                "area": found.area,
            }
        )
        return await self._dwelling_page(request, community, form)

    @post("/staff/c/{slug:str}/households/edit", guards=EDITORS)
    async def edit(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        community: CommunityInfo = request.state["community"]
        form = await Form.read(request, DWELLING)
        household = form.int("household")
        try:
            if household is None:
                raise Invalid({"door": _("请从列表里选择。")})
            form.check()
            found = await households.dwelling(community.id, household)
            form.values["building"] = str(found.building_id)
            await households.edit_dwelling(
                community.id, household, form.get("door"), form.get("area")
            )
        except Invalid as refused:
            form.refuse(refused, "door")
            return await self._dwelling_page(request, community, form, 422)
        return see_other(f"{_base(community)}?building={found.building_id}#h-{household}")

    async def _import_page(
        self,
        request: Request,
        community: CommunityInfo,
        form: Form,
        preview: households.Preview | None = None,
        building_name: str = "",
        status: int = 200,
    ) -> Template:
        choices = [(b.id, b.name) for b in await households.community_homes(community.id)]
        return render(
            request,
            "places/households_import.html",
            community=community,
            form=form,
            buildings=choices,
            preview=preview,
            building_name=building_name,
            status=status,
        )

    @get("/staff/c/{slug:str}/households/import", guards=EDITORS)
    async def import_page(
        self, request: Request, slug: FromPath[str], building: FromQuery[MaybeId] = None
    ) -> Template:
        community: CommunityInfo = request.state["community"]
        return await self._import_page(request, community, Form({"building": str(building or "")}))

    @post("/staff/c/{slug:str}/households/import", guards=EDITORS)
    async def preview(self, request: Request, slug: FromPath[str]) -> Template:
        """The rows of the CSV uploaded or pasted, good and bad, and a button to import the
        good ones: nothing is written yet."""
        community: CommunityInfo = request.state["community"]
        form = await Form.read(request, IMPORT)
        try:
            upload = form.file("file")
            typed = form.get("csv")
            if upload is not None and upload.filename:
                data = await upload.read(MAX_UPLOAD + 1)
                if len(data) > MAX_UPLOAD:
                    raise Invalid(
                        {
                            "file": _("文件太大了，一次最多导入 {n} 行。").format(
                                n=households.MAX_ROWS
                            )
                        }
                    )
                typed = _decode(data)
                if len(typed) > households.MAX_CSV_CHARS:
                    raise Invalid(
                        {
                            "file": _("文件太大了，一次最多导入 {n} 行。").format(
                                n=households.MAX_ROWS
                            )
                        }
                    )
            if not typed.strip():
                form.error("csv", _("请上传 CSV 文件，或把表格内容粘贴到这里。"))
            building = _checked_building(form, _("请选择楼门。"))
            found = await households.building_of(community.id, building)
            preview = await households.preview_import(community.id, building, typed)
        except DomainError as refused:
            form.refuse(refused, "csv")
            return await self._import_page(request, community, form, status=422)
        form.values["rows"] = json.dumps(typed, ensure_ascii=False)
        return await self._import_page(
            request, community, form, preview, found["name"], 200 if preview.rows else 422
        )

    @post("/staff/c/{slug:str}/households/import/confirm", guards=EDITORS)
    async def import_rows(self, request: Request, slug: FromPath[str]) -> Redirect:
        """The good rows of the preview, imported once however often the button is tapped."""
        community: CommunityInfo = request.state["community"]
        form = await Form.read(request, IMPORT_CONFIRM)
        building = form.int("building")
        try:
            typed = json.loads(form.get("rows") or '""')
        except ValueError:
            typed = None
        if not form.ok or building is None or not isinstance(typed, str):
            raise Invalid({"csv": _("导入的内容不完整，请重新上传。")})
        once = once_of(request, form.get(ONCE))
        if made := await once.claim():
            return see_other(made)
        try:
            # Checked again: what the preview showed is what is imported, and only that.
            preview = await households.preview_import(community.id, building, typed)
            done = await households.import_rows(building, preview)
        except DomainError:
            await once.refused()
            raise
        existing = preview.existing + len(done.skipped)
        where = f"{_base(community)}?building={building}&imported={done.added}&skipped={existing}"
        await once.done(where)
        return see_other(where)

    # A resident's own home, on /me ------------------------------------------------------

    @post("/me/home", guards=[signed_in])
    async def choose(self, request: Request, viewer: SignedIn) -> Template | Redirect:
        form = await Form.read(request, HOME)
        try:
            building = _checked_building(form, _("请选择您住的楼门。"))
            await households.choose_home(viewer.id, building, form.get("door"), now_of(request))
        except DomainError as refused:
            form.refuse(refused, "door")
            return await _home_page(request, viewer, form)
        return see_other("/me#home")

    @post("/me/home/leave", guards=[signed_in])
    async def leave(self, request: Request, viewer: SignedIn) -> Redirect:
        await households.leave_home(viewer.id)
        return see_other("/me#home")


async def _home_page(request: Request, viewer: Viewer, form: Form) -> Template:
    return render(
        request,
        "places/households_home_page.html",
        home=await households.home_of(viewer.id),
        home_leads=False,
        home_buildings=await households.home_choices(viewer.id),
        home_form=form,
        status=422,
    )


async def home_context(viewer: Viewer, building_id: int | None) -> dict:
    """What the 我家 section of /me shows: the home, its state, the form to choose one."""
    home = await households.home_of(viewer.id)
    chosen = home.building_id if home else building_id
    leads = home is not None and bool(households.led_buildings(viewer, home.community_id))
    return {
        "home": home,
        "home_leads": leads,
        "home_buildings": await households.home_choices(viewer.id),
        "home_form": Form({"building": str(chosen or "")}),
    }
