"""Section IV as the Commission publishes it: the edition's determination, Member State by Member
State, in the EAAMR's manner.

Where the edition has its Implementing Decision (`data/reference/determinations/`), its lists
are the determination the section presents; each Member State of each list gets a paragraph
generated from the indicators: where it stands out relative to GDP and population (its rank in
the Union, the value as the EAAMR rounds it, the multiple of its fair share), the change on the
comparison period and, for a significant migratory situation, the five-year view. Where the
edition has no Decision yet, the section says so and presents the rules-based reconstruction
(`pipeline.analysis.pressure`) as the evidence prepared for it, never as the determination.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.analysis.assessment import names_or_none
from pipeline.analysis.pressure import (
    AT_RISK,
    PRESSURE,
    SIGNIFICANT,
    OfficialLists,
    indicator,
)
from pipeline.core import countries, formatting
from pipeline.core.periods import ReportPeriods

# The indicators a Member State can stand out on, relative to GDP and population; SAR
# disembarkations are quoted as a share of the Union's total instead, as the EAAMR does.
BURDEN_INDICATORS = ("ibc", "applications", "unaccompanied_minors", "tp_registrations",
                     "tp_beneficiaries", "refusals", "orders_to_leave", "eurodac_hits",
                     "dublin_requests", "reception")
FIVE_YEAR_INDICATORS = ("applications", "tp_registrations", "ibc", "refusals", "orders_to_leave",
                        "unaccompanied_minors")
TOP_RANK, TOP_RANK_WORDS = 3, "three"  # ranks quoted: the highest, second and third highest
MAX_STANDOUTS = 3
SAR_SHARE_QUOTED = 0.10  # a Member State with at least this share of SAR disembarkations
ORDINAL_WORDS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                 "ninth", "tenth")
PROPER_NAMES = {"Eurodac"}
CATEGORY_WORDS = {
    PRESSURE: "under migratory pressure",
    AT_RISK: "at risk of migratory pressure",
    SIGNIFICANT: "facing a significant migratory situation",
}


@dataclass(frozen=True)
class Standout:
    """A Member State's standing on one indicator: its rank in the Union relative to GDP and
    population, over the reference period (or the five years)."""

    indicator: str
    rank: int
    value: float
    ratio: float
    change: float | None
    when: str = ""  # the row's own period where it differs from the paragraph's: ' in 2024'


def _ranks(rows: pd.DataFrame, column: str) -> pd.Series:
    """Rank of each Member State by `column` (1 = highest); Member States with none are left out."""
    ranked = rows[rows[column] > 0].set_index("geo")[column]
    return ranked.rank(ascending=False, method="min").astype(int)


def standings(table: pd.DataFrame, ms: str, periods: ReportPeriods, *,
              five_years: bool = False) -> list[Standout]:
    """`ms`'s rank relative to GDP and population on every indicator it has, best rank first."""
    ratio = "five_year_ratio_to_key" if five_years else "ratio_to_key"
    value = "five_year_value" if five_years else "value"
    period = "five_year_period" if five_years else "period"
    window = (periods.five_years if five_years else periods.reference).short_label
    found = []
    for name in FIVE_YEAR_INDICATORS if five_years else BURDEN_INDICATORS:
        rows = table[table["indicator"] == name]
        if rows.empty or rows[ratio].isna().all():
            continue
        ranks = _ranks(rows, ratio)
        if ms not in ranks:
            continue
        row = rows.set_index("geo").loc[ms]
        change = None if five_years or pd.isna(row["change"]) else float(row["change"])
        found.append(Standout(name, int(ranks[ms]), float(row[value]), float(row[ratio]), change,
                              when=_when(name, str(row[period]), window, periods)))
    found.sort(key=lambda standout: (standout.rank, -standout.ratio))
    return found


def _stands_out(standout: Standout) -> bool:
    """Among the TOP_RANK highest, and above the fair share."""
    return standout.rank <= TOP_RANK and standout.ratio > 1


