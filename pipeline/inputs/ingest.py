"""Raw inputs -> validated tidy tables in data/processed/ (parquet), with a record of each input."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from pipeline.core import atomic, countries, formatting, paths
from pipeline.core.caveat import Caveat
from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.catalog import PROVENANCE_SUFFIX, RAW_INPUTS, RawInput
from pipeline.inputs.contracts import (
    CSV_CONTRACTS,
    EUROSTAT_CONTRACTS,
    IBC_ROUTES_SCHEMA,
    PERIOD_PATTERNS,
    CsvContract,
    EurostatContract,
    validate,
)
from pipeline.inputs.processed import RECORD_FILE
from pipeline.inputs.sources.eurostat import eurostat_format, find_eurostat_file, read_eurostat_file
from pipeline.inputs.sources.frontex import DATA_AS_OF, read_frontex_workbook

CAVEATS = (
    Caveat("Inputs", "Data source: {data_source}. Inputs that are not open data (SAR "
           "disembarkations, Eurodac hits, reception, IBCs by Member State) are optional: a "
           "missing one leaves its figure or paragraph out with a note (data.strict: {data_strict})."),
    Caveat("Inputs", "Eurostat tables keep only the 27 Member States; the EU27_2020 aggregate "
           "and non-EU countries are ignored, and totals are sums over the Member States."),
)


def _check_readable(path: Path) -> None:
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    if not path.is_file():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "file is empty")


def read_csv_input(path: Path, contract: CsvContract) -> pd.DataFrame:
    """Read an analyst-supplied CSV and convert it to its tidy form, checking every cell."""
    _check_readable(path)
    head = path.read_bytes()[:512].lstrip()
    if head[:1] == b"<":
        raise InputError(path, "looks like an HTML or XML page, not CSV data")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, f"not a valid CSV file: {exc}") from None
    header = list(frame.columns)
    if len(header) == 1 and re.search(r"[;\t|]", header[0]):
        raise InputError(path, "wrong delimiter: columns must be separated by commas")
    for column in contract.columns:
        if column not in header:
            raise InputError(path, f"column missing; the header has: {', '.join(header)}", field=column)
    frame = frame[list(contract.columns)].copy()
    for column, kind in contract.columns.items():
        frame[column] = _convert(frame[column].str.strip(), kind, path, column)
    if "period_start" in frame:
        frame["period"] = frame.pop("period_start") + "/" + frame.pop("period_end")
    frame = frame.rename(columns=contract.renames)
    if "value" in contract.value_columns:
        frame["flag"] = ""
    return frame


def _convert(cells: pd.Series, kind: str, path: Path, column: str) -> pd.Series:
    def fail(position: int, problem: str):
        raise InputError(path, problem, row=int(position) + 2, field=column)

    empty = cells == ""
    if empty.any():
        fail(empty.to_numpy().argmax(), "missing value")
    if kind == "member_state":
        codes = cells.replace({ms.iso2: ms.eurostat for ms in countries.MEMBER_STATES})
        unknown = ~codes.isin(countries.EU27)
        if unknown.any():
            position = unknown.to_numpy().argmax()
            fail(position, f"unknown Member State code {cells.iloc[position]!r}")
        return codes
    if kind == "month":
        bad = ~cells.str.match(PERIOD_PATTERNS["M"])
        if bad.any():
            position = bad.to_numpy().argmax()
            fail(position, f"{cells.iloc[position]!r} is not a month in YYYY-MM form")
        return cells
    if kind == "count":
        numbers = pd.to_numeric(cells, errors="coerce")
        bad = numbers.isna()
        if bad.any():
            position = bad.to_numpy().argmax()
            fail(position, f"{cells.iloc[position]!r} is not a number")
        problems = (
            (numbers.abs() == float("inf"), "{!r} is not a finite number"),
            (numbers < 0, "negative count {}"),
            (numbers % 1 != 0, "{!r} is not a whole number (a count of persons or detections)"),
        )
        for bad, problem in problems:
            if bad.any():
                position = bad.to_numpy().argmax()
                fail(position, problem.format(cells.iloc[position]))
        return numbers.astype(float)
    return cells


def read_eurostat_input(path: Path, contract: EurostatContract) -> pd.DataFrame:
    """Read the slice of a Eurostat table (TSV or SDMX-CSV) that the pipeline uses, for the EU27.

    Only the contract's series are kept while the file is read. A dimension the contract
    neither selects nor keeps (besides freq and geo) must have a single code among them.
    """
    _check_readable(path)
    codes = contract.codes()
    table = read_eurostat_file(path, codes)
    declared = {*codes, "time_period", "value", "flag"}
    for dimension in [name for name in table.columns if name not in declared]:
        codes = sorted(table[dimension].unique())
        if len(codes) > 1:
            shown = ", ".join(codes[:10]) + (", ..." if len(codes) > 10 else "")
            raise InputError(path, f"unexpected dimension with {len(codes)} codes among the series "
                                   f"read ({shown}): the contract neither selects one of its codes "
                                   "nor keeps it", field=dimension)
    if table.empty:
        wanted = ", ".join(f"{k}={v}" for k, v in {"freq": contract.frequency, **contract.selection}.items())
        raise InputError(path, f"no Member State rows for the selection {wanted}")
    columns = ["geo", *contract.kept, "time_period", "value", "flag"]
    return table[columns].rename(columns={"time_period": "period"})


def _describe_series(row: pd.Series) -> str:
    dims = ", ".join(f"{k}={row[k]}" for k in row.index if k not in ("value", "flag"))
    return f"series {dims}"


def input_path(raw: RawInput, source_dir: Path) -> Path:
    """The file of `raw` in `source_dir`: its catalogue name, or for a Eurostat table any of the
    accepted names (`<code>.tsv.gz`, `.tsv`, `.csv.gz`, `.csv`)."""
    path = source_dir / raw.filename
    if raw.format == "eurostat-tsv":
        return find_eurostat_file(path.parent, raw.dataset) or path
    return path


def tidy_schema_of(raw: RawInput):
    """The pandera schema of `raw`'s processed table."""
    if raw.name in EUROSTAT_CONTRACTS:
        return EUROSTAT_CONTRACTS[raw.name].schema()
    if raw.name in CSV_CONTRACTS:
        return CSV_CONTRACTS[raw.name].schema()
    if raw.name == "ibc_routes":
        return IBC_ROUTES_SCHEMA
    raise KeyError(f"no contract for raw input {raw.name!r}")


