"""Shared pieces of the report's maps: label points, curved arrows, the notes.

Drawn on the basemap of `pipeline.inputs.basemap` (Natural Earth, or GISCO's boundaries with
their copyright notice under the map), in EPSG:3035 (ETRS89-LAEA, metres), the projection of the
EU's maps.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.patches import Circle, Polygon, Rectangle

from pipeline.inputs.basemap import load_basemap, project

DISCLAIMER = ("The boundaries and names shown and the designations used on this map do not imply "
              "official endorsement or acceptance by the European Union.")
KOSOVO_FOOTNOTE = ("* This designation is without prejudice to positions on status, and is in line "
                   "with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of "
                   "independence.")

COLOURS = {
    "sea": "#DDEAF3",
    "eu": "#E4DFCB",  # Member States
    "other": "#F3F3F1",  # every other country
    "border": "#A7A7A7",
    "eu_label": "#3A3A3A",
    "other_label": "#8A8A8A",
}
BORDER_WIDTH = 0.3  # points
SMALL_MEMBER_STATES = ("MT",)  # too small at these scales: marked with a ring as well
HALO = [path_effects.withStroke(linewidth=2.2, foreground="white")]


@dataclass(frozen=True)
class Extent:
    """A map view in EPSG:3035 metres."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    @property
    def aspect(self) -> float:
        """Height over width."""
        return (self.ymax - self.ymin) / (self.xmax - self.xmin)


# The Member States, Malta and Cyprus included, with the neighbours around them (Figure 5).
EUROPE = Extent(2_450_000, 1_380_000, 6_750_000, 5_330_000)
# Europe with the Mediterranean, North Africa, Türkiye, the Middle East, the Canary Islands and
# the West African coast the Atlantic route starts from (Figure 1).
EUROPE_AND_NEIGHBOURS = Extent(1_420_000, 200_000, 7_500_000, 5_450_000)

# Hand-tuned label points (lon, lat) where the largest polygon's representative point falls
# somewhere awkward: thin or bent countries, and countries cut by the map box.
LABEL_OVERRIDES: dict[str, tuple[float, float]] = {
    "FR": (2.4, 46.8),
    "HR": (16.0, 45.5),
    "NO": (9.4, 61.3),
    "EL": (22.0, 39.6),
    "IT": (12.4, 42.9),
    "FI": (26.0, 62.6),
    "SE": (15.3, 60.8),
    "DK": (9.2, 56.1),
    "PT": (-8.1, 39.7),
    "UK": (-1.8, 52.7),
    "NL": (5.6, 52.3),
    "DE": (10.3, 51.1),
    "CZ": (15.3, 49.8),
    "BG": (25.2, 42.7),
    "CY": (33.1, 35.05),
    "MT": (14.43, 35.89),
    "RU": (38.0, 56.0),
    "TR": (34.0, 39.2),
    "NE": (10.0, 21.0),
    "LY": (17.5, 28.0),
    "DZ": (2.5, 29.5),
    "EG": (29.5, 27.5),
    "MA": (-6.3, 32.2),
    "MR": (-11.5, 21.5),
    "SY": (38.5, 35.3),
    "IQ": (43.0, 33.5),
    "UA": (31.5, 49.2),
    "BY": (28.0, 53.6),
    "XK": (20.9, 42.6),
    "ME": (19.3, 42.8),
    "MK": (21.7, 41.6),
    "AL": (20.0, 40.9),
    "BA": (17.8, 44.2),
    "RS": (20.8, 44.2),
}

def display_name(code: str, name: str) -> str:
    """The name written on a map: Kosovo carries the asterisk of the standard footnote."""
    return f"{name}*" if code == "XK" else name


