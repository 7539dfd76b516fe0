"""Member State fiches: the numbers are the indicators table's, the set follows the key."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pipeline.core.formatting import eu_number
from pipeline.publication import fiche


def indicators(values: dict[str, float], previous: dict[str, float]) -> pd.DataFrame:
    """A small indicators table: one flow indicator over three Member States."""
    total = sum(values.values())
    return pd.DataFrame([{
        "indicator": "applications", "label": "Applications", "unit": "applicants",
        "basis": "flow", "geo": geo, "period": "Jul 2024 - Jun 2025", "value": value,
        "previous_period": "Jul 2023 - Jun 2024", "previous": previous[geo],
        "change": value / previous[geo] - 1 if previous[geo] else float("nan"),
        "share": value / total, "key_share": 1 / 3, "ratio_to_key": value / total * 3,
        "five_year_period": "Jul 2020 - Jun 2025", "five_year_value": value * 5,
        "five_year_share": value / total, "five_year_ratio_to_key": value / total * 3, "flag": "",
    } for geo, value in values.items()])


def test_rank_counts_from_the_largest_and_zero_has_none():
    table = indicators({"DE": 300.0, "MT": 0.0, "IT": 100.0}, {"DE": 200.0, "MT": 0.0, "IT": 100.0})
    assert fiche.indicator_rows(table, "IT")["rank"].iloc[0] == 2
    row = fiche.indicator_rows(table, "MT").iloc[0]
    cells = fiche.indicator_cells(row)
    assert pd.isna(row["rank"]) and cells[6] == "\u2013"
    assert cells[3] == "n/a (none before)"  # never a made-up change on a zero
    assert fiche.indicator_cells(fiche.indicator_rows(table, "DE").iloc[0])[2:7] == [
        "300", "+50%", "75%", "2.25", "1 of 3"]


def test_a_member_state_outside_the_key_has_no_fiche():
    with pytest.raises(Exception, match="no rows for LU"):
        fiche.indicator_rows(indicators({"DE": 1.0, "IT": 1.0}, {"DE": 1.0, "IT": 1.0}), "LU")


def test_the_annex_list_links_every_fiche_beside_the_report():
    text = fiche.annex_markdown(2025, ["DE", "MT"])
    assert "(../fiches/MT/eaamr_2025_fiche_MT.pdf)" in text
    assert "(../eaamr_2025_fiches.pdf)" in text and "Malta" in text and "Italy" not in text


@pytest.mark.e2e
def test_a_built_fiche_shows_the_numbers_of_the_indicators_table(built_project):
    project = built_project["project"]
    table = pd.read_csv(project / "outputs/2025/tables/pressure_indicators.csv")
    html = project / "outputs/2025/fiches/DE/eaamr_2025_fiche_DE.html"
    rows = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find("table").find_all("tr")
    shown = {" ".join(cells[0].split()): cells for cells in ([td.get_text() for td in row.find_all("td")]
                                                       for row in rows[1:])}
    expected = table[table["geo"] == "DE"]
    assert len(shown) == len(expected)
    for row in expected.itertuples():
        cells = shown[row.label]
        if row.basis != "rate":
            assert cells[2] == eu_number(row.value), row.label
            assert cells[5] == eu_number(row.ratio_to_key, decimals=2), row.label
        if not pd.isna(row.five_year_value):
            assert cells[7] == eu_number(row.five_year_value), row.label
    pdfs = sorted((project / "outputs/2025/fiches").glob("*/eaamr_2025_fiche_*.pdf"))
    assert len(pdfs) == 26 and (project / "outputs/2025/eaamr_2025_fiches.pdf").is_file()
