"""Every error becomes a Chinese page with the right status; never a stack trace."""

from __future__ import annotations

import logging
import re
from hmac import compare_digest
from typing import Any, cast
from urllib.parse import quote

from litestar import Litestar, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import BaseSessionBackend
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.response import Redirect, Template
from litestar.response.base import ASGIResponse
from litestar.types import ExceptionHandlersMap, Receive, Scope, Send

from civic.errors import DomainError, SignInRequired, Throttled
from civic.web.i18n import _
from civic.web.pages import current_path, is_htmx, render

log = logging.getLogger("civic")

TITLES = {
    400: _("请求有误"),
    401: _("请先登录"),
    403: _("没有权限"),
    404: _("找不到这个页面"),
    405: _("不能这样操作"),
    409: _("状态已经变了"),
    410: _("这个页面已撤下"),
    413: _("文件太大了"),
    422: _("填写有误"),
    429: _("操作太频繁"),
    500: _("系统出了点问题"),
    503: _("现在人多，请稍等"),
}

MESSAGES = {
    400: _("提交的内容没法处理，请返回上一页检查后再试。"),
    401: _("请先登录再继续。"),
    403: _("这个页面或操作需要相应的身份。如有疑问请联系社区工作人员。"),
    404: _("地址可能输错了，或者内容已被删除。"),
    405: _("这个地址不支持这样的操作。"),
    409: _("别人可能刚刚处理过，请刷新后再看。"),
    410: _("内容已被撤下。"),
    413: _("上传的文件超过了大小限制，请换一张小一点的图片。"),
    422: _("请检查填写的内容。"),
    429: _("请稍等一会儿再试。"),
    500: _("我们已记录这个问题，请稍后再试；急事请直接联系社区居委会。"),
    503: _("现在使用的人比较多，请过一会儿再试。"),
}


async def _load_viewer(request: Request) -> None:
    """The person signed in, for the header of an error page (消息, 我的). A request no route
    took (404, 405) passed through no middleware: its session is read here from the app's own
    session backend, and the person through the app's own `visitor` provider, so this module
    names no feature. An error page is shown even when that fails (the database is down)."""
    if "viewer" in request.state:
        return
    try:
        if not isinstance(request.scope.get("session"), dict):
            backend = _session_backend(request.app)
            if backend is not None:
                request.scope["session"] = await backend.load_from_connection(request)
        provide = request.app.dependencies.get("visitor")
        request.state["viewer"] = await provide(request=request) if provide else None
    except Exception:  # an error page must never fail for want of its header
        log.exception("could not load the viewer for an error page")
        request.state["viewer"] = None


TYPED = "civic.typed"
"""Session key: what was typed into a form refused as too big, for the form's page (once)."""
_TYPED_READ = 256 * 1024
"""How much of a refused body is read for its text fields: a form's text comes before its
photo (browsers send the fields in the order of the form), and is far shorter than this."""


def _session_backend(app: Litestar) -> BaseSessionBackend | None:
    return next(
        (
            m.kwargs["backend"]
            for m in app.middleware
            if isinstance(m, DefineMiddleware)
            and isinstance(m.kwargs.get("backend"), BaseSessionBackend)
        ),
        None,
    )


async def _keep_typed(request: Request, receive: Receive) -> None:
    """A multipart form refused as too big was not read: read its first bytes, and keep the
    text fields complete in them for the form's page (`typed_kept`), in the session the
    browser brought (every form with a photo is behind sign-in). The refusal may come before
    the session was read and before the CSRF check (the token is in the body), so both are
    done here: only a form carrying the browser's own CSRF cookie is kept."""
    backend = _session_backend(request.app)
    content_type = request.headers.get("content-type", "")
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if not isinstance(backend, ServerSideSessionBackend) or not boundary:
        return
    session_id = request.cookies.get(backend.config.key, "")
    session = await backend.load_from_connection(request) if session_id else {}
    if not session:
        return
    body, more = b"", True
    while more and len(body) < _TYPED_READ:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = message.get("more_body", False)
    fields: dict[str, str] = {}
    # The last piece may be cut short: only the parts a delimiter closes are taken.
    for part in body.split(b"--" + boundary[1].encode())[1:-1]:
        head, _sep, value = part.partition(b"\r\n\r\n")
        named = re.search(rb'name="([A-Za-z_]\w{0,40})"', head)
        if not named or b"filename=" in head:
            continue
        try:
            fields[named[1].decode()] = value.removesuffix(b"\r\n").decode()[:2000]
        except UnicodeDecodeError:
            continue
    cookie = request.cookies.get("csrftoken", "")
    if not cookie or not compare_digest(fields.pop("_csrf_token", ""), cookie):
        return
    typed = {k: v for k, v in fields.items() if not k.startswith("_")}
    if typed:
        data = {**session, TYPED: [request.scope["path"], typed]}
        store = backend.config.get_store_from_app(request.app)
        await backend.set(session_id, backend.serialize_data(data), store=store)


