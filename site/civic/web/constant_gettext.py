"""`{{ _("…") }}` translated once, when a template is compiled, instead of on every page.

A page says a few dozen fixed phrases, and each `_()` in a template is a gettext call through
Jinja's context at run time: on a signed-in page that was a tenth of its CPU. The site speaks
one language per process (civic/web/i18n.py), so a phrase with no values in it translates to
the same text every time; this extension writes that text into the compiled template. It gives
the text exactly as the i18n extension would at run time (a format string, not escaped), and
leaves every other use of `_()` (with values, in `{% set %}`, in expressions) to run as before.
Were the language ever chosen per request, this extension goes."""

from __future__ import annotations

from collections.abc import Iterator

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from civic.web import i18n

_SHAPE = ("variable_begin", "name", "lparen", "string", "rparen", "variable_end")


class ConstantGettext(Extension):
    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if not _could_be(window):
                yield from window[:-1]
                window = [token] if _could_be([token]) else []
                if not window:
                    yield token
                continue
            if len(window) == len(_SHAPE):
                phrase = window[3].value
                yield Token(window[0].lineno, "data", i18n.translations.gettext(phrase) % {})
                window = []
        yield from window


def _could_be(window: list[Token]) -> bool:
    """Is `window` the start of `{{ _("…") }}`?"""
    for token, kind in zip(window, _SHAPE, strict=False):
        if token.type != kind or (kind == "name" and token.value != "_"):
            return False
    return len(window) <= len(_SHAPE)