def process_input(raw: RawInput, source_dir: Path, *, year: int | None = None) -> pd.DataFrame:
    """Read and validate one raw input; return its tidy table.

    With the edition `year`, a blank cell of the Frontex workbook inside the months the edition
    reads (its five-year look-back, which holds the reference and comparison periods) is an
    error; elsewhere it stays a missing value, which later checks refuse wherever it is used."""
    path = input_path(raw, source_dir)
    schema = tidy_schema_of(raw)
    if raw.name in EUROSTAT_CONTRACTS:
        tidy = read_eurostat_input(path, EUROSTAT_CONTRACTS[raw.name])
        return validate(tidy, schema, path, describe_row=_describe_series)
    if raw.name in CSV_CONTRACTS:
        contract = CSV_CONTRACTS[raw.name]
        file_names = {tidy: name for name, tidy in contract.renames.items()}
        return validate(read_csv_input(path, contract), schema, path, field_names=file_names)
    if raw.name == "ibc_routes":
        _check_readable(path)
        required = ReportPeriods(year).five_years.months if year is not None else ()
        workbook = read_frontex_workbook(path, required_months=required).rename(
            columns={"month": "period", "detections": "value"})
        workbook["value"] = workbook["value"].astype(float)
        workbook["flag"] = ""
        return validate(workbook, schema, path, describe_row=_describe_series)
    raise KeyError(f"no reader for raw input {raw.name!r}")


def source_folder(raw: RawInput, source: str, raw_root: Path = paths.RAW_DIR) -> Path:
    """Where `raw` is read from: a live run downloads the open data only, so the inputs that are
    not open data always come from the analysts' folder, data/raw/local."""
    return raw_root / ("local" if source == "live" and not raw.open_data else source)


def _missing_file_problem(raw: RawInput, source: str) -> str:
    if source == "sample":
        return "file not found; regenerate the sample with `dvc repro sample_data`"
    return (f"file not found ({raw.provider}: {raw.dataset}); the files each data source needs "
            f"are listed in data/raw/local/README.md")


