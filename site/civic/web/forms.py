"""A submitted form: what was typed (kept on every refusal), the files chosen, and a message
per field; and the declaration of what each field of a form may hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from litestar import Request
from litestar.datastructures import UploadFile
from piccolo.columns import Varchar

from civic.errors import DomainError, Invalid
from civic.web.i18n import _
from civic.web.inputs import MAX_ID, clean_name, too_long, whole_number

SECRET_FIELDS = frozenset({"password", "password2", "_csrf_token"})


@dataclass(frozen=True)
class Field:
    """What one field of a form may hold. Each form declares its fields once, as a mapping of
    name to Field (see `text`, `name`, `number`), and Form.read applies it: what breaks it gets
    a message under the field, and what was typed stays in the form."""

    max_length: int = 2000
    is_name: bool = False
    is_number: bool = False
    low: int = -MAX_ID
    high: int = MAX_ID
    message: str = ""
    """Shown for a number that is no number or out of bounds, instead of the usual words."""


Fields = Mapping[str, Field]
UNDECLARED = Field()
"""A field no declaration names (a form key, where to go next): bounded all the same."""


def _limit(limit: int | Varchar) -> int:
    # A Varchar of no length holds any text, and a field is bounded all the same.
    return limit if isinstance(limit, int) else limit.length or UNDECLARED.max_length


def text(limit: int | Varchar) -> Field:
    """At most `limit` characters, or as many as the column the field is stored in holds: on
    PostgreSQL a longer value is refused, SQLite would keep it."""
    return Field(max_length=_limit(limit))


def name(limit: int | Varchar) -> Field:
    """A person's name or a title: cleaned of what does not show (inputs.clean_name), then
    counted, so what is counted is what is seen."""
    return Field(max_length=_limit(limit), is_name=True)


def number(low: int = -MAX_ID, high: int = MAX_ID, message: str = "") -> Field:
    """A whole number (full-width digits accepted) that fits the database, or what the form
    narrows it to. Empty is left to the form's rules."""
    return Field(is_number=True, low=low, high=high, message=message)


def chosen_id() -> Field:
    """The id of something picked from a list (a building, a department)."""
    return number(1, MAX_ID, _("请从列表里选择。"))


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)

    @classmethod
    async def read(cls, request: Request, fields: Fields | None = None) -> Form:
        """What was typed, from an urlencoded or a multipart body alike, checked against the
        form's declared `fields`. A file input with no file chosen arrives as an empty text
        value, so `files` holds only real uploads."""
        data = await request.form()
        values: dict[str, str] = {}
        files: dict[str, UploadFile] = {}
        for k, v in data.items():
            if isinstance(v, UploadFile):
                files[k] = v
            else:
                values[k] = str(v).strip() if k not in SECRET_FIELDS else str(v)
        form = cls(values, files=files)
        form.declared(fields or {})
        return form

    def declared(self, fields: Fields) -> None:
        """Hold each value to its field's declaration: names cleaned, numbers made half-width
        digits, each refusal under its field."""
        for key, value in list(self.values.items()):
            spec = fields.get(key, UNDECLARED)
            if spec.is_name:
                value = self.values[key] = clean_name(value)
            if not spec.is_number:
                self.error(key, too_long(value, spec.max_length))
            elif value:
                found = whole_number(value)
                if found is None or not spec.low <= found <= spec.high:
                    self.error(key, spec.message or _number_message(spec))
                else:
                    self.values[key] = str(found)

    def check(self) -> None:
        """Raises Invalid with every message so far: a handler calls it before it acts, inside
        the `try` that shows the form again when a service refuses."""
        if self.errors:
            raise Invalid(dict(self.errors))

    def file(self, name: str) -> UploadFile | None:
        return self.files.get(name)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def int(self, name: str) -> int | None:
        """The field as a whole number; None when empty, not a number, or too large for any
        column."""
        return whole_number(self.values.get(name, ""))

    def error(self, name: str, message: str | None) -> None:
        if message and name not in self.errors:
            self.errors[name] = message

    def refuse(self, refused: DomainError, field: str) -> None:
        """Keep a service's refusal to show with the form again: each field's message where
        the service named fields, otherwise the message under `field`."""
        if isinstance(refused, Invalid):
            for name, message in refused.errors.items():
                self.error(name, message)
        else:
            self.error(field, refused.message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def shown(self) -> dict[str, str]:
        """The values to put back into the form: everything but passwords."""
        return {k: v for k, v in self.values.items() if k not in SECRET_FIELDS}


def _number_message(spec: Field) -> str:
    if spec.low > -MAX_ID and spec.high < MAX_ID:
        return _("请填写 {low} 到 {high} 之间的整数。").format(low=spec.low, high=spec.high)
    if spec.low > -MAX_ID:
        return _("请填写不小于 {low} 的整数。").format(low=spec.low)
    return _("请填写整数。")
