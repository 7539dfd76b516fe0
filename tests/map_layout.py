"""Layout checks of the maps, in display coordinates: labels that collide, labels on land."""

import itertools

import shapely
from matplotlib.transforms import Bbox

from pipeline.publication.figures import maps


def label_boxes(axes) -> list[tuple[str, Bbox]]:
    """Every text on the map with its window extent; a route's name and numbers (two texts,
    one above the other) are one label."""
    renderer = axes.figure.canvas.get_renderer()
    texts = [text for text in axes.texts if text.get_text().strip()]
    boxes, i = [], 0
    while i < len(texts):
        text, box = texts[i], texts[i].get_window_extent(renderer)
        if text.get_gid() == "route-label":
            box = Bbox.union([box, texts[i + 1].get_window_extent(renderer)])
            i += 1
        boxes.append((text.get_text(), box))
        i += 1
    return boxes


def collisions(axes, arrow_gids: tuple[str, ...]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap, and labels overlapping an arrow (by gid)."""
    boxes = label_boxes(axes)
    found = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
             if box_a.shrunk(1.0, 0.999).overlaps(box_b.shrunk(1.0, 0.999))]
    arrows = [patch for patch in axes.patches if patch.get_gid() in arrow_gids]
    for text, box in boxes:
        area = shapely.box(box.x0, box.y0, box.x1, box.y1)
        found += [(text, arrow.get_gid()) for arrow in arrows
                  if maps.display_shape(arrow).intersects(area)]
    return found


def on_land(axes, texts, basemap) -> list[str]:
    """The texts whose boxes cover land of the basemap."""
    renderer = axes.figure.canvas.get_renderer()
    to_data = axes.transData.inverted()
    land = shapely.union_all(list(basemap.geometry))
    covered = []
    for text in texts:
        (x0, y0), (x1, y1) = to_data.transform(text.get_window_extent(renderer).get_points())
        if land.intersects(shapely.box(x0, y0, x1, y1)):
            covered.append(text.get_text())
    return covered
