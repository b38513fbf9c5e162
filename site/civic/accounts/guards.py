"""The one guard every non-public route uses: requires(role, ...) in the place the URL names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from civic.accounts.roles import Role
from civic.accounts.viewer import Place, current_viewer, may_act
from civic.errors import NotAllowed, NotFound, SignInRequired
from civic.places import service as places
from civic.web.i18n import _

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


async def place_of(connection: ASGIConnection) -> Place | None:
    """The place a URL names: /c/<slug>/… is a community, /staff/street/<street>/… a street."""
    params = connection.path_params
    if "slug" in params:
        community = await places.community_or_404(params["slug"])
        connection.state["community"] = community
        return Place(community_id=community.id, street_id=community.street_id)
    if "street" in params:
        street = await places.street_by_slug(params["street"])
        if street is None:
            raise NotFound(_("没有这个街道。"))
        connection.state["street"] = street
        return Place(street_id=street.id)
    if "department" in params:
        department = await places.department_by_slug(params["department"])
        if department is None:
            raise NotFound(_("没有这个部门。"))
        connection.state["department"] = department
        return Place(department_id=department["id"])
    if "merchant_id" in params:
        return Place(merchant_id=params["merchant_id"])
    return None


def requires(*roles: Role) -> Guard:
    """Lets through a person holding one of `roles` in a place covering the URL's place."""
    wanted = frozenset(roles)

    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        viewer = await current_viewer(connection)
        if viewer is None:
            raise SignInRequired(_("请先登录。"))
        place = await place_of(connection)
        if not may_act(viewer, wanted, place):
            raise NotAllowed(_("您没有在这里办理这件事的权限。"))

    return guard


async def signed_in(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if await current_viewer(connection) is None:
        raise SignInRequired(_("请先登录。"))
