import pytest

from pipeline.core import countries


def test_eu27_in_protocol_order_with_greece_as_el():
    assert len(countries.EU27) == 27
    assert countries.EU27[:8] == ("BE", "BG", "CZ", "DK", "DE", "EE", "IE", "EL")
    assert countries.EU27[-3:] == ("SK", "FI", "SE")
    assert "GR" not in countries.EU27


def test_codes_are_unique():
    for attribute in ("eurostat", "iso2", "iso3", "iso_numeric", "name"):
        values = [getattr(ms, attribute) for ms in countries.MEMBER_STATES]
        assert len(set(values)) == 27, attribute


def test_iso_code_for_greece_is_harmonised_to_eurostat():
    assert countries.to_eurostat("GR") == "EL"
    assert countries.member_state("GR").iso3 == "GRC"
    assert countries.name("EL") == "Greece"


def test_denmark_is_the_only_member_state_not_bound_by_the_regulation():
    assert [ms.eurostat for ms in countries.MEMBER_STATES if not ms.bound_by_amm] == ["DK"]
    bound = countries.bound_member_states()
    assert len(bound) == 26 and "DK" not in bound and "IE" in bound


def test_bound_member_states_with_further_exclusions():
    assert "HU" not in countries.bound_member_states(["HU"])


def test_unknown_code_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown Member State code 'XX'"):
        countries.member_state("XX")


def test_protocol_rank_sorts_member_states():
    assert sorted(["SE", "EL", "BE"], key=countries.protocol_rank) == ["BE", "EL", "SE"]
