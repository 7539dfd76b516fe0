"""Contracts of the raw inputs: how each is read, what it must contain, and its tidy form.

Every processed table is long and tidy: `geo` (Eurostat Member State code), `period`
(2024-07, 2024-Q3, 2024 or 2024-07/2025-06), `value`, `flag`, plus the dimensions a source keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipeline.core import countries, routes
from pipeline.core.errors import InputError

EU_GEO = list(countries.EU27)
PERIOD_PATTERNS = {
    "M": r"^\d{4}-(0[1-9]|1[0-2])$",
    "Q": r"^\d{4}-Q[1-4]$",
    "A": r"^\d{4}$",
    "P": r"^\d{4}-(0[1-9]|1[0-2])/\d{4}-(0[1-9]|1[0-2])$",
}


def _period_column(frequency: str) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(PERIOD_PATTERNS[frequency]))


def _count_column(nullable: bool = False) -> pa.Column:
    return pa.Column(float, pa.Check.ge(0), nullable=nullable)


def tidy_schema(frequency: str, dimensions: dict[str, pa.Column] | None = None,
                *, nullable: bool = False, value_columns: tuple[str, ...] = ("value",),
                checks: list[pa.Check] | None = None, by_member_state: bool = True) -> pa.DataFrameSchema:
    """Schema of a processed table: one row per Member State, period and kept dimension."""
    columns: dict[str, pa.Column] = {
        **({"geo": pa.Column(str, pa.Check.isin(EU_GEO))} if by_member_state else {}),
        **(dimensions or {}),
        "period": _period_column(frequency),
        **{name: _count_column(nullable) for name in value_columns},
    }
    if "value" in value_columns:
        columns["flag"] = pa.Column(str)
    keys = [*(["geo"] if by_member_state else []), *(dimensions or {}), "period"]
    return pa.DataFrameSchema(columns, checks=checks, unique=keys, strict=True, coerce=False)


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path, *,
             describe_row=None, field_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Validate against the schema; the first failure becomes an InputError naming file and row.

    `describe_row` turns a failing row into words (for tables without file rows);
    `field_names` maps tidy column names back to the names used in the file.
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        first = cases.iloc[0]
        check = str(first["check"])
        value = first["failure_case"]
        column = first["column"] if isinstance(first["column"], str) else None
        if check in ("column_in_dataframe", "column_in_schema"):
            state = "is missing" if check == "column_in_dataframe" else "is not expected"
            raise InputError(path, f"column {value!r} {state}") from None
        if "uniqueness" in check:
            problem = f"duplicate rows for the same {', '.join(schema.unique or [])}"
        elif first["schema_context"] == "DataFrameSchema":
            problem, column = check, None
        elif check == "greater_than_or_equal_to(0)":
            problem = f"negative count {value}"
        else:
            shown = repr(value) if isinstance(value, str) else str(value)
            problem = f"value {shown} fails check {check}"
        # A row failing a check on the whole frame is listed once per column: count rows.
        others = len(cases[["check", "column", "index"]].assign(
            column=cases["column"].where(cases["schema_context"] != "DataFrameSchema"))
            .astype(str).drop_duplicates()) - 1
        if others:
            problem += f" ({others} more problem{'s' if others > 1 else ''} in this file)"
        if column is not None and field_names:
            column = field_names.get(column, column)
        index = first["index"]
        row = None
        if index is not None and not pd.isna(index):
            if describe_row is not None:
                problem = f"{describe_row(frame.loc[index])}: {problem}"
            else:
                row = int(index) + 2  # header line + 1-based rows
        raise InputError(path, problem, row=row, field=column) from None


@dataclass(frozen=True)
class EurostatContract:
    """Which slice of a Eurostat table the pipeline uses."""

    frequency: str
    selection: dict[str, str]
    kept: dict[str, tuple[str, ...]] = field(default_factory=dict)
    nullable: bool = False

    def schema(self) -> pa.DataFrameSchema:
        dimensions = {name: pa.Column(str, pa.Check.isin(list(codes))) for name, codes in self.kept.items()}
        return tidy_schema(self.frequency, dimensions, nullable=True)

    def codes(self) -> dict[str, tuple[str, ...]]:
        """The series read from the file, as the readers' selection: dimension -> codes kept
        (the selected code, the kept codes, the frequency and the Member States)."""
        return {**{name: (code,) for name, code in self.selection.items()}, **self.kept,
                "freq": (self.frequency,), "geo": tuple(EU_GEO)}


TOTALS = {"citizen": "TOTAL", "sex": "T", "age": "TOTAL"}

EUROSTAT_CONTRACTS: dict[str, EurostatContract] = {
    "applications": EurostatContract("M", {"unit": "PER", **TOTALS},
                                     kept={"applicant": ("ASY_APP", "NASY_APP")}),
    "tp_stock": EurostatContract("M", {"unit": "PER", **TOTALS}),
    "tp_decisions": EurostatContract("M", {"unit": "PER", **TOTALS}),
    "orders_to_leave": EurostatContract("Q", {"unit": "PER", **TOTALS}),
    "returns": EurostatContract("Q", {"unit": "PER", **TOTALS}),
    "dublin_requests": EurostatContract("A", {"unit": "PER", "leg_prov": "TOTAL", "partner": "TOTAL"}),
    "refusals": EurostatContract("A", {"unit": "PER", "citizen": "TOTAL", "reason": "TOTAL"},
                                 kept={"border": ("TOTAL", "LAND", "SEA", "AIR")}),
    "resettlement": EurostatContract("A", {"unit": "PER", **TOTALS}),
    "unaccompanied_minors": EurostatContract("A", {"unit": "PER", **TOTALS}),
    "population": EurostatContract("A", {"unit": "NR", "age": "TOTAL", "sex": "T"}),
    "gdp": EurostatContract("A", {"unit": "CP_MEUR", "na_item": "B1GQ"}),
}


@dataclass(frozen=True)
class CsvContract:
    """An analyst-supplied CSV: its columns, and how they map onto the tidy form."""

    columns: dict[str, str]  # name in the file -> kind: member_state | month | period | count | text
    renames: dict[str, str]
    frequency: str
    dimensions: dict[str, pa.Column] = field(default_factory=dict)
    value_columns: tuple[str, ...] = ("value",)
    checks: tuple[pa.Check, ...] = ()

    def schema(self) -> pa.DataFrameSchema:
        return tidy_schema(self.frequency, self.dimensions, value_columns=self.value_columns,
                           checks=list(self.checks))


_MEMBER_STATE = pa.Column(str, pa.Check.isin(EU_GEO))

CSV_CONTRACTS: dict[str, CsvContract] = {
    "ibc_member_states": CsvContract(
        {"member_state": "member_state", "route": "text", "month": "month", "detections": "count"},
        {"member_state": "geo", "month": "period", "detections": "value"}, "M",
        dimensions={"route": pa.Column(str, pa.Check.isin(list(routes.ROUTE_LABELS)))}),
    "sar": CsvContract(
        {"member_state": "member_state", "month": "month", "persons": "count"},
        {"member_state": "geo", "month": "period", "persons": "value"}, "M"),
    "reception": CsvContract(
        {"member_state": "member_state", "month": "month", "persons_hosted": "count", "capacity": "count"},
        {"member_state": "geo", "month": "period"}, "M",
        value_columns=("persons_hosted", "capacity")),
    "unaccompanied_minors_monthly": CsvContract(
        {"member_state": "member_state", "month": "month", "applicants": "count"},
        {"member_state": "geo", "month": "period", "applicants": "value"}, "M"),
    "eurodac": CsvContract(
        {"period_start": "month", "period_end": "month", "origin": "member_state",
         "destination": "member_state", "hits": "count"},
        {"origin": "geo", "hits": "value"}, "P",
        dimensions={"destination": _MEMBER_STATE},
        checks=(pa.Check(lambda df: df["geo"] != df["destination"],
                         name="no_self_flow", error="origin and destination are the same Member State"),)),
}

IBC_ROUTES_SCHEMA = tidy_schema(
    "M",
    {"route": pa.Column(str, pa.Check.isin(list(routes.ROUTE_LABELS))),
     "border_location": pa.Column(str, pa.Check.isin(["Land", "Sea"])),
     "nationality": pa.Column(str)},
    by_member_state=False,
    nullable=True,  # a blank cell outside the edition's months: not reported, never a zero
)
