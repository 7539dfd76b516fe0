"""The report: assemble the Quarto source with the pipeline's facts and figures, then render it.

    build = assemble(paths.REPORT_BUILD_DIR)            # report/ + facts + figures, checked
    html, pdf = render(build, paths.REPORT_DIR, "eaamr_2025")

`render` uses Quarto when it is installed, otherwise pandoc + Typst (see render.py).
"""

from pipeline.report.assemble import ReportSourceError, assemble
from pipeline.report.render import RenderError, render

__all__ = ["RenderError", "ReportSourceError", "assemble", "render"]