def file_record(path: Path, raw: RawInput, raw_root: Path) -> dict[str, object]:
    """What was read: file, provider, dataset, checksum, and the download's provenance if any."""
    data = path.read_bytes()
    record: dict[str, object] = {
        "name": raw.name,
        "status": "read",
        "file": path.relative_to(raw_root).as_posix(),
        "provider": raw.provider,
        "dataset": raw.dataset,
        "format": f"eurostat-{eurostat_format(path)}" if raw.format == "eurostat-tsv" else raw.format,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    provenance = path.with_name(path.name + PROVENANCE_SUFFIX)
    if provenance.is_file():
        record["provenance"] = json.loads(provenance.read_text(encoding="utf-8"))
    return record


def record_data_as_of(record: dict[str, object], table: pd.DataFrame) -> None:
    """The provider's last update as the file itself states it (the Frontex workbook's
    'Source: FRAN data as of 06OCT25' line) goes into the input's provenance."""
    as_of = table.attrs.get(DATA_AS_OF)
    if as_of is None:
        return
    provenance = record.setdefault("provenance", {})
    provenance["last_update"] = as_of
    provenance["last_update_source"] = "the workbook's source line (data as of)"


def missing_record(path: Path, raw: RawInput, raw_root: Path) -> dict[str, object]:
    return {
        "name": raw.name,
        "status": "missing",
        "file": path.relative_to(raw_root).as_posix(),
        "provider": raw.provider,
        "dataset": raw.dataset,
        "format": raw.format,
    }


def empty_table(raw: RawInput) -> pd.DataFrame:
    """The tidy table of an input that was not supplied: its columns, no rows."""
    return pd.DataFrame({name: pd.Series(dtype=str(column.dtype))
                         for name, column in tidy_schema_of(raw).columns.items()})


def ibc_total_differences(by_member_state: pd.DataFrame, by_route: pd.DataFrame) -> pd.DataFrame:
    """Routes whose IBCs by Member State do not add up to the workbook's route totals.

    Compared month by month over the months of the Member State file; one row per route with
    the months that differ and both totals over them (`member_states`, `workbook`). A month
    the workbook leaves blank for the route counts as a difference, never as zero.
    """
    ms_totals = by_member_state.groupby(["route", "period"])["value"].sum()
    route_totals = by_route.groupby(["route", "period"])["value"].sum(min_count=1)
    pairs = ms_totals.to_frame("member_states").join(route_totals.rename("workbook"), how="left")
    differ = pairs[pairs["member_states"].ne(pairs["workbook"])].reset_index()
    rows = [{"route": route, "first_month": group["period"].min(),
             "last_month": group["period"].max(), "months": len(group),
             "member_states": float(group["member_states"].sum()),
             "workbook": float(group["workbook"].sum(min_count=len(group)))}
            for route, group in differ.groupby("route", sort=False)]
    return pd.DataFrame(rows, columns=["route", "first_month", "last_month", "months",
                                       "member_states", "workbook"])


def describe_ibc_differences(differences: Iterable[Mapping[str, object]]) -> str:
    """'Eastern Mediterranean Route (12 months, 2024-07 to 2025-06): 45 000 by Member State
    against 60 000 in the workbook; ...', from the rows of `ibc_total_differences`."""
    def total(value) -> str:
        return "no value" if pd.isna(value) else formatting.eu_number(value)

    return "; ".join(
        f"{row['route']} ({row['months']} month{'s' if row['months'] > 1 else ''}, "
        f"{row['first_month']} to {row['last_month']}): {total(row['member_states'])} by Member "
        f"State against {total(row['workbook'])} in the workbook" for row in differences)


def _check_ibc_totals(tables: dict[str, pd.DataFrame], records: list[dict[str, object]],
                      raw_root: Path, strict: bool) -> None:
    """The contract of the IBCs by Member State: they add up to the workbook's route totals.
    A difference stops a strict build; otherwise it is recorded for the report's caveats."""
    by_name = {record["name"]: record for record in records}
    if by_name["ibc_member_states"]["status"] != "read":
        return
    differences = ibc_total_differences(tables["ibc_member_states"],
                                        tables["ibc_routes"]).to_dict("records")
    if not differences:
        return
    if strict:
        files = {name: raw_root / str(by_name[name]["file"])
                 for name in ("ibc_member_states", "ibc_routes")}
        raise InputError(files["ibc_member_states"],
                         f"IBCs by Member State do not add up to the route totals of "
                         f"{paths.display_path(files['ibc_routes'])}: "
                         f"{describe_ibc_differences(differences)}")
    by_name["ibc_member_states"]["differences_from_workbook"] = differences


def ingest(source: str, *, strict: bool = False, year: int | None = None,
           raw_root: Path = paths.RAW_DIR, out_dir: Path = paths.PROCESSED_DIR
           ) -> dict[str, pd.DataFrame]:
    """Validate every raw input of `source` and write its tidy table to `out_dir/<name>.parquet`.
    `year`: the edition, whose months the inputs must cover without blanks (`process_input`).

    An optional input that is missing gets an empty table and a `missing` record, so the figures
    using it are left out of the report; with `strict` it is an error like any other, except a
    monthly table that stands in for an annual series (`instead_of`), whose year is used then.
    """
    tables: dict[str, pd.DataFrame] = {}
    records = []
    for raw in RAW_INPUTS:
        folder = source_folder(raw, source, raw_root)
        path = input_path(raw, folder)
        if path.is_symlink() and not path.exists():
            raise InputError(path, f"is a link to {path.readlink()}, which does not exist")
        if not path.exists() and raw.optional and (not strict or raw.instead_of):
            tables[raw.name] = empty_table(raw)
            records.append(missing_record(path, raw, raw_root))
            continue
        if not path.exists():
            raise InputError(path, _missing_file_problem(raw, source))
        tables[raw.name] = process_input(raw, folder, year=year)
        records.append(file_record(path, raw, raw_root))
        record_data_as_of(records[-1], tables[raw.name])
    _check_ibc_totals(tables, records, raw_root, strict)
    for name, table in tables.items():
        with atomic.atomic_path(out_dir / f"{name}.parquet") as tmp:
            table.to_parquet(tmp, index=False)
    record = {"data_source": source, "strict": strict, "inputs": records}
    atomic.write_text(out_dir / RECORD_FILE, json.dumps(record, indent=2) + "\n")
    return tables


def summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One line per processed table: rows, Member States, period coverage, flagged values."""
    rows = []
    for name, table in tables.items():
        flags = table["flag"].ne("").sum() if "flag" in table else 0
        rows.append({
            "table": name,
            "rows": len(table),
            "member_states": table["geo"].nunique() if "geo" in table else None,
            "first_period": table["period"].min(),
            "last_period": table["period"].max(),
            "flagged_values": int(flags),
        })
    return pd.DataFrame(rows)
