"""Shared by the 'absolute and relative to GDP and population' figures (3, 4 and 6).

"Relative to GDP and population" is a Member State's share of the EU total of an indicator
divided by its share of the Article 66 reference key (`pipeline.analysis.key`): 1.0 is exactly its fair
share. Member States outside the key (Denmark, not bound by Regulation (EU) 2024/1351, and any Member State
left out of `key.member_states`) are shown in absolute terms only, marked and explained in a note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pipeline.analysis import key as reference_key
from pipeline.core import countries, formatting
from pipeline.core.errors import InputError, source_of
from pipeline.publication.figures import style

FIGURE_WIDTH = 7.0  # inches: the text width of an A4 page
MAX_FIGURE_HEIGHT = 7.5
NOT_IN_KEY_MARK = "*"
FAIR_SHARE_LABEL = "fair share"
REFERENCE_LINE = "#333333"

ratio_format = FuncFormatter(lambda value, _position: f"{value:g}")


# --- Data -----------------------------------------------------------------------------------

def require_numbers(table: pd.DataFrame, periods: Sequence[str], *, name: str, label: str) -> None:
    """Every Member State in `table` must have at least one number inside `periods`.

    `indicators.window_total` reports a gap inside a Member State's series, but a Member State
    whose every value in the window is missing (':' in Eurostat) would otherwise sum to zero.
    """
    inside = table[table["period"].isin(list(periods))]
    counts = inside.groupby("geo")["value"].count()
    empty = [geo for geo in sorted(counts.index, key=countries.protocol_rank) if counts[geo] == 0]
    if empty:
        raise InputError(source_of(table, name), f"no number for {', '.join(empty)} in {label}",
                         field="value")


def require_key_coverage(values: pd.Series, key: pd.Series, *, name: str, label: str) -> None:
    """Every Member State of the key must have a value (the key would count it as zero)."""
    missing = [ms for ms in key.index if ms not in values.index or pd.isna(values.get(ms))]
    if missing:
        raise InputError(source_of(values, name), f"no data for {', '.join(missing)} in {label} "
                               "(needed for the ratio to the reference key)", field="geo")


def relative_to_key(values: pd.Series, key: pd.Series) -> pd.DataFrame:
    """Per Member State of `values`: share of the total, key share and ratio to the key.

    One basis for all three: the share is of the total over the key's Member States, the basis
    of the key share, so that share / key share = ratio to the key in every table (as
    `pipeline.analysis.key.ratio_to_key` computes it). Member States outside the key get no
    share, key share or ratio; their values stay in the table in absolute terms.
    """
    values = values.astype(float)
    ratio = reference_key.ratio_to_key(values, key)
    in_key = values.reindex(key.index).fillna(0.0)
    return pd.DataFrame({
        "share": (values / in_key.sum()).where(values.index.isin(key.index)),
        "key_share": key.reindex(values.index).to_numpy(),
        "ratio_to_key": ratio.reindex(values.index).to_numpy(),
    }, index=values.index)


def sort_member_states(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Largest first; ties in protocol order, so the order never depends on the input's order."""
    ranks = [countries.protocol_rank(code) for code in frame.index]
    ordered = frame.iloc[np.argsort(ranks, kind="stable")]
    return ordered.sort_values(column, ascending=False, kind="stable")


def named(frame: pd.DataFrame) -> pd.DataFrame:
    """Index of Member State codes -> leading `member_state` and `name` columns, 0-based index."""
    codes = list(frame.index)
    front = pd.DataFrame({"member_state": codes, "name": [countries.name(code) for code in codes]})
    return pd.concat([front, frame.reset_index(drop=True)], axis=1)


def ranked(table: pd.DataFrame, column: str, count: int | None = None) -> list[str]:
    """Member State codes by decreasing `column` (missing values left out); ties in protocol
    order."""
    frame = table.set_index("member_state")[[column]].dropna()
    codes = list(sort_member_states(frame, column).index)
    return codes if count is None else codes[:count]


