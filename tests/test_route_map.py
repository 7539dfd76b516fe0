"""Figure 1: the route table, which routes the map draws, the plot, its alt text and facts."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from shapely.geometry import Point

from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.basemap import load_basemap, project
from pipeline.inputs.published import load_statements
from pipeline.publication.figures import maps, route_map
from pipeline.publication.figures.output import save_figure
from tests.map_layout import collisions

PERIODS = ReportPeriods(2025)
LINES = route_map.load_route_lines()


@pytest.fixture(scope="module")
def basemap_by_code():
    return load_basemap().set_index("code")


def workbook(values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per route: (IBCs in the comparison period, IBCs in the reference period), split over
    two nationalities and the months, as in the processed `ibc_routes` table."""
    rows = []
    for route, (previous, current) in values.items():
        for window, total in ((PERIODS.comparison, previous), (PERIODS.reference, current)):
            for nationality in ("Syria", "Not specified"):
                rows += [{"route": route, "border_location": "Sea", "nationality": nationality,
                          "period": month, "value": total / 24, "flag": ""} for month in window.months]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def table():
    return route_map.route_table(workbook({
        "Central Mediterranean Route": (120_000.0, 60_000.0),
        "Eastern Mediterranean Route": (40_000.0, 50_000.0),
        "Western Balkan Route": (1_000.0, 501.0),  # just above a threshold of 500
        "Black Sea Route": (300.0, 500.0),  # exactly the threshold: not drawn
        "Other": (2_000.0, 9_000.0),  # never drawn, counted in the total
    }), PERIODS)


def test_table_totals_and_changes_per_route_other_last(table):
    assert table["route"].tolist() == ["Central Mediterranean Route", "Eastern Mediterranean Route",
                                       "Western Balkan Route", "Black Sea Route", "Other"]
    assert table["short_name"].tolist()[:2] == ["Central Mediterranean", "Eastern Mediterranean"]
    assert table["ibcs"].tolist() == pytest.approx([60_000, 50_000, 501, 500, 9_000])
    assert table["ibcs_previous_period"].tolist() == pytest.approx([120_000, 40_000, 1_000, 300, 2_000])
    assert table["change"].tolist()[:2] == pytest.approx([-0.5, 0.25])
    assert table["share"].sum() == pytest.approx(1.0)


def test_routes_drawn_are_those_above_the_threshold_except_other(table):
    drawn = route_map.drawn_routes(table, 500)
    assert drawn["route"].tolist() == ["Central Mediterranean Route", "Eastern Mediterranean Route",
                                       "Western Balkan Route"]


def test_a_month_missing_inside_the_reference_period_is_an_error():
    data = workbook({"Central Mediterranean Route": (100.0, 100.0)})
    with pytest.raises(InputError, match="2025-03 missing for Central Mediterranean Route"):
        route_map.route_table(data[data["period"] != "2025-03"], PERIODS)


def test_arrow_width_is_on_a_fixed_scale_with_a_visible_minimum():
    assert route_map.arrow_width(60_000) == pytest.approx(60_000 / route_map.IBCS_PER_POINT)
    assert route_map.arrow_width(120_000) == pytest.approx(2 * route_map.arrow_width(60_000))
    assert route_map.arrow_width(10) == route_map.MIN_WIDTH_POINTS


def test_signed_change_on_the_map():
    assert route_map.signed_change(-0.35) == "\u221235%"
    assert route_map.signed_change(0.124) == "+12%"
    assert route_map.signed_change(float("nan")) == "new"


def test_plot_draws_one_arrow_per_route_above_the_threshold(table):
    figure = route_map.plot(table, PERIODS, threshold=500, route_lines=LINES)
    axes = figure.axes[0]
    assert isinstance(figure, plt.Figure)
    assert len(maps.patches_with_gid(axes, "route-arrow")) == 3
    assert len(maps.patches_with_gid(axes, "legend-arrow")) == len(route_map.LEGEND_IBCS)
    labels = [text.get_text() for text in axes.texts if text.get_gid() == "route-label"]
    assert "Central Mediterranean" in labels and "60\u00a0000  \u221250%" in labels
    assert "Black Sea" not in labels and "Other" not in labels
    assert maps.DISCLAIMER in [text.get_text() for text in figure.texts]
    plt.close(figure)


def test_widths_of_the_arrows_follow_the_ibcs(table):
    figure = route_map.plot(table, PERIODS, threshold=500, route_lines=LINES)
    axes = figure.axes[0]
    scale = maps.data_per_point(axes)
    arrows = maps.patches_with_gid(axes, "route-arrow")
    # The widest arrow is drawn first: Central Mediterranean, 60 000 IBCs -> 10 points.
    outline = arrows[0].get_xy()
    n = (len(outline) - 3) // 2
    middle = n // 2
    width = ((outline[middle] - outline[len(outline) - 1 - middle]) ** 2).sum() ** 0.5
    assert width == pytest.approx(route_map.arrow_width(60_000) * scale, rel=0.02)
    plt.close(figure)


def test_a_route_without_a_line_cannot_be_drawn(table):
    lines = {label: line for label, line in LINES.items() if label != "Western Balkan Route"}
    with pytest.raises(KeyError, match="Western Balkan Route"):
        route_map.plot(table, PERIODS, threshold=500, route_lines=lines)


