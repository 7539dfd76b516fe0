"""Annual Solidarity Pool: indicative contributions from the Article 66 key.

Each Member State of the key (params.yaml `key.member_states`, bound by Regulation (EU) 2024/1351) has a
fair share of the pool: its key share x the pool size, in relocations and in euros (one
relocation = `pool.euro_per_relocation`). Then:

- beneficiaries (Member States under migratory pressure) are not obliged to contribute
  (Article 61): their fair share is not due;
- Member States granted a deduction for a significant migratory situation (Article 62,
  `pool.deducted`) owe their fair share minus `pool.deducted_share` of it.

What happens to the amounts not due: the Regulation and the Commission's documents fix each
Member State's contribution by its fair share and say the actual contributions "take into
account any deductions or exemptions" - nothing passes them on to the others. So by default
(`redistribute_deductions: false`) every contributing Member State keeps its fair share and the
pool after deductions is the pool size minus the amounts not due; the contributions add up to
exactly that. With `redistribute_deductions: true` the amounts not due are shared out over the
fully contributing Member States by their key shares, and the contributions add up to the
full pool size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from pipeline.core import countries, formatting
from pipeline.core.caveat import Caveat

CONTRIBUTING, BENEFICIARY, DEDUCTED, PARTLY_DEDUCTED = (
    "contributing", "beneficiary", "deducted", "partly deducted")
CAVEATS = (
    Caveat("Solidarity pool", "Indicative contributions only: key share times pools of "
           "{pool_proposal_relocations} and {pool_council_relocations} relocations at EUR "
           "{pool_euro_per_relocation} each. The beneficiaries, the deductions for "
           "{pool_deducted} and what happens to the amounts not due are stated with the pool in "
           "section IV (params.yaml pool:)."),
)

COLUMNS = ["pool", "geo", "name", "key_share", "status", "fair_share_relocations",
           "fair_share_euros", "not_due_relocations", "contribution_relocations",
           "contribution_euros"]


@dataclass(frozen=True)
class Pool:
    name: str
    label: str
    relocations: float
    euro_per_relocation: float

    @property
    def euros(self) -> float:
        return self.relocations * self.euro_per_relocation


def contributions(key: pd.Series, pool: Pool, *, beneficiaries: Iterable[str] = (),
                  deducted: Iterable[str] = (), deducted_share: float = 1.0,
                  redistribute: bool = False) -> pd.DataFrame:
    """One row per Member State of the key (protocol order): fair share, status, contribution."""
    if abs(float(key.sum()) - 1.0) > 1e-9:
        raise ValueError(f"the key must sum to 1 over its Member States, not {key.sum():.6f}")
    if not 0.0 <= deducted_share <= 1.0:
        raise ValueError(f"deducted_share must be between 0 and 1, not {deducted_share}")
    beneficiaries, deducted = set(beneficiaries), set(deducted)
    member_states = sorted(key.index, key=countries.protocol_rank)
    key = key.loc[member_states].astype(float)
    fair = key * pool.relocations

    def status(ms: str) -> str:
        if ms in beneficiaries:
            return BENEFICIARY
        if ms in deducted and deducted_share > 0:
            return DEDUCTED if deducted_share == 1.0 else PARTLY_DEDUCTED
        return CONTRIBUTING

    statuses = pd.Series([status(ms) for ms in member_states], index=member_states)
    not_due = fair.where(statuses == BENEFICIARY, 0.0) + \
        fair.where(statuses.isin([DEDUCTED, PARTLY_DEDUCTED]), 0.0) * deducted_share
    contribution = fair - not_due
    if redistribute and not_due.sum() > 0:
        receivers = statuses == CONTRIBUTING
        if not receivers.any():
            raise ValueError(f"{pool.label}: no fully contributing Member State to take over "
                             "the deducted amounts")
        weights = key.where(receivers, 0.0)
        contribution = contribution + not_due.sum() * weights / weights.sum()
    table = pd.DataFrame({
        "pool": pool.name, "geo": member_states,
        "name": [countries.name(ms) for ms in member_states],
        "key_share": key.to_numpy(), "status": statuses.to_numpy(),
        "fair_share_relocations": fair.to_numpy(),
        "fair_share_euros": (fair * pool.euro_per_relocation).to_numpy(),
        "not_due_relocations": not_due.to_numpy(),
        "contribution_relocations": contribution.to_numpy(),
        "contribution_euros": (contribution * pool.euro_per_relocation).to_numpy(),
    })
    return table[COLUMNS]


def summary(table: pd.DataFrame, pool: Pool) -> dict[str, float]:
    """The pool's size, what is not due (beneficiaries, deductions) and what is left."""
    not_due = table.groupby("status")["not_due_relocations"].sum()
    return {
        "relocations": pool.relocations,
        "euros": pool.euros,
        "beneficiaries_relocations": float(not_due.get(BENEFICIARY, 0.0)),
        "deducted_relocations": float(not_due.get(DEDUCTED, 0.0) + not_due.get(PARTLY_DEDUCTED, 0.0)),
        "contributions_relocations": float(table["contribution_relocations"].sum()),
        "contributions_euros": float(table["contribution_euros"].sum()),
    }


def pool_table(key: pd.Series, pools: Iterable[Pool], beneficiaries: Iterable[str],
               params) -> pd.DataFrame:
    """The contributions to each pool (`contributions`), one table, with the deductions and
    their redistribution as params.yaml `pool:` sets them."""
    beneficiaries = list(beneficiaries)
    return pd.concat([
        contributions(key, pool, beneficiaries=beneficiaries, deducted=params.deducted,
                      deducted_share=params.deducted_share,
                      redistribute=params.redistribute_deductions)
        for pool in pools], ignore_index=True)


def pools_from_params(pool) -> tuple[Pool, Pool]:
    """The Commission's proposal (at least 30 000 relocations, Article 12) and the Council's
    pool, from params.yaml `pool:`."""
    return (
        Pool("proposal", f"Pool of {formatting.eu_number(pool.proposal_relocations)}",
             pool.proposal_relocations, pool.euro_per_relocation),
        Pool("council", f"Pool of {formatting.eu_number(pool.council_relocations)}",
             pool.council_relocations, pool.euro_per_relocation),
    )
