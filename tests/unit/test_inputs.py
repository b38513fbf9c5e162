"""What comes in from outside: names cleaned of what does not show, numbers as typed on a
Chinese keyboard, texts held to their columns, each refusal said in words."""

from __future__ import annotations

import pytest

from civic.accounts import service as accounts
from civic.accounts.tables import Person
from civic.web.forms import Form, chosen_id, name, number, text
from civic.web.inputs import MAX_ID, clean_name, has_control_characters, too_long, whole_number
from civic.wishes.service import check_wish
from civic.wishes.tables import Wish


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王芳", "王芳"),
        ("  王芳 ", "王芳"),
        ("王\u200b芳", "王芳"),  # zero-width space: one name, not a look-alike of it
        ("\u202e李四", "李四"),  # right-to-left override
        ("李四\u202c\u2066\u2069", "李四"),  # pop direction, isolates
        ("\ufeff张三", "张三"),  # byte order mark pasted with the name
        ("张\u00ad三", "张三"),  # soft hyphen
        ("王\u3000芳", "王 芳"),  # ideographic space
        ("王\t\n芳", "王 芳"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),  # the middle dot of a name stays
        ("\u200b\u202e", ""),  # nothing that shows: nothing
        ("e\u0301", "é"),  # one way of writing a letter, as it is written elsewhere
    ],
)
def test_names_and_titles_keep_only_what_shows(typed, stored):
    assert clean_name(typed) == stored
    assert clean_name(clean_name(typed)) == stored


def test_control_characters_are_found_but_line_breaks_belong():
    assert has_control_characters("a\x00b")
    assert has_control_characters("\x1b[31m")
    assert has_control_characters("\x85")
    assert not has_control_characters("第一行\r\n第二行\t完")
    assert not has_control_characters("\u202e")  # not a control: cleaned from names instead


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("50", 50),
        (" 50 ", 50),
        ("５０", 50),  # full-width digits
        ("-3", -3),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (str(10**20), None),
        ("abc", None),
        ("", None),
        ("1e3", None),
        ("5.0", None),
    ],
)
def test_whole_numbers_as_typed(typed, number):
    assert whole_number(typed) == number


def test_too_long_says_by_how_much():
    assert too_long("修" * 30, 30) == ""
    assert too_long("修" * 41, 30) == "最多 30 个字，现在是 41 个字。"


FORM = {
    "title": name(Wish.title),
    "name": name(Person.name),
    "note": text(300),
    "value": number(0, 5000),
    "building": chosen_id(),
}


def test_a_form_holds_each_field_to_its_declaration_and_keeps_what_was_typed():
    form = Form(
        {
            "title": "\u202e" + "修" * 41,
            "name": "王\u200b芳",
            "note": "好" * 301,
            "value": "６０",
            "building": str(10**20),
            "next": "/c/x/" + "a" * 3000,
        }
    )
    form.declared(FORM)
    assert form.errors == {
        "title": "最多 30 个字，现在是 41 个字。",
        "note": "最多 300 个字，现在是 301 个字。",
        "building": "请从列表里选择。",
        "next": "最多 2000 个字，现在是 3005 个字。",  # undeclared, bounded all the same
    }
    assert form.values["title"] == "修" * 41  # shown again as typed, less what does not show
    assert form.values["name"] == "王芳"
    assert form.values["value"] == "60"
    assert form.int("value") == 60
    with pytest.raises(Exception, match="最多 30 个字"):
        form.check()


def test_a_number_out_of_its_bounds_is_refused_in_words():
    form = Form({"value": "6000"})
    form.declared(FORM)
    assert form.errors == {"value": "请填写 0 到 5000 之间的整数。"}
    letters = Form({"value": "abc"})
    letters.declared({"value": number()})
    assert letters.errors == {"value": "请填写整数。"}


def test_the_form_lengths_are_the_columns():
    assert name(Wish.title).max_length == Wish.title.length == 30
    assert name(Person.name).max_length == Person.name.length


def test_services_store_names_cleaned_and_refuse_titles_with_the_count():
    assert accounts.name_error("\u202e\u200b") == "请填写姓名。"
    assert accounts.name_error("张" * 21) == "最多 20 个字，现在是 21 个字。"
    errors = check_wish("\u202e" + "修" * 41, "", "维修", 50)
    assert errors == {"title": "最多 30 个字，现在是 41 个字。"}
    assert check_wish("修理\u200b水龙头", "", "维修", 50) == {}
