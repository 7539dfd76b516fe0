import pytest

from pipeline.core.formatting import (
    direction,
    enumeration,
    eu_number,
    member_state_names,
    percent,
    rounded,
)

NBSP = "\u00a0"


def test_thousands_separated_by_a_space():
    assert eu_number(871000) == f"871{NBSP}000"
    assert eu_number(4312345.0) == f"4{NBSP}312{NBSP}345"
    assert eu_number(999) == "999"
    assert eu_number(4.26, decimals=1) == "4.3"


def test_rounded_headline_numbers():
    assert rounded(96712) == f"96{NBSP}700"
    assert rounded(871234) == f"871{NBSP}000"
    assert rounded(12.0) == "12"


def test_share_label_never_shows_zero_for_a_positive_share():
    from pipeline.core.formatting import share_label
    assert share_label(0.002) == "<1%"
    assert share_label(0.4027) == "40%"


def test_percent_has_no_sign():
    assert percent(-0.354) == "35%"
    assert percent(0.11) == "11%"


@pytest.mark.parametrize("change, word", [(-0.35, "decreased"), (0.11, "increased"), (0.001, "remained stable")])
def test_direction_follows_the_sign(change, word):
    assert direction(change) == word


def test_more_or_less():
    from pipeline.core.formatting import more_or_less
    assert more_or_less(-0.35) == "35% less"
    assert more_or_less(0.12) == "12% more"


def test_enumeration():
    assert enumeration(["Italy"]) == "Italy"
    assert enumeration(["Italy", "Spain"]) == "Italy and Spain"
    assert member_state_names(["DE", "FR", "ES"]) == "Germany, France and Spain"
    assert member_state_names(["DE", "NL"]) == "Germany and the Netherlands"
