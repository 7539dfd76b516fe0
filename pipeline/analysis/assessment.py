"""The pressure assessment and the solidarity pool for the report: facts and markdown tables.

Numbers are formatted here (pipeline.core.formatting) so that the report only quotes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis import pressure, solidarity
from pipeline.analysis.pressure import AT_RISK, NONE, PRESSURE, Rule
from pipeline.core import countries, formatting

SHORT_CATEGORY = {PRESSURE: "under pressure", AT_RISK: "at risk", NONE: "-"}


def names_or_none(codes: Sequence[str]) -> str:
    codes = sorted(codes, key=countries.protocol_rank)
    return formatting.member_state_names(list(codes)) if codes else "none"


def margin_text(margin: float) -> str:
    """+0.33 -> '+33%', -0.14 -> '\u221214%', a margin under half a point with one decimal
    (+0.3%, never a signed '0%'), exactly 0 -> 'at the threshold'; missing -> 'n/a'."""
    if pd.isna(margin):
        return "n/a"
    if margin == 0:
        return "at the threshold"
    sign = "+" if margin > 0 else "\u2212"
    return f"{sign}{formatting.percent(margin, decimals=1 if abs(margin) < 0.005 else 0)}"


def _pipe_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rules_markdown(rules: Sequence[Rule]) -> str:
    """The rules and their thresholds, one line per rule."""
    rows = []
    for rule in rules:
        texts = [condition.describe() for condition in rule.conditions]
        texts[1:] = [text[0].lower() + text[1:] if text[1:2].islower() else text
                     for text in texts[1:]]
        conditions = " and ".join(texts)
        rows.append([rule.category[0].upper() + rule.category[1:], rule.name, conditions])
    return _pipe_table(["Category", "Rule", "Fires when"], rows)


def comparison_markdown(comparison: pd.DataFrame) -> str:
    """Member State by Member State: reconstruction vs official lists, agreement, margins."""
    rows = []
    for row in comparison.itertuples():
        rows.append([
            row.name,
            SHORT_CATEGORY[row.category] + (f" ({row.rules})" if row.rules else ""),
            SHORT_CATEGORY[row.official_category],
            "yes" if row.category_agrees else "**no**",
            margin_text(row.category_margin),
            ("yes" if row.significant else "-") + (f" ({row.significant_rules})"
                                                     if row.significant_rules else ""),
            "yes" if row.official_significant else "-",
            "yes" if row.significant_agrees else "**no**",
            margin_text(row.significant_margin) if row.category != PRESSURE else "n/a",
        ])
    header = ["Member State", "Reconstruction (rules)", "Official", "Agree", "Margin",
              "Significant situation: reconstruction (rules)", "Official", "Agree", "Margin"]
    return _pipe_table(header, rows)


def pressure_facts(comparison: pd.DataFrame, official: pressure.OfficialLists | None,
                   indicators: pressure.IndicatorsResult, params, periods) -> dict[str, str]:
    """Numbers and lists for the chapter's prose."""
    def category(value: str) -> list[str]:
        return list(comparison.loc[comparison["category"] == value, "geo"])

    facts = {
        "reference_period": periods.reference.label,
        "five_year_period": periods.five_years.label,
        "annual_year": str(periods.latest_full_calendar_year),
        "member_states": str(len(comparison)),
        "indicators": str(indicators.table["indicator"].nunique()),
        "under_pressure": names_or_none(category(PRESSURE)),
        "at_risk": names_or_none(category(AT_RISK)),
        "significant": names_or_none(list(comparison.loc[comparison["significant"], "geo"])),
        "missing_note": ("" if not indicators.missing else
                         "Left out because their input was not supplied: "
                         + formatting.enumeration([pressure.indicator(name).label.lower()
                                                   for name in indicators.missing]) + "."),
        "arrivals_ibc_ratio": f"{params.arrivals_ibc_ratio:g}",
        "arrivals_applications_ratio": f"{params.arrivals_applications_ratio:g}",
        "sar_share": formatting.percent(params.sar_share),
        "movements_ratio": f"{params.movements_ratio:g}",
        "first_entry_ratio": f"{params.first_entry_ratio:g}",
        "applications_ratio": f"{params.applications_ratio:g}",
        "reception_occupancy": formatting.percent(params.reception_occupancy),
        "five_year_ratio": f"{params.five_year_ratio:g}",
    }
    if official is None:
        facts.update(compared_with="no official determination (none is recorded for this "
                                   "edition or an earlier one)",
                     agreement="There is no official list to compare them with.")
        return facts
    which = ("the official lists of the Commission's determination for this edition"
             if official.year == periods.year else
             f"the official lists of the previous cycle's determination ({official.year}), "
             "this edition having none yet")
    disagree = list(comparison.loc[~comparison["agrees"], "geo"])
    facts.update(
        compared_with=f"{which} ({official.source})",
        agreement=(
            f"The reconstruction agrees with the official category for "
            f"{int(comparison['category_agrees'].sum())} of the {len(comparison)} Member States, "
            f"with the significant migratory situation for "
            f"{int(comparison['significant_agrees'].sum())}, and with both for "
            f"{int(comparison['agrees'].sum())}"
            + (f"; it differs for {names_or_none(disagree)}." if disagree else ".")
            + " The official assessment also weighs qualitative information (for example "
              "hybrid threats at the Eastern border) that no rule here captures."),
    )
    return facts
    disagree = list(comparison.loc[~comparison["agrees"], "geo"])
    facts.update(
        official_source=official.source,
        official_year=str(official.year),
        official_under_pressure=names_or_none(official.under_pressure),
        official_at_risk=names_or_none(official.at_risk),
        official_significant=names_or_none(official.significant),
        agree_category=str(int(comparison["category_agrees"].sum())),
        agree_significant=str(int(comparison["significant_agrees"].sum())),
        agree_both=str(int(comparison["agrees"].sum())),
        disagree=names_or_none(disagree),
    )
    return facts


