"""Sign-up, sign-in, sign-out, /me and the 长辈模式 switch."""

from __future__ import annotations

import contextlib

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from civic.accounts import forms, service
from civic.accounts.guards import signed_in
from civic.accounts.roles import STAFF_ROLES, Scope
from civic.accounts.throttle import LoginThrottle
from civic.accounts.viewer import SESSION_KEY, SignedIn
from civic.errors import DomainError
from civic.places import households
from civic.places import service as places
from civic.places.household_routes import home_context
from civic.web.client import client_address
from civic.web.forms import Form
from civic.web.i18n import _
from civic.web.pages import ELDER_COOKIE, now_of, render, safe_next, see_other
from civic.web.sessions import renew_session

# Sign-ups per client address: enough for a family or a staff member helping at the desk,
# too few for a script. Applied to this one route: a rate limit on every page costs throughput.
SIGNUP_LIMIT = RateLimitConfig(
    rate_limit=("hour", 10), set_rate_limit_headers=False, identifier_for_request=client_address
)


async def _signup_choices(chosen: str) -> tuple[list, list]:
    """The communities, and the buildings of the community chosen (none before one is: a list
    of every building of the district is no choice for anyone)."""
    streets = await places.district_overview()
    buildings = await places.buildings_by_community()
    communities = [(s.name, [(c.slug, c.name) for c in s.communities]) for s in streets]
    own = [
        (b["id"], b["name"])
        for s in streets
        for c in s.communities
        if c.slug == chosen
        for b in buildings.get(c.id, [])
    ]
    return communities, own


class AccountController(Controller):
    @get("/login")
    async def login_page(
        self, request: Request, next: FromQuery[str] = "", done: FromQuery[bool] = False
    ) -> Template:
        message = (
            _("如果这个手机号还没有注册，账号已经建好了，请用刚才设置的密码登录。") if done else ""
        )
        return render(
            request,
            "accounts/login.html",
            form=Form(),
            next=safe_next(next, ""),
            message=message,
            failed=False,
        )

    @post("/login")
    async def login(
        self, request: Request, throttle: NamedDependency[LoginThrottle]
    ) -> Template | Redirect:
        form = await Form.read(request, forms.LOGIN)
        phone = forms.check_login(form)
        next_path = safe_next(form.get("next"), "/me")
        address = client_address(request)

        def again(message: str, status: int, headers: dict | None = None) -> Template:
            return render(
                request,
                "accounts/login.html",
                form=form,
                next=form.get("next"),
                message=message,
                failed=True,
                status=status,
                headers=headers,
            )

        if not form.ok:
            return again("", 422)
        await throttle.attempt(phone, address)
        person_id = await service.authenticate(phone, form.get("password"))
        if person_id is None:
            return again(_("手机号或密码不对，请再试一次。"), 422)
        await throttle.succeeded(phone, address)
        renew_session(request, {SESSION_KEY: person_id})
        return see_other(next_path)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return see_other("/")

    @get("/signup")
    async def signup_page(self, request: Request, community: FromQuery[str] = "") -> Template:
        communities, buildings = await _signup_choices(community)
        return render(
            request,
            "accounts/signup.html",
            form=Form({"community": community}),
            communities=communities,
            buildings=buildings,
            entries=request.app.state.community_entries,
        )

    @post("/signup", middleware=[SIGNUP_LIMIT.middleware])
    async def signup(self, request: Request) -> Template | Redirect:
        form = await Form.read(request, forms.SIGNUP)
        phone, community_id, building_id = await forms.check_signup(form)
        if not form.ok or community_id is None:
            communities, buildings = await _signup_choices(form.get("community"))
            return render(
                request,
                "accounts/signup.html",
                form=form,
                communities=communities,
                buildings=buildings,
                entries=request.app.state.community_entries,
                status=422,
            )
        person_id = await service.register_resident(
            phone, form.get("name"), form.get("password"), community_id, building_id
        )
        if person_id is not None and building_id is not None and form.get("door"):
            # The form found the dwelling; it waits for the community's confirmation. Should it
            # have gone meanwhile, the account stands and the home is chosen later on /me.
            with contextlib.suppress(DomainError):
                await households.choose_home(
                    person_id, building_id, form.get("door"), now_of(request)
                )
        if person_id is None:
            # The number had an account: the password typed signs its holder in. The answer
            # is the same either way (on to /me), so the form itself tells nobody whether a
            # number is taken; /me then asks anyone else to sign in.
            person_id = await service.authenticate(phone, form.get("password"))
        if person_id is not None:
            renew_session(request, {SESSION_KEY: person_id})
        return see_other("/me")

    @get("/me", guards=[signed_in])
    async def me(self, request: Request, viewer: SignedIn) -> Template:
        person = await service.person(viewer.id)
        roles = (await service.memberships([viewer.id]))[viewer.id]
        communities = await places.communities_by_id(
            [m.scope_id for m in roles if m.role.scope is Scope.COMMUNITY]
        )
        shown = []
        for m in roles:
            community = communities.get(m.scope_id) if m.role.scope is Scope.COMMUNITY else None
            link = f"/c/{community.slug}/" if community else "/staff/"
            shown.append({"role": m.role, "place_name": m.place_name, "link": link})
        sections = []
        for title, items_of in request.app.state.me_sections:
            sections.append((title, await items_of(viewer.id)))
        building = ""
        if person.building_id:
            building = await places.building_name(person.building_id)
        return render(
            request,
            "accounts/me.html",
            person=person,
            roles=shown,
            building=building,
            sections=sections,
            is_staff=viewer.holds(*STAFF_ROLES),
            **await home_context(viewer, person.building_id),
        )

    # A display preference kept in this browser only, changing no data: no CSRF token, so that
    # the switch on every page leaves a visitor's page free of one (web/csrf.py).
    @post("/prefs/elder", exclude_from_csrf=True)
    async def elder_mode(self, request: Request) -> Redirect:
        form = await Form.read(request, forms.ELDER)
        response = see_other(safe_next(form.get("next")))
        on = form.get("elder") == "1"
        response.cookies.append(
            Cookie(
                key=ELDER_COOKIE,
                value="1" if on else "0",
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                path="/",
            )
        )
        return response
