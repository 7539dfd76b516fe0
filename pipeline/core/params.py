"""Load and validate params.yaml before anything runs."""

from __future__ import annotations

import copy
import datetime
import functools
import re
import sys
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.core import countries, paths
from pipeline.core.errors import ParameterError

FIRST_SUPPORTED_YEAR = 2020
LAST_SUPPORTED_YEAR = 2100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(_Strict):
    source: Literal["sample", "local", "live"] = "sample"
    strict: bool = False


class SampleParams(_Strict):
    seed: int = Field(20251111, ge=0)


def _known_member_states(codes: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [code for code in codes if not countries.is_member_state(code)]
    if unknown:
        raise ValueError(f"unknown Member State code(s): {', '.join(unknown)}")
    return codes


class KeyParams(_Strict):
    """The Article 66 key: its data vintages and its Member States. `member_states` is the one
    list of the key's Member States: the key stage computes over it, every later stage reads the
    key, and dvc.yaml runs one fiche per entry (`foreach: ${key.member_states}`)."""

    population_year: int | None = Field(None, ge=2000, le=LAST_SUPPORTED_YEAR)
    gdp_year: int | None = Field(None, ge=2000, le=LAST_SUPPORTED_YEAR)
    member_states: tuple[str, ...] = countries.bound_member_states()

    @field_validator("member_states")
    @classmethod
    def _member_states_of_the_key(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        _known_member_states(codes)
        not_bound = [code for code in codes if not countries.member_state(code).bound_by_amm]
        if not_bound:
            raise ValueError(f"{', '.join(not_bound)} not bound by Regulation (EU) 2024/1351, "
                             "so not in the key")
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        if len(codes) < 2:
            raise ValueError("the key needs at least two Member States")
        return tuple(sorted(codes, key=countries.protocol_rank))


class FigureParams(_Strict):
    dpi: int = Field(300, ge=72, le=1200)
    route_map_threshold: int = Field(500, ge=0)
    eurodac_map_threshold: int = Field(6000, ge=0)
    eurodac_map_full_width_hits: int = Field(40000, gt=0)


def _http_url(value: str) -> str:
    parsed = urlsplit(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


# The Frontex file is renamed with every monthly release: paste the link of the current
# "Monthly detections of IBC" workbook (frontex.europa.eu, Migratory map), or a saved copy.
DEFAULT_FRONTEX_WORKBOOK = (
    "https://www.frontex.europa.eu/assets/Migratory_Map/2025/"
    "Monthly_detections_of_IBC_2025_11_03.xlsx"
)


class LiveParams(_Strict):
    """Where `data.source: live` downloads the open data from (see pipeline/inputs/download)."""

    eurostat_api: str = "https://ec.europa.eu/eurostat/api/dissemination"
    gisco_api: str = "https://gisco-services.ec.europa.eu/distribution/v2"
    gisco_scale: Literal["01M", "03M", "10M", "20M", "60M"] = "20M"
    gisco_year: int = Field(2024, ge=2001, le=LAST_SUPPORTED_YEAR)
    frontex_workbook: str = DEFAULT_FRONTEX_WORKBOOK
    timeout_seconds: float = Field(60.0, gt=0, le=3600)
    retries: int = Field(3, ge=0, le=10)

    @field_validator("eurostat_api", "gisco_api")
    @classmethod
    def _urls(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("frontex_workbook")
    @classmethod
    def _url_or_path(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("give the workbook's URL or a local path")
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
            return _http_url(value)
        return value

    @property
    def frontex_is_url(self) -> bool:
        return self.frontex_workbook.startswith(("http://", "https://"))


# --- Migratory pressure and the solidarity pool (pipeline.analysis.pressure, pipeline.analysis.solidarity) ---

PRESSURE_INDICATORS = ("ibc", "sar", "applications", "unaccompanied_minors", "tp_registrations",
                       "refusals", "orders_to_leave", "returns", "eurodac_hits", "dublin_requests")


class PressureParams(_Strict):
    """Thresholds of the reconstructed classification; every one must be above zero (the
    margins are relative to them). Ratios: share of the EU total / key share (1 = fair share)."""

    arrivals_ibc_ratio: float = Field(2.0, gt=0)
    arrivals_applications_ratio: float = Field(2.0, gt=0)
    sar_share: float = Field(0.25, gt=0, le=1)
    movements_ratio: float = Field(1.5, gt=0)
    first_entry_ratio: float = Field(1.5, gt=0)
    applications_ratio: float = Field(1.5, gt=0)
    reception_occupancy: float = Field(0.95, gt=0, le=2)
    five_year_ratio: float = Field(2.0, gt=0)
    five_year_indicators: tuple[str, ...] = ("applications", "tp_registrations", "ibc", "refusals")

    @field_validator("five_year_indicators")
    @classmethod
    def _cumulative_indicators(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in names if name not in PRESSURE_INDICATORS]
        if unknown:
            raise ValueError(f"no five-year view for {', '.join(unknown)}; "
                             f"choose from {', '.join(PRESSURE_INDICATORS)}")
        return names


class PoolParams(_Strict):
    """Sizes of the Annual Solidarity Pool, the euro equivalence and the deductions."""

    proposal_relocations: int = Field(30000, gt=0)
    council_relocations: int = Field(21000, gt=0)
    euro_per_relocation: int = Field(20000, gt=0)
    beneficiaries: Literal["reconstruction", "official"] = "official"
    deducted: tuple[str, ...] = ("CZ", "HR", "AT", "PL")
    deducted_source: str = Field(
        "Council Implementing Decision (EU) 2025/2642 establishing the Annual Solidarity Pool "
        "for 2026", min_length=1)
    deducted_share: float = Field(1.0, ge=0, le=1)
    redistribute_deductions: bool = False

    @field_validator("deducted")
    @classmethod
    def _known_member_states(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return _known_member_states(codes)


class Params(_Strict):
    year: int = Field(ge=FIRST_SUPPORTED_YEAR, le=LAST_SUPPORTED_YEAR)
    publication_date: datetime.date | None = None  # set by the editors when the report is adopted
    data: DataParams = DataParams()
    sample: SampleParams = SampleParams()
    key: KeyParams = KeyParams()
    figures: FigureParams = FigureParams()
    pressure: PressureParams = PressureParams()
    pool: PoolParams = PoolParams()
    live: LiveParams = LiveParams()

    @property
    def population_year(self) -> int:
        return self._vintages()[0]

    @property
    def gdp_year(self) -> int:
        return self._vintages()[1]

    def _vintages(self) -> tuple[int, int]:
        return default_vintages(self.year, self.key.population_year, self.key.gdp_year)


def default_vintages(year: int, population_year: int | None = None,
                     gdp_year: int | None = None) -> tuple[int, int]:
    """Key vintages of an edition: population on 1 January Y and GDP of Y-1 unless fixed."""
    return population_year or year, gdp_year or year - 1


def _yaml_problem(error: yaml.YAMLError) -> str:
    """'line 12, column 1: found character '\\t' that cannot start any token', on one line."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None:
        problem += f" ({context} from line {context_mark.line + 1})"
    return where + " ".join(problem.split())


def load_params(path: Path | str = paths.PARAMS_FILE) -> Params:
    """Read params.yaml safely and validate every value; errors name the file and the field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameters file not found") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    if raw is None:
        raise ParameterError(f"{path}: the file is empty; it must hold the edition's parameters "
                             "(see the README's Parameters section)")
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: expected a mapping of parameters, got {type(raw).__name__}")
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ParameterError(f"{path}: {problems}") from None


def stage_params(path: Path | str = paths.PARAMS_FILE) -> Params:
    """`load_params` for a stage's entry point: a bad value ends the stage before it does
    anything, with exit status 2 and one line naming the file, the field and the problem."""
    try:
        return load_params(path)
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def flatten(params: Params) -> dict[str, object]:
    """Parameters as notebook variables: nested keys joined by '_' (data.source -> data_source)."""
    flat: dict[str, object] = {}

    def visit(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                visit(f"{prefix}_{key}" if prefix else key, item)
        else:
            flat[prefix] = list(value) if isinstance(value, tuple) else value

    visit("", params.model_dump())
    return flat


def from_params(name: str, path: Path | str = paths.PARAMS_FILE) -> object:
    """A notebook parameter's value in params.yaml (`data_source` for data.source). The
    parameters cells use it, so that a notebook run by hand in JupyterLab computes the edition
    of params.yaml, as `dvc repro` does (Papermill then injects the same values). The file is
    read once for all the lines of a parameters cell (again only when it changes)."""
    path = Path(path)
    values = _flat_params(path, path.stat().st_mtime_ns if path.exists() else None)
    if name not in values:
        raise ParameterError(f"{path}: no parameter {name!r} (nested keys join with '_')")
    return copy.deepcopy(values[name])  # a list the notebook changes leaves the cache as it is


@functools.lru_cache(maxsize=4)
def _flat_params(path: Path, modified: int | None) -> dict[str, object]:
    return flatten(load_params(path))


def section_from_notebook(model: type[BaseModel], section: str, values: dict[str, object]):
    """One section of the parameters (e.g. `PressureParams`, 'pressure') rebuilt and validated
    from a notebook's flattened variables (`pressure_sar_share`, ...)."""
    return model.model_validate({name: values[f"{section}_{name}"] for name in model.model_fields})


if __name__ == "__main__":  # `python -m pipeline.core.params`: check params.yaml, as `make report` does
    stage_params()
