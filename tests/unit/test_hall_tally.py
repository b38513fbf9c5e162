"""Counting a vote against its threshold, at the boundaries, with the answers worked out by hand.

A building of 18 households: 2/3 of them is exactly 12; 3/4 of 12 is exactly 9."""

from __future__ import annotations

from fractions import Fraction

from civic.hall.tally import (
    MAJORITY,
    ORDINARY,
    SPECIAL,
    Eligible,
    OptionCount,
    area_text,
    count,
    percent_text,
    turnout,
)


def yes_no(yes: tuple[int, int], no: tuple[int, int], abstain: tuple[int, int] = (0, 0)):
    """Options 同意 / 不同意 / 弃权 with (heads, area in dm²) each."""
    return [
        OptionCount("同意", yes[0], yes[1], agrees=True),
        OptionCount("不同意", no[0], no[1]),
        OptionCount("弃权", abstain[0], abstain[1], abstains=True),
    ]


def test_head_count_reaches_two_thirds_exactly_but_the_area_falls_short():
    # 12 of 18 households (exactly 2/3) with 1,050.00 of 1,620.50 m² (64.79…%); of those
    # taking part 9 of 12 (exactly 3/4) agree, holding 787.50 of 1,050.00 m² (exactly 3/4).
    options = yes_no(yes=(9, 78750), no=(2, 16250), abstain=(1, 10000))
    result = count(options, Eligible(18, 162050), SPECIAL)
    assert result.passed is False
    assert result.reasons == (
        "参与户数 12/18（66.7%），达到三分之二",
        "参与面积 1,050.00/1,620.50 m²（64.8%），未达到三分之二",
        "同意户数 9/12（75.0%），达到四分之三",
        "同意面积 787.50/1,050.00 m²（75.0%），达到四分之三",
    )
    assert [c.reached for c in result.checks] == [True, False, True, True]
    assert result.summary.startswith("未通过：参与户数 12/18（66.7%），达到三分之二；")


def test_area_reaches_two_thirds_exactly_but_one_household_is_short():
    # 11 of 18 households (one short of 12) with exactly 1,000.00 of 1,500.00 m² (2/3).
    options = yes_no(yes=(9, 75000), no=(2, 25000))
    result = count(options, Eligible(18, 150000), SPECIAL)
    assert result.passed is False
    assert result.reasons == (
        "参与户数 11/18（61.1%），未达到三分之二",
        "参与面积 1,000.00/1,500.00 m²（66.7%），达到三分之二",
        "同意户数 9/11（81.8%），达到四分之三",
        "同意面积 750.00/1,000.00 m²（75.0%），达到四分之三",
    )


def test_exactly_two_thirds_taking_part_and_exactly_three_quarters_agreeing_passes():
    options = yes_no(yes=(9, 75000), no=(2, 15000), abstain=(1, 10000))
    result = count(options, Eligible(18, 150000), SPECIAL)
    assert result.passed is True
    assert result.verdict == "通过"
    assert result.reasons == (
        "参与户数 12/18（66.7%），达到三分之二",
        "参与面积 1,000.00/1,500.00 m²（66.7%），达到三分之二",
        "同意户数 9/12（75.0%），达到四分之三",
        "同意面积 750.00/1,000.00 m²（75.0%），达到四分之三",
    )


def test_agreement_one_household_short_of_three_quarters_fails_though_the_area_agrees():
    # 8 of 12 agree (2/3 < 3/4) while they hold 800.00 of 1,000.00 m² (80%).
    options = yes_no(yes=(8, 80000), no=(3, 15000), abstain=(1, 5000))
    result = count(options, Eligible(18, 150000), SPECIAL)
    assert result.passed is False
    assert result.reasons[2:] == (
        "同意户数 8/12（66.7%），未达到四分之三",
        "同意面积 800.00/1,000.00 m²（80.0%），达到四分之三",
    )


