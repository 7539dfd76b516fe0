"""Build the report: `python -m pipeline.report` writes outputs/<year>/report/eaamr_{year}.html and .pdf."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.core import paths
from pipeline.core.params import stage_params
from pipeline.report import RenderError, ReportSourceError, assemble, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.report",
        description="Assemble the report source with the facts and figures, then render it "
        "to HTML and PDF.",
    )
    parser.add_argument(
        "--engine", choices=("auto", "quarto", "pandoc"), default="auto",
        help="quarto, the pandoc + Typst fallback, or auto (Quarto if installed; default)",
    )
    parser.add_argument("--params", type=Path, default=paths.PARAMS_FILE, help="params.yaml")
    args = parser.parse_args(argv)
    params = stage_params(args.params)  # a bad parameter: exit status 2, one line
    try:
        build_dir = assemble(
            paths.REPORT_BUILD_DIR,
            source_dir=paths.REPORT_SOURCE_DIR,
            facts_dir=paths.FACTS_DIR,
            figures_dir=paths.FIGURES_DIR,
        )
        html, pdf = render(build_dir, paths.REPORT_DIR, f"eaamr_{params.year}", engine=args.engine)
    except (ReportSourceError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(html)
    print(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
