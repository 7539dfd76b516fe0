"""The whole pipeline, run by `dvc repro` in a temporary copy of the project."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from bench.projects import dvc
from pipeline.core.periods import ReportPeriods
from tests.helpers import copy_built, normalise, set_param

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def built(built_project):
    return built_project["project"], built_project["repro"]


def test_report_is_built_as_html_and_pdf(built):
    project, _ = built
    report = project / "outputs" / "2025" / "report"
    assert (report / "eaamr_2025.html").stat().st_size > 10_000
    assert (report / "eaamr_2025.pdf").stat().st_size > 10_000


def test_html_shows_the_sar_figure_caption_source_and_sample_banner(built):
    project, _ = built
    html = (project / "outputs" / "2025" / "report" / "eaamr_2025.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    text = normalise(soup.get_text(" "))
    assert "Figure 2 \u2013 Persons disembarked in search and rescue events" in text
    assert "Source: elaboration on Frontex data" in text
    assert "Synthetic sample data" in text
    images = [img for img in soup.find_all("img") if "search and rescue" in img.get("alt", "")]
    assert images and images[0]["src"].startswith("data:image/png;base64,")


def test_every_figure_appears_with_its_number_caption_source_and_alt_text(built):
    project, _ = built
    soup = BeautifulSoup((project / "outputs" / "2025" / "report" / "eaamr_2025.html").read_text(encoding="utf-8"),
                         "html.parser")
    text = normalise(soup.get_text(" "))
    alts = [img.get("alt", "") for img in soup.find_all("img")]
    for facts_file in sorted((project / "outputs" / "2025" / "facts").glob("fig*.yaml")):
        facts = yaml.safe_load(facts_file.read_text())
        figure = next(values for name, values in facts.items() if name.startswith("fig"))
        assert normalise(figure["caption"]) in text
        assert figure["source"] in text
        assert normalise(figure["alt"]) in [normalise(alt) for alt in alts]


def test_prose_numbers_come_from_the_figure_data(built):
    project, _ = built
    facts = yaml.safe_load((project / "outputs" / "2025" / "facts" / "fig2_sar.yaml").read_text())
    html = (project / "outputs" / "2025" / "report" / "eaamr_2025.html").read_text(encoding="utf-8")
    text = normalise(BeautifulSoup(html, "html.parser").get_text(" "))
    assert f"{facts['sar']['total']} persons were disembarked" in text
    assert f"{facts['sar']['leading']} accounted together for {facts['sar']['leading_share']}" in text


def test_pdf_is_a4_with_the_sar_figure_caption_and_banner(built):
    project, _ = built
    reader = PdfReader(project / "outputs" / "2025" / "report" / "eaamr_2025.pdf")
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)
    text = normalise(" ".join(page.extract_text() for page in reader.pages))
    assert "Persons disembarked in search and rescue events" in text
    assert "Synthetic sample data" in text


def test_figure_files_and_plotted_values(built):
    project, _ = built
    figures = project / "outputs" / "2025" / "figures"
    for suffix in ("png", "svg", "csv"):
        assert (figures / f"fig2_sar.{suffix}").stat().st_size > 0
    plotted = (figures / "fig2_sar.csv").read_text()
    assert "Synthetic sample data" in plotted


def expected_totals(project: Path, year: int) -> dict[str, dict[str, float]]:
    """Totals of each figure's plotted values, computed straight from the processed tables."""
    periods = ReportPeriods(year)
    months, quarters = periods.reference.months, periods.reference.quarters

    def total(name: str, periods_kept, **selection) -> float:
        table = pd.read_parquet(project / "data" / "processed" / f"{name}.parquet")
        keep = table["period"].isin(periods_kept)
        for column, value in selection.items():
            keep &= table[column] == value
        return float(table.loc[keep, "value"].sum())

    return {
        "fig1_route_map": {"ibcs": total("ibc_routes", months)},
        "fig2_sar": {"persons": total("sar", months)},
        "fig3_applications": {"applications": total("applications", months, applicant="ASY_APP")},
        "fig4_temporary_protection": {"beneficiaries": total("tp_stock", [periods.stock_month]),
                                      "registrations": total("tp_decisions", months)},
        "fig5_eurodac_map": {"hits": total("eurodac", [f"{months[0]}/{months[-1]}"])},
        "fig6_returns": {"orders": total("orders_to_leave", quarters),
                         "returned": total("returns", quarters)},
    }


