"""Every error becomes a Chinese page with the right status; never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

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


def error_page(
    request: Request, status: int, message: str = "", headers: dict[str, str] | None = None
) -> Template:
    status = status if status in TITLES else (500 if status >= 500 else 400)
    return render(
        request,
        "errors/error.html",
        status=status,
        headers=headers,
        title=TITLES[status],
        message=message or MESSAGES[status],
    )


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
    message = ""
    if isinstance(exc, PermissionDeniedException) and "CSRF" in (exc.detail or ""):
        message = _("页面已过期，请刷新页面后重新提交。")
    return error_page(request, exc.status_code, message, getattr(exc, "headers", None))


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}