def ordinal(rank: int) -> str:
    """1 -> 'first', 4 -> 'fourth', 12 -> '12th', 22 -> '22nd'."""
    if rank < len(ORDINAL_WORDS):
        return ORDINAL_WORDS[rank]
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def subject(name: str) -> str:
    """An indicator's label inside a sentence: lower case, proper names kept ('Eurodac hits')."""
    label = indicator(name).label
    first = label.split()[0]
    return label if first in PROPER_NAMES else label[0].lower() + label[1:]


def _when(name: str, period: str, window: str, periods: ReportPeriods) -> str:
    """A value of another period than the paragraph's carries it: a stock its date, a calendar
    year or a shorter span its period."""
    if period == window:
        return ""
    if indicator(name).basis == "stock":
        end = periods.reference.end
        return f" at the end of {end:%B %Y}"
    return f" in {period}"


def times(ratio: float) -> str:
    """A ratio to the fair share: 16.7, 4.1, 13; below 1 with two significant figures (0.46)."""
    if ratio >= 1:
        return f"{ratio:.1f}".rstrip("0").rstrip(".")
    return f"{ratio:.2g}"


def _amount(standout: Standout) -> str:
    return f"{formatting.approximately(standout.value)}, {times(standout.ratio)} times its fair share"


def standout_clause(standout: Standout) -> str:
    """'the highest number of illegal border crossings at Union level (64 000, 16.7 times its
    fair share)'."""
    rank = "the highest" if standout.rank == 1 else f"the {ordinal(standout.rank)} highest"
    return (f"{rank} number of {subject(standout.indicator)}{standout.when} at Union "
            f"level ({_amount(standout)})")


def _change_sentence(standing: Sequence[Standout], comparison: str) -> str:
    parts = []
    for standout in standing:
        if standout.change is None or standout.when:  # only values of the paragraph's period
            continue
        verb = formatting.direction(standout.change, stable_below=0.025)
        amount = "" if verb == "remained stable" else f" by {formatting.percent(standout.change)}"
        parts.append(f"{subject(standout.indicator)} {verb}{amount}")
    if not parts:
        return ""
    sentence = formatting.enumeration(parts)
    return f" Compared with {comparison}, {sentence}."


def sar_sentence(table: pd.DataFrame, ms: str) -> str:
    """'Italy received around 40% of the nearly 97 000 persons disembarked after search and
    rescue operations in the Union.' ('' below SAR_SHARE_QUOTED)."""
    rows = table[table["indicator"] == "sar"]
    if rows.empty or ms not in set(rows["geo"]):
        return ""
    share = float(rows.set_index("geo").loc[ms, "share"])
    if share < SAR_SHARE_QUOTED:
        return ""
    total = float(rows["value"].sum())
    return (f" {formatting.in_running_text(ms)} received {formatting.about_share(share)} of the "
            f"{formatting.approximately(total)} persons disembarked after search and rescue "
            "operations in the Member States of the key.")


def paragraph(table: pd.DataFrame, ms: str, category: str, periods: ReportPeriods) -> str:
    """One Member State's paragraph for its category, generated from the indicators table."""
    name = formatting.in_running_text(ms)
    five_years = category == SIGNIFICANT
    window = periods.five_years if five_years else periods.reference
    lead = f"Over the five years {window.label}" if five_years else window.between
    lead = lead[0].upper() + lead[1:]
    ranked = standings(table, ms, periods, five_years=five_years)
    top = [standout for standout in ranked if _stands_out(standout)][:MAX_STANDOUTS]
    if top:
        clauses = formatting.enumeration([standout_clause(standout) for standout in top])
        text = f"{lead}, relative to its GDP and population, {name} recorded {clauses}."
        if not five_years:
            text += _change_sentence(top, periods.comparison.label)
    elif ranked:
        best = ranked[0]
        text = (f"{lead}, {name} was not among the {TOP_RANK_WORDS} highest Member States "
                f"above their fair share on any indicator of this report; its "
                f"highest rank was {ordinal(best.rank)}, for {subject(best.indicator)}"
                f"{best.when} ({_amount(best)}).")
    else:
        text = f"{lead}, no indicator of this report has a value for {name}."
    if category == PRESSURE:
        text += sar_sentence(table, ms)
    title = name[0].upper() + name[1:]
    return f"**{title}.** {text}"


