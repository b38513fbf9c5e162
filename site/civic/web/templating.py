"""The Jinja environment: filters for times and masking, gettext, hashed static URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from civic.settings import ROOT
from civic.web import i18n
from civic.web.clock import local
from civic.web.constant_gettext import ConstantGettext
from civic.web.csrf import csrf_token
from civic.web.once import new_key as new_once_key
from civic.web.privacy import mask_name, mask_phone
from civic.web.static import static_url

TEMPLATES = ROOT / "templates"


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    shown = local(moment)
    return shown.strftime(fmt) if shown else ""


_FIELD = "civic.csrf_field"
_FIELD_HTML = Markup('<input type="hidden" name="_csrf_token" value="%s">')


@pass_context
def csrf_field(context: Context) -> Markup:
    """A form's hidden CSRF field: made once per response, however many forms a page has (a
    topic's posts have one or two each). A page rendered for many people holds the token's
    slot instead (web/shared_views.py), never this browser's field."""
    if context.get("slots") is not None:
        return _FIELD_HTML % csrf_token(context)
    scope = context["request"].scope
    if (field := scope.get(_FIELD)) is None:
        field = scope[_FIELD] = _FIELD_HTML % csrf_token(context)
    return field


@pass_context
def once_field(context: Context) -> Markup:
    """A form that creates something: a double submit or a retry creates it once (web/once.py).
    In a page rendered for many people at once, the slot each form's own key goes into."""
    slots = context.get("slots")
    key = slots.once if slots is not None else new_once_key(context["request"].scope)
    return Markup('<input type="hidden" name="_once" value="%s">') % key


def make_environment(**globals_: Any) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg", "xml"]),
        extensions=["jinja2.ext.i18n", ConstantGettext],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a release (and a restart): no stat() of every template
        # file on every page.
        auto_reload=False,
    )
    env.install_gettext_translations(i18n.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(local_time=local_time, mask_name=mask_name, mask_phone=mask_phone)
    # `slots`: set only where a page is rendered for many people at once (web/shared_views.py).
    env.globals.update(static_url=static_url, once=once_field, slots=None, **globals_)
    return env


def template_config(**globals_: Any) -> TemplateConfig[JinjaTemplateEngine]:
    env = make_environment(**globals_)
    engine = JinjaTemplateEngine.from_environment(env)
    # Ours, not Litestar's: it also tells the CSRF check that this page needs the cookie.
    env.globals.update(csrf_token=csrf_token, csrf=csrf_field)
    return TemplateConfig(instance=engine)
