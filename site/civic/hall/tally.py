"""Counting a vote against its threshold: pure functions, no database, exact arithmetic.

Every comparison is made with `fractions.Fraction` on integers (heads, and areas in square
decimetres), so exactly two thirds and exactly three quarters count as reached (“达到”, ≥),
and “more than half” (过半数) is strictly more than half: exactly half is not enough.

The thresholds:

- MAJORITY (简单多数): the option that “more than half of those voting” chose is adopted, and the
  vote passes when it is an agreeing option. Those voting include the abstentions: a 弃权
  ballot is cast, so it counts in the base but for no side (an abstention weighs like a “no”
  for reaching the majority). This is how 过半数 reads in Chinese practice (居民会议、
  村民会议 “经到会人员的过半数通过”) and how 《民法典》第二百七十八条 itself counts:
  “参与表决……的业主同意” takes those who took part in the vote, abstainers included, as the
  base. It is counted by head (one vote per voter), not by area.
- SPECIAL (第二百七十八条第一款第（八）项、第（九）项 — 改建、重建, e.g. a lift): households
  holding ≥ 2/3 of the area and ≥ 2/3 of the households take part; and of those taking part,
  households holding ≥ 3/4 of the participating area and ≥ 3/4 of the participating
  households agree.
- ORDINARY (the article's other matters): the same participation; more than half of the
  participating area and more than half of the participating households agree.

“Taking part” is having voted, abstaining included; only options marked `agrees` count as
agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from civic.web.i18n import _

TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)

MAJORITY = "majority"
SPECIAL = "special"
ORDINARY = "ordinary"


@dataclass(frozen=True)
class OptionCount:
    """One option and the votes it holds: heads (votes) and the area of the households."""

    label: str
    heads: int
    area_dm2: int = 0
    agrees: bool = False
    abstains: bool = False
    id: int = 0


@dataclass(frozen=True)
class Eligible:
    """Who may take part, in total: households (or residents on a vote per person) and the
    households' area."""

    heads: int
    area_dm2: int = 0
    per_household: bool = True


def area_text(dm2: int) -> str:
    """Square decimetres as square metres with two decimals: 105000 → "1,050.00"."""
    sign = "-" if dm2 < 0 else ""
    dm2 = abs(dm2)
    return f"{sign}{dm2 // 100:,}.{dm2 % 100:02d}"


def percent_text(part: int, whole: int) -> str:
    """A share as a percentage with one decimal, rounded half up: 2/3 → "66.7%"."""
    if whole <= 0:
        return "—"
    tenths = Fraction(part * 1000, whole)
    rounded = (tenths.numerator * 2 + tenths.denominator) // (tenths.denominator * 2)
    return f"{rounded // 10}.{rounded % 10}%"


def _bar_words(bar: Fraction) -> str:
    if bar == TWO_THIRDS:
        return _("三分之二")
    if bar == THREE_QUARTERS:
        return _("四分之三")
    if bar == HALF:
        return _("半数")
    return f"{bar.numerator}/{bar.denominator}"


@dataclass(frozen=True)
class Check:
    """One line of a count: `count` of `total` against a bar (≥ the bar, or > it when
    `strict`), by head or by area. With no bar it only reports the share (turnout on a simple
    majority)."""

    what: str
    count: int
    total: int
    by_area: bool = False
    bar: Fraction | None = None
    strict: bool = False

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.count, self.total) if self.total > 0 else None

    @property
    def reached(self) -> bool | None:
        if self.bar is None:
            return None
        share = self.share
        if share is None:
            return False
        return share > self.bar if self.strict else share >= self.bar

    @property
    def percent(self) -> str:
        return percent_text(self.count, self.total)

    @property
    def figures(self) -> str:
        """“12/18” or “1,050.00/1,620.50 m²”."""
        if self.by_area:
            return f"{area_text(self.count)}/{area_text(self.total)} m²"
        return f"{self.count}/{self.total}"

    @property
    def verdict(self) -> str:
        """“达到三分之二”, “未超过半数”…; empty without a bar."""
        if self.bar is None:
            return ""
        words = _bar_words(self.bar)
        if self.strict:
            return (_("超过{bar}") if self.reached else _("未超过{bar}")).format(bar=words)
        return (_("达到{bar}") if self.reached else _("未达到{bar}")).format(bar=words)

    @property
    def text(self) -> str:
        """“参与户数 12/18（66.7%），达到三分之二”."""
        line = f"{self.what} {self.figures}（{self.percent}）"
        return f"{line}，{self.verdict}" if self.bar is not None else line


