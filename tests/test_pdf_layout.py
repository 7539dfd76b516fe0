"""The PDF as printed: no text printed over other text, no table row split across pages, and a
tagged PDF that names its title and language.

The checks (tests/helpers.py) are first shown to fail on tiny PDFs made to fail them, then run on
the report of the shared build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from tests.helpers import overprinting_words, split_table_rows

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext is not installed; to run this check: "
    "apt-get install -y --no-install-recommends poppler-utils")

TALL_ROW_TABLE = """
#set page(width: 10cm, height: 6cm, margin: 1cm)
#set table.cell(breakable: {breakable})
#table(columns: 2, [Country], [Note], [Italy], [{text}], [Spain], [short])
"""


def compile_typst(folder: Path, name: str, source: str) -> Path:
    (folder / f"{name}.typ").write_text(source, encoding="utf-8")
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(typst.compile(str(folder / f"{name}.typ"), ignore_system_fonts=True))
    return pdf


@needs_pdftotext
def test_overprinting_words_are_found(tmp_path):
    pdf = compile_typst(tmp_path, "overprint", """
#set page(width: 10cm, height: 4cm)
Two words side by side.
#place(dx: 0pt, dy: 1cm)[migr_asyappctzm]
#place(dx: 1.2cm, dy: 1cm)[sample/eurostat/migr_asyappctzm.tsv.gz]
""")
    assert overprinting_words(pdf) == [(1, "migr_asyappctzm", "sample/eurostat/migr_asyappctzm.tsv.gz")]


@needs_pdftotext
def test_text_set_normally_does_not_overprint(tmp_path):
    pdf = compile_typst(tmp_path, "clean", "#set page(width: 10cm, height: 8cm)\n" + "#lorem(80)\n")
    assert overprinting_words(pdf) == []


def test_a_table_row_split_across_pages_is_found(tmp_path):
    source = TALL_ROW_TABLE.format(breakable="true", text="#lorem(60)")
    pdf = compile_typst(tmp_path, "split", source)
    assert len(PdfReader(pdf).pages) > 1
    assert split_table_rows(pdf) == [(1, 2, [1, 2])]


def test_rows_kept_whole_are_not_reported(tmp_path):
    source = TALL_ROW_TABLE.format(breakable="false", text="#lorem(25)")
    pdf = compile_typst(tmp_path, "whole", source)
    assert len(PdfReader(pdf).pages) > 1
    assert split_table_rows(pdf) == []


def test_an_untagged_pdf_is_refused(tmp_path):
    (tmp_path / "plain.typ").write_text("Text.", encoding="utf-8")
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(typst.compile(str(tmp_path / "plain.typ"), pdf_tags=False))
    with pytest.raises(ValueError, match="not a tagged PDF"):
        split_table_rows(pdf)


@pytest.fixture(scope="module")
def report_pdf(built_project) -> Path:
    return built_project["project"] / "outputs" / "2025" / "report" / "eaamr_2025.pdf"


@pytest.mark.e2e
@needs_pdftotext
def test_report_text_never_overprints(report_pdf):
    assert overprinting_words(report_pdf) == []


@pytest.mark.e2e
def test_report_tables_never_split_a_row_across_pages(report_pdf):
    assert split_table_rows(report_pdf) == []


@pytest.mark.e2e
def test_report_pdf_is_tagged_with_its_title_and_language(report_pdf):
    reader = PdfReader(report_pdf)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"]  # a tagged PDF
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("European Annual Asylum and Migration Report 2025")
    assert reader.xmp_metadata.dc_title["x-default"] == reader.metadata.title
    assert reader.xmp_metadata.dc_language == ["en-GB"]
