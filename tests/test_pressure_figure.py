"""Figure 7: each indicator coloured in the direction that burdens the Member State."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pipeline.analysis.pressure import INDICATORS
from pipeline.publication.figures import pressure


def heat(columns: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(["BE", "BG"], name="geo"))


def cell_colours(figure: plt.Figure) -> np.ndarray:
    """RGBA of every cell as drawn (rows x columns x 4)."""
    image = figure.axes[0].images[0]
    return image.cmap(image.norm(image.get_array()))


def is_red(rgba) -> bool:
    return rgba[0] > rgba[2] + 0.2


def is_blue(rgba) -> bool:
    return rgba[2] > rgba[0] + 0.2


def test_every_indicator_with_a_ratio_declares_which_direction_is_a_burden():
    assert set(pressure.SHORT_LABELS) <= set(pressure.BURDEN)
    ratio_indicators = {spec.name for spec in INDICATORS if spec.basis != "rate"}
    assert ratio_indicators <= set(pressure.BURDEN)
    assert pressure.burden("returns") == pressure.LOW
    assert pressure.burden("orders_to_leave") == pressure.HIGH
    assert pressure.burden("five_year_ibc") == pressure.burden("ibc") == pressure.HIGH
    with pytest.raises(KeyError, match="declare it in BURDEN"):
        pressure.burden("new_indicator")


def test_high_returns_are_blue_and_high_orders_to_leave_red():
    table = heat({"orders_to_leave": [4.0, 0.25], "returns": [4.0, 0.25],
                  "five_year_ibc": [4.0, 0.25]})
    figure = pressure.plot(table, period_label="test")
    colours = cell_colours(figure)
    orders, returns, ibc = 0, 1, 2
    assert is_red(colours[0, orders]) and is_blue(colours[1, orders])
    assert is_blue(colours[0, returns]) and is_red(colours[1, returns])  # reversed
    assert is_red(colours[0, ibc]) and is_blue(colours[1, ibc])
    np.testing.assert_allclose(colours[0, returns], colours[1, orders])  # 4 returns ~ 1/4 orders
    labels = [tick.get_text() for tick in figure.axes[0].get_xticklabels()]
    assert labels == ["Orders to leave", "Returns \u2193", "IBCs, 5 years"]
    legend = figure.axes[1].get_xlabel()
    assert "Red: more of a burden" in legend and "\u2193 Returns: a low value is the burden" in legend
    plt.close(figure)


def test_the_cells_show_the_ratio_itself_and_zero_returns_are_the_largest_burden():
    table = heat({"returns": [0.0, 8.0]})
    figure = pressure.plot(table, period_label="test")
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert texts[:2] == ["0", "8.0"]
    colours = cell_colours(figure)
    assert is_red(colours[0, 0]) and is_blue(colours[1, 0])
    plt.close(figure)


def test_alt_text_counts_burdens_in_their_direction():
    table = heat({"returns": [0.25, 4.0], "applications": [3.0, 1.0]})
    alt = pressure.alt_text(table, period_label="test")
    assert "2 cells are more than twice the fair share in the direction that burdens" in alt
    assert "Returns: a low value is the burden" in alt
