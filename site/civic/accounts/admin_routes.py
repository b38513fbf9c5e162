"""District admin: accounts, and the roles each person holds where."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.accounts import forms, service
from civic.accounts.guards import requires
from civic.accounts.roles import Role, Scope
from civic.accounts.viewer import SignedIn
from civic.errors import DomainError
from civic.places import service as places
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.inputs import Id, whole_number
from civic.web.pages import is_htmx, render, see_other


async def scope_choices() -> list:
    streets = await places.district_overview()
    departments = await places.departments()
    return [
        (_("全区"), [("district:0", await places.district_name() or _("全区"))]),
        (_("街道"), [(f"street:{s.id}", s.name) for s in streets]),
        (
            _("社区"),
            [(f"community:{c.id}", f"{s.name} · {c.name}") for s in streets for c in s.communities],
        ),
        (_("职能部门"), [(f"department:{d['id']}", d["name"]) for d in departments]),
    ]


ROLE_CHOICES = [(r.value, r.label) for r in Role if r is not Role.MERCHANT_STAFF]


def read_grant(form: Form) -> tuple[Role, int] | None:
    """The role and place chosen in the form; errors go on the form."""
    try:
        role = Role(form.get("role"))
    except ValueError:
        form.error("role", _("请选择角色。"))
        return None
    kind, _sep, raw_id = form.get("scope").partition(":")
    scope_id = whole_number(raw_id)
    if kind != role.scope.value or scope_id is None or scope_id < 0:
        names = {
            Scope.COMMUNITY: _("社区"),
            Scope.STREET: _("街道"),
            Scope.DEPARTMENT: _("职能部门"),
            Scope.DISTRICT: _("全区"),
        }
        form.error(
            "scope",
            _("“{role}”要选一个{kind}。").format(role=role.label, kind=names.get(role.scope, "")),
        )
        return None
    return role, scope_id


class AdminController(Controller):
    path = "/staff/admin"
    guards = (requires(Role.DISTRICT_ADMIN),)

    @get("/people")
    async def people(self, request: Request, q: FromQuery[str] = "") -> Template:
        found = await service.people(q)
        roles = await service.memberships([p.id for p in found])
        return render(request, "admin/people.html", people=found, roles=roles, q=q)

    @get("/people/new")
    async def new_person_page(self, request: Request) -> Template:
        return render(
            request,
            "admin/new_person.html",
            form=Form(),
            roles=ROLE_CHOICES,
            scopes=await scope_choices(),
        )

    @post("/people/new")
    async def new_person(self, request: Request, viewer: SignedIn) -> Template | Redirect:
        form = await Form.read(request, forms.NEW_PERSON)
        form.values["phone"] = phone = service.normalise_phone(form.get("phone"))
        form.error("phone", service.phone_error(phone))
        form.error("name", service.name_error(form.get("name")))
        form.error("password", service.password_error(form.get("password")))
        grant = read_grant(form) if form.get("role") else None
        if form.ok:
            try:
                person_id = await service.create_person(
                    phone, form.get("name"), form.get("password")
                )
            except DomainError as exc:
                form.error("phone", exc.message)
            else:
                if grant:
                    await service.grant(person_id, *grant, granted_by=viewer.id)
                return see_other(f"/staff/admin/people/{person_id}")
        return render(
            request,
            "admin/new_person.html",
            form=form,
            roles=ROLE_CHOICES,
            scopes=await scope_choices(),
            status=422,
        )

    async def _person_page(
        self, request: Request, person_id: int, form: Form, status: int = 200
    ) -> Template:
        person = await service.person(person_id)
        roles = (await service.memberships([person_id]))[person_id]
        return render(
            request,
            "admin/person.html",
            fragment="admin/_roles.html",
            person=person,
            memberships=roles,
            form=form,
            roles=ROLE_CHOICES,
            scopes=await scope_choices(),
            status=status,
        )

    @get("/people/{person_id:int}")
    async def person(self, request: Request, person_id: FromPath[Id]) -> Template:
        return await self._person_page(request, person_id, Form())

    @post("/people/{person_id:int}/roles")
    async def add_role(
        self, request: Request, viewer: SignedIn, person_id: FromPath[Id]
    ) -> Template | Redirect:
        form = await Form.read(request, forms.GRANT)
        grant = read_grant(form)
        if grant:
            try:
                await service.grant(person_id, *grant, granted_by=viewer.id)
            except DomainError as exc:
                form.error("scope", exc.message)
        if not form.ok:
            return await self._person_page(request, person_id, form, status=422)
        if is_htmx(request):
            return await self._person_page(request, person_id, Form())
        return see_other(f"/staff/admin/people/{person_id}")

    @post("/people/{person_id:int}/roles/{membership_id:int}/delete")
    async def remove_role(
        self, request: Request, person_id: FromPath[Id], membership_id: FromPath[Id]
    ) -> Template | Redirect:
        await service.revoke(person_id, membership_id)
        if is_htmx(request):
            return await self._person_page(request, person_id, Form())
        return see_other(f"/staff/admin/people/{person_id}")
