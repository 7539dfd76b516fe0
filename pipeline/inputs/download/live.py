"""What `data.source: live` downloads, from where, and under which reuse terms.

Every open-data input of `pipeline.inputs.catalog.RAW_INPUTS` keeps its catalogue file name under
`data/raw/live/` (`eurostat/<code>.tsv.gz`, `frontex/Monthly_detections_of_IBC.xlsx`), plus the
GISCO country boundaries for the maps (`gisco/CNTR_RG_<scale>_<year>_3035.geojson`). Each file
gets a provenance record (see `pipeline.inputs.download.fetch`) with the provider's licence notice and,
for Eurostat, the dataset's last-update date from the table of contents (fetched at most once
per run, and only when a table is actually downloaded).

Eurostat tables are asked for the series and periods the pipeline uses (an SDMX 2.1 data query
whose key comes from the input's contract in `pipeline.inputs.contracts`), and downloaded whole when
the API refuses that query.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import paths
from pipeline.core.errors import InputError
from pipeline.core.params import LiveParams, Params
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.catalog import RAW_INPUTS, RawInput
from pipeline.inputs.contracts import EUROSTAT_CONTRACTS
from pipeline.inputs.download.fetch import (
    Download,
    DownloadError,
    HTTPStatusError,
    check_gzip,
    copy_local,
    fetch,
    fetch_bytes,
    reusable,
)
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv
from pipeline.inputs.sources.frontex import read_frontex_workbook

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
# Answers to a filtered query after which the whole table is asked for instead: a key or a
# parameter the API does not take (400, 404 also for "no data", 406, 501), or a query or an
# answer too large (413, 414). Timeouts, 429 and 5xx are retried as for any download.
REFUSED_STATUS = frozenset({400, 404, 406, 413, 414, 501})


def eurostat_url(api: str, code: str) -> str:
    """The whole-table TSV of one dataset (gzip-compressed)."""
    return f"{api}/sdmx/2.1/data/{code.upper()}?format=TSV&compressed=true"


def eurostat_query_url(api: str, raw: RawInput, start: str) -> str:
    """The TSV (gzip) of the series `raw`'s contract selects, from period `start` on."""
    return (f"{api}/sdmx/2.1/data/{raw.dataset.upper()}/{eurostat_key(raw)}"
            f"?format=TSV&compressed=true&startPeriod={start}")


def eurostat_key(raw: RawInput) -> str:
    """The SDMX series key of `raw`'s contract: one position per dimension in the dataset's
    order, several codes joined by '+', empty for all: `M.PER.TOTAL.T.TOTAL.ASY_APP+NASY_APP.BE+...`
    """
    codes = EUROSTAT_CONTRACTS[raw.name].codes()
    unknown = [name for name in codes if name not in raw.dimensions]
    if unknown:
        raise ValueError(f"{raw.dataset}: the contract selects {', '.join(unknown)}, which the "
                         f"catalogue's dimensions ({', '.join(raw.dimensions)}) do not have")
    return ".".join("+".join(codes.get(name, ())) for name in raw.dimensions)


def start_periods(year: int, key_years: Iterable[int] = ()) -> dict[str, str]:
    """The first period to download for the edition of `year`, by frequency (M, Q, A).

    Monthly: the first month any stage reads, July Y-8 (`ReportPeriods.monthly_history`: the
    projection's 8 years to June Y, which hold the five-year look-back from July Y-5, the
    comparison period and the stock months). Quarterly series are used from July Y-5 (the
    five-year look-back), annual ones for the five calendar years to Y-1 and for the key's
    vintages (`key_years`: population of Y and GDP of Y-1 unless fixed in params.yaml). Both
    start with the monthly ones all the same, and annual ones at the earliest key vintage when
    that is earlier: the selected series are few, so the earlier years cost little and leave a
    margin should a stage look further back.
    """
    first = ReportPeriods(year).monthly_history.first
    return {"M": str(first), "Q": f"{first.year}-Q{first.quarter}",
            "A": str(min([first.year, *key_years]))}


