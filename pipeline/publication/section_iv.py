"""The pressure assessment stage (notebook 08): section IV of the report and the solidarity pool.

One call, `build`, computes and writes everything the section shows: the indicators table
(`pressure_indicators.csv`), Figure 7, the edition's determination and its Member State
paragraphs, the rules-based reconstruction and its agreement with the official lists (Annex E,
`pressure_classification.csv`), the pool (`solidarity_pool.csv`, Figure 8), and their facts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.analysis import assessment, pressure, solidarity
from pipeline.core.params import PoolParams, PressureParams
from pipeline.core.periods import ReportPeriods
from pipeline.publication import determination, facts
from pipeline.publication.figures import pressure as pressure_figure
from pipeline.publication.figures import solidarity as pool_figure
from pipeline.publication.figures.output import SAMPLE_NOTE, save_figure


@dataclass(frozen=True)
class SectionIV:
    """What the notebook shows."""

    indicators: pd.DataFrame
    comparison: pd.DataFrame
    pool: pd.DataFrame
    heat_figure: object
    pool_figure: object
    paragraphs: str


def build(year: int, key: pd.Series, vintages: tuple[int, int], thresholds: PressureParams,
          pool_params: PoolParams, *, sample: bool, dpi: int) -> SectionIV:
    """Compute and write section IV, its figures, tables, facts and snippets."""
    periods = ReportPeriods(year)
    note = SAMPLE_NOTE if sample else None

    indicators = pressure.indicators_table(periods, key)
    pressure.write_table(indicators.table, note=note)
    heat = pressure_figure.heat_table(indicators.table, thresholds.five_year_indicators)
    label = pressure_figure.period_label(periods)
    heat_figure = pressure_figure.plot(heat, period_label=label)
    fig7 = save_figure(heat_figure, pressure_figure.SPEC,
                       heat.rename_axis("member_state").reset_index(),
                       alt=pressure_figure.alt_text(heat, period_label=label), sample=sample,
                       dpi=dpi)

    rules = pressure.rules_from_params(thresholds)
    classification = pressure.classify(indicators.table, rules)
    decision = pressure.edition_official(year)
    compared_with = decision or pressure.latest_official(year)
    compared, comparison_table = assessment.comparison(classification, compared_with)
    pressure.write_table(compared, note=note, name="pressure_classification.csv")
    paragraphs = determination.section_markdown(indicators.table, decision, classification, periods)

    beneficiaries, beneficiaries_source = assessment.beneficiaries(
        classification, decision, pool_params.beneficiaries, year)
    pools = solidarity.pools_from_params(pool_params)
    pool_table = solidarity.pool_table(key, pools, beneficiaries, pool_params)
    pressure.write_table(pool_table, note=note, name="solidarity_pool.csv")
    labels = {pool.name: pool.label for pool in pools}
    pool_chart = pool_figure.plot(pool_table, labels, pool_params.euro_per_relocation)
    fig8 = save_figure(pool_chart, pool_figure.SPEC, pool_table,
                       alt=pool_figure.alt_text(pool_table, labels), sample=sample, dpi=dpi)

    population_year, gdp_year = vintages
    facts.write_facts("pressure", {
        "pressure": assessment.pressure_facts(compared, compared_with, indicators, thresholds,
                                              periods),
        "determination": determination.determination_facts(decision, classification, periods),
        "pool": assessment.pool_facts(pool_table, pools, key=key, beneficiaries=beneficiaries,
                                      beneficiaries_source=beneficiaries_source,
                                      params=pool_params, population_year=population_year,
                                      gdp_year=gdp_year),
        "fig7": fig7,
        "fig8": fig8,
    })
    facts.write_snippet("pressure_rules", assessment.rules_markdown(rules))
    facts.write_snippet("pressure_comparison", comparison_table)
    facts.write_snippet("pool_contributions", assessment.pool_markdown(pool_table, pools))
    facts.write_snippet("determination_paragraphs", paragraphs)
    return SectionIV(indicators.table, compared, pool_table, heat_figure, pool_chart, paragraphs)