@dataclass(frozen=True)
class Result:
    """Whether the vote passed, and why, line by line (the reasons, in Chinese)."""

    passed: bool
    checks: tuple[Check, ...]
    chosen: str | None = None
    """On a simple majority: the option more than half of those voting chose, if any."""
    leading: str | None = None
    """The option with the most votes (None when none has votes, or on a tie)."""
    cast: int = 0
    """Votes cast, abstentions included."""
    notes: tuple[str, ...] = ()
    """What the checks do not say: which option won on a simple majority."""

    @property
    def reasons(self) -> tuple[str, ...]:
        return (*(c.text for c in self.checks), *self.notes)

    @property
    def verdict(self) -> str:
        return _("通过") if self.passed else _("未通过")

    @property
    def summary(self) -> str:
        """“未通过：参与户数 12/18（66.7%），达到三分之二；…”."""
        return f"{self.verdict}：" + "；".join(self.reasons)


def _units(eligible: Eligible) -> tuple[str, str]:
    return (_("户数"), _("户")) if eligible.per_household else (_("人数"), _("人"))


def _participation_bar(threshold: str) -> Fraction | None:
    return TWO_THIRDS if threshold in (SPECIAL, ORDINARY) else None


def turnout(
    options: Sequence[OptionCount], eligible: Eligible, threshold: str
) -> tuple[Check, ...]:
    """Who has taken part so far, by head and (on a vote per household) by area, against the
    participation the threshold needs: what the page shows while the vote is open."""
    heads = sum(o.heads for o in options)
    area = sum(o.area_dm2 for o in options)
    noun, _unit = _units(eligible)
    bar = _participation_bar(threshold)
    checks = [Check(_("参与") + noun, heads, eligible.heads, bar=bar)]
    if eligible.per_household:
        checks.append(Check(_("参与面积"), area, eligible.area_dm2, by_area=True, bar=bar))
    return tuple(checks)


def _leading(options: Sequence[OptionCount]) -> OptionCount | None:
    sides = sorted((o for o in options if not o.abstains), key=lambda o: -o.heads)
    if not sides or sides[0].heads == 0 or (len(sides) > 1 and sides[1].heads == sides[0].heads):
        return None
    return sides[0]


def count(options: Sequence[OptionCount], eligible: Eligible, threshold: str) -> Result:
    """The result of a closed vote (or of the votes so far) against its threshold."""
    heads = sum(o.heads for o in options)
    area = sum(o.area_dm2 for o in options)
    agree_heads = sum(o.heads for o in options if o.agrees and not o.abstains)
    agree_area = sum(o.area_dm2 for o in options if o.agrees and not o.abstains)
    leading = _leading(options)
    noun, _unit = _units(eligible)
    if threshold == MAJORITY:
        chosen = leading if leading is not None and leading.heads * 2 > heads else None
        agreeing = [o for o in options if o.agrees and not o.abstains]
        what = (
            _("同意的") + noun
            if len(agreeing) != 1
            else _("选“{label}”的{noun}").format(label=agreeing[0].label, noun=noun)
        )
        check = Check(what, agree_heads, heads, bar=HALF, strict=True)
        notes: tuple[str, ...] = ()
        if chosen is not None and not chosen.agrees:
            notes = (_("“{label}”超过半数").format(label=chosen.label),)
        elif chosen is None and leading is not None and not leading.agrees:
            notes = (_("得票最多的是“{label}”，也没有超过半数").format(label=leading.label),)
        return Result(
            passed=bool(check.reached),
            checks=(check,),
            chosen=chosen.label if chosen else None,
            leading=leading.label if leading else None,
            cast=heads,
            notes=notes,
        )
    agree_bar, strict = (THREE_QUARTERS, False) if threshold == SPECIAL else (HALF, True)
    checks = (
        *turnout(options, eligible, threshold),
        Check(_("同意") + noun, agree_heads, heads, bar=agree_bar, strict=strict),
        Check(_("同意面积"), agree_area, area, by_area=True, bar=agree_bar, strict=strict),
    )
    return Result(
        passed=all(c.reached for c in checks),
        checks=checks,
        chosen=None,
        leading=leading.label if leading else None,
        cast=heads,
    )


THRESHOLD_TEXT = {
    MAJORITY: _("简单多数：参与表决的过半数同意（弃权计入参与表决）"),
    SPECIAL: _(
        "《民法典》第二百七十八条：专有部分面积占比三分之二以上、人数占比三分之二以上的业主"
        "参与表决，并经参与表决专有部分面积四分之三以上、参与表决人数四分之三以上的业主同意"
    ),
    ORDINARY: _(
        "《民法典》第二百七十八条：专有部分面积占比三分之二以上、人数占比三分之二以上的业主"
        "参与表决，并经参与表决专有部分面积过半数、参与表决人数过半数的业主同意"
    ),
}
"""What each threshold asks, for the page and the PDF."""