def test_area_agreement_one_square_decimetre_short_of_three_quarters_fails():
    # 749.99 of 1,000.00 m² is shown as 75.0% but is short of 3/4: the fraction decides.
    options = yes_no(yes=(9, 74999), no=(3, 25001))
    result = count(options, Eligible(18, 150000), SPECIAL)
    assert result.passed is False
    assert result.reasons[3] == "同意面积 749.99/1,000.00 m²（75.0%），未达到四分之三"


def test_ordinary_needs_more_than_half_exactly_half_fails():
    options = yes_no(yes=(6, 50000), no=(6, 50000))
    result = count(options, Eligible(18, 150000), ORDINARY)
    assert result.passed is False
    assert result.reasons == (
        "参与户数 12/18（66.7%），达到三分之二",
        "参与面积 1,000.00/1,500.00 m²（66.7%），达到三分之二",
        "同意户数 6/12（50.0%），未超过半数",
        "同意面积 500.00/1,000.00 m²（50.0%），未超过半数",
    )


def test_ordinary_just_over_half_passes():
    # 7 of 12 households, and 500.01 of 1,000.00 m²: one square decimetre over half.
    options = yes_no(yes=(7, 50001), no=(5, 49999))
    result = count(options, Eligible(18, 150000), ORDINARY)
    assert result.passed is True
    assert result.reasons[2:] == (
        "同意户数 7/12（58.3%），超过半数",
        "同意面积 500.01/1,000.00 m²（50.0%），超过半数",
    )


def test_majority_counts_abstentions_as_taking_part():
    # 5 同意, 3 不同意, 2 弃权: 5 of 10 votes cast is exactly half, not more.
    options = yes_no(yes=(5, 0), no=(3, 0), abstain=(2, 0))
    result = count(options, Eligible(40, per_household=False), MAJORITY)
    assert result.passed is False
    assert result.reasons == ("选“同意”的人数 5/10（50.0%），未超过半数",)
    assert result.chosen is None
    assert result.leading == "同意"
    assert result.cast == 10


def test_majority_passes_with_one_vote_over_half_of_those_voting():
    options = yes_no(yes=(6, 0), no=(3, 0), abstain=(2, 0))
    result = count(options, Eligible(40, per_household=False), MAJORITY)
    assert result.passed is True
    assert result.chosen == "同意"
    assert result.reasons == ("选“同意”的人数 6/11（54.5%），超过半数",)


def test_majority_against_says_which_side_won():
    options = yes_no(yes=(2, 0), no=(7, 0), abstain=(1, 0))
    result = count(options, Eligible(12, 900000), MAJORITY)
    assert result.passed is False
    assert result.chosen == "不同意"
    assert result.reasons == ("选“同意”的户数 2/10（20.0%），未超过半数", "“不同意”超过半数")


def test_no_votes_at_all_is_not_passed():
    result = count(yes_no((0, 0), (0, 0)), Eligible(18, 150000), SPECIAL)
    assert result.passed is False
    assert result.reasons[0] == "参与户数 0/18（0.0%），未达到三分之二"
    assert result.reasons[2] == "同意户数 0/0（—），未达到四分之三"
    assert count(yes_no((0, 0), (0, 0)), Eligible(0, per_household=False), MAJORITY).passed is False


def test_turnout_while_open_against_the_participation_bar():
    options = yes_no(yes=(7, 60000), no=(4, 40000))
    lines = turnout(options, Eligible(18, 150000), SPECIAL)
    assert [line.text for line in lines] == [
        "参与户数 11/18（61.1%），未达到三分之二",
        "参与面积 1,000.00/1,500.00 m²（66.7%），达到三分之二",
    ]
    assert lines[0].share == Fraction(11, 18)
    simple = turnout(yes_no((3, 0), (1, 0)), Eligible(40, per_household=False), MAJORITY)
    assert [line.text for line in simple] == ["参与人数 4/40（10.0%）"]
    assert simple[0].reached is None


def test_figures_are_written_as_people_read_them():
    assert area_text(162050) == "1,620.50"
    assert area_text(5) == "0.05"
    assert percent_text(2, 3) == "66.7%"
    assert percent_text(1, 8) == "12.5%"
    assert percent_text(1, 0) == "—"
