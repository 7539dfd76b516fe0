"""Load and validate params.yaml before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline import countries, paths
from pipeline.errors import ParameterError
from pipeline.key import default_vintages

FIRST_SUPPORTED_YEAR = 2020
LAST_SUPPORTED_YEAR = 2100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(_Strict):
    source: Literal["sample", "local", "live"] = "sample"


class SampleParams(_Strict):
    seed: int = Field(20251111, ge=0)


class KeyParams(_Strict):
    population_year: int | None = Field(None, ge=2000, le=LAST_SUPPORTED_YEAR)
    gdp_year: int | None = Field(None, ge=2000, le=LAST_SUPPORTED_YEAR)
    excluded: tuple[str, ...] = ()

    @field_validator("excluded")
    @classmethod
    def _known_member_states(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [code for code in codes if not countries.is_member_state(code)]
        if unknown:
            raise ValueError(f"unknown Member State code(s): {', '.join(unknown)}")
        return codes


class FigureParams(_Strict):
    dpi: int = Field(300, ge=72, le=1200)
    route_map_threshold: int = Field(500, ge=0)
    eurodac_map_threshold: int = Field(6000, ge=0)
    eurodac_map_full_width_hits: int = Field(40000, gt=0)


class Params(_Strict):
    year: int = Field(ge=FIRST_SUPPORTED_YEAR, le=LAST_SUPPORTED_YEAR)
    data: DataParams = DataParams()
    sample: SampleParams = SampleParams()
    key: KeyParams = KeyParams()
    figures: FigureParams = FigureParams()

    @property
    def population_year(self) -> int:
        return default_vintages(self.year, self.key.population_year, self.key.gdp_year)[0]

    @property
    def gdp_year(self) -> int:
        return default_vintages(self.year, self.key.population_year, self.key.gdp_year)[1]


def load_params(path: Path | str = paths.PARAMS_FILE) -> Params:
    """Read params.yaml safely and validate every value; errors name the file and the field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameters file not found") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
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
