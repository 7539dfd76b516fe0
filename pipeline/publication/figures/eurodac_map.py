"""Figure 5 - Map of unauthorised movements based on Eurodac hits, as curved arrows.

A foreign Eurodac hit: the fingerprints of a person registered in one Member State (origin,
`geo` in the processed table) match in another Member State (`destination`). Each arrow is an
origin-destination pair with more hits than the threshold in the reference period.
"""

from __future__ import annotations

import dataclasses
import warnings

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd

from pipeline.analysis.key import relative_change
from pipeline.core import countries, formatting
from pipeline.core.caveat import Caveat
from pipeline.core.errors import InputError, source_of
from pipeline.core.periods import ReportPeriods, Window
from pipeline.publication.figures import maps, style
from pipeline.publication.figures.output import FigureSpec

CAVEATS = (
    Caveat("Figure 5", "Only Member State pairs with more than {figures_eurodac_map_threshold} "
           "Eurodac hits are drawn; arrow widths are on a fixed scale ({figures_eurodac_map_full_width_hits} "
           "hits at full width) so that editions can be compared."),
)

SPEC = FigureSpec(5, "fig5_eurodac_map", "Map of unauthorised movements based on Eurodac hits",
                  "eu-LISA", unit="Eurodac hits")

# Arrow width: `full_width_hits` (a parameter, fixed across editions) is drawn MAX_WIDTH_POINTS
# wide; narrower arrows in proportion.
MAX_WIDTH_POINTS = 14.0
LEGEND_HITS = (6_000, 10_000, 20_000)
LEGEND_TOP = 0.85  # axes fraction: the legend's top, in the Atlantic below Iceland
KEY_TOP = 0.985  # ... and the top of the key to the shading, above Iceland
FLOW_BEND = 0.25  # preferred bend: to the right of the direction of travel (maps.choose_bends)
ARROW_COLOUR = style.PRIMARY
SHRINK_START = 5.0  # points between a label point and the start of an arrow
SHRINK_END = 6.0  # ... and between the arrowhead and the label point it points at

# Where a Member State's name goes relative to its label point (metres), so that names sit
# beside the arrow ends rather than on them (moved further if an arrow is still in the way).
NAME_OFFSETS: dict[str, tuple[float, float]] = {
    "DE": (0, 110_000), "FR": (-60_000, 0), "IT": (-150_000, -10_000), "EL": (-130_000, -60_000),
    "HR": (-60_000, -90_000), "AT": (-30_000, 60_000), "SI": (-170_000, 10_000),
    "HU": (30_000, -40_000), "BE": (-120_000, 10_000), "LU": (-90_000, -60_000),
    "NL": (-30_000, 40_000), "CZ": (40_000, 50_000), "DK": (0, 20_000), "MT": (110_000, 0),
}
# Non-EU countries named on the map; the Western Balkans and Switzerland are too small beside
# the Member States' names and the arrows, except Kosovo*, which needs its footnote.
NEIGHBOUR_LABELS = ("UK", "NO", "UA", "BY", "TR", "XK")
NEIGHBOUR_OFFSETS = {"NO": (-60_000, -150_000), "TR": (-150_000, 0), "UA": (0, 50_000)}
CLEARANCE_POINTS = 16.0  # arrows try to keep this far apart (see maps.choose_bends)


def period_code(window: Window) -> str:
    """The processed table's period code of a 12-month window: '2024-07/2025-06'."""
    return f"{window.first}/{window.last}"


def title(threshold: float) -> str:
    return f"{SPEC.title} (routes with > {formatting.eu_number(threshold)} hits)"


def spec(threshold: float) -> FigureSpec:
    """The figure's spec with the threshold in its title, as the report captions it."""
    return dataclasses.replace(SPEC, title=title(threshold))


def _pairs(eurodac: pd.DataFrame, window: Window) -> pd.Series:
    code = period_code(window)
    rows = eurodac[eurodac["period"] == code]
    if rows.empty:
        raise InputError(source_of(eurodac, "eurodac"), f"no Eurodac hits for {window.label} (period {code})",
                         field="period")
    return rows.groupby(["geo", "destination"])["value"].sum()


def flow_table(eurodac: pd.DataFrame, periods: ReportPeriods) -> pd.DataFrame:
    """Hits per origin-destination pair in the reference and comparison periods, largest first."""
    pairs = pd.DataFrame({"hits": _pairs(eurodac, periods.reference),
                          "hits_previous_period": _pairs(eurodac, periods.comparison)}).fillna(0.0)
    pairs.index = pairs.index.set_names(["origin", "destination"])
    table = pairs.reset_index()
    table.insert(2, "origin_name", [countries.name(code) for code in table["origin"]])
    table.insert(3, "destination_name", [countries.name(code) for code in table["destination"]])
    table["share"] = table["hits"] / table["hits"].sum()
    table["change"] = relative_change(table["hits"], table["hits_previous_period"]).to_numpy()
    table["_origin"] = [countries.protocol_rank(code) for code in table["origin"]]
    table["_destination"] = [countries.protocol_rank(code) for code in table["destination"]]
    table = table.sort_values(["hits", "_origin", "_destination"], ascending=[False, True, True])
    return table.drop(columns=["_origin", "_destination"]).reset_index(drop=True)