def member_state_paragraphs(table: pd.DataFrame, lists: dict[str, Sequence[str]],
                            periods: ReportPeriods, *, heading: str = "Member States {}") -> str:
    """Markdown: per category, a heading and one paragraph per Member State (protocol order)."""
    blocks = []
    for category, codes in lists.items():
        if not codes:
            continue
        blocks.append(f"### {heading.format(CATEGORY_WORDS[category])}")
        blocks += [paragraph(table, ms, category, periods)
                   for ms in sorted(codes, key=countries.protocol_rank)]
    return "\n\n".join(blocks) + "\n"


def official_lists(official: OfficialLists) -> dict[str, Sequence[str]]:
    return {PRESSURE: official.under_pressure, AT_RISK: official.at_risk,
            SIGNIFICANT: official.significant}


def reconstruction_lists(classification: pd.DataFrame) -> dict[str, Sequence[str]]:
    return {
        PRESSURE: list(classification.loc[classification["category"] == PRESSURE, "geo"]),
        AT_RISK: list(classification.loc[classification["category"] == AT_RISK, "geo"]),
        SIGNIFICANT: list(classification.loc[classification["significant"], "geo"]),
    }


def determination_facts(official: OfficialLists | None, classification: pd.DataFrame,
                        periods: ReportPeriods) -> dict[str, object]:
    """What section IV says first: the edition's determination, or that it has none yet."""
    members = classification["geo"].nunique()
    if official is not None:
        lists = official_lists(official)
        lead = (
            f"Considering the trends outlined in this report for the reference period "
            f"{periods.reference.label} and the methodology, the Commission's determination "
            f"({official.source}) found {names_or_none(lists[PRESSURE])} under migratory pressure; "
            f"{names_or_none(lists[AT_RISK])} at risk of migratory pressure; and "
            f"{names_or_none(lists[SIGNIFICANT])} facing a significant migratory situation, on the "
            f"cumulative view of the five years {periods.five_years.label}. The paragraphs below "
            "set out, Member State by Member State, the indicators of this report on which each "
            f"stands out relative to its GDP and population (ranks at Union level are among the "
            f"{members} Member States of the key). The determination also weighs "
            "qualitative information (for example hybrid threats at the Eastern border) that no "
            "indicator here captures. Annex E cross-checks the official lists with a rules-based "
            "reconstruction.")
        conclusion = (
            f"The Commission's determination found {names_or_none(lists[PRESSURE])} under migratory "
            "pressure; they have access to the Annual Solidarity Pool.")
        return {"decided": True, "source": official.source, "lead": lead,
                "conclusion": conclusion}
    lists = reconstruction_lists(classification)
    lead = (
        f"No Implementing Decision determining the Member States under migratory pressure has "
        f"been adopted for {periods.year} yet. What follows is the evidence prepared for it, not "
        f"the determination: the rules-based reconstruction of Annex E, applied to the "
        f"indicators of this report for {periods.reference.label}, would find "
        f"{names_or_none(lists[PRESSURE])} under migratory pressure; {names_or_none(lists[AT_RISK])} at risk "
        f"of migratory pressure; and {names_or_none(lists[SIGNIFICANT])} facing a significant "
        "migratory situation.")
    conclusion = (
        f"No determination has been adopted for {periods.year} yet; on the evidence of this "
        f"report, the reconstruction of Annex E would find {names_or_none(lists[PRESSURE])} under "
        "migratory pressure. That is evidence for the Decision, not the determination.")
    return {"decided": False, "source": "none adopted yet", "lead": lead,
            "conclusion": conclusion}


def section_markdown(table: pd.DataFrame, official: OfficialLists | None,
                     classification: pd.DataFrame, periods: ReportPeriods) -> str:
    """The Member State paragraphs of section IV, for the official lists or, failing a Decision,
    for the reconstruction's lists, headed as evidence."""
    if official is not None:
        return member_state_paragraphs(table, official_lists(official), periods)
    return member_state_paragraphs(table, reconstruction_lists(classification), periods,
                                   heading="Evidence: Member States the reconstruction finds {}")
