"""Text that comes from an input reaches the report as literal text, never as markup.

Each payload is put into every place where the report shows text taken from an input: the
sources annex (a provenance field of a downloaded or supplied file), the note that replaces a
section whose input is missing, the caveat shown under a section, and the caveats log. One
document holding every (place, payload) pair is rendered to HTML and PDF with the project's
renderer; each test checks one pair.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from pipeline.core import paths
from pipeline.publication import caveats, facts, provenance
from pipeline.report import assemble, render

SECRET = "contents of a local file that must never reach the report"
PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "event_attribute": '<b onmouseover="alert(1)">hover</b>',
    "javascript_link": "[click](javascript:alert(1))",
    "image": '<img src="http://127.0.0.1:9/pixel.png"> ![x](http://127.0.0.1:9/y.png)',
    "include_shortcode": "{{< include SECRET_PATH >}}",
}
PLACES = ("sources_annex", "left_out_note", "section_caveat", "caveats_log")


def payload_text(name: str, secret_path: Path) -> str:
    return PAYLOADS[name].replace("SECRET_PATH", str(secret_path))


def snippet(place: str, text: str, facts_dir: Path, sections_dir: Path, slug: str) -> str:
    """The markdown the pipeline writes for `place` with `text` in it."""
    if place == "sources_annex":
        record = {"name": "gdp", "status": "read", "provider": "Eurostat", "dataset": "nama_10_gdp",
                  "file": "local/eurostat/nama_10_gdp.tsv.gz", "sha256": "ab" * 32,
                  "provenance": {"retrieved_utc": "2026-10-01T08:00:00Z", "last_update": text,
                                 "licence": text}}
        return provenance.sources_table([record], "local")
    if place == "caveats_log":
        return caveats.markdown(pd.DataFrame(columns=["topic", "caveat", "module"]), [text])
    (sections_dir / f"{slug}.qmd").write_text("Section text.\n", encoding="utf-8")
    if place == "left_out_note":
        facts.write_section(slug, left_out=text, folder=facts_dir)
    else:
        facts.write_section(slug, folder=facts_dir, caveat=text)
    return SWITCHED_SECTION.format(slug=slug)


# An optional section as the report source writes it (report/index.qmd): shown, or replaced by
# the note saying why, with the caveat after it; the switch is metadata written by the stage.
SWITCHED_SECTION = """\
::: {{.content-visible when-meta="sections.{slug}.shown"}}
{{{{< include ../sections/{slug}.qmd >}}}}
:::

::: {{.content-hidden when-meta="sections.{slug}.shown"}}
::: {{.callout-warning title="Left out"}}
{{{{< meta sections.{slug}.left_out >}}}}
:::
:::

::: {{.content-visible when-meta="sections.{slug}.has_caveat"}}
::: {{.callout-note title="Caveat"}}
{{{{< meta sections.{slug}.caveat >}}}}
:::
:::
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("literal")
    secret = root / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    facts_dir = root / "facts"
    facts_dir.mkdir()
    source = root / "source"
    (source / "sections").mkdir(parents=True)
    shutil.copy(paths.REPORT_SOURCE_DIR / "_quarto.yml", source / "_quarto.yml")
    for name in ("styles.css", "eaamr.lua"):
        shutil.copy(paths.REPORT_SOURCE_DIR / name, source / name)
    lines = ["---", 'title: "Literal text"', "---", ""]
    for place in PLACES:
        for name in PAYLOADS:
            slug = f"{place}-{name}".replace("_", "-")
            (facts_dir / f"{slug}.md").write_text(
                snippet(place, payload_text(name, secret), facts_dir, source / "sections", slug), encoding="utf-8")
            lines += [f"## {slug} {{#{slug}}}", "", f"{{{{< include _generated/{slug}.md >}}}}", ""]
    (source / "index.qmd").write_text("\n".join(lines), encoding="utf-8")
    build = assemble(root / "build", source_dir=source, facts_dir=facts_dir,
                     figures_dir=root / "figures")
    html, pdf = render(build, root / "out", "literal", engine="pandoc")
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return {"soup": soup, "html": html.read_text(encoding="utf-8"), "pdf": pdf_text,
            "secret": secret}


def section(rendered, place: str, name: str) -> BeautifulSoup:
    """What the document shows under the heading of (place, payload), up to the next heading."""
    slug = f"{place}-{name}".replace("_", "-")
    heading = rendered["soup"].find(id=slug)
    assert heading is not None, f"section {slug} not rendered"
    if heading.name == "section":
        return heading
    parts = []
    for sibling in heading.find_next_siblings():
        if sibling.name == heading.name:
            break
        parts.append(str(sibling))
    assert parts, f"nothing rendered under {slug}"
    return BeautifulSoup("".join(parts), "html.parser")


@pytest.mark.parametrize("place", PLACES)
def test_script_is_shown_not_run(rendered, place):
    part = section(rendered, place, "script")
    assert part.find("script") is None
    assert "<script>alert('x')</script>" in " ".join(part.get_text().split())


@pytest.mark.parametrize("place", PLACES)
def test_event_attribute_is_shown_not_set(rendered, place):
    part = section(rendered, place, "event_attribute")
    assert all(not attr.startswith("on") for tag in part.find_all(True) for attr in tag.attrs)
    assert part.find("b") is None
    assert 'onmouseover="alert(1)"' in part.get_text()


@pytest.mark.parametrize("place", PLACES)
def test_javascript_link_is_not_a_link(rendered, place):
    part = section(rendered, place, "javascript_link")
    assert not [a for a in part.find_all("a") if "javascript" in a.get("href", "")]
    assert "[click](javascript:alert(1))" in part.get_text()


@pytest.mark.parametrize("place", PLACES)
def test_image_is_not_fetched_or_shown(rendered, place):
    part = section(rendered, place, "image")
    assert part.find("img") is None
    assert "127.0.0.1:9" in part.get_text()


@pytest.mark.parametrize("place", PLACES)
def test_include_shortcode_is_not_expanded(rendered, place):
    part = section(rendered, place, "include_shortcode")
    assert "{{< include" in part.get_text() and str(rendered["secret"]) in part.get_text()


def test_no_payload_reaches_the_document_as_markup(rendered):
    html = rendered["html"]
    assert SECRET not in html and SECRET not in rendered["pdf"]
    assert "127.0.0.1:9" not in "".join(
        str(tag.get("src", "")) + str(tag.get("href", "")) for tag in rendered["soup"].find_all(True))
    assert "{{< include" in rendered["pdf"]  # shown as text in the PDF as well
