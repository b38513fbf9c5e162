"""A submitted form: what was typed (kept on every refusal), the files chosen, and a message
per field."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Request
from litestar.datastructures import UploadFile

from civic.errors import DomainError, Invalid

SECRET_FIELDS = frozenset({"password", "password2", "_csrf_token"})


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)

    @classmethod
    async def read(cls, request: Request) -> Form:
        """What was typed, from an urlencoded or a multipart body alike. A file input with no
        file chosen arrives as an empty text value, so `files` holds only real uploads."""
        data = await request.form()
        values: dict[str, str] = {}
        files: dict[str, UploadFile] = {}
        for k, v in data.items():
            if isinstance(v, UploadFile):
                files[k] = v
            else:
                values[k] = str(v).strip() if k not in SECRET_FIELDS else str(v)
        return cls(values, files=files)

    def file(self, name: str) -> UploadFile | None:
        return self.files.get(name)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def int(self, name: str) -> int | None:
        try:
            return int(self.values.get(name, ""))
        except ValueError:
            return None

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