def outside_key_reason(code: str) -> str:
    if not countries.member_state(code).bound_by_amm:
        return "not bound by Regulation (EU) 2024/1351"
    return "left out of the reference key"


def outside_key_note(codes: Sequence[str]) -> str | None:
    """'* Denmark: not bound by Regulation (EU) 2024/1351, no share of the reference key.'"""
    if not codes:
        return None
    codes = sorted(codes, key=countries.protocol_rank)
    by_reason: dict[str, list[str]] = {}
    for code in codes:
        by_reason.setdefault(outside_key_reason(code), []).append(countries.name(code))
    parts = [f"{formatting.enumeration(names)}: {reason}" for reason, names in by_reason.items()]
    return (f"{NOT_IN_KEY_MARK} {'; '.join(parts)} - no share of the reference key, "
            "so not shown relative to GDP and population.")


def outside_key(table: pd.DataFrame) -> list[str]:
    return list(table.loc[table["key_share"].isna(), "member_state"])


def outside_key_sentence(codes: Sequence[str], shown: str = "in absolute numbers only") -> str:
    """'Denmark (not bound by Regulation (EU) 2024/1351) is shown in absolute numbers only.'"""
    if not codes:
        return ""
    codes = sorted(codes, key=countries.protocol_rank)
    parts = [f"{countries.name(code)} ({outside_key_reason(code)})" for code in codes]
    verb = "is" if len(parts) == 1 else "are"
    return f"{formatting.enumeration(parts)} {verb} shown {shown}."


# --- Drawing --------------------------------------------------------------------------------

def figure_height(rows: int) -> float:
    """About a quarter of an inch per Member State, at most 7.5 inches for 27."""
    return min(MAX_FIGURE_HEIGHT, 1.45 + 0.225 * max(rows, 4))


def ratio_text(ratio: float) -> str:
    """1.716 -> '1.7'; below 0.1 '<0.1' rather than a misleading '0.0'."""
    if ratio == 0:
        return "0"
    return "<0.1" if ratio < 0.095 else f"{ratio:.1f}"


def bar_labels(axes: plt.Axes, positions: Sequence[float], values: Sequence[float],
               texts: Sequence[str], *, pad: float, fontsize: float = 7) -> None:
    """Values at the end of the bars, on white so a reference line never runs through them."""
    for position, value, text in zip(positions, values, texts):
        axes.text(value + pad, position, text, va="center", ha="left", fontsize=fontsize,
                  color=style.TEXT, zorder=4,
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})


def finish_axes(axes: plt.Axes, rows: int) -> None:
    """Rows 0..rows-1 top down, light vertical grid, no y tick marks."""
    axes.set_ylim(rows - 0.4, -0.6)
    axes.tick_params(axis="y", length=0, labelsize=8)
    axes.tick_params(axis="x", labelsize=7.5)
    axes.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    axes.set_axisbelow(True)


def draw_fair_share(axes: plt.Axes, row: int) -> None:
    """The reference line at 1, labelled in the free `row` below the last (smallest) bar."""
    axes.axvline(1.0, color=REFERENCE_LINE, linestyle="--", linewidth=0.9, zorder=3)
    axes.text(1.0, row, f"  {FAIR_SHARE_LABEL} (1.0)", va="center", ha="left", fontsize=7.5,
              color=REFERENCE_LINE, fontstyle="italic")


