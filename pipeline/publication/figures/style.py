"""One look for every figure: colour-blind-safe palette, fonts, number format, watermark."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from pipeline.core.formatting import eu_number

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#6E6E6E",
}
PRIMARY = PALETTE["blue"]
SECONDARY = PALETTE["orange"]
TEXT = "#222222"
FONT = "DejaVu Sans"  # ships with matplotlib: nothing is downloaded
WATERMARK_TEXT = "SYNTHETIC SAMPLE DATA"

RC = {
    "font.family": FONT,
    "font.size": 9,
    "axes.edgecolor": "#999999",
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "figure.facecolor": "white",
    "svg.hashsalt": "eaamr",  # stable ids inside SVG files
    "path.simplify": True,
}


def apply() -> None:
    """Use the project style for every figure drawn after this call."""
    plt.rcParams.update(RC)


thousands = FuncFormatter(lambda value, _position: eu_number(value))


def add_watermark(figure: plt.Figure) -> None:
    """Mark a figure drawn from the synthetic sample dataset, across its whole area."""
    figure.text(0.5, 0.5, WATERMARK_TEXT, transform=figure.transFigure, fontsize=30,
                color="#B0B0B0", alpha=0.45, rotation=25, ha="center", va="center",
                fontweight="bold", zorder=1000)
