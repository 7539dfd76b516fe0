"""Figure 5: the flow table, the pairs drawn, two-way flows, the plot, alt text and facts."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely

from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.basemap import load_basemap
from pipeline.inputs.published import load_statements
from pipeline.publication.figures import eurodac_map, maps
from pipeline.publication.figures.output import save_figure
from tests.map_layout import collisions, on_land

PERIODS = ReportPeriods(2025)
REFERENCE, COMPARISON = "2024-07/2025-06", "2023-07/2024-06"


def hits(pairs: dict[tuple[str, str], tuple[float, float]]) -> pd.DataFrame:
    """Per (origin, destination): (hits in the comparison period, hits in the reference period)."""
    rows = []
    for (origin, destination), (previous, current) in pairs.items():
        rows.append({"geo": origin, "destination": destination, "value": current,
                     "period": REFERENCE, "flag": ""})
        rows.append({"geo": origin, "destination": destination, "value": previous,
                     "period": COMPARISON, "flag": ""})
    rows.append({"geo": "EL", "destination": "DE", "value": 1.0, "period": "2022-07/2023-06", "flag": ""})
    return pd.DataFrame(rows)


PAIRS = {
    ("EL", "DE"): (30_000.0, 20_000.0),
    ("DE", "EL"): (5_000.0, 7_000.0),  # the reverse flow, also drawn
    ("IT", "FR"): (8_000.0, 6_001.0),  # just above 6 000
    ("HR", "AT"): (7_000.0, 6_000.0),  # exactly 6 000: not drawn
    ("BE", "NL"): (0.0, 1_000.0),  # no hits in the comparison period
}


@pytest.fixture(scope="module")
def table():
    return eurodac_map.flow_table(hits(PAIRS), PERIODS)


def test_flow_table_per_pair_largest_first(table):
    assert list(zip(table["origin"], table["destination"])) == [
        ("EL", "DE"), ("DE", "EL"), ("IT", "FR"), ("HR", "AT"), ("BE", "NL")]
    assert table["origin_name"].tolist()[0] == "Greece" and table["destination_name"].tolist()[0] == "Germany"
    assert table["hits"].tolist() == pytest.approx([20_000, 7_000, 6_001, 6_000, 1_000])
    assert table["hits_previous_period"].tolist() == pytest.approx([30_000, 5_000, 8_000, 7_000, 0])
    assert table["change"].tolist()[:2] == pytest.approx([-1 / 3, 0.4])
    assert np.isnan(table["change"].iloc[-1])
    assert table["share"].sum() == pytest.approx(1.0)


def test_member_state_totals(table):
    totals = eurodac_map.member_state_totals(table)
    assert totals.loc["DE", "receiving"] == 20_000 and totals.loc["DE", "departures"] == 7_000
    assert totals.loc["EL", "departures_previous_period"] == 30_000
    assert totals["departures"].sum() == totals["receiving"].sum() == table["hits"].sum()


def test_pairs_drawn_are_those_above_the_threshold(table):
    drawn = eurodac_map.drawn_pairs(table, 6_000)
    assert list(zip(drawn["origin"], drawn["destination"])) == [("EL", "DE"), ("DE", "EL"), ("IT", "FR")]


def test_a_missing_period_is_an_error():
    data = hits(PAIRS)
    with pytest.raises(InputError, match="no Eurodac hits for July 2023 \u2013 June 2024"):
        eurodac_map.flow_table(data[data["period"] != COMPARISON], PERIODS)


def test_arrow_width_is_fixed_by_full_width_hits():
    assert eurodac_map.arrow_width(40_000, 40_000) == eurodac_map.MAX_WIDTH_POINTS
    assert eurodac_map.arrow_width(10_000, 40_000) == pytest.approx(eurodac_map.MAX_WIDTH_POINTS / 4)


def test_title_carries_the_threshold():
    assert eurodac_map.spec(6_000).title.endswith("(routes with > 6\u00a0000 hits)")
    assert eurodac_map.spec(6_000).stem == "fig5_eurodac_map" and eurodac_map.SPEC.number == 5


def test_plot_draws_one_arrow_per_pair_and_a_width_legend(table):
    figure = eurodac_map.plot(table, PERIODS, threshold=6_000, full_width_hits=40_000)
    axes = figure.axes[0]
    assert isinstance(figure, plt.Figure)
    assert len(maps.patches_with_gid(axes, "flow-arrow")) == 3
    assert len(maps.patches_with_gid(axes, "legend-arrow")) == len(eurodac_map.LEGEND_HITS)
    values = {text.get_text() for text in axes.texts if text.get_gid() == "flow-value"}
    assert values == {"20\u00a0000", "7\u00a0000", "6\u00a0001"}
    texts = [text.get_text() for text in figure.texts]
    assert maps.DISCLAIMER in texts and maps.KOSOVO_FOOTNOTE in texts
    plt.close(figure)


def _side_of_chord(start, end, outline) -> float:
    (x0, y0), (x1, y1) = start, end
    px, py = outline.mean(axis=0)
    return np.sign((x1 - x0) * (py - y0) - (y1 - y0) * (px - x0))


def test_two_way_flows_curve_to_opposite_sides(table):
    figure = eurodac_map.plot(table, PERIODS, threshold=6_000, full_width_hits=40_000)
    axes = figure.axes[0]
    points = maps.label_points()
    greece, germany = tuple(points.loc["EL", ["x", "y"]]), tuple(points.loc["DE", ["x", "y"]])
    there, back = maps.patches_with_gid(axes, "flow-arrow")[:2]  # EL->DE, DE->EL
    assert _side_of_chord(greece, germany, there.get_xy()) == -_side_of_chord(greece, germany, back.get_xy())
    plt.close(figure)


def test_a_pair_above_full_width_hits_warns(table):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plt.close(eurodac_map.plot(table, PERIODS, threshold=6_000, full_width_hits=10_000))
    assert any("full_width_hits" in str(warning.message) for warning in caught)


def test_alt_text_and_facts_come_from_the_table(table):
    alt = eurodac_map.alt_text(table, PERIODS, 6_000)
    assert "3 pairs with more than 6\u00a0000 hits" in alt
    assert "Greece to Germany 20\u00a0000; Germany to Greece 7\u00a0000; Italy to France 6\u00a0001" in alt
    assert "40\u00a0001 foreign hits" in alt and "20% less than in July 2023 \u2013 June 2024" in alt
    facts = eurodac_map.facts(table, 6_000)
    assert facts["total"] == "40\u00a0000" and facts["total_exact"] == "40\u00a0001"
    assert facts["change"] == "20%" and facts["direction"] == "decreased"  # 40 001 vs 50 000
    assert facts["routes"] == "Greece to Germany, Germany to Greece and Italy to France"
    assert facts["pairs_drawn"] == "3" and facts["threshold"] == "6\u00a0000"
    assert facts["top_departure"].startswith("Greece, Germany, Italy, Croatia")
    assert facts["top_receiving"].startswith("Germany, Greece, France, Austria")
    assert facts["largest_route"] == "Greece to Germany" and facts["largest_route_hits"] == "20\u00a0000"


def test_sample_has_exactly_the_published_pairs_above_6000(tmp_path, sample_tables):
    table = eurodac_map.flow_table(sample_tables["eurodac"], PERIODS)
    drawn = eurodac_map.drawn_pairs(table, 6_000)
    assert {f"{o}-{d}" for o, d in zip(drawn["origin"], drawn["destination"])} == {
        "EL-DE", "HR-DE", "IT-DE", "IT-FR"}
    statements = load_statements()
    assert statements["eurodac_routes_above_6000"].holds(
        [f"{o}-{d}" for o, d in zip(drawn["origin"], drawn["destination"])])
    totals = eurodac_map.member_state_totals(table)
    assert statements["eurodac_total"].holds(table["hits"].sum())
    assert statements["eurodac_change"].holds((table["hits"].sum() / table["hits_previous_period"].sum() - 1) * 100)
    assert statements["eurodac_top_departure"].holds(list(totals["departures"].sort_values(ascending=False).index))
    assert statements["eurodac_top_receiving"].holds(list(totals["receiving"].sort_values(ascending=False).index))

    figure = eurodac_map.plot(table, PERIODS, threshold=6_000, full_width_hits=40_000)
    assert len(maps.patches_with_gid(figure.axes[0], "flow-arrow")) == 4
    meta = save_figure(figure, eurodac_map.spec(6_000), table,
                       alt=eurodac_map.alt_text(table, PERIODS, 6_000), sample=True, dpi=100,
                       folder=tmp_path)
    assert (tmp_path / "fig5_eurodac_map.png").stat().st_size > 50_000
    assert meta["caption"].endswith("(routes with > 6\u00a0000 hits)")
    facts = eurodac_map.facts(table, 6_000)
    assert facts["total"] == "398\u00a0000" and facts["change"] == "27%"
    assert facts["routes"].startswith("Greece to Germany, Croatia to Germany")


def test_plotted_values_flag_the_drawn_pairs_and_keep_every_pair(table):
    plotted = eurodac_map.plotted_values(table, threshold=6_000)
    assert plotted["drawn"].tolist() == [True, True, True, False, False]
    assert plotted["hits"].sum() == table["hits"].sum()


@pytest.fixture(scope="module")
def sample_figure(sample_tables):
    table = eurodac_map.flow_table(sample_tables["eurodac"], PERIODS)
    figure = eurodac_map.plot(table, PERIODS, threshold=6_000, full_width_hits=40_000)
    yield figure
    plt.close(figure)


def test_no_label_of_the_sample_map_overlaps_another_or_an_arrow(sample_figure):
    # Before: Austria under the Croatia arrow.
    assert collisions(sample_figure.axes[0], ("flow-arrow", "legend-arrow")) == []


def test_each_value_is_at_least_twice_as_near_to_its_own_arrow_as_to_any_other(sample_figure):
    # Before: 8 500 (Italy to Germany) and 9 000 (Italy to France) read either way.
    axes = sample_figure.axes[0]
    renderer = sample_figure.canvas.get_renderer()
    arrows = maps.patches_with_gid(axes, "flow-arrow")
    values = [text for text in axes.texts if text.get_gid() == "flow-value"]
    assert len(values) == len(arrows) == 4
    for value, own in zip(values, arrows):
        box = value.get_window_extent(renderer)
        area = shapely.box(box.x0, box.y0, box.x1, box.y1)
        mine = area.distance(maps.display_shape(own))
        others = [area.distance(maps.display_shape(arrow)) for arrow in arrows if arrow is not own]
        assert min(others) >= 2 * mine + 2.0, value.get_text()


def test_the_legend_is_on_the_sea_and_explains_the_shading(sample_figure):
    # Before: the legend covered Iceland.
    axes = sample_figure.axes[0]
    legend = [text for text in axes.texts if text.get_gid() == "legend-text"]
    assert "EU Member State" in [text.get_text() for text in legend]
    assert on_land(axes, legend, load_basemap()) == []
    assert len(maps.patches_with_gid(axes, "shading-key")) == 2


def test_kosovo_is_labelled_with_its_star_and_the_footnote_given(sample_figure):
    assert "Kosovo*" in [text.get_text() for text in sample_figure.axes[0].texts]
    assert maps.KOSOVO_FOOTNOTE in [text.get_text() for text in sample_figure.texts]