def absolute_and_relative(
    table: pd.DataFrame, *, value: str, value_label: str, absolute_title: str,
    ratio: str = "ratio_to_key", relative_title: str = "Relative to GDP and population",
    ratio_label: str = "Share of the EU total / share of the key",
    value_text: Callable[[float], str] = formatting.eu_number,
) -> plt.Figure:
    """Two panels of horizontal bars, each sorted largest first: the indicator, and its ratio
    to the reference key with the fair share (1) marked. Member States without a key share are
    drawn in grey in the first panel, marked with an asterisk, and explained in a note."""
    style.apply()
    absolute = table.sort_values(value, ascending=False, kind="stable").reset_index(drop=True)
    relative = table.dropna(subset=[ratio]).sort_values(ratio, ascending=False, kind="stable")
    relative = relative.reset_index(drop=True)
    rows, count = len(absolute), len(relative)
    slots = max(rows, count + 1)  # same bar pitch in both panels; a free row for 'fair share'
    figure, (left, right) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, figure_height(slots)))

    in_key = absolute[ratio].notna().to_numpy()
    colours = [style.PRIMARY if inside else style.PALETTE["grey"] for inside in in_key]
    left.barh(range(rows), absolute[value], color=colours, height=0.68)
    names = [name if inside else f"{name}{NOT_IN_KEY_MARK}"
             for name, inside in zip(absolute["name"], in_key)]
    left.set_yticks(range(rows), names)
    largest = float(absolute[value].max()) if rows else 0.0
    left.set_xlim(0, largest * 1.3 if largest > 0 else 1.0)
    left.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    left.xaxis.set_major_formatter(style.thousands)
    bar_labels(left, range(rows), absolute[value], [value_text(v) for v in absolute[value]],
               pad=largest * 0.02)
    left.set_xlabel(value_label, fontsize=8)
    left.set_title(absolute_title, loc="left", fontsize=9, fontweight="bold", color=style.TEXT)
    finish_axes(left, slots)

    right.barh(range(count), relative[ratio], color=style.SECONDARY, height=0.68)
    right.set_yticks(range(count), relative["name"])
    highest = float(relative[ratio].max()) if count else 1.0
    right.set_xlim(0, max(highest, 1.0) * 1.18)
    right.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    right.xaxis.set_major_formatter(ratio_format)
    bar_labels(right, range(count), relative[ratio], [ratio_text(r) for r in relative[ratio]],
               pad=max(highest, 1.0) * 0.02)
    right.set_xlabel(ratio_label, fontsize=8)
    right.set_title(relative_title, loc="left", fontsize=9, fontweight="bold", color=style.TEXT)
    finish_axes(right, slots)
    draw_fair_share(right, count)

    note = outside_key_note(list(absolute.loc[~in_key, "member_state"]))
    bottom = 0.0
    if note:
        figure.text(0.01, 0.005, note, fontsize=7, color=style.TEXT, ha="left", va="bottom",
                    wrap=True)
        bottom = 0.22 / figure.get_figheight()
    figure.tight_layout(rect=(0, bottom, 1, 1), w_pad=1.5)
    return figure


def leaders(table: pd.DataFrame, column: str, count: int, describe) -> str:
    """'Germany 190 000; France 158 000' for the `count` largest of `column`; `describe(row)`
    gives the text after each name."""
    rows = table.set_index("member_state").loc[ranked(table, column, count)]
    return "; ".join(f"{row['name']} {describe(row)}" for _, row in rows.iterrows())


def absolute_and_relative_alt(table: pd.DataFrame, value: str, subject: str) -> str:
    """Alt text of an `absolute_and_relative` chart; `subject` says what is counted, and when."""
    above = int((table["ratio_to_key"] > 1).sum())
    in_key = int(table["ratio_to_key"].notna().sum())
    absolute = leaders(table, value, 4, lambda row: formatting.eu_number(row[value]))
    relative = leaders(table, "ratio_to_key", 4, lambda row: ratio_text(row["ratio_to_key"]))
    text = (
        f"Two horizontal bar charts of {subject}, {formatting.eu_number(table[value].sum())} in "
        f"total for {len(table)} Member States. Left, in absolute numbers, largest first: "
        f"{absolute}. Right, relative to GDP and population (share of the EU total divided by the "
        f"share of the reference key; 1 is the fair share), largest first: {relative}; {above} of "
        f"{in_key} Member States are above their fair share."
    )
    outside = outside_key(table)
    return f"{text} {outside_key_sentence(outside)}" if outside else text
