"""Statements published in an edition of the EAAMR, with the tolerance their wording implies.

Recorded once (`eaamr_2025.yaml`) and used to calibrate and test the synthetic sample, and as
check targets of the reconciliation appendix (`pipeline.analysis.reconciliation`); never as an input of
a computation.

    >>> from pipeline.inputs.published import load_statements
    >>> statements = load_statements()
    >>> statements["applications_total"].holds(871_200)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

EAAMR_2025 = Path(__file__).with_name("eaamr_2025.yaml")

KINDS = ("number", "ranking", "set")
_BOUND_KEYS = {"min", "max", "above", "below"}


@dataclass(frozen=True)
class Statement:
    """One published statement: a number with a tolerance, a ranking or a set."""

    id: str
    measure: str
    kind: str
    value: float | tuple[str, ...]
    unit: str
    wording: str
    quote: str
    source: str
    lower: float | None = None  # numbers only
    upper: float | None = None
    lower_open: bool = False  # True: value must be strictly above `lower`
    upper_open: bool = False
    ordered: bool = True  # rankings only

    @property
    def target(self) -> float:
        """The middle of the tolerance: the value a calibrated sample aims at."""
        if self.kind != "number":
            raise TypeError(f"{self.id}: a {self.kind} has no numeric target")
        if self.lower is not None and self.upper is not None:
            return (self.lower + self.upper) / 2
        return float(self.value)  # type: ignore[arg-type]

    @property
    def items(self) -> tuple[str, ...]:
        if self.kind == "number":
            raise TypeError(f"{self.id}: a number has no items")
        return self.value  # type: ignore[return-value]

    def holds(self, observed: float | Sequence[str]) -> bool:
        """Whether an observed value agrees with the statement.

        number: within the tolerance; ranking: `observed` lists Member States by decreasing
        value and its first len(value) entries are the published ones (in the published order
        if `ordered`); set: `observed` holds exactly the published items.
        """
        if self.kind == "number":
            x = float(observed)  # type: ignore[arg-type]
            too_low = self.lower is not None and (
                x <= self.lower if self.lower_open else x < self.lower)
            too_high = self.upper is not None and (
                x >= self.upper if self.upper_open else x > self.upper)
            return not (too_low or too_high)
        observed = list(observed)  # type: ignore[arg-type]
        if self.kind == "set":
            return sorted(observed) == sorted(self.items)
        head = observed[: len(self.items)]
        return head == list(self.items) if self.ordered else sorted(head) == sorted(self.items)

    def describe_tolerance(self) -> str:
        if self.kind != "number":
            return "in this order" if self.kind == "ranking" and self.ordered else "any order"
        low = "" if self.lower is None else f"{'>' if self.lower_open else '>='} {self.lower:g}"
        high = "" if self.upper is None else f"{'<' if self.upper_open else '<='} {self.upper:g}"
        return ", ".join(part for part in (low, high) if part)


def _statement(raw: dict, path: Path) -> Statement:
    where = f"{path}: statement {raw.get('id', '?')!r}"
    for field in ("id", "measure", "kind", "value", "unit", "wording", "quote", "source"):
        if field not in raw:
            raise ValueError(f"{where}: missing field {field!r}")
    kind = raw["kind"]
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {KINDS}, not {kind!r}")
    common = {field: str(raw[field]).strip() for field in
              ("id", "measure", "kind", "unit", "wording", "quote", "source")}
    if kind != "number":
        items = raw["value"]
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where}: a {kind} needs a non-empty list as value")
        return Statement(**common, value=tuple(str(item) for item in items),
                         ordered=bool(raw.get("ordered", True)))
    tolerance = raw.get("tolerance") or {}
    unknown = set(tolerance) - _BOUND_KEYS
    if unknown or ("min" in tolerance and "above" in tolerance) or \
            ("max" in tolerance and "below" in tolerance):
        raise ValueError(f"{where}: tolerance takes one of min/above and one of max/below")
    lower = tolerance.get("min", tolerance.get("above"))
    upper = tolerance.get("max", tolerance.get("below"))
    return Statement(
        **common, value=float(raw["value"]),
        lower=None if lower is None else float(lower),
        upper=None if upper is None else float(upper),
        lower_open="above" in tolerance, upper_open="below" in tolerance,
    )


@cache
def _load(path: Path) -> tuple[dict, tuple[Statement, ...]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    statements = tuple(_statement(raw, path) for raw in document["statements"])
    ids = [s.id for s in statements]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{path}: repeated statement id(s): {', '.join(repeated)}")
    meta = {key: value for key, value in document.items() if key != "statements"}
    return meta, statements


def load_statements(path: Path | str = EAAMR_2025) -> dict[str, Statement]:
    """The statements of a published edition, by id, in file order."""
    _, statements = _load(Path(path))
    return {s.id: s for s in statements}


def load_metadata(path: Path | str = EAAMR_2025) -> dict:
    """The edition's document, title and periods (everything but the statements)."""
    meta, _ = _load(Path(path))
    return dict(meta)
