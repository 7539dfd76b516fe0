"""Annual Solidarity Pool: fair shares, beneficiaries, deductions and what happens to them."""

import pandas as pd
import pytest
from pydantic import ValidationError

from pipeline.analysis import assessment, solidarity
from pipeline.core.params import PoolParams

KEY = pd.Series({"BE": 0.4, "BG": 0.3, "CZ": 0.2, "DE": 0.1})
POOL = solidarity.Pool("test", "Pool of 1 000", 1000, 20000)


def test_fair_shares_are_the_key_times_the_pool():
    table = solidarity.contributions(KEY, POOL).set_index("geo")
    assert table["fair_share_relocations"].to_dict() == pytest.approx(
        {"BE": 400, "BG": 300, "CZ": 200, "DE": 100})
    assert table["contribution_euros"].sum() == pytest.approx(POOL.euros) == 20_000_000
    assert list(table.index) == ["BE", "BG", "CZ", "DE"]  # protocol order


def test_without_redistribution_the_pool_shrinks_by_the_amounts_not_due():
    table = solidarity.contributions(KEY, POOL, beneficiaries=["BE"], deducted=["CZ", "DE"],
                                     deducted_share=0.5).set_index("geo")
    assert table.loc["BE", "status"] == solidarity.BENEFICIARY
    assert table.loc["CZ", "status"] == solidarity.PARTLY_DEDUCTED
    assert table.loc["BE", "contribution_relocations"] == 0
    assert table.loc["CZ", "contribution_relocations"] == pytest.approx(100)
    assert table.loc["BG", "contribution_relocations"] == pytest.approx(300)  # keeps its fair share
    summary = solidarity.summary(table.reset_index(), POOL)
    assert summary["beneficiaries_relocations"] == pytest.approx(400)
    assert summary["deducted_relocations"] == pytest.approx(150)
    assert summary["contributions_relocations"] == pytest.approx(
        POOL.relocations - summary["beneficiaries_relocations"] - summary["deducted_relocations"])


def test_with_redistribution_contributions_add_up_to_the_pool_size():
    table = solidarity.contributions(KEY, POOL, beneficiaries=["BE"], deducted=["CZ"],
                                     redistribute=True).set_index("geo")
    assert table["contribution_relocations"].sum() == pytest.approx(POOL.relocations)
    assert table.loc["CZ", "contribution_relocations"] == 0
    # the 600 not due go to BG and DE in proportion 0.3 : 0.1
    assert table.loc["BG", "contribution_relocations"] == pytest.approx(300 + 450)
    assert table.loc["DE", "contribution_relocations"] == pytest.approx(100 + 150)


def test_a_beneficiary_granted_a_deduction_is_a_beneficiary():
    table = solidarity.contributions(KEY, POOL, beneficiaries=["BE"], deducted=["BE"])
    assert table.set_index("geo").loc["BE", "status"] == solidarity.BENEFICIARY
    assert solidarity.summary(table, POOL)["deducted_relocations"] == 0


def test_a_key_that_does_not_sum_to_one_is_refused():
    with pytest.raises(ValueError, match="sum to 1"):
        solidarity.contributions(KEY * 2, POOL)


def test_both_pool_sizes_on_the_sample_key(sample_key):
    params = PoolParams()
    pools = solidarity.pools_from_params(params)
    assert [pool.euros for pool in pools] == [600_000_000, 420_000_000]
    beneficiaries = ["EL", "ES", "IT", "CY"]
    for pool in pools:
        table = solidarity.contributions(sample_key, pool, beneficiaries=beneficiaries,
                                         deducted=params.deducted)
        assert len(table) == 26 and "DK" not in set(table["geo"])
        deducted = table[table["geo"].isin(params.deducted)]
        assert (deducted["contribution_relocations"] == 0).all()
        not_due = sample_key[beneficiaries + list(params.deducted)].sum() * pool.relocations
        assert table["contribution_relocations"].sum() == pytest.approx(pool.relocations - not_due)
        assert table["contribution_euros"].sum() == pytest.approx(
            (pool.relocations - not_due) * params.euro_per_relocation)


def test_pool_parameters_are_validated():
    with pytest.raises(ValidationError):
        PoolParams(deducted_share=1.5)
    with pytest.raises(ValidationError, match="unknown Member State"):
        PoolParams(deducted=("XX",))
    with pytest.raises(ValidationError):
        PoolParams(council_relocations=0)


def test_the_pool_table_lists_every_member_state_and_the_totals(sample_key):
    pools = solidarity.pools_from_params(PoolParams())
    table = pd.concat([solidarity.contributions(sample_key, pool, beneficiaries=["EL"])
                       for pool in pools])
    markdown = assessment.pool_markdown(table, pools)
    lines = markdown.strip().splitlines()
    assert len(lines) == 2 + 26 + 1
    assert "| Greece |" in markdown and "beneficiary" in markdown
    assert lines[-1].startswith("| **Total** |")


def test_the_pool_table_holds_each_pool_with_the_deductions_of_the_parameters():
    params = PoolParams(proposal_relocations=1000, council_relocations=700, deducted=("CZ",),
                        deducted_share=0.5, redistribute_deductions=False)
    pools = solidarity.pools_from_params(params)
    table = solidarity.pool_table(KEY, pools, ["BE"], params)
    assert list(table["pool"].unique()) == ["proposal", "council"] and len(table) == 8
    council = table[table["pool"] == "council"].set_index("geo")
    assert council.loc["CZ", "contribution_relocations"] == pytest.approx(0.2 * 700 * 0.5)
    assert council.loc["BE", "contribution_relocations"] == 0
