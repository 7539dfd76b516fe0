"""Render Member State fiches and join them into one PDF (see pipeline.publication.fiche).

    python -m pipeline.report.fiches    # the fiches stage: all fiches in one PDF, the annex's list

A fiche is rendered like the report, with `pipeline.report.render` (pandoc for the
self-contained HTML, pandoc + Typst for the PDF), from a build folder made for it: the template
of report/fiche/ (`_quarto.yml`, `fiche.css`), the fiche's markdown and its SVG charts. The
folder is temporary: what is kept is the HTML and the PDF. The combined PDF is written with
pypdf, with one bookmark per fiche and fixed metadata (no dates, no file id), so that
equal fiches give an equal file.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.core import atomic, countries, paths
from pipeline.core.params import stage_params
from pipeline.publication import facts
from pipeline.publication.fiche import (
    FICHES_DIR,
    SNIPPET,
    Fiche,
    annex_markdown,
    basename,
    combined_pdf,
    fiche_dir,
)
from pipeline.report.render import render_html, render_pdf

TEMPLATE_DIR = paths.REPORT_SOURCE_DIR / "fiche"


def _timestamp() -> int | None:
    """`SOURCE_DATE_EPOCH` if set (as `render.render` reads it), else no date in the PDF."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value else None


def render_fiche(document: str, charts: Mapping[str, bytes], out_dir: Path, basename: str
                 ) -> tuple[Path, Path]:
    """Write `out_dir/{basename}.html` and `.pdf` from the fiche's markdown and charts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{basename}.", dir=out_dir.parent) as folder:
        build = Path(folder)
        shutil.copytree(TEMPLATE_DIR, build, dirs_exist_ok=True)
        (build / "charts").mkdir()
        for name, svg in charts.items():
            (build / "charts" / name).write_bytes(svg)
        qmd = f"{basename}.qmd"
        (build / qmd).write_text(document, encoding="utf-8")
        html = render_html(build, out_dir / f"{basename}.html", document=qmd)
        pdf = render_pdf(build, out_dir / f"{basename}.pdf", document=qmd,
                                timestamp=_timestamp())
    return html, pdf


def combine_pdfs(parts: Sequence[tuple[str, Path]], target: Path, *, title: str) -> Path:
    """One PDF of `parts` (bookmark title, PDF) in order, written atomically."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for label, pdf in parts:
        writer.append(str(pdf), outline_item=label)
    writer.add_metadata({"/Title": title, "/Producer": "EAAMR pipeline"})  # no dates
    buffer = io.BytesIO()
    writer.write(buffer)  # no file id either (pypdf adds a random one only to encrypt)
    atomic.write_bytes(target, buffer.getvalue())
    return target


def write(fiche: Fiche, fiches_dir: Path = FICHES_DIR) -> tuple[Path, Path]:
    """Render the fiche to HTML and PDF in its folder."""
    return render_fiche(fiche.document, fiche.charts, fiche_dir(fiche.member_state, fiches_dir),
                        basename(fiche.year, fiche.member_state))


def main() -> int:
    params = stage_params()
    member_states = list(params.key.member_states)
    pdfs = [fiche_dir(ms) / f"{basename(params.year, ms)}.pdf" for ms in member_states]
    absent = [paths.display_path(pdf) for pdf in pdfs if not pdf.is_file()]
    if absent:
        print(f"error: fiche not found: {', '.join(absent)} (run dvc repro)", file=sys.stderr)
        return 1
    combine_pdfs([(countries.name(ms), pdf) for ms, pdf in zip(member_states, pdfs)],
                 combined_pdf(params.year), title=f"EAAMR {params.year}: Member State fiches")
    facts.write_snippet(SNIPPET, annex_markdown(params.year, member_states))
    return 0


if __name__ == "__main__":
    sys.exit(main())
