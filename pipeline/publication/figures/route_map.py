"""Figure 1 - Illegal border crossings by migratory route, as a map of curved arrows."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import yaml

from pipeline.analysis.indicators import compare_windows
from pipeline.core import formatting, paths, routes
from pipeline.core.caveat import Caveat
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.basemap import project
from pipeline.publication.figures import maps, style
from pipeline.publication.figures.output import FigureSpec

CAVEATS = (
    Caveat("Figure 1", "Only routes with more than {figures_route_map_threshold} IBCs in the "
           "reference period are drawn; the 'Other' route never is. Route lines are schematic "
           "(data/reference/migratory_routes.yaml): Frontex publishes no route geometry."),
)

SPEC = FigureSpec(1, "fig1_route_map", "Illegal border crossings by migratory route", "Frontex",
                  unit="illegal border crossings (detections)")

ROUTE_LINES_FILE = paths.REFERENCE_DIR / "migratory_routes.yaml"
OTHER = "Other"  # the workbook's catch-all route: counted in totals, never drawn

# Arrow width scale, fixed so that editions compare: one point of shaft width per 6 000 IBCs
# (60 000 IBCs -> 10 pt). Routes below MIN_WIDTH_POINTS are drawn at that width so they stay
# visible; the legend says so.
IBCS_PER_POINT = 6_000
MIN_WIDTH_POINTS = 1.0
LEGEND_IBCS = (10_000, 50_000)
ARROW_COLOUR = style.PALETTE["vermillion"]

# Non-EU countries named on the map (grey italics), with offsets in metres where the label
# point would sit under an arrow or a route label; moved further if one is still in the way.
# The Western Balkans are too small at this scale for their names next to two route arrows,
# except Kosovo*, which needs its footnote.
NEIGHBOUR_LABELS = ("MA", "DZ", "TN", "LY", "EG", "TR", "SY", "IQ", "UA", "BY", "RU", "UK", "NO",
                    "XK")
NAME_WIDTH = 24  # route names longer than this are written on two lines
NEIGHBOUR_OFFSETS = {"LY": (0, -150_000), "TR": (0, 170_000), "DZ": (0, -120_000),
                     "RU": (150_000, -150_000), "UA": (0, -60_000), "BY": (-30_000, -140_000)}


@dataclass(frozen=True)
class RouteLine:
    """The project's schematic line of one route, in degrees (see migratory_routes.yaml)."""

    route: str
    departure: tuple[float, float]
    entry: tuple[float, float]
    bend: float
    label_at: tuple[float, float]
    align: str = "center"


def load_route_lines(path: Path = ROUTE_LINES_FILE) -> dict[str, RouteLine]:
    """The curated route lines, checked against the Frontex route labels."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    lines = {}
    for label, entry in entries.items():
        routes.route(label)  # unknown labels are an error
        if label == OTHER:
            raise ValueError(f"{path}: route {OTHER!r} is never drawn and has no line")
        missing = {"departure", "entry", "bend", "label"} - set(entry)
        if missing:
            raise ValueError(f"{path}: route {label!r} lacks {', '.join(sorted(missing))}")
        align = entry.get("align", "center")
        if align not in ("left", "center", "right"):
            raise ValueError(f"{path}: route {label!r}: align must be left, center or right")
        lines[label] = RouteLine(label, tuple(entry["departure"]), tuple(entry["entry"]),
                                 float(entry["bend"]), tuple(entry["label"]), align)
    return lines


def route_table(ibc_routes: pd.DataFrame, periods: ReportPeriods) -> pd.DataFrame:
    """IBCs per route in the reference and comparison periods, largest first, "Other" last."""
    compared = compare_windows(ibc_routes, periods.reference, periods.comparison, "M",
                               name="ibc_routes", by=("route",))
    table = pd.DataFrame({
        "route": compared.index,
        "short_name": [routes.route(label).short_name for label in compared.index],
        "ibcs": compared["current"].to_numpy(),
        "share": compared["share"].to_numpy(),
        "ibcs_previous_period": compared["previous"].to_numpy(),
        "change": compared["change"].to_numpy(),
    })
    table["_other"] = table["route"] == OTHER
    table = table.sort_values(["_other", "ibcs"], ascending=[True, False]).drop(columns="_other")
    return table.reset_index(drop=True)


def drawn_routes(table: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The routes the map draws: more IBCs than `threshold` in the reference period, not Other."""
    return table[(table["ibcs"] > threshold) & (table["route"] != OTHER)]


