"""Masking of personal data on pages that people other than its owner may see."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张三丰 -> 张**, 张三 -> 张*: the family name stays, the given name never shows."""
    name = (name or "").strip()
    if not name:
        return "**"
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