def typed_kept(request: Request, path: str) -> dict[str, str]:
    """What was typed into the form at `path` just refused as too big, once; {} otherwise. A
    feature's form page shows it again (with the photo to choose anew)."""
    session = request.scope.get("session")
    kept = session.get(TYPED) if isinstance(session, dict) else None
    if not isinstance(session, dict) or not isinstance(kept, list) or len(kept) != 2:
        return {}
    request.set_session({k: v for k, v in session.items() if k != TYPED})
    same = str(kept[0]).rstrip("/") == path.rstrip("/")
    return {str(k): str(v) for k, v in kept[1].items()} if same else {}


class _ErrorPage(Template):
    """An error page rendered once the viewer is loaded: exception handlers are not awaited,
    the response they return is."""

    def to_asgi_response(
        self, app: Litestar | None, request: Request, **kwargs: Any
    ) -> ASGIResponse:
        page = self

        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            if page.status_code == 413:
                await _keep_typed(request, receive)
            await _load_viewer(request)
            page.context["viewer"] = request.state.get("viewer")
            await Template.to_asgi_response(page, app, request, **kwargs)(scope, receive, send)

        return cast("ASGIResponse", asgi)


def error_page(
    request: Request,
    status: int,
    message: str = "",
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    status = status if status in TITLES else (500 if status >= 500 else 400)
    context.setdefault("back", None)
    page = render(
        request,
        "errors/error.html",
        status=status,
        headers=headers,
        title=TITLES[status],
        message=message or MESSAGES[status],
        **context,
    )
    return _ErrorPage(
        template_name=page.template_name,
        context=page.context,
        status_code=status,
        headers=page.headers,
    )


def page_of_action(app: Litestar, path: str) -> str | None:
    """The page a POST-only address belongs to: the nearest address above it that shows a
    page (/c/x/wishes/5/claim → /c/x/wishes/5/). A reload after a refused form, or a link
    copied from the address bar, asks for the form's address with GET: it is led back to
    the page the form was on rather than told the method is wrong."""
    parts = path.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        above = "/".join(parts[:end]) or "/"
        if _shows_page(app, above):
            return above if above == "/" else f"{above}/"
    return None


def _shows_page(app: Litestar, path: str) -> bool:
    try:
        app.asgi_router.handle_routing(path, "GET")
    except (NotFoundException, MethodNotAllowedException):
        return False
    return True


def sign_in_redirect(request: Request) -> Response:
    target = f"/login?next={quote(current_path(request), safe='/')}"
    if is_htmx(request):
        return Response(b"", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def domain_error(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, SignInRequired):
        return sign_in_redirect(request)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
    return error_page(request, exc.status_code, exc.message, headers)


def http_error(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException):
        return sign_in_redirect(request)
    if isinstance(exc, MethodNotAllowedException) and request.method in ("GET", "HEAD"):
        page = page_of_action(request.app, request.scope["path"])
        if page is not None:
            return Redirect(path=page, status_code=303)
    message, back = "", None
    if exc.status_code == 413:
        # The body was refused unread, so what was typed never arrived: say what to do and
        # lead back to the form (its own address when it is a page, else the page it is on).
        message = _("照片太大了，没有提交成功。请换一张小一点的图片，再回到表单提交。")
        path = request.scope["path"]
        back = path if _shows_page(request.app, path) else page_of_action(request.app, path)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in (exc.detail or ""):
        message = _("页面已过期，请刷新页面后重新提交。")
    return error_page(request, exc.status_code, message, getattr(exc, "headers", None), back=back)


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}