def member_state_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per Member State: hits as origin (departures) and as destination (receiving), both periods."""
    totals = pd.DataFrame({
        "departures": table.groupby("origin")["hits"].sum(),
        "departures_previous_period": table.groupby("origin")["hits_previous_period"].sum(),
        "receiving": table.groupby("destination")["hits"].sum(),
        "receiving_previous_period": table.groupby("destination")["hits_previous_period"].sum(),
    }).fillna(0.0)
    totals.index.name = "member_state"
    return totals


def drawn_pairs(table: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The pairs the map draws: more hits than `threshold` in the reference period."""
    return table[table["hits"] > threshold]


def plotted_values(table: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Every pair with a `drawn` flag: the arrows the map draws, and totals that reconcile."""
    return table.assign(drawn=table.index.isin(drawn_pairs(table, threshold).index))


def arrow_width(hits: float, full_width_hits: float) -> float:
    """Shaft width in points: `full_width_hits` hits are MAX_WIDTH_POINTS wide."""
    return MAX_WIDTH_POINTS * hits / full_width_hits


def pair_name(origin: str, destination: str) -> str:
    return f"{countries.name(origin)} to {countries.name(destination)}"


def _legend(axes: plt.Axes, periods: ReportPeriods, threshold: float, full_width_hits: float) -> None:
    """Arrow widths and what is drawn in the Atlantic below Iceland; the key to the shading
    above Iceland."""
    x0, y0 = 0.016, LEGEND_TOP  # axes fraction
    axes.text(x0, y0, f"Eurodac hits\n{periods.reference.short_label}", transform=axes.transAxes,
              fontsize=7.5, fontweight="bold", ha="left", va="top", color=style.TEXT, zorder=9,
              gid="legend-text")
    scale = maps.data_per_point(axes)
    left, right = axes.get_xlim()
    bottom, top = axes.get_ylim()
    x_start = left + (right - left) * (x0 + 0.004)
    length = 0.06 * (right - left)
    for i, hits in enumerate(LEGEND_HITS):
        y = bottom + (top - bottom) * (y0 - 0.07 - 0.032 * i)
        maps.curved_arrow(axes, (x_start, y), (x_start + length, y),
                          width=arrow_width(hits, full_width_hits), bend=0.0, colour=ARROW_COLOUR,
                          zorder=9, gid="legend-arrow")
        axes.text(x_start + length + 4 * scale, y, f"{formatting.eu_number(hits)} hits", fontsize=7,
                  va="center", ha="left", color=style.TEXT, zorder=9, gid="legend-text")
    note = (f"Pairs with more than\n{formatting.eu_number(threshold)} hits, from the\n"
            f"Member State of\nregistration to that\nof the hit.")
    note_top = y0 - 0.07 - 0.032 * len(LEGEND_HITS) + 0.01
    axes.text(x0, note_top, note, transform=axes.transAxes, fontsize=6.5, ha="left",
                     va="top", color="#444444", zorder=9, linespacing=1.3, gid="legend-text")
    maps.shading_key(axes, x0, KEY_TOP)


def plot(table: pd.DataFrame, periods: ReportPeriods, *, threshold: float,
         full_width_hits: float, basemap: gpd.GeoDataFrame | None = None,
         attribution: str | None = None) -> plt.Figure:
    """Pairs above `threshold` as curved arrows between the Member States' label points.

    Width is proportional to hits on a fixed scale (`full_width_hits` = the widest arrow);
    bends are chosen by `maps.choose_bends` (largest flow first) to keep arrows apart, and a
    reverse flow takes the same bend as its pair, which curves it to the other side.
    """
    style.apply()
    extent = maps.EUROPE
    figure, axes = maps.map_figure(extent)
    maps.draw_basemap(axes, extent, basemap=basemap)
    points = maps.label_points(basemap)

    drawn = drawn_pairs(table, threshold)
    if len(drawn) and drawn["hits"].max() > full_width_hits:
        warnings.warn(f"a pair has more than full_width_hits={full_width_hits:g} hits: its arrow "
                      f"is wider than the maximum; raise figures.eurodac_map_full_width_hits",
                      stacklevel=2)
    scale = maps.data_per_point(axes)
    segments = [(tuple(points.loc[row.origin, ["x", "y"]]), tuple(points.loc[row.destination, ["x", "y"]]))
                for row in drawn.itertuples()]
    bends = maps.choose_bends(segments, clearance=CLEARANCE_POINTS * scale, default=FLOW_BEND)
    # Widest first, so that thinner arrows stay on top where they cross.
    arrows = [
        maps.curved_arrow(axes, start, end, width=arrow_width(row.hits, full_width_hits), bend=bend,
                          colour=ARROW_COLOUR, shrink_start=SHRINK_START, shrink_end=SHRINK_END,
                          zorder=5 + order * 0.01, gid="flow-arrow")
        for order, (row, (start, end), bend) in enumerate(zip(drawn.itertuples(), segments, bends))
    ]
    _legend(axes, periods, threshold, full_width_hits)
    legend = [text for text in axes.texts if text.get_gid() == "legend-text"]
    # Member States at either end of an arrow: a dot and the name in bold.
    involved = [code for code in countries.EU27 if code in set(drawn["origin"]) | set(drawn["destination"])]
    for code in involved:
        axes.plot(*points.loc[code, ["x", "y"]], "o", markersize=3.2, color=style.TEXT, zorder=7,
                  markeredgecolor="white", markeredgewidth=0.6)
    names = maps.label_countries(axes, involved, points, offsets=NAME_OFFSETS,
                                 avoid=arrows + legend, size=7.0, colour=style.TEXT,
                                 style="normal", weight="bold", zorder=8,
                                 leaders=False)
    # Each arrow's hits beside it, preferably on the outer side of its bulge, clear of the other
    # labels and arrows and nearer to its own arrow than to any other.
    values: list = []
    for row, (start, end), bend, arrow in zip(drawn.itertuples(), segments, bends, arrows):
        width = arrow_width(row.hits, full_width_hits)
        candidates = []
        for gap in (2.5, 5.0, 8.0):
            for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82):
                middle, right = maps.curve_point(start, end, bend, t)
                for side in (1, -1):
                    outside = right * (side if bend >= 0 else -side)
                    candidates.append(maps.beside(middle, outside, (width / 2 + gap) * scale))
        values.append(maps.place_label(axes, candidates, formatting.eu_number(row.hits),
                                       avoid=arrows + values + names + legend, owner=arrow,
                                       size=6.5, colour=ARROW_COLOUR, weight="bold",
                                       gid="flow-value"))
    # The other Member States' names, in small grey type, moved off arrows and values if needed.
    others = [code for code in countries.EU27 if code not in involved]
    names += maps.label_countries(axes, others, points, size=6.0, colour="#5A5A5A", style="normal",
                                  offsets=NAME_OFFSETS, avoid=arrows + values + names + legend)
    maps.label_countries(axes, list(NEIGHBOUR_LABELS), points, size=6.0, offsets=NEIGHBOUR_OFFSETS,
                         avoid=arrows + values + names + legend)
    maps.add_notes(figure, axes, attribution=attribution)
    return figure


def alt_text(table: pd.DataFrame, periods: ReportPeriods, threshold: float) -> str:
    drawn = drawn_pairs(table, threshold)
    total = table["hits"].sum()
    change = total / table["hits_previous_period"].sum() - 1.0
    pairs = [f"{pair_name(row.origin, row.destination)} {formatting.eu_number(row.hits)}"
             for row in drawn.itertuples()]
    listed = f": {'; '.join(pairs)}" if pairs else ""
    return (
        f"Map of the EU Member States with arrows for unauthorised movements measured by Eurodac "
        f"hits in {periods.reference.label}, from the Member State where a person was first "
        f"registered to the Member State of the hit, for the {len(drawn)} pairs with more than "
        f"{formatting.eu_number(threshold)} hits; arrow width is proportional to hits{listed}. "
        f"In total {formatting.eu_number(total)} foreign hits, "
        f"{formatting.more_or_less(change)} than in "
        f"{periods.comparison.label}."
    )


def facts(table: pd.DataFrame, threshold: float, *, leading: int = 5) -> dict[str, str]:
    """Numbers for the report's prose, computed from the figure's table."""
    total = table["hits"].sum()
    change = total / table["hits_previous_period"].sum() - 1.0
    drawn = drawn_pairs(table, threshold)
    totals = member_state_totals(table)
    departures = totals["departures"].sort_values(ascending=False, kind="stable").head(leading)
    receiving = totals["receiving"].sort_values(ascending=False, kind="stable").head(leading)
    largest = table.iloc[0]
    return {
        "total": formatting.rounded(total),
        "total_exact": formatting.eu_number(total),
        "change": formatting.percent(change),
        "direction": formatting.direction(change),
        "threshold": formatting.eu_number(threshold),
        "title": title(threshold),
        "pairs_drawn": str(len(drawn)),
        "routes": (formatting.enumeration([pair_name(r.origin, r.destination) for r in drawn.itertuples()])
                   if len(drawn) else "none"),
        "largest_route": pair_name(largest["origin"], largest["destination"]),
        "largest_route_hits": formatting.eu_number(largest["hits"]),
        "top_departure": formatting.member_state_names(list(departures.index)),
        "top_receiving": formatting.member_state_names(list(receiving.index)),
    }
