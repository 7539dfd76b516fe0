"""What `data.source: live` downloads, from where, and under which reuse terms.

Every open-data input of `pipeline.catalog.RAW_INPUTS` keeps its catalogue file name under
`data/raw/live/` (`eurostat/<code>.tsv.gz`, `frontex/Monthly_detections_of_IBC.xlsx`), plus the
GISCO country boundaries for the maps (`gisco/CNTR_RG_<scale>_<year>_3035.geojson`). Each file
gets a provenance record (see `pipeline.download.fetch`) with the provider's licence notice and,
for Eurostat, the dataset's last-update date from the table of contents (fetched at most once
per run, and only when a table is actually downloaded).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import paths
from pipeline.catalog import RAW_INPUTS, RawInput
from pipeline.download.fetch import (
    Download,
    DownloadError,
    check_gzip,
    copy_local,
    fetch,
    fetch_bytes,
)
from pipeline.errors import InputError
from pipeline.params import LiveParams
from pipeline.sources.eurostat_tsv import read_eurostat_tsv
from pipeline.sources.frontex import read_frontex_workbook

EUROSTAT_LICENCE = ("\u00a9 European Union, 1995-{year}; reuse authorised under the Commission "
                    "Decision 2011/833/EU, CC BY 4.0")
EUROSTAT_TERMS_URL = "https://ec.europa.eu/eurostat/about-us/policies/copyright"
GISCO_LICENCE = ("\u00a9 EuroGeographics for the administrative boundaries; "
                 "\u00a9 European Union, 1995-{year}, Eurostat GISCO")
GISCO_TERMS = ("GISCO download conditions: the data may be used for non-commercial purposes with "
               "the source acknowledged; the copyright notice '\u00a9 EuroGeographics for the "
               "administrative boundaries' must be shown visibly on printed maps and on the web")
GISCO_TERMS_URL = ("https://ec.europa.eu/eurostat/web/gisco/geodata/"
                   "administrative-units/countries")
FRONTEX_LICENCE = ("Frontex open data, published for reuse with the source acknowledged "
                   "('Source: Frontex'); Frontex's exact reuse terms were not checked by this "
                   "pipeline: see the legal notice on frontex.europa.eu before republishing")
FRONTEX_TERMS_URL = "https://www.frontex.europa.eu/about-frontex/legal-notice/"

GISCO_COUNTRY_FIELD = "CNTR_ID"
LIVE_DIR = paths.raw_dir("live")


def eurostat_url(api: str, code: str) -> str:
    """The whole-table TSV of one dataset (gzip-compressed)."""
    return f"{api}/sdmx/2.1/data/{code.upper()}?format=TSV&compressed=true"


def eurostat_toc_url(api: str) -> str:
    return f"{api}/catalogue/toc/txt?lang=en"


def gisco_file(scale: str, year: int) -> str:
    return f"CNTR_RG_{scale}_{year}_3035.geojson"


def gisco_url(api: str, scale: str, year: int) -> str:
    return f"{api}/countries/geojson/{gisco_file(scale, year)}"


def gisco_path(live: LiveParams, out_dir: Path = LIVE_DIR) -> Path:
    """Where the GISCO boundaries of `live` are saved."""
    return out_dir / "gisco" / gisco_file(live.gisco_scale, live.gisco_year)


# ---------------------------------------------------------------------------------------------
# Eurostat table of contents: the datasets' last-update dates
# ---------------------------------------------------------------------------------------------


def parse_toc(text: str) -> dict[str, str]:
    """Dataset code (lower case) -> 'last update of data' (ISO date where it parses, else as given).

    The TOC is tab-separated with quoted cells and a header naming the columns, among them
    "code" and "last update of data" (dates written dd.mm.yyyy).
    """
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t", quotechar='"')
    header = [cell.strip().lower() for cell in next(rows, [])]
    if "code" not in header or "last update of data" not in header:
        raise ValueError("the table of contents has no 'code' and 'last update of data' columns")
    code_at, update_at = header.index("code"), header.index("last update of data")
    dates: dict[str, str] = {}
    for row in rows:
        if len(row) <= max(code_at, update_at):
            continue
        code, update = row[code_at].strip().lower(), row[update_at].strip()
        if code and update and code not in dates:
            dates[code] = _iso_date(update)
    return dates


def _iso_date(text: str) -> str:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


class EurostatToc:
    """The table of contents, downloaded on first use and at most once."""

    def __init__(self, api: str, **options) -> None:
        self.url = eurostat_toc_url(api)
        self._options = options
        self._dates: dict[str, str] | None = None
        self._problem: str | None = None

    def last_update(self, code: str) -> dict[str, object]:
        if self._dates is None and self._problem is None:
            try:
                self._dates = parse_toc(fetch_bytes(self.url, **self._options).decode("utf-8"))
            except (DownloadError, ValueError, UnicodeDecodeError) as problem:
                self._problem = str(problem)
        if self._dates is None:
            return {"last_update": None,
                    "last_update_note": f"table of contents not available: {self._problem}"}
        date = self._dates.get(code.lower())
        return {"last_update": date, "last_update_source": self.url,
                **({} if date else {"last_update_note": f"{code} not in the table of contents"})}


# ---------------------------------------------------------------------------------------------
# Content checks
# ---------------------------------------------------------------------------------------------


def check_eurostat_tsv(path: Path) -> None:
    """A complete gzip holding a Eurostat TSV with at least one data row."""
    check_gzip(path)
    read_eurostat_tsv(path)


def check_frontex_workbook(path: Path) -> None:
    """A workbook the reader accepts (openpyxl wants an .xlsx name: read it through a link)."""
    with tempfile.TemporaryDirectory() as folder:
        link = Path(folder) / "workbook.xlsx"
        link.symlink_to(Path(path).resolve())
        try:
            read_frontex_workbook(link)
        except InputError as error:
            raise InputError(path, error.problem, row=error.row, field=error.field) from None


def check_gisco(path: Path) -> None:
    """A GeoJSON FeatureCollection of countries keyed by CNTR_ID."""
    try:
        data = json.loads(Path(path).read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(path, f"is not valid GeoJSON ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not features:
        raise InputError(path, "is GeoJSON without any features")
    properties = features[0].get("properties") or {}
    if GISCO_COUNTRY_FIELD not in properties:
        raise InputError(path, f"features have no {GISCO_COUNTRY_FIELD} field "
                               f"(fields: {', '.join(properties) or 'none'})")


# ---------------------------------------------------------------------------------------------
# The downloads of one run
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One file to fetch: its path under data/raw/live and where it comes from."""

    filename: str
    source: str  # URL, or a local path (Frontex workbook saved by hand)
    provider: str
    dataset: str
    check: Callable[[Path], None]
    describe: Callable[[], dict[str, object]]

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))