def check_figures_reconcile(project: Path, year: int) -> None:
    figures = project / "outputs" / str(year) / "figures"
    for stem, columns in expected_totals(project, year).items():
        for suffix in ("png", "svg", "csv"):
            assert (figures / f"{stem}.{suffix}").stat().st_size > 0, f"{stem}.{suffix}"
        plotted = pd.read_csv(figures / f"{stem}.csv")
        for column, expected in columns.items():
            assert expected > 0 and plotted[column].sum() == pytest.approx(expected), (stem, column)


def test_every_figure_reconciles_with_the_processed_data(built):
    project, _ = built
    check_figures_reconcile(project, 2025)


def check_pressure_tables_reconcile(project: Path, year: int) -> None:
    """The pressure indicators and the pool contributions agree with the processed data."""
    periods = ReportPeriods(year)
    processed = project / "data" / "processed"
    tables = project / "outputs" / str(year) / "tables"
    indicators = pd.read_csv(tables / "pressure_indicators.csv")
    key_states = set(indicators["geo"])
    assert "DK" not in key_states and len(key_states) == 26
    for indicator, name, selection in (("applications", "applications", {"applicant": "ASY_APP"}),
                                       ("sar", "sar", {})):
        table = pd.read_parquet(processed / f"{name}.parquet")
        keep = table["period"].isin(periods.reference.months) & table["geo"].isin(key_states)
        for column, value in selection.items():
            keep &= table[column] == value
        rows = indicators[indicators["indicator"] == indicator]
        assert rows["value"].sum() == pytest.approx(table.loc[keep, "value"].sum())
        assert rows["share"].sum() == pytest.approx(1.0)
    pool = pd.read_csv(tables / "solidarity_pool.csv")
    params = yaml.safe_load((project / "params.yaml").read_text())["pool"]
    for name, size in (("proposal", params["proposal_relocations"]),
                       ("council", params["council_relocations"])):
        rows = pool[pool["pool"] == name]
        assert rows["contribution_relocations"].sum() == pytest.approx(
            size - rows["not_due_relocations"].sum())
        assert rows["key_share"].sum() == pytest.approx(1.0)
    facts = yaml.safe_load((project / "outputs" / str(year) / "facts" / "pressure.yaml").read_text())
    html = (project / "outputs" / str(year) / "report" / f"eaamr_{year}.html").read_text(encoding="utf-8")
    text = normalise(BeautifulSoup(html, "html.parser").get_text(" "))
    # section IV leads with the edition's determination; the reconstruction is Annex E's cross-check
    lead = normalise(facts["determination"]["lead"])
    assert lead in text and text.index(lead) < text.index("a cross-check, not the Commission's method")
    if facts["determination"]["decided"]:  # 2025: the Implementing Decision's lists lead
        assert f"Greece. Between July {year - 1} and June {year}" in text
    else:  # an edition without a Decision: said on the first page, the lists are evidence
        assert f"No determination for {year} yet" in text
        assert "Evidence: Member States the reconstruction finds under migratory pressure" in text
    assert f"would be under migratory pressure; {facts['pressure']['at_risk']} at risk" in text
    assert normalise(facts["fig7"]["caption"]) in text and normalise(facts["fig8"]["caption"]) in text


def test_pressure_and_pool_tables_reconcile_with_the_processed_data(built):
    project, _ = built
    check_pressure_tables_reconcile(project, 2025)