def plotted_values(table: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Every route with a `drawn` flag: the rows the map draws, and totals that reconcile."""
    return table.assign(drawn=table.index.isin(drawn_routes(table, threshold).index))


def arrow_width(ibcs: float) -> float:
    """Shaft width in points on the fixed scale (at least MIN_WIDTH_POINTS)."""
    return max(ibcs / IBCS_PER_POINT, MIN_WIDTH_POINTS)


def signed_change(change: float) -> str:
    """-0.35 -> '\u221235%', 0.12 -> '+12%'; no comparison value -> 'new'."""
    if change is None or math.isnan(change):
        return "new"
    sign = "+" if change > 0 else "\u2212" if change < 0 else "\u00b1"
    return f"{sign}{formatting.percent(change)}"


def _legend(axes: plt.Axes, periods: ReportPeriods, threshold: float) -> None:
    x0, y0 = 0.018, 0.982  # axes fraction, top left (Atlantic)
    renderer = axes.figure.canvas.get_renderer()
    axes.text(x0, y0, f"Illegal border crossings\n{periods.reference.short_label}",
              transform=axes.transAxes, fontsize=7.5, fontweight="bold", ha="left", va="top",
              color=style.TEXT, zorder=9)
    scale = maps.data_per_point(axes)
    left, right = axes.get_xlim()
    bottom, top = axes.get_ylim()
    x_start = left + (right - left) * (x0 + 0.005)
    length = 0.075 * (right - left)
    for i, ibcs in enumerate(LEGEND_IBCS):
        y = top - (top - bottom) * (0.085 + 0.045 * i)
        maps.curved_arrow(axes, (x_start, y), (x_start + length, y), width=arrow_width(ibcs),
                          bend=0.0, colour=ARROW_COLOUR, zorder=9, gid="legend-arrow")
        axes.text(x_start + length + 4 * scale, y, f"{formatting.eu_number(ibcs)} IBCs",
                  fontsize=7, va="center", ha="left", color=style.TEXT, zorder=9)
    note = (f"Routes with more than {formatting.eu_number(threshold)} IBCs.\n"
            f"Labels: IBCs and change on\n{periods.comparison.short_label}.")
    text = axes.text(x0, 1 - (0.085 + 0.045 * len(LEGEND_IBCS) - 0.01), note,
                     transform=axes.transAxes, fontsize=6.5, ha="left", va="top",
                     color="#444444", zorder=9, linespacing=1.3)
    below = axes.transAxes.inverted().transform(text.get_window_extent(renderer))[0][1]
    maps.shading_key(axes, x0, below - 0.015)


def plot(table: pd.DataFrame, periods: ReportPeriods, *, threshold: float,
         route_lines: dict[str, RouteLine], basemap: gpd.GeoDataFrame | None = None,
         attribution: str | None = None) -> plt.Figure:
    """Routes above `threshold` as curved arrows from departure region to EU entry point.

    Width is proportional to IBCs on the fixed IBCS_PER_POINT scale; each arrow is labelled
    with the route's short name, its IBCs and the change on the previous 12 months.
    """
    style.apply()
    extent = maps.EUROPE_AND_NEIGHBOURS
    figure, axes = maps.map_figure(extent)
    maps.draw_basemap(axes, extent, basemap=basemap)
    points = maps.label_points(basemap)

    drawn = drawn_routes(table, threshold)
    missing = [label for label in drawn["route"] if label not in route_lines]
    if missing:
        raise KeyError(f"no route line for {', '.join(missing)}: add it to {ROUTE_LINES_FILE.name}")
    # Widest first, so that thinner arrows stay on top where they cross.
    for order, row in enumerate(drawn.sort_values("ibcs", ascending=False).itertuples()):
        line = route_lines[row.route]
        maps.curved_arrow(axes, project(*line.departure), project(*line.entry),
                          width=arrow_width(row.ibcs), bend=line.bend, colour=ARROW_COLOUR,
                          zorder=5 + order * 0.01, gid="route-arrow")
        x, y = project(*line.label_at)
        maps.label(axes, x, y, textwrap.fill(row.short_name, NAME_WIDTH, break_on_hyphens=False), size=7.5,
                   weight="bold", colour=style.TEXT, ha=line.align, va="bottom",
                   gid="route-label")
        maps.label(axes, x, y, f"{formatting.eu_number(row.ibcs)}  {signed_change(row.change)}",
                   size=7.5, colour=style.TEXT, ha=line.align, va="top", gid="route-label")
    _legend(axes, periods, threshold)
    maps.label_countries(axes, list(NEIGHBOUR_LABELS), points, size=6.0, offsets=NEIGHBOUR_OFFSETS,
                         avoid=[*axes.patches, *axes.texts])
    maps.add_notes(figure, axes, attribution=attribution)
    return figure


def alt_text(table: pd.DataFrame, periods: ReportPeriods, threshold: float) -> str:
    drawn = drawn_routes(table, threshold)
    total = table["ibcs"].sum()
    change = total / table["ibcs_previous_period"].sum() - 1.0
    described = [
        f"{row.short_name} {formatting.eu_number(row.ibcs)}"
        + ("" if math.isnan(row.change) else
           f" ({formatting.more_or_less(row.change)})")
        for row in drawn.itertuples()
    ]
    return (
        f"Map of Europe, the Mediterranean, North Africa and the Middle East with one arrow per "
        f"migratory route with more than {formatting.eu_number(threshold)} illegal border "
        f"crossings (IBCs) in {periods.reference.label}, from the departure region to where the "
        f"route enters the EU; arrow width is proportional to IBCs. {len(drawn)} routes, largest "
        f"first, with the change on {periods.comparison.label}: {'; '.join(described)}. "
        f"In total {formatting.eu_number(total)} IBCs were detected, "
        f"{formatting.more_or_less(change)} than in "
        f"{periods.comparison.label}."
    )


def facts(table: pd.DataFrame, threshold: float) -> dict[str, str]:
    """Numbers for the report's prose, computed from the figure's table."""
    total = table["ibcs"].sum()
    change = total / table["ibcs_previous_period"].sum() - 1.0
    drawn = drawn_routes(table, threshold)
    largest = drawn.iloc[0] if len(drawn) else table.iloc[0]
    return {
        "total": formatting.rounded(total),
        "total_exact": formatting.eu_number(total),
        "change": formatting.percent(change),
        "direction": formatting.direction(change),
        "threshold": formatting.eu_number(threshold),
        "routes_drawn": str(len(drawn)),
        "routes_drawn_names": formatting.enumeration(list(drawn["short_name"])) if len(drawn) else "none",
        "largest_route": largest["short_name"],
        "largest_route_ibcs": formatting.eu_number(largest["ibcs"]),
        "largest_route_share": formatting.percent(largest["share"]),
        "largest_route_change": formatting.percent(largest["change"]),
        "largest_route_direction": formatting.direction(largest["change"]),
    }