def open_data_inputs() -> tuple[RawInput, ...]:
    return tuple(raw for raw in RAW_INPUTS if raw.open_data)


def plan(live: LiveParams, toc: EurostatToc, year: int) -> list[Planned]:
    """Every file `data.source: live` needs, in catalogue order, then the GISCO boundaries."""
    planned = []
    for raw in open_data_inputs():
        if raw.format == "eurostat-tsv":
            planned.append(Planned(
                raw.filename, eurostat_url(live.eurostat_api, raw.dataset), raw.provider,
                raw.dataset, check_eurostat_tsv, _eurostat_record(raw, toc, year)))
        elif raw.format == "frontex-xlsx":
            source = live.frontex_workbook
            if not source.startswith(("http://", "https://")):
                source = str(_project_path(source))
            planned.append(Planned(raw.filename, source, raw.provider, raw.dataset,
                                   check_frontex_workbook, _frontex_record(raw)))
        else:
            raise ValueError(f"no download for open-data input {raw.name!r} ({raw.format})")
    planned.append(Planned(
        f"gisco/{gisco_file(live.gisco_scale, live.gisco_year)}",
        gisco_url(live.gisco_api, live.gisco_scale, live.gisco_year), "Eurostat GISCO",
        f"Countries {live.gisco_year}, 1:{live.gisco_scale[:-1].lstrip('0')} million, EPSG:3035",
        check_gisco, _gisco_record(live, year)))
    return planned


def _project_path(text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else paths.PROJECT_ROOT / path


def _base(provider: str, dataset: str, description: str) -> dict[str, object]:
    return {"provider": provider, "dataset": dataset, "description": description}


def _eurostat_record(raw: RawInput, toc: EurostatToc, year: int) -> Callable[[], dict[str, object]]:
    def describe() -> dict[str, object]:
        return {**_base(raw.provider, raw.dataset, raw.description),
                "format": "Eurostat whole-table TSV (gzip)",
                "licence": EUROSTAT_LICENCE.format(year=year),
                "licence_url": EUROSTAT_TERMS_URL,
                **toc.last_update(raw.dataset)}
    return describe


def _frontex_record(raw: RawInput) -> Callable[[], dict[str, object]]:
    def describe() -> dict[str, object]:
        return {**_base(raw.provider, raw.dataset, raw.description),
                "format": "Frontex workbook (.xlsx), sheet Detections_of_IBC",
                "licence": FRONTEX_LICENCE, "licence_url": FRONTEX_TERMS_URL,
                "last_update": None,
                "last_update_note": "Frontex gives no machine-readable update date; the release "
                                    "date is in the published file's name"}
    return describe


def _gisco_record(live: LiveParams, year: int) -> Callable[[], dict[str, object]]:
    def describe() -> dict[str, object]:
        return {**_base("Eurostat GISCO", f"CNTR_RG_{live.gisco_scale}_{live.gisco_year}",
                        "Country boundaries (regions), EPSG:3035, field CNTR_ID with Eurostat "
                        "codes (Greece EL)"),
                "format": "GeoJSON",
                "licence": GISCO_LICENCE.format(year=year), "licence_terms": GISCO_TERMS,
                "licence_url": GISCO_TERMS_URL,
                "attribution": "\u00a9 EuroGeographics for the administrative boundaries",
                "last_update": None,
                "last_update_note": f"GISCO gives the release year only ({live.gisco_year})"}
    return describe


def download_live(live: LiveParams, out_dir: Path = LIVE_DIR, *, refresh: bool = False,
                  backoff: float = 1.0, log: Callable[[str], None] = print) -> list[Download]:
    """Fetch every open-data input and the GISCO boundaries into `out_dir`; stop at the first
    failure (files already fetched stay, each complete and with its provenance record)."""
    options = {"timeout": live.timeout_seconds, "retries": live.retries, "backoff": backoff}
    toc = EurostatToc(live.eurostat_api, **options)
    year = dt.datetime.now(dt.UTC).year
    done = []
    for item in plan(live, toc, year):
        target = out_dir / item.filename
        if item.is_url:
            result = fetch(item.source, target, refresh=refresh, check=item.check,
                           metadata=item.describe, **options)
        else:
            result = copy_local(item.source, target, check=item.check, metadata=item.describe)
        name = target.relative_to(out_dir).as_posix()
        log(f"reused {name}" if result.reused else
            f"saved {name} ({result.provenance['bytes']} bytes)")
        done.append(result)
    return done