REPORT_HEADINGS = [
    "Key findings", "Introduction", "Irregular migration at the Union's external borders",
    "Arrivals by sea following search and rescue operations",
    "International protection and temporary protection", "Unauthorised movements within the Union",
    "Reception", "Resettlement", "Return",
    ("Assessment of the overall migratory situation, migratory pressure, risk of migratory "
     "pressure or significant migratory situation"),
    "Annual Solidarity Pool", "Outlook for the coming year", "Conclusion",
    "Annex A \u2013 Sources and provenance", "Annex B \u2013 Caveats log",
    "Annex C \u2013 Reconciliation with the EAAMR 2025",
    "Annex E \u2013 Reconstruction of the assessment: a cross-check of the official lists",
]


def test_html_has_the_eaamr_structure_numbered_figures_and_no_external_request(built):
    project, _ = built
    html = (project / "outputs" / "2025" / "report" / "eaamr_2025.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    headings = [normalise(h.get_text(" ")).strip() for h in soup.find_all("h2")]
    assert [h for h in headings if h in REPORT_HEADINGS] == REPORT_HEADINGS
    text = normalise(soup.get_text(" "))
    numbers = [int(n) for n in re.findall(r"Figure (\d+) \u2013", text)]
    assert sorted(set(numbers)) == list(range(1, 10))
    for img in soup.find_all("img"):
        assert img.get("alt", "").strip(), img.get("src", "")[:40]
    for tag in soup.find_all(src=True) + soup.find_all("link", href=True):
        target = tag.get("src") or tag.get("href")
        assert not re.match(r"^(https?:)?//", target), target
    assert not soup.find_all("script", src=True)
    findings = soup.find(id="key-findings").find_next("ol").find_all("li")
    assert 5 <= len(findings) <= 6


def test_pdf_text_carries_the_captions_and_the_pipelines_numbers(built):
    project, _ = built
    reader = PdfReader(project / "outputs" / "2025" / "report" / "eaamr_2025.pdf")
    assert len(reader.pages) >= 10
    text = normalise(" ".join(page.extract_text() for page in reader.pages))
    facts = {}
    for path in (project / "outputs" / "2025" / "facts").glob("*.yaml"):
        facts.update(yaml.safe_load(path.read_text()))
    for number in range(1, 10):
        caption = normalise(facts[f"fig{number}"]["caption"]).split(" (")[0]
        assert caption in text, caption
    for namespace, key in (("applications", "total"), ("ibc", "total"), ("sar", "total"),
                           ("returns", "returned_total"), ("tp", "stock_total"),
                           ("projection", "applications_total"), ("dublin", "total")):
        assert normalise(facts[namespace][key]) in text, (namespace, key)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:
                descendants = font.get_object().get("/DescendantFonts")
                descriptor = descendants[0].get_object().get("/FontDescriptor") if descendants else None
            if descriptor is not None:
                descriptor = descriptor.get_object()
                fonts.add(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts == {True}  # every font is embedded


def edition_hashes(project: Path, year: int) -> dict[str, str]:
    folder = project / "outputs" / str(year)
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_second_repro_does_nothing_and_a_new_year_reruns_only_what_depends_on_it(built_project,
                                                                                   tmp_path):
    project = copy_built(built_project, tmp_path / "project")
    second = dvc(project, "repro")
    assert "Running stage" not in second.stdout
    edition_2025 = edition_hashes(project, 2025)
    set_param(project, "year", 2026)
    third = dvc(project, "repro")
    # the 2025 edition stays beside the new one: report, figures, tables, annex, facts
    assert edition_hashes(project, 2025) == edition_2025
    assert {"report/eaamr_2025.html", "report/eaamr_2025.pdf", "figures/fig1_route_map.png",
            "tables/pressure_indicators.csv", "annex/eaamr_2025_data_annex.xlsx"} <= set(edition_2025)
    assert "Running stage 'fig2_sar'" in third.stdout
    assert "Running stage 'report'" in third.stdout
    # ingest checks the workbook has no blank cell inside the new edition's months
    assert "Running stage 'ingest'" in third.stdout
    assert "Running stage 'sample_data'" not in third.stdout
    assert (project / "outputs" / "2026" / "report" / "eaamr_2026.html").is_file()
    check_figures_reconcile(project, 2026)
    check_pressure_tables_reconcile(project, 2026)