def label_points(basemap: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """One point per country inside its mainland, indexed by code (Member States: Eurostat code).

    The representative point of the country's largest polygon (so overseas parts and islands
    do not pull it away), replaced by LABEL_OVERRIDES where that falls somewhere awkward.
    Columns: name, eu, x, y, geometry (EPSG:3035).
    """
    basemap = load_basemap() if basemap is None else basemap
    points = []
    for row in basemap.itertuples():
        if row.code in LABEL_OVERRIDES:
            points.append(shapely.Point(project(*LABEL_OVERRIDES[row.code])))
        else:
            largest = max(shapely.get_parts(row.geometry), key=lambda part: part.area)
            points.append(largest.representative_point())
    table = gpd.GeoDataFrame({"name": basemap["name"].to_numpy(), "eu": basemap["eu"].to_numpy()},
                             geometry=points, crs=basemap.crs, index=pd.Index(basemap["code"], name="code"))
    table["x"] = table.geometry.x
    table["y"] = table.geometry.y
    return table


def draw_basemap(axes: plt.Axes, extent: Extent, *, basemap: gpd.GeoDataFrame | None = None) -> None:
    """Sea, Member States in one light colour, other countries lighter, thin borders.

    Fixes the view to `extent` with equal scales and no axis decorations; draw arrows after it.
    """
    basemap = load_basemap() if basemap is None else basemap
    points = label_points(basemap)
    # Only what the view shows goes into the figure (smaller SVG files).
    margin = 0.02 * (extent.xmax - extent.xmin)
    basemap = basemap.clip(shapely.box(extent.xmin - margin, extent.ymin - margin,
                                       extent.xmax + margin, extent.ymax + margin))
    axes.set_facecolor(COLOURS["sea"])
    for is_eu, colour in ((False, COLOURS["other"]), (True, COLOURS["eu"])):
        part = basemap[basemap["eu"] == is_eu]
        part.plot(ax=axes, color=colour, edgecolor=COLOURS["border"], linewidth=BORDER_WIDTH,
                  zorder=1)
    for code in SMALL_MEMBER_STATES:
        x, y = points.loc[code, ["x", "y"]]
        axes.add_patch(Circle((x, y), radius=14_000, facecolor=COLOURS["eu"],
                              edgecolor="#6E6E6E", linewidth=0.5, zorder=2))
    axes.set_xlim(extent.xmin, extent.xmax)
    axes.set_ylim(extent.ymin, extent.ymax)
    axes.set_aspect("equal", adjustable="box")
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_xlabel("")
    axes.set_ylabel("")
    for spine in axes.spines.values():
        spine.set_visible(True)
        spine.set_color("#9A9A9A")
        spine.set_linewidth(0.5)
    axes.apply_aspect()


def map_figure(extent: Extent, *, width: float = 7.0, notes_height: float = 0.42
               ) -> tuple[plt.Figure, plt.Axes]:
    """A figure `width` inches wide holding a map of `extent` and a strip for the notes below."""
    map_height = width * extent.aspect
    figure = plt.figure(figsize=(width, map_height + notes_height))
    axes = figure.add_axes((0.0, notes_height / (map_height + notes_height), 1.0,
                            map_height / (map_height + notes_height)))
    return figure, axes


def kosovo_labelled(axes: plt.Axes) -> bool:
    """Whether the map names Kosovo (as 'Kosovo*'), so that it needs the footnote."""
    return any(text.get_text() == display_name("XK", "Kosovo") for text in axes.texts)


def add_notes(figure: plt.Figure, axes: plt.Axes, *, attribution: str | None = None) -> None:
    """The EU disclaimer, the Kosovo* footnote where the map names Kosovo*, and the boundaries'
    copyright notice when they need one (GISCO), in small type under the map."""
    bottom = axes.get_position().y0
    lines = [DISCLAIMER, *([KOSOVO_FOOTNOTE] if kosovo_labelled(axes) else []),
             *([f"Boundaries: {attribution}"] if attribution else [])]
    height = figure.get_figheight() * 72  # points
    for i, line in enumerate(lines):
        figure.text(0.0, bottom - (6 + 8 * i) / height, line, fontsize=5.6, color="#555555",
                    ha="left", va="top", transform=figure.transFigure)


def label(axes: plt.Axes, x: float, y: float, text: str, *, size: float = 7.0,
          colour: str = COLOURS["eu_label"], weight: str = "normal", style: str = "normal",
          ha: str = "center", va: str = "center", zorder: float = 8, gid: str = "map-label"):
    """Text on the map with a white halo so it stays legible over borders and arrows."""
    return axes.text(x, y, text, fontsize=size, color=colour, fontweight=weight, fontstyle=style,
                     ha=ha, va=va, zorder=zorder, path_effects=HALO, gid=gid, clip_on=True)


def place_label(axes: plt.Axes, candidates: list[tuple[float, float, str, str]], text: str, *,
                avoid: list | None = None, owner=None, **options):
    """Write `text` at the first candidate (x, y, ha, va) where it overlaps none of the `avoid`
    artists (texts and patches) and, given an `owner` patch among them, lies nearer to it than
    to any other patch, so that it reads as the owner's; else at the least bad candidate.
    Returns the Text."""
    avoid = avoid or []
    renderer = axes.figure.canvas.get_renderer()
    x, y, ha, va = candidates[0]
    artist = label(axes, x, y, text, ha=ha, va=va, **options)
    best, lowest = candidates[0], None
    for candidate in candidates:
        x, y, ha, va = candidate
        artist.set_position((x, y))
        artist.set_horizontalalignment(ha)
        artist.set_verticalalignment(va)
        box = artist.get_window_extent(renderer).padded(1.5)
        overlaps = sum(_overlaps(box, other, renderer) for other in avoid)
        cost = (overlaps, 0 if owner is None else int(not _nearest_is(box, owner, avoid)))
        if lowest is None or cost < lowest:
            best, lowest = candidate, cost
        if cost == (0, 0):
            break
    x, y, ha, va = best
    artist.set_position((x, y))
    artist.set_horizontalalignment(ha)
    artist.set_verticalalignment(va)
    return artist


def display_shape(patch) -> shapely.Polygon:
    """A patch's outline in display coordinates (pixels), as a shapely polygon."""
    return shapely.Polygon(patch.get_path().transformed(patch.get_transform()).vertices)


def _nearest_is(box, owner, artists, factor: float = 2.0) -> bool:
    """Whether the box is at least `factor` times nearer to `owner` than to any other patch."""
    area = shapely.box(box.x0, box.y0, box.x1, box.y1)
    own = area.distance(display_shape(owner))
    others = [area.distance(display_shape(other)) for other in artists
              if other is not owner and isinstance(other, Polygon)]
    return all(other >= factor * own + 2.0 for other in others)


def beside(point: np.ndarray, direction: np.ndarray, distance: float) -> tuple[float, float, str, str]:
    """A label position `distance` away from `point` in `direction` (unit vector), aligned so
    that the text extends away from the point: (x, y, ha, va) for place_label."""
    x, y = point + direction * distance
    dx, dy = direction
    ha = "left" if dx > 0.38 else "right" if dx < -0.38 else "center"
    va = "bottom" if dy > 0.38 else "top" if dy < -0.38 else "center"
    return float(x), float(y), ha, va


def _overlaps(box, other, renderer) -> bool:
    if hasattr(other, "get_path") and hasattr(other, "get_transform") and not hasattr(other, "get_text"):
        return other.get_path().transformed(other.get_transform()).intersects_bbox(box, filled=True)
    return box.overlaps(other.get_window_extent(renderer))


def label_countries(axes: plt.Axes, codes: list[str], points: gpd.GeoDataFrame, *,
                    offsets: dict[str, tuple[float, float]] | None = None,
                    avoid: list | None = None, size: float = 6.5,
                    colour: str = COLOURS["other_label"], style: str = "italic",
                    leaders: bool = True, **options) -> list:
    """Name some countries at their label points (Kosovo as 'Kosovo*'), offsets in metres,
    each moved to the nearest spot clear of the `avoid` artists and the names before it, with
    a leader line to the label point if it had to move away (`leaders`). Returns the Texts."""
    offsets = offsets or {}
    avoid = list(avoid or [])
    step = NEARBY_STEP * data_per_point(axes)
    options = {"zorder": 4, "gid": "country-label", **options}
    names = []
    for code in codes:
        row = points.loc[code]
        dx, dy = offsets.get(code, (0.0, 0.0))
        candidates = [(row.x + dx + i * step, row.y + dy + j * step, "center", "center")
                      for i, j in NEARBY]
        name = place_label(axes, candidates, display_name(code, row["name"]),
                           avoid=avoid + names, size=size, colour=colour, style=style, **options)
        if leaders and name.get_position() != candidates[0][:2]:
            _leader(axes, name, (row.x, row.y))
        names.append(name)
    return names


def _leader(axes: plt.Axes, name, point: tuple[float, float], *, beyond: float = 4.0) -> None:
    """A thin line from a name to its label point when the name lies more than `beyond` points
    away from it, so that a name moved off an arrow still points at its country."""
    box = name.get_window_extent(axes.figure.canvas.get_renderer())
    x, y = axes.transData.transform(point)
    nearest = np.clip(x, box.x0, box.x1), np.clip(y, box.y0, box.y1)
    points_per_pixel = 72 / axes.figure.dpi
    if np.hypot(x - nearest[0], y - nearest[1]) * points_per_pixel <= beyond:
        return
    end = axes.transData.inverted().transform(nearest)
    axes.plot([point[0], end[0]], [point[1], end[1]], color=COLOURS["other_label"], linewidth=0.4,
              zorder=name.get_zorder() - 0.1, gid="leader", solid_capstyle="butt")


# Moves of a name off arrows and other names, nearest first, in steps of NEARBY_STEP points
# (horizontal steps count half, as names are wider than tall).
NEARBY_STEP = 5.0
NEARBY = tuple(sorted(((i, j) for i in range(-10, 11) for j in range(-5, 6)),
                      key=lambda step: (step[0] ** 2 / 4 + step[1] ** 2, step)))


def shading_key(axes: plt.Axes, x: float, y: float, *, size: float = 6.5) -> list:
    """A one-line key to the shading, Member States and other countries, with its top left at
    (x, y) in axes fraction. Returns its swatches and texts."""
    renderer = axes.figure.canvas.get_renderer()
    to_axes = axes.transAxes.inverted()
    points = axes.get_position().height * axes.figure.get_figheight() * 72
    width, height = 0.022, 0.9 * size / points
    artists = []
    for colour, text in ((COLOURS["eu"], "EU Member State"), (COLOURS["other"], "Other country")):
        swatch = Rectangle((x, y - height), width, height, transform=axes.transAxes,
                           facecolor=colour, edgecolor="#8A8A8A", linewidth=0.5, zorder=9,
                           gid="shading-key")
        axes.add_patch(swatch)
        name = axes.text(x + width + 0.006, y - height / 2, text, transform=axes.transAxes,
                         fontsize=size, ha="left", va="center", color="#444444", zorder=9,
                         gid="legend-text")
        artists += [swatch, name]
        x = to_axes.transform(name.get_window_extent(renderer))[1][0] + 0.02
    return artists


# --- Curved arrows --------------------------------------------------------------------------


def control_point(start: tuple[float, float], end: tuple[float, float], bend: float) -> np.ndarray:
    """Control point of the quadratic Bezier from start to end.

    `bend` is the distance of the control point from the chord's midpoint as a share of the
    chord's length, to the right of the direction of travel (negative: to the left). A->B and
    B->A drawn with the same bend therefore curve to opposite sides and do not overlap.
    """
    p0, p2 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    chord = p2 - p0
    right = np.array([chord[1], -chord[0]])
    return (p0 + p2) / 2 + bend * right


def curve_point(start, end, bend: float, t: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """The point at parameter t of the curve, and the unit normal to the right of travel there."""
    p0, p2 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    p1 = control_point(start, end, bend)
    point = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2
    tangent = 2 * (1 - t) * (p1 - p0) + 2 * t * (p2 - p1)
    tangent = tangent / np.hypot(*tangent)
    return point, np.array([tangent[1], -tangent[0]])


def choose_bends(segments: list[tuple[tuple[float, float], tuple[float, float]]], *,
                 clearance: float, default: float = 0.2,
                 candidates: tuple[float, ...] = (0.2, -0.2, 0.3, -0.3, 0.12, -0.12)) -> list[float]:
    """A bend for each (start, end) segment, so that arrows keep apart where they can.

    Segments are placed in order (put the most important first): each takes the candidate
    whose curve comes within `clearance` (map units) of the curves already placed the least
    often, and whose ends leave a shared point at a different angle from theirs; ties go to
    the candidate nearest `default`. A segment whose reverse (B->A after A->B) is already placed
    takes the same bend, which curves it to the other side, so two-way flows never overlap.
    """
    placed: list[tuple[tuple, tuple, float, np.ndarray]] = []
    bends = []
    for start, end in segments:
        start, end = tuple(map(float, start)), tuple(map(float, end))
        reverse = [bend for s, e, bend, _ in placed if s == end and e == start]
        if reverse:
            chosen = reverse[0]
        else:
            chosen = min(candidates, key=lambda bend: _bend_cost(start, end, bend, placed,
                                                                 clearance, default))
        placed.append((start, end, chosen, bezier(start, end, chosen, samples=61)))
        bends.append(chosen)
    return bends


def _bend_cost(start, end, bend: float, placed, clearance: float, default: float) -> float:
    """How badly a curve with this bend would crowd the curves already placed."""
    inner = bezier(start, end, bend, samples=41)[5:-5]
    total = abs(bend - default) * 2.0  # ties go to the bend nearest the default
    for other_start, other_end, other_bend, curve in placed:
        gaps = np.hypot(*(inner[:, None, :] - curve[None, :, :]).transpose(2, 0, 1)).min(axis=1)
        total += np.count_nonzero(gaps < clearance)
        for mine, theirs in _shared_ends(start, end, bend, other_start, other_end, other_bend):
            cross = mine[0] * theirs[1] - mine[1] * theirs[0]
            angle = abs(np.degrees(np.arctan2(cross, np.dot(mine, theirs))))
            total += 8.0 if angle < 25.0 else 0.0  # leaving or reaching a shared point together
    return total


def _shared_ends(start, end, bend, other_start, other_end, other_bend):
    """Directions (unit vectors) in which two curves leave the points they share."""
    def leaving(a, b, bend_, at_start):
        curve = bezier(a, b, bend_, samples=21)
        vector = curve[1] - curve[0] if at_start else curve[-2] - curve[-1]
        return vector / np.hypot(*vector)
    for mine_at_start, point in ((True, start), (False, end)):
        for theirs_at_start, other in ((True, other_start), (False, other_end)):
            if point == other:
                yield (leaving(start, end, bend, mine_at_start),
                       leaving(other_start, other_end, other_bend, theirs_at_start))


def bezier(start, end, bend: float, samples: int = 96) -> np.ndarray:
    """Points along the quadratic Bezier curve from start to end (samples x 2)."""
    p0, p2 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    p1 = control_point(start, end, bend)
    t = np.linspace(0.0, 1.0, samples)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def data_per_point(axes: plt.Axes) -> float:
    """Map units (metres) per typographic point on the axes, as the view stands now."""
    axes.apply_aspect()
    width_points = axes.get_position().width * axes.figure.get_figwidth() * 72
    low, high = axes.get_xlim()
    return (high - low) / width_points


def head_size(width: float) -> tuple[float, float]:
    """Arrowhead (width, length) in points for a shaft `width` points wide."""
    head_width = width + max(4.0, 0.9 * width)
    return head_width, max(5.0, 0.75 * head_width)


def arrow_outline(start, end, *, width: float, bend: float, scale: float,
                  shrink_start: float = 0.0, shrink_end: float = 0.0) -> np.ndarray:
    """Outline (n x 2, map units) of a curved arrow: shaft `width` points wide and a head.

    `scale` is map units per point; shrinks are in points, measured along the curve.
    """
    curve = bezier(start, end, bend, samples=200)
    steps = np.hypot(*np.diff(curve, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    total = along[-1]
    head_width, head_length = (value * scale for value in head_size(width))
    first = min(shrink_start * scale, total * 0.3)
    tip = max(total - shrink_end * scale, first + 1e-9)
    head_length = min(head_length, (tip - first) * 0.6)
    base = tip - head_length

    def at(distance: float) -> tuple[np.ndarray, np.ndarray]:
        point = np.array([np.interp(distance, along, curve[:, 0]), np.interp(distance, along, curve[:, 1])])
        i = int(np.clip(np.searchsorted(along, distance), 1, len(curve) - 1))
        tangent = curve[i] - curve[i - 1]
        tangent = tangent / np.hypot(*tangent)
        return point, np.array([-tangent[1], tangent[0]])  # point, left normal

    shaft = np.linspace(first, base, 60)
    centre, normals = zip(*(at(d) for d in shaft))
    centre, normals = np.array(centre), np.array(normals)
    half = width * scale / 2
    left = centre + half * normals
    right = centre - half * normals
    base_point, base_normal = at(base)
    tip_point, _ = at(tip)
    head = [base_point + head_width / 2 * base_normal, tip_point, base_point - head_width / 2 * base_normal]
    return np.vstack([left, head, right[::-1]])


def curved_arrow(axes: plt.Axes, start, end, *, width: float, bend: float = 0.2,
                 colour: str = "#0072B2", shrink_start: float = 0.0, shrink_end: float = 0.0,
                 alpha: float = 0.9, zorder: float = 5, gid: str = "flow-arrow") -> Polygon:
    """Draw a curved arrow from start to end (map units) as one filled shape and return it.

    A quadratic Bezier curve bent by `bend` (see `control_point`), a shaft `width` points wide
    and an arrowhead at `end`, shortened by `shrink_start`/`shrink_end` points at either end so
    it stops short of labels. Widths are physical: call it after the view is fixed.
    """
    outline = arrow_outline(start, end, width=width, bend=bend, scale=data_per_point(axes),
                            shrink_start=shrink_start, shrink_end=shrink_end)
    patch = Polygon(outline, closed=True, facecolor=colour, edgecolor="white", linewidth=0.6,
                    alpha=alpha, zorder=zorder, joinstyle="miter")
    patch.set_gid(gid)
    axes.add_patch(patch)
    return patch


def patches_with_gid(axes: plt.Axes, gid: str) -> list:
    """The patches of the axes drawn with the given gid (e.g. the flow arrows)."""
    return [patch for patch in axes.patches if patch.get_gid() == gid]
