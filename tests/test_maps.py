"""Shared map pieces: the committed basemap, label points, curved arrows, bends, notes."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely
import yaml
from matplotlib.colors import to_hex
from shapely.geometry import Point, box

from pipeline.core import countries, paths, routes
from pipeline.inputs.basemap import BASEMAP_FILE, load_basemap, project
from pipeline.publication.figures import maps, route_map


@pytest.fixture(scope="module")
def basemap():
    return load_basemap()


@pytest.fixture(scope="module")
def geographic(basemap):
    return basemap.to_crs("EPSG:4326").set_index("code")


def test_basemap_is_in_etrs89_laea_with_the_documented_columns(basemap):
    assert basemap.crs.to_epsg() == 3035
    assert {"code", "iso_numeric", "iso3", "name", "eu", "geometry"} <= set(basemap.columns)
    assert basemap["code"].is_unique
    assert basemap.geometry.is_valid.all()
    assert BASEMAP_FILE.stat().st_size < 1.5e6


def test_basemap_has_exactly_the_27_member_states_flagged_eu(basemap):
    flagged = set(basemap.loc[basemap["eu"], "code"])
    assert flagged == set(countries.EU27)
    greece = basemap.set_index("code").loc["EL"]
    assert greece["iso_numeric"] == "300" and greece["iso3"] == "GRC"


@pytest.mark.parametrize("code, min_km2", [("MT", 100), ("CY", 8000), ("LU", 1500)])
def test_small_member_states_are_drawn(basemap, code, min_km2):
    area_km2 = basemap.set_index("code").loc[code].geometry.area / 1e6
    assert area_km2 > min_km2


def test_no_french_overseas_departments(geographic):
    # Metropolitan France and Corsica only: no Guiana, Antilles, Reunion or Mayotte.
    minx, miny, maxx, maxy = geographic.loc["FR"].geometry.bounds
    assert minx > -5.5 and miny > 41.0 and maxx < 10.0 and maxy < 51.5


def test_outermost_regions_kept_are_the_canaries_and_madeira(geographic):
    eu = geographic[geographic["eu"]]
    canaries, madeira = box(-18.5, 27.4, -13.2, 29.5), box(-17.5, 32.3, -16.0, 33.2)
    for code, geometry in eu.geometry.items():
        for part in shapely.get_parts(geometry):
            point = part.representative_point()
            assert point.x > -19.0 and point.y > 27.0, code  # nothing west of the Azores / south of the Canaries
            if point.x < -10.0:  # west of the Iberian coast: only the Canaries and Madeira
                assert canaries.contains(point) or madeira.contains(point), code
    assert geographic.loc["ES"].geometry.intersects(canaries)  # the Canaries are on the map
    assert geographic.loc["PT"].geometry.bounds[0] > -18.0  # Madeira yes, the Azores no


def test_editorial_choices_of_the_basemap(geographic):
    assert geographic.loc["CY"].geometry.contains(Point(33.9, 35.2))  # the whole island is Cyprus
    assert geographic.loc["UA"].geometry.contains(Point(34.1, 44.95))  # Crimea is Ukraine
    assert geographic.loc["FI"].geometry.intersects(box(19.5, 59.9, 20.5, 60.4))  # Aland is Finland
    assert geographic.loc["XK", "iso3"] == "XKX" and geographic.loc["XK", "name"] == "Kosovo"
    assert geographic.loc["EH", "name"] == "Western Sahara"  # separate from Morocco


def test_provenance_of_the_basemap():
    provenance = yaml.safe_load((paths.REFERENCE_DIR / "basemap.yaml").read_text(encoding="utf-8"))
    source = provenance["source"]
    assert source["package"] == "world-atlas@2.0.2 (npm)"
    assert re.fullmatch(r"[0-9a-f]{64}", source["tarball_sha256"])
    assert source["scale"] == "1:50m"
    assert "public domain" in source["licence"] and "ISC" in source["package_licence"]
    assert provenance["build_command"].endswith("scripts/build_basemap.py")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", provenance["built"])
    assert (paths.REFERENCE_DIR / "LICENSE-world-atlas.txt").is_file()


def test_label_point_of_france_is_in_metropolitan_france(basemap):
    points = maps.label_points(basemap)
    france = points.loc["FR"].geometry
    assert basemap.set_index("code").loc["FR"].geometry.contains(france)
    assert france.distance(shapely.Point(project(2.3, 46.6))) < 300_000  # within 300 km of the centre


def test_every_member_state_label_point_lies_in_the_member_state(basemap):
    points = maps.label_points(basemap)
    outlines = basemap.set_index("code").geometry
    for code in countries.EU27:
        assert outlines[code].buffer(10_000).contains(points.loc[code].geometry), code
    assert points.loc["EL", "name"] == "Greece"


def test_kosovo_is_named_with_its_asterisk():
    assert maps.display_name("XK", "Kosovo") == "Kosovo*"
    assert maps.display_name("RS", "Serbia") == "Serbia"
    assert "UNSCR 1244/1999" in maps.KOSOVO_FOOTNOTE and maps.KOSOVO_FOOTNOTE.startswith("* ")


def _side(start, end, point) -> float:
    (x0, y0), (x1, y1), (px, py) = start, end, point
    return np.sign((x1 - x0) * (py - y0) - (y1 - y0) * (px - x0))


def test_same_bend_curves_a_to_b_and_b_to_a_to_opposite_sides():
    a, b = (0.0, 0.0), (1000.0, 0.0)
    there, back = maps.control_point(a, b, 0.2), maps.control_point(b, a, 0.2)
    assert _side(a, b, there) == -_side(a, b, back) != 0
    assert _side(a, b, there) < 0  # positive bend: to the right of the direction of travel


def test_choose_bends_gives_a_reverse_flow_the_other_side():
    a, b, c = (0.0, 0.0), (1000.0, 200.0), (400.0, 900.0)
    bends = maps.choose_bends([(a, b), (c, b), (b, a)], clearance=80.0)
    assert bends[2] == bends[0]
    assert _side(a, b, maps.control_point(a, b, bends[0])) == -_side(a, b, maps.control_point(b, a, bends[2]))


def test_choose_bends_keeps_apart_two_arrows_into_the_same_point():
    target = (0.0, 0.0)
    bends = maps.choose_bends([((1000.0, -1000.0), target), ((900.0, -1100.0), target)],
                              clearance=60.0, default=0.2)
    assert bends[0] == 0.2 and np.sign(bends[1]) == -1  # the second one bends the other way


def test_curved_arrow_has_the_width_in_points_and_stops_short():
    figure, axes = plt.subplots(figsize=(4, 4))
    axes.set_xlim(0, 1000)
    axes.set_ylim(0, 1000)
    axes.set_aspect("equal")
    scale = maps.data_per_point(axes)
    patch = maps.curved_arrow(axes, (100, 500), (900, 500), width=6.0, bend=0.0, shrink_end=10.0)
    outline = patch.get_xy()
    middle = outline[np.abs(outline[:, 0] - 500) < 15]
    assert np.ptp(middle[:, 1]) == pytest.approx(6.0 * scale, rel=0.05)
    assert outline[:, 0].max() == pytest.approx(900 - 10 * scale, rel=0.01)
    assert maps.patches_with_gid(axes, "flow-arrow") == [patch]
    plt.close(figure)


def test_curved_arrow_follows_its_bend():
    figure, axes = plt.subplots(figsize=(4, 4))
    axes.set_xlim(0, 1000)
    axes.set_ylim(0, 1000)
    axes.set_aspect("equal")
    patch = maps.curved_arrow(axes, (100, 500), (900, 500), width=2.0, bend=0.25)
    assert patch.get_xy()[:, 1].min() < 420  # bulges to the right of travel: south
    plt.close(figure)


def test_draw_basemap_fixes_the_view_and_adds_the_notes():
    figure, axes = maps.map_figure(maps.EUROPE)
    maps.draw_basemap(axes, maps.EUROPE)
    maps.add_notes(figure, axes)
    assert axes.get_xlim() == (maps.EUROPE.xmin, maps.EUROPE.xmax)
    texts = [text.get_text() for text in figure.texts]
    assert maps.DISCLAIMER in texts and maps.KOSOVO_FOOTNOTE not in texts  # Kosovo not named
    plt.close(figure)


@pytest.mark.parametrize("codes", [["RS"], ["RS", "XK"]])
def test_the_kosovo_footnote_is_given_if_and_only_if_kosovo_is_named(codes):
    figure, axes = maps.map_figure(maps.EUROPE)
    maps.draw_basemap(axes, maps.EUROPE)
    maps.label_countries(axes, codes, maps.label_points())
    maps.add_notes(figure, axes)
    named = "Kosovo*" in [text.get_text() for text in axes.texts]
    assert named == ("XK" in codes)
    assert (maps.KOSOVO_FOOTNOTE in [text.get_text() for text in figure.texts]) == named
    plt.close(figure)


def test_a_name_moves_off_an_arrow_and_points_back_at_its_country():
    figure, axes = maps.map_figure(maps.EUROPE)
    maps.draw_basemap(axes, maps.EUROPE)
    points = maps.label_points()
    austria = tuple(points.loc["AT", ["x", "y"]])
    arrow = maps.curved_arrow(axes, (austria[0] - 300_000, austria[1]), (austria[0] + 300_000, austria[1]),
                              width=12.0, bend=0.0)
    [name] = maps.label_countries(axes, ["AT"], points, avoid=[arrow])
    box = name.get_window_extent(figure.canvas.get_renderer())
    assert not maps.display_shape(arrow).intersects(shapely.box(box.x0, box.y0, box.x1, box.y1))
    leaders = [line for line in axes.lines if line.get_gid() == "leader"]
    assert len(leaders) == 1 and tuple(leaders[0].get_xydata()[0]) == pytest.approx(austria)
    plt.close(figure)


def test_shading_key_names_the_two_fills():
    figure, axes = maps.map_figure(maps.EUROPE)
    artists = maps.shading_key(axes, 0.02, 0.98)
    swatches, names = artists[0::2], artists[1::2]
    assert [name.get_text() for name in names] == ["EU Member State", "Other country"]
    assert [to_hex(swatch.get_facecolor()) for swatch in swatches] == [
        maps.COLOURS["eu"].lower(), maps.COLOURS["other"].lower()]
    plt.close(figure)


def test_extents_show_malta_cyprus_and_the_canaries(geographic, basemap):
    outlines = basemap.set_index("code").geometry
    for extent in (maps.EUROPE, maps.EUROPE_AND_NEIGHBOURS):
        view = box(extent.xmin, extent.ymin, extent.xmax, extent.ymax)
        assert view.contains(outlines["MT"]) and view.contains(outlines["CY"])
    canaries = shapely.Point(project(-15.6, 28.1))
    wide = maps.EUROPE_AND_NEIGHBOURS
    assert box(wide.xmin, wide.ymin, wide.xmax, wide.ymax).contains(canaries)


def test_route_lines_enter_the_eu_where_the_route_is_detected(basemap):
    lines = route_map.load_route_lines()
    assert set(lines) == set(routes.ROUTE_LABELS) - {"Other"}
    outlines = basemap.set_index("code").geometry
    eu = shapely.union_all(list(outlines[list(countries.EU27)]))
    for label, line in lines.items():
        entry, departure = Point(project(*line.entry)), Point(project(*line.departure))
        near = [outlines[code].distance(entry) for code in routes.route(label).detected_in]
        assert min(near) < 150_000, label
        assert not eu.contains(departure), label