def fetch_eurostat(query: str, whole: str, target: Path, *, refresh: bool = False,
                   check: Callable[[Path], None] | None = None,
                   metadata: Callable[[], Mapping[str, object]] = dict,
                   **options) -> Download:
    """Download the filtered `query`, or the `whole` table when the API refuses the query
    (`REFUSED_STATUS`); other failures are retried and reported as by `fetch`.

    A file already downloaded from either URL is reused unless `refresh`. The provenance record
    says which request was used (`request`: filtered or whole, `source_url`) and, after a
    refusal, the refused query and the answer.
    """
    if not refresh:
        for url in (query, whole):
            if (record := reusable(target, url)) is not None:
                return Download(target, url, True, record)
    try:
        return fetch(query, target, refresh=True, check=check, metadata=lambda: {
            **metadata(), "request": "filtered",
            "format": "Eurostat TSV (gzip), the series and periods of the query"}, **options)
    except HTTPStatusError as error:
        if error.status not in REFUSED_STATUS:
            raise
        refusal = str(error)
    try:
        return fetch(whole, target, refresh=True, check=check, metadata=lambda: {
            **metadata(), "request": "whole", "format": "Eurostat whole-table TSV (gzip)",
            "filtered_request_refused": refusal}, **options)
    except DownloadError as error:
        raise DownloadError(f"{error}; the filtered request before it was refused: "
                            f"{refusal}") from None


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


def eurostat_check(raw: RawInput) -> Callable[[Path], None]:
    """The content check of `raw`'s download: a complete gzip holding a Eurostat TSV with rows
    of the series its contract reads. Read with the contract's selection, so that a whole table
    of real size (the fallback) is checked in little memory."""
    def check(path: Path) -> None:
        check_gzip(path)
        if read_eurostat_tsv(path, EUROSTAT_CONTRACTS[raw.name].codes()).empty:
            raise InputError(path, f"holds none of the series the pipeline reads from {raw.dataset}")
    return check


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
    whole_table: str | None = None  # Eurostat: the URL to fall back on when `source` is refused

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))


def open_data_inputs() -> tuple[RawInput, ...]:
    return tuple(raw for raw in RAW_INPUTS if raw.open_data)


def plan(params: Params, toc: EurostatToc, year: int) -> list[Planned]:
    """Every file `data.source: live` needs for the edition of `params`, in catalogue order,
    then the GISCO boundaries; `year` (the current one) goes into the licence notices."""
    live = params.live
    starts = start_periods(params.year, (params.population_year, params.gdp_year))
    planned = []
    for raw in open_data_inputs():
        if raw.format == "eurostat-tsv":
            query = eurostat_query_url(live.eurostat_api, raw, starts[raw.frequency])
            planned.append(Planned(
                raw.filename, query, raw.provider, raw.dataset, eurostat_check(raw),
                _eurostat_record(raw, toc, year), eurostat_url(live.eurostat_api, raw.dataset)))
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


def download_live(params: Params, out_dir: Path = LIVE_DIR, *, refresh: bool = False,
                  backoff: float = 1.0, log: Callable[[str], None] = print) -> list[Download]:
    """Fetch every open-data input of the edition and the GISCO boundaries into `out_dir`; stop
    at the first failure (files already fetched stay, each complete and with its provenance
    record)."""
    live = params.live
    options = {"timeout": live.timeout_seconds, "retries": live.retries, "backoff": backoff}
    toc = EurostatToc(live.eurostat_api, **options)
    year = dt.datetime.now(dt.UTC).year
    done = []
    for item in plan(params, toc, year):
        target = out_dir / item.filename
        if item.whole_table is not None:
            result = fetch_eurostat(item.source, item.whole_table, target, refresh=refresh,
                                    check=item.check, metadata=item.describe, **options)
        elif item.is_url:
            result = fetch(item.source, target, refresh=refresh, check=item.check,
                           metadata=item.describe, **options)
        else:
            result = copy_local(item.source, target, check=item.check, metadata=item.describe)
        name = target.relative_to(out_dir).as_posix()
        whole = ", the whole table" if result.provenance.get("request") == "whole" else ""
        log(f"reused {name}" if result.reused else
            f"saved {name} ({result.provenance['bytes']} bytes{whole})")
        done.append(result)
    return done

