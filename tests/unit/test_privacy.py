from __future__ import annotations

import pytest

from civic.web.privacy import mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("张", "张*"),
        ("  李桂芳 ", "李**"),
        ("", "**"),
    ],
)
def test_mask_name_keeps_only_the_first_character(name, masked):
    assert mask_name(name) == masked


def test_masked_name_never_contains_the_given_name():
    assert "三丰" not in mask_name("张三丰")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("12345", "*****"), ("", "")],
)
def test_mask_phone_hides_the_middle(phone, masked):
    assert mask_phone(phone) == masked