def pool_markdown(table: pd.DataFrame, pools: Sequence[solidarity.Pool]) -> str:
    """Per Member State: key share, status and contribution to each pool (relocations, euros)."""
    header = ["Member State", "Key share", "Status"]
    for pool in pools:
        header += [f"{pool.label}: relocations", "EUR million"]
    first = table[table["pool"] == pools[0].name].reset_index(drop=True)
    rows = []
    for index, row in first.iterrows():
        cells = [row["name"], formatting.percent(row["key_share"], decimals=2), row["status"]]
        for pool in pools:
            own = table[table["pool"] == pool.name].reset_index(drop=True).loc[index]
            cells += [formatting.eu_number(own["contribution_relocations"]),
                      formatting.eu_number(own["contribution_euros"] / 1e6, decimals=1)]
        rows.append(cells)
    totals = ["**Total**", formatting.percent(first["key_share"].sum()), ""]
    for pool in pools:
        own = table[table["pool"] == pool.name]
        totals += [formatting.eu_number(own["contribution_relocations"].sum()),
                   formatting.eu_number(own["contribution_euros"].sum() / 1e6, decimals=1)]
    return _pipe_table(header, [*rows, totals])


def pool_facts(table: pd.DataFrame, pools: Sequence[solidarity.Pool], *, key: pd.Series,
               beneficiaries: Sequence[str], beneficiaries_source: str, params,
               population_year: int, gdp_year: int) -> dict[str, str]:
    top = key.sort_values(ascending=False).head(2)
    facts = {
        "key_member_states": str(len(key)),
        "population_year": str(population_year),
        "gdp_year": str(gdp_year),
        "key_top": formatting.enumeration([
            f"{formatting.in_running_text(ms)} ({formatting.percent(share, decimals=2)})"
            for ms, share in top.items()]),
        "beneficiaries": names_or_none(beneficiaries),
        "beneficiaries_source": beneficiaries_source,
        "deducted": names_or_none(params.deducted),
        "deducted_share": formatting.percent(params.deducted_share),
        "deducted_source": params.deducted_source,
        "euro_per_relocation": formatting.eu_number(params.euro_per_relocation),
        "treatment": (
            "The amounts deducted are shared out over the fully contributing Member States by "
            "their key shares, so the contributions add up to the full pool size."
            if params.redistribute_deductions else
            "The amounts not due are not passed on to other Member States: each contributing "
            "Member State keeps its fair share, and the pool shrinks by the amounts not due."),
    }
    for pool in pools:
        found = solidarity.summary(table[table["pool"] == pool.name], pool)
        facts.update({
            f"{pool.name}_relocations": formatting.eu_number(pool.relocations),
            f"{pool.name}_euros": formatting.millions(pool.euros, decimals=0),
            f"{pool.name}_euros_in_full": formatting.eu_number(pool.euros),
            f"{pool.name}_not_due_beneficiaries": formatting.eu_number(
                found["beneficiaries_relocations"]),
            f"{pool.name}_deducted": formatting.eu_number(found["deducted_relocations"]),
            f"{pool.name}_contributions": formatting.eu_number(found["contributions_relocations"]),
            f"{pool.name}_contributions_euros": formatting.millions(
                found["contributions_euros"], decimals=1),
        })
    return facts


def comparison(classification: pd.DataFrame, official: pressure.OfficialLists | None
               ) -> tuple[pd.DataFrame, str]:
    """The classification beside the official lists, and its markdown table (or a note)."""
    if official is None:
        frame = classification.assign(category_margin=classification.apply(
            pressure.category_margin, axis=1))
        return frame, "No official determination is recorded for this edition or an earlier one.\n"
    frame = pressure.compare_with_official(classification, official)
    return frame, (comparison_markdown(frame) + "\n: The reconstruction beside the official "
                   "lists, Member State by Member State {#tbl-pressure-comparison}\n")


def beneficiaries(classification: pd.DataFrame, decision: pressure.OfficialLists | None,
                  source: str, year: int) -> tuple[list[str], str]:
    """Who benefits from the pool, and in words where the list comes from: the edition's
    official list (`official`, where its Decision exists), else the reconstruction, labelled."""
    if source == "official" and decision is not None:
        return list(decision.under_pressure), (
            f"the Member States under migratory pressure in the Commission's determination "
            f"for {decision.year}")
    codes = list(classification.loc[classification["category"] == PRESSURE, "geo"])
    if source == "official":
        return codes, (f"no determination has been adopted for {year} yet, so the Member States "
                       "the reconstruction of Annex E places under migratory pressure, as "
                       "evidence, not a determination")
    return codes, ("the Member States the reconstruction of Annex E places under migratory "
                   "pressure, as params.yaml asks (pool.beneficiaries: reconstruction), not the "
                   "official list")
