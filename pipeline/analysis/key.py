"""Article 66 reference key of Regulation (EU) 2024/1351, shares, ratios to the key, changes.

    python -m pipeline.analysis.key   # the edition's key -> data/processed/article66_key.parquet

The `key` stage computes the edition's key once, over the Member States of params.yaml
`key.member_states` (by default the 26 bound by Regulation (EU) 2024/1351: not Denmark); every
later stage reads it with `load()`, and dvc.yaml builds one fiche per Member State of that list.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.core import atomic, paths
from pipeline.core.caveat import Caveat
from pipeline.core.countries import bound_member_states, protocol_rank
from pipeline.core.errors import InputError, source_of
from pipeline.core.params import default_vintages, stage_params
from pipeline.inputs import processed

CAVEATS = (
    Caveat("Reference key", "The Article 66 key covers the Member States of key.member_states: "
           "{key_member_states} (Denmark is not bound by Regulation (EU) 2024/1351). "
           "Population on 1 January {population_year}, GDP of {gdp_year}; the vintage the "
           "Commission uses is not published."),
    Caveat("Reference key", "'Relative to GDP and population' is a Member State's share of the "
           "EU total of an indicator divided by its share of the key."),
)

POPULATION_WEIGHT = 0.5
GDP_WEIGHT = 0.5


def shares(values: pd.Series, member_states: Sequence[str] | None = None) -> pd.Series:
    """Each Member State's share of the total over `member_states` (all of `values` if None)."""
    if member_states is not None:
        missing = [ms for ms in member_states if ms not in values.index]
        if missing:
            raise KeyError(f"no value for {', '.join(missing)}")
        values = values.loc[list(member_states)]
    total = values.sum()
    if not total > 0:
        raise ValueError("cannot compute shares of a total that is zero or missing")
    return values / total


def reference_key(
    population: pd.Series, gdp: pd.Series, member_states: Sequence[str]
) -> pd.Series:
    """key(MS) = 0.5 x population share + 0.5 x GDP share, over `member_states` (sums to 1)."""
    key = POPULATION_WEIGHT * shares(population, member_states) + GDP_WEIGHT * shares(
        gdp, member_states
    )
    key.name = "key_share"
    return key


def ratio_to_key(indicator: pd.Series, key: pd.Series) -> pd.Series:
    """Share of the indicator's total divided by the key share; 1.0 = exactly the fair share.

    The indicator's total is taken over the Member States of the key.
    """
    indicator_share = shares(indicator.reindex(key.index).fillna(0.0))
    ratio = indicator_share / key
    ratio.name = "ratio_to_key"
    return ratio


def relative_change(current: pd.Series | float, previous: pd.Series | float):
    """(current - previous) / previous; NaN where the previous value is zero or missing."""
    current_values = np.asarray(current, dtype=float)
    previous_values = np.asarray(previous, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(previous_values > 0, current_values / previous_values - 1.0, np.nan)
    if isinstance(current, pd.Series):
        return pd.Series(change, index=current.index, name="change")
    return float(change)


def annual_values(table: pd.DataFrame, year: int, member_states: Sequence[str], *, name: str) -> pd.Series:
    """One year's value per Member State from a processed annual table; gaps are errors."""
    values = table[table["period"] == str(year)].set_index("geo")["value"]
    source = source_of(table, name)
    if values.empty and not table.empty:
        raise InputError(source, f"no {year} data: the data cover {table['period'].min()} to "
                                 f"{table['period'].max()}", field="period")
    missing = [ms for ms in member_states if ms not in values.index or pd.isna(values.get(ms))]
    if missing:
        raise InputError(source, f"no {year} value for {', '.join(missing)}", field="geo")
    return values.loc[list(member_states)].astype(float)


def key_for_edition(population: pd.DataFrame, gdp: pd.DataFrame, *, population_year: int,
                    gdp_year: int, member_states: Sequence[str]) -> pd.Series:
    """The Article 66 key from the processed population and GDP tables, for the chosen vintages."""
    return reference_key(
        annual_values(population, population_year, member_states, name="population (demo_pjan)"),
        annual_values(gdp, gdp_year, member_states, name="GDP (nama_10_gdp)"),
        member_states,
    )


def edition_key(population: pd.DataFrame, gdp: pd.DataFrame, *, year: int,
                population_year: int | None = None, gdp_year: int | None = None,
                member_states: Sequence[str] | None = None) -> pd.Series:
    """The key an edition uses: over `member_states` (default: the bound Member States),
    default vintages."""
    population_year, gdp_year = default_vintages(year, population_year, gdp_year)
    return key_for_edition(population, gdp, population_year=population_year, gdp_year=gdp_year,
                           member_states=_member_states(member_states))


def _member_states(member_states: Sequence[str] | None) -> list[str]:
    """The key's Member States in protocol order (default: those bound by 2024/1351)."""
    codes = bound_member_states() if member_states is None else member_states
    return sorted(codes, key=protocol_rank)


KEY_FILE = "article66_key.parquet"


def key_table(population: pd.DataFrame, gdp: pd.DataFrame, *, year: int,
              population_year: int | None = None, gdp_year: int | None = None,
              member_states: Sequence[str] | None = None) -> pd.DataFrame:
    """The edition's key with what it is made of: one row per Member State of the key
    (`member_states`, default the bound Member States), in protocol order."""
    population_year, gdp_year = default_vintages(year, population_year, gdp_year)
    member_states = _member_states(member_states)
    key = key_for_edition(population, gdp, population_year=population_year, gdp_year=gdp_year,
                          member_states=member_states)
    return pd.DataFrame({
        "geo": list(member_states),
        "population": annual_values(population, population_year, member_states, name="population"),
        "gdp": annual_values(gdp, gdp_year, member_states, name="GDP"),
        "key": key.loc[list(member_states)],
        "population_year": population_year,
        "gdp_year": gdp_year,
    }).reset_index(drop=True)


def _key_file(folder: Path) -> Path:
    path = folder / KEY_FILE
    if not path.is_file():
        raise InputError(path, "the edition's key not found; run the key stage first (dvc repro)")
    return path


def load(folder: Path = paths.PROCESSED_DIR) -> pd.Series:
    """The edition's key (shares summing to 1), indexed by Member State, as the key stage wrote it."""
    table = pd.read_parquet(_key_file(folder))
    return table.set_index("geo")["key"].rename("key_share")


def vintages(folder: Path = paths.PROCESSED_DIR) -> tuple[int, int]:
    """The population year and the GDP year of the edition's key."""
    table = pd.read_parquet(_key_file(folder), columns=["population_year", "gdp_year"])
    return int(table["population_year"].iloc[0]), int(table["gdp_year"].iloc[0])


def main() -> None:
    params = stage_params()
    try:
        table = key_table(processed.load("population"), processed.load("gdp"), year=params.year,
                          population_year=params.key.population_year,
                          gdp_year=params.key.gdp_year,
                          member_states=params.key.member_states)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    with atomic.atomic_path(paths.PROCESSED_DIR / KEY_FILE) as tmp:
        table.to_parquet(tmp, index=False)


if __name__ == "__main__":
    main()
