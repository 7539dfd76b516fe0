"""Catalogue of the raw inputs: file, provider, dataset and format of each.

Paths are relative to the data source's folder, `data/raw/<source>/`. Reading this file tells
what the pipeline consumes; `docs/data-contracts.md` describes each format in full.
"""

from __future__ import annotations

from dataclasses import dataclass

# A downloaded file's provenance record sits next to it: <file>.provenance.json
PROVENANCE_SUFFIX = ".provenance.json"


@dataclass(frozen=True)
class RawInput:
    name: str
    filename: str
    provider: str
    dataset: str
    format: str  # eurostat-tsv | frontex-xlsx | csv
    frequency: str  # M monthly, Q quarterly, A annual, P 12-month periods
    description: str
    open_data: bool
    # An optional input may be left out: the figures and indicators using it are left out of the
    # report with a note (unless `data.strict` is true). Open data are always required.
    optional: bool = False
    # Eurostat tables: the dataset's dimensions in Eurostat's order (that of the codes in the
    # TSV's first column and in an SDMX series key, as the sample generator writes them); empty
    # for the other formats.
    dimensions: tuple[str, ...] = ()
    # An analysts' monthly table of an annual-only Eurostat series (that input's name): used
    # instead of the calendar year when it covers the edition's periods
    # (`pipeline.analysis.pressure`); never required, even with `data.strict`.
    instead_of: str | None = None


def _eurostat(name: str, code: str, frequency: str, dimensions: str,
              description: str) -> RawInput:
    return RawInput(name, f"eurostat/{code}.tsv.gz", "Eurostat", code, "eurostat-tsv", frequency,
                    description, open_data=True, dimensions=tuple(dimensions.split(",")))


RAW_INPUTS: tuple[RawInput, ...] = (
    RawInput("ibc_routes", "frontex/Monthly_detections_of_IBC.xlsx", "Frontex",
             "Monthly detections of illegal border crossings", "frontex-xlsx", "M",
             "Illegal border crossings by route, border location and nationality", open_data=True),
    RawInput("ibc_member_states", "frontex/ibc_by_member_state.csv", "Frontex / Member States",
             "IBCs by Member State of detection", "csv", "M",
             "Illegal border crossings by Member State of detection and route", open_data=False,
             optional=True),
    RawInput("sar", "frontex/sar_disembarkations.csv", "Frontex / Member States",
             "Disembarkations after search and rescue", "csv", "M",
             "Persons disembarked after search and rescue events, by Member State", open_data=False,
             optional=True),
    _eurostat("applications", "migr_asyappctzm", "M", "freq,unit,citizen,sex,age,applicant,geo",
              "Asylum applicants by citizenship, age and sex - monthly data"),
    _eurostat("tp_stock", "migr_asytpsm", "M", "freq,unit,citizen,sex,age,geo",
              "Beneficiaries of temporary protection at the end of the month"),
    _eurostat("tp_decisions", "migr_asytpfm", "M", "freq,unit,citizen,sex,age,geo",
              "Decisions granting temporary protection - monthly data"),
    _eurostat("orders_to_leave", "migr_eiord1", "Q", "freq,unit,citizen,age,sex,geo",
              "Third-country nationals ordered to leave - quarterly data"),
    _eurostat("returns", "migr_eirtn1", "Q", "freq,unit,citizen,age,sex,geo",
              "Third-country nationals who have left the territory - quarterly data"),
    _eurostat("dublin_requests", "migr_dubro", "A", "freq,unit,leg_prov,partner,geo",
              "Outgoing Dublin requests - annual data"),
    _eurostat("refusals", "migr_eirfs", "A", "freq,unit,citizen,border,reason,geo",
              "Third-country nationals refused entry at the external borders - annual data"),
    _eurostat("resettlement", "migr_asyresa", "A", "freq,unit,citizen,sex,age,geo",
              "Resettled persons - annual data"),
    _eurostat("unaccompanied_minors", "migr_asyunaa", "A", "freq,unit,citizen,sex,age,geo",
              "Asylum applicants considered to be unaccompanied minors - annual data"),
    _eurostat("population", "demo_pjan", "A", "freq,unit,age,sex,geo",
              "Population on 1 January"),
    _eurostat("gdp", "nama_10_gdp", "A", "freq,unit,na_item,geo",
              "Gross domestic product at current prices"),
    RawInput("reception", "euaa/reception.csv", "EUAA", "Reception statistics", "csv", "M",
             "Persons hosted in the national reception systems and capacity, end of month",
             open_data=False, optional=True),
    RawInput("unaccompanied_minors_monthly", "euaa/unaccompanied_minors_monthly.csv",
             "EUAA / Member States", "Applications by unaccompanied minors - monthly data", "csv",
             "M", "Applications for international protection lodged by unaccompanied minors, by "
             "Member State and month", open_data=False, optional=True,
             instead_of="unaccompanied_minors"),
    RawInput("eurodac", "eulisa/eurodac_hits.csv", "eu-LISA", "Eurodac foreign hits", "csv", "P",
             "Eurodac hits by Member State of first registration and Member State of the hit",
             open_data=False, optional=True),
)

_BY_NAME = {raw.name: raw for raw in RAW_INPUTS}


def raw_input(name: str) -> RawInput:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown raw input {name!r}; known: {', '.join(_BY_NAME)}") from None
