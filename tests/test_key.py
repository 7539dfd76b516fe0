import math

import pandas as pd
import pytest

from pipeline.analysis.key import ratio_to_key, reference_key, relative_change, shares
from pipeline.core.countries import bound_member_states


def test_key_is_half_population_share_plus_half_gdp_share():
    population = pd.Series({"AA": 60.0, "BB": 40.0})
    gdp = pd.Series({"AA": 20.0, "BB": 80.0})
    key = reference_key(population, gdp, ["AA", "BB"])
    assert key["AA"] == pytest.approx(0.5 * 0.6 + 0.5 * 0.2)
    assert key["BB"] == pytest.approx(0.5 * 0.4 + 0.5 * 0.8)
    assert key.sum() == pytest.approx(1.0)


def test_key_is_computed_over_the_listed_member_states_only():
    population = pd.Series({"AA": 50.0, "BB": 50.0, "DK": 100.0})
    gdp = pd.Series({"AA": 50.0, "BB": 150.0, "DK": 100.0})
    key = reference_key(population, gdp, ["AA", "BB"])
    assert list(key.index) == ["AA", "BB"]
    assert key.sum() == pytest.approx(1.0)
    assert key["BB"] == pytest.approx(0.5 * 0.5 + 0.5 * 0.75)


def test_key_needs_every_member_state():
    with pytest.raises(KeyError, match="BB"):
        reference_key(pd.Series({"AA": 1.0}), pd.Series({"AA": 1.0, "BB": 1.0}), ["AA", "BB"])


def test_ratio_to_key_is_indicator_share_over_key_share():
    key = pd.Series({"AA": 0.25, "BB": 0.75})
    indicator = pd.Series({"AA": 50.0, "BB": 50.0})
    ratio = ratio_to_key(indicator, key)
    assert ratio["AA"] == pytest.approx(0.5 / 0.25)
    assert ratio["BB"] == pytest.approx(0.5 / 0.75)


def test_ratio_ignores_states_outside_the_key_and_counts_absent_ones_as_zero():
    key = pd.Series({"AA": 0.5, "BB": 0.5})
    ratio = ratio_to_key(pd.Series({"AA": 10.0, "DK": 1000.0}), key)
    assert ratio["AA"] == pytest.approx(2.0)
    assert ratio["BB"] == 0.0


def test_shares_of_zero_total_is_an_error():
    with pytest.raises(ValueError, match="zero"):
        shares(pd.Series({"AA": 0.0}))


def test_relative_change():
    assert relative_change(65.0, 100.0) == pytest.approx(-0.35)
    assert math.isnan(relative_change(5.0, 0.0))
    changes = relative_change(pd.Series({"AA": 120.0, "BB": 0.0}), pd.Series({"AA": 100.0, "BB": 10.0}))
    assert changes["AA"] == pytest.approx(0.2)
    assert changes["BB"] == pytest.approx(-1.0)


def annual(values: dict[str, float], year: int) -> pd.DataFrame:
    return pd.DataFrame({"geo": list(values), "period": str(year), "value": list(values.values()), "flag": ""})


def test_key_for_edition_uses_the_chosen_vintages():
    from pipeline.analysis.key import key_for_edition
    population = pd.concat([annual({"AA": 1.0, "BB": 1.0}, 2024), annual({"AA": 3.0, "BB": 1.0}, 2025)])
    gdp = annual({"AA": 1.0, "BB": 1.0}, 2024)
    key = key_for_edition(population, gdp, population_year=2025, gdp_year=2024, member_states=["AA", "BB"])
    assert key["AA"] == pytest.approx(0.5 * 0.75 + 0.5 * 0.5)


def test_key_for_edition_names_the_missing_member_state_and_year():
    from pipeline.analysis.key import key_for_edition
    from pipeline.core.errors import InputError
    with pytest.raises(InputError, match="no 2025 value for BB"):
        key_for_edition(annual({"AA": 1.0}, 2025), annual({"AA": 1.0, "BB": 2.0}, 2024),
                        population_year=2025, gdp_year=2024, member_states=["AA", "BB"])


def test_edition_key_defaults_to_population_of_the_year_and_gdp_of_the_year_before():
    from pipeline.analysis.key import edition_key
    from pipeline.core.countries import EU27
    population = pd.concat([annual(dict.fromkeys(EU27, 1.0), 2025), annual(dict.fromkeys(EU27, 9.0), 2024)])
    gdp = pd.concat([annual(dict.fromkeys(EU27, 1.0), 2024), annual({**dict.fromkeys(EU27, 1.0), "DE": 27.0}, 2025)])
    key = edition_key(population, gdp, year=2025,
                      member_states=bound_member_states(["HU"]))
    assert len(key) == 25 and "DK" not in key and "HU" not in key
    assert key.sum() == pytest.approx(1.0)
    assert key["DE"] == pytest.approx(1 / 25)


def test_the_key_stage_writes_the_key_every_later_stage_reads(sample_tables, tmp_path):
    from pipeline.analysis import key as article66_key
    from pipeline.analysis.key import edition_key
    table = article66_key.key_table(sample_tables["population"], sample_tables["gdp"], year=2025,
                                    member_states=bound_member_states(["HU"]))
    table.to_parquet(tmp_path / article66_key.KEY_FILE, index=False)
    loaded = article66_key.load(tmp_path)
    expected = edition_key(sample_tables["population"], sample_tables["gdp"], year=2025,
                           member_states=bound_member_states(["HU"]))
    pd.testing.assert_series_equal(loaded, expected, check_exact=True, check_index_type=False)
    assert article66_key.vintages(tmp_path) == (2025, 2024)
    assert table.set_index("geo").loc["DE", "population"] == sample_tables["population"].query(
        "geo == 'DE' and period == '2025'")["value"].iloc[0]


def test_a_later_stage_without_the_key_says_which_stage_to_run(tmp_path):
    from pipeline.analysis import key as article66_key
    from pipeline.core.errors import InputError
    with pytest.raises(InputError, match="run the key stage first"):
        article66_key.load(tmp_path)
