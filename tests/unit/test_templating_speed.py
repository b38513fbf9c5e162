"""What the compile-time translations and Piccolo's foreign-key fix must keep exactly as it was."""

from __future__ import annotations

import pytest

from civic.piccolo_fixes import _Names
from civic.places.tables import Building, Community
from civic.web.templating import make_environment


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ('<p>{{ _("你好") }}</p>', "<p>你好</p>"),
        ('{{ _("共 %(n)s 条", n=3) }}', "共 3 条"),
        ("<a title=\"{{ _('a<b') }}\">", '<a title="a<b">'),
        ('{{ _("百分之百 100%%") }}', "百分之百 100%"),
        ('{{ _("up") | upper }}', "UP"),
        ('{% set q = _("问") %}{{ q }}{{ q }}', "问问"),
        ('{{ _("甲") }}{{ x }}{{ _("乙") }}', "甲&lt;b&gt;乙"),
        ('{{- _("紧") -}} ', "紧"),
    ],
)
def test_translated_text_is_what_gettext_gives_at_run_time(source, shown):
    env = make_environment()
    assert env.from_string(source).render(x="<b>") == shown


def test_the_fixed_phrase_is_in_the_compiled_template_not_a_call():
    compiled = make_environment().compile('<p>{{ _("固定的话") }}</p>', raw=True)
    assert "固定的话" in compiled
    assert "gettext" not in compiled


@pytest.mark.parametrize("column", [Community.street, Building.community, Building.grid])
def test_foreign_key_attribute_names_answer_as_dir_does(column):
    names = set(dir(column))
    asked = names | {"name", "slug", "nothing_here", "_meta", "__class__", "x"}
    for name in asked:
        assert (name in _Names(column)) is (name in names), name
    full_name = Community.street.name._meta.get_full_name(with_alias=False)
    assert full_name == '"community$street"."name"'