def test_route_lines_file_is_checked(tmp_path):
    bad = tmp_path / "routes.yaml"
    bad.write_text("Atlantic Route:\n  departure: [0, 0]\n  entry: [1, 1]\n  bend: 0\n  label: [0, 0]\n")
    with pytest.raises(KeyError, match="unknown route label"):
        route_map.load_route_lines(bad)
    bad.write_text("Black Sea Route:\n  departure: [0, 0]\n  bend: 0\n  label: [0, 0]\n")
    with pytest.raises(ValueError, match="lacks entry"):
        route_map.load_route_lines(bad)


def test_alt_text_and_facts_come_from_the_table(table):
    alt = route_map.alt_text(table, PERIODS, 500)
    assert "3 routes" in alt and "more than 500 illegal border crossings" in alt
    assert "Central Mediterranean 60\u00a0000 (50% less)" in alt
    assert "Eastern Mediterranean 50\u00a0000 (25% more)" in alt
    assert "In total 120\u00a0001 IBCs" in alt and "July 2024 \u2013 June 2025" in alt
    facts = route_map.facts(table, 500)
    assert facts["total"] == "120\u00a0000" and facts["total_exact"] == "120\u00a0001"
    assert facts["change"] == "27%" and facts["direction"] == "decreased"  # 120 001 vs 163 300
    assert facts["routes_drawn"] == "3"
    assert facts["routes_drawn_names"] == "Central Mediterranean, Eastern Mediterranean and Western Balkans"
    assert facts["largest_route"] == "Central Mediterranean"
    assert facts["largest_route_ibcs"] == "60\u00a0000" and facts["largest_route_share"] == "50%"


def test_route_map_of_the_sample_saves_with_its_facts(tmp_path, sample_tables):
    table = route_map.route_table(sample_tables["ibc_routes"], PERIODS)
    statements = load_statements()
    change = (table["ibcs"].sum() / table["ibcs_previous_period"].sum() - 1) * 100
    assert statements["ibc_change"].holds(change)
    figure = route_map.plot(table, PERIODS, threshold=500, route_lines=LINES)
    drawn = route_map.drawn_routes(table, 500)
    assert len(maps.patches_with_gid(figure.axes[0], "route-arrow")) == len(drawn) >= 5
    meta = save_figure(figure, route_map.SPEC, table, alt=route_map.alt_text(table, PERIODS, 500),
                       sample=True, dpi=100, folder=tmp_path)
    assert (tmp_path / "fig1_route_map.png").stat().st_size > 50_000
    assert meta["caption"] == "Figure 1 \u2013 Illegal border crossings by migratory route"
    assert route_map.facts(table, 500)["change"] == "35%"



def test_plotted_values_flag_the_drawn_routes_and_keep_every_route(table):
    plotted = route_map.plotted_values(table, threshold=500)
    assert len(plotted) == len(table)
    assert set(plotted.loc[plotted["drawn"], "route"]) == set(route_map.drawn_routes(table, 500)["route"])
    assert plotted["ibcs"].sum() == table["ibcs"].sum()


@pytest.fixture(scope="module")
def sample_figure(sample_tables):
    table = route_map.route_table(sample_tables["ibc_routes"], PERIODS)
    figure = route_map.plot(table, PERIODS, threshold=500, route_lines=LINES)
    yield figure
    plt.close(figure)


def test_no_label_of_the_sample_map_overlaps_another_or_an_arrow(sample_figure):
    assert collisions(sample_figure.axes[0], ("route-arrow", "legend-arrow")) == []


def test_route_labels_sit_over_their_region(basemap_by_code):
    """Western Balkans over the Western Balkans or Hungary, not Romania; the circular route's
    label clear of Italy."""
    balkans = Point(project(*LINES["Western Balkan Route"].label_at))
    assert not basemap_by_code.loc["RO"].geometry.buffer(50_000).contains(balkans)
    assert basemap_by_code.loc[["HR", "HU", "RS", "BA", "SI"]].geometry.buffer(20_000).union_all().contains(balkans)
    circular = Point(project(*LINES["Circular Route from Albania to Greece"].label_at))
    assert basemap_by_code.loc["IT"].geometry.distance(circular) > 100_000


def test_eastern_borders_arrow_ends_where_most_of_the_route_is_detected(basemap_by_code):
    """EAAMR 2025: mostly Ukrainians crossing into Romania; from Belarus mostly into Poland."""
    line = LINES["Eastern Borders Route"]
    entry, departure = Point(project(*line.entry)), Point(project(*line.departure))
    into = [code for code in ("RO", "PL") if basemap_by_code.loc[code].geometry.buffer(30_000).contains(entry)]
    assert into == ["RO"]
    assert basemap_by_code.loc["UA"].geometry.contains(departure)
    for baltic in ("LT", "LV", "EE"):
        assert basemap_by_code.loc[baltic].geometry.distance(entry) > 300_000


def test_kosovo_is_labelled_with_its_star_and_the_footnote_given(sample_figure):
    axes = sample_figure.axes[0]
    assert "Kosovo*" in [text.get_text() for text in axes.texts]
    assert maps.KOSOVO_FOOTNOTE in [text.get_text() for text in sample_figure.texts]


def test_the_legend_explains_the_shading(sample_figure):
    axes = sample_figure.axes[0]
    texts = [text.get_text() for text in axes.texts if text.get_gid() == "legend-text"]
    assert texts == ["EU Member State", "Other country"]
    swatches = [patch.get_facecolor() for patch in maps.patches_with_gid(axes, "shading-key")]
    assert [to_hex(colour) for colour in swatches] == [maps.COLOURS["eu"].lower(), maps.COLOURS["other"].lower()]
