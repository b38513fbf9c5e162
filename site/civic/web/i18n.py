"""gettext for strings shown to people.

The source language is Chinese; catalogues for other languages go in
site/civic/locale/<lang>/LC_MESSAGES/messages.mo (strings extracted with `make messages`)."""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

translations: gettext.NullTranslations = gettext.translation(
    "messages", localedir=LOCALE_DIR, languages=["zh_Hans_CN"], fallback=True
)


def _(message: str) -> str:
    return translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations.ngettext(singular, plural, n)
