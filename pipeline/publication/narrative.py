"""The report's connecting prose: key findings, and the indicators that have no figure.

Key findings are written from the facts the figure stages produced (so they quote the same
rounded numbers as the chapters); the other facts - unaccompanied minors, Dublin requests,
refusals of entry, reception, resettlement, IBCs by Member State - are computed here from the
processed tables, with the indicator definitions of `pipeline.analysis.pressure`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from pipeline.analysis import key as reference_key
from pipeline.analysis.pressure import Indicator, indicator, indicator_rows, resolve
from pipeline.core import atomic, countries, formatting, paths
from pipeline.core.caveat import Caveat
from pipeline.core.errors import MissingInputError
from pipeline.core.periods import ReportPeriods
from pipeline.publication import caveats, facts

CAVEATS = (
    Caveat("Narrative", "EU totals quoted in the text are sums over the 27 Member States; "
           "rankings relative to GDP and population cover the Member States of the key."),
)

Loader = Callable[[str], pd.DataFrame]

RESETTLEMENT = Indicator("resettlement", "resettlement", "Resettled persons", "persons", "annual",
                         "A")
# Facts namespace -> indicator of the EU totals quoted in the prose.
CONTEXT_INDICATORS: dict[str, Indicator] = {
    "minors": indicator("unaccompanied_minors"),
    "dublin": indicator("dublin_requests"),
    "refusals": indicator("refusals"),
    "resettlement": RESETTLEMENT,
    "reception": indicator("reception"),
    "ibc_ms": indicator("ibc"),
}
# Report sections (file in report/sections, subject) left out with a note when the optional
# input of a facts namespace is missing.
OPTIONAL_SECTIONS = {
    "reception": ("reception", "reception"),
    "ibc_ms": ("irregular_migration_member_states", "illegal border crossings by Member State"),
}


def change_phrase(change: float) -> str:
    """'decreased by 35%', 'increased by 4%' or 'remained stable'."""
    verb = formatting.direction(change)
    return verb if verb == "remained stable" else f"{verb} by {formatting.percent(abs(change))}"


def eu27_rows(table: pd.DataFrame, spec: Indicator, periods: ReportPeriods) -> pd.DataFrame:
    """The indicator's value and previous value for each of the 27 Member States."""
    everywhere = pd.Series(1.0 / len(countries.EU27), index=list(countries.EU27))
    return indicator_rows(table, spec, periods, everywhere).set_index("geo")


def indicator_facts(table: pd.DataFrame, spec: Indicator, periods: ReportPeriods,
                    key: pd.Series, *, top: int = 3) -> dict[str, str]:
    """EU total, its change, and the leading Member States in absolute terms and relative to
    the key (`key` covers the Member States bound by the Regulation; totals cover the EU27)."""
    rows = eu27_rows(table, spec, periods)
    total, previous = rows["value"].sum(), rows["previous"].sum()
    change = reference_key.relative_change(total, previous)
    relative = reference_key.ratio_to_key(rows["value"].loc[key.index], key)
    first = rows["value"].idxmax()
    flow = spec.basis == "flow"
    return {
        "total": formatting.rounded(total),
        "total_exact": formatting.eu_number(total),
        "change": change_phrase(change),
        # as the text quotes it: a flow's 12 months in full, the calendar year of an annual series
        "period": periods.reference.label if flow else str(rows["period"].iloc[0]),
        "previous_period": periods.comparison.label if flow
        else str(rows["previous_period"].iloc[0]),
        "top": formatting.member_state_names(list(rows["value"].nlargest(top).index)),
        "first": formatting.in_running_text(first),
        "first_total": formatting.rounded(rows.loc[first, "value"]),
        "first_share": formatting.percent(rows.loc[first, "value"] / total),
        "next": formatting.member_state_names(list(rows["value"].nlargest(top).index[1:])),
        "top_relative": formatting.member_state_names(list(relative.nlargest(top).index)),
    }


def over_capacity_sentence(codes: list[str]) -> str:
    """Which reception systems held more persons than their capacity, as a sentence."""
    if not codes:
        return "No national reception system was above its capacity."
    if len(codes) == 1:
        return f"The reception system of {formatting.member_state_names(codes)} was above its capacity."
    return (f"The reception systems of {formatting.member_state_names(codes)} were above their "
            "capacity.")


def reception_facts(table: pd.DataFrame, periods: ReportPeriods, key: pd.Series) -> dict[str, str]:
    """Persons hosted at the end of June, capacity used in the EU, and the fullest systems."""
    found = indicator_facts(table, indicator("reception"), periods, key)
    at_end = table[table["period"] == periods.stock_month].set_index("geo")
    occupancy = at_end["persons_hosted"] / at_end["capacity"]
    over = occupancy[occupancy > 1].sort_values(ascending=False)
    return {
        **found,
        "capacity": formatting.rounded(at_end["capacity"].sum()),
        "occupancy": formatting.percent(at_end["persons_hosted"].sum() / at_end["capacity"].sum()),
        "over_capacity": formatting.member_state_names(list(over.index)) if len(over) else "none",
        "over_capacity_count": str(len(over)),
        "over_capacity_sentence": over_capacity_sentence(list(over.index)),
    }


def minors_share(load: Loader, periods: ReportPeriods) -> str:
    """Applications by unaccompanied minors as a share of all applications over the same
    period: the calendar year of the annual series, or the reference period."""
    spec, minors = resolve(indicator("unaccompanied_minors"), periods, load)
    months = periods.reference.months if spec.basis == "flow" else \
        [f"{periods.latest_full_calendar_year}-{month:02d}" for month in range(1, 13)]
    applications = load("applications")
    asylum = applications[(applications["applicant"] == "ASY_APP")
                          & applications["period"].isin(months)]
    minors_total = eu27_rows(minors, spec, periods)["value"].sum()
    return formatting.percent(minors_total / float(asylum["value"].sum()))


def context_facts(load: Loader, periods: ReportPeriods, key: pd.Series
                  ) -> tuple[dict[str, dict[str, str]], dict[str, MissingInputError]]:
    """Facts of each context indicator, and the optional inputs that were not supplied."""
    found: dict[str, dict[str, str]] = {}
    missing: dict[str, MissingInputError] = {}
    for namespace, spec in CONTEXT_INDICATORS.items():
        try:
            spec, table = resolve(spec, periods, load)
        except MissingInputError as error:
            missing[namespace] = error
            continue
        if namespace == "reception":
            found[namespace] = reception_facts(table, periods, key)
        else:
            found[namespace] = indicator_facts(table, spec, periods, key)
        if namespace == "ibc_ms":
            found[namespace]["route_leaders"] = route_leaders(route_shares(table, periods))
    found["minors"]["share_of_applications"] = minors_share(load, periods)
    return found, missing


ROUTES_TABLE = "ibc_routes_by_member_state.csv"
OTHER_ROUTE = "Other"  # Frontex's remainder, not a route to name a leader of
ROUTE_COLUMNS = ["route", "member_state", "name", "ibcs", "share_of_route"]


def route_shares(table: pd.DataFrame, periods: ReportPeriods) -> pd.DataFrame:
    """IBCs by route and Member State of detection over the reference period, with each Member
    State's share of its route's IBCs; routes by decreasing total, Member States likewise."""
    rows = table[table["period"].isin(periods.reference.months)]
    by_state = rows.groupby(["route", "geo"])["value"].sum().rename("ibcs").reset_index()
    by_state = by_state[by_state["ibcs"] > 0]
    route_totals = by_state.groupby("route")["ibcs"].transform("sum")
    by_state["share_of_route"] = by_state["ibcs"] / route_totals
    by_state["route_total"] = route_totals
    by_state = by_state.sort_values(["route_total", "route", "ibcs"], ascending=[False, True, False],
                                    kind="stable")
    by_state = by_state.rename(columns={"geo": "member_state"})
    by_state["name"] = [countries.name(code) for code in by_state["member_state"]]
    return by_state[ROUTE_COLUMNS].reset_index(drop=True)


def route_leaders(shares: pd.DataFrame) -> str:
    """'Greece detected 85% of the IBCs on the Eastern Mediterranean Route, Croatia 76% on the
    Western Balkan Route, ...' (routes by decreasing IBCs)."""
    leaders = [(formatting.in_running_text(row.member_state), formatting.percent(row.share_of_route),
                row.route) for row in shares.groupby("route", sort=False).head(1).itertuples()
               if row.route != OTHER_ROUTE]
    if not leaders:
        return "no Member State detected any"
    (name, share, route), rest = leaders[0], leaders[1:]
    return formatting.enumeration([f"{name} detected {share} of the IBCs on the {route}",
                                   *(f"{name} {share} on the {route}" for name, share, route in rest)])


def write_route_shares(load: Loader, periods: ReportPeriods, folder: Path = paths.TABLES_DIR
                       ) -> pd.DataFrame:
    """The IBCs by route and Member State (tables/ibc_routes_by_member_state.csv); without the
    optional input, the table is written empty, its paragraph being left out with a note."""
    try:
        shares = route_shares(load("ibc_member_states"), periods)
    except MissingInputError:
        shares = pd.DataFrame(columns=ROUTE_COLUMNS)
    with atomic.atomic_path(folder / ROUTES_TABLE) as tmp:
        shares.to_csv(tmp, index=False, lineterminator="\n")
    return shares


def write_sections(missing: Mapping[str, MissingInputError], folder: Path = paths.FACTS_DIR,
                   *, records: Mapping[str, Mapping] | None = None) -> None:
    """Switch each optional section on, or replace it by a note naming the missing file; a
    section whose input disagrees with another (`records`: the ingest stage's record of each
    input) carries that caveat."""
    for namespace, (section, subject) in OPTIONAL_SECTIONS.items():
        error = missing.get(namespace)
        note = None if error is None else (
            f"The paragraph on {subject} is left out of this edition: its input file "
            f"{paths.display_path(error.path)} was {error.problem}.")
        record = (records or {}).get(CONTEXT_INDICATORS[namespace].table, {})
        differences = record.get("differences_from_workbook")
        caveat = None if not differences else \
            f"In {record['file']}, {caveats.ibc_difference_note(differences)}"
        facts.write_section(section, left_out=note, folder=folder, caveat=caveat)


# --- Key findings -------------------------------------------------------------------------------

def _finding_ibc(f: Mapping) -> str:
    ibc = f["ibc"]
    return (f"Illegal border crossings at the EU's external borders {ibc['direction']} by "
            f"{ibc['change']} to {ibc['total']} (@fig-route-map). The {ibc['largest_route']} route was "
            f"the most used, with {ibc['largest_route_share']} of all crossings.")


def _finding_sar(f: Mapping) -> str:
    sar = f["sar"]
    return (f"{sar['total']} persons were disembarked after search and rescue operations, a "
            f"number that {sar['direction']} by {sar['change']}; {sar['leading']} received "
            f"{sar['leading_share']} of them (@fig-sar).")


def _finding_applications(f: Mapping) -> str:
    apps = f["applications"]
    return (f"Applications for international protection {apps['direction']} by {apps['change']} "
            f"to {apps['total']}. {apps['top_absolute']} received the most; relative to GDP and "
            f"population, {apps['top_relative']} received the most (@fig-applications).")


def _finding_tp(f: Mapping) -> str:
    tp = f["tp"]
    return (f"{tp['stock_total']} persons benefitted from temporary protection at the end of "
            f"{f['report']['stock_date']}, {tp['stock_top_two_share']} of them in "
            f"{tp['stock_top_two']} (@fig-temporary-protection).")


def _finding_eurodac(f: Mapping) -> str:
    eurodac = f["eurodac"]
    return (f"Unauthorised movements, as seen in {eurodac['total']} Eurodac hits, "
            f"{eurodac['direction']} by {eurodac['change']}; the largest movement was from "
            f"{eurodac['largest_route']} (@fig-eurodac-map).")


def _finding_returns(f: Mapping) -> str:
    returns = f["returns"]
    return (f"{returns['returned_total']} third-country nationals were returned against "
            f"{returns['orders_total']} orders to leave, a return rate of "
            f"{returns['return_rate']}; returns {returns['returned_direction']} by "
            f"{returns['returned_change']} (@fig-returns).")


# Each finding and the facts namespaces it needs; a finding whose facts are missing is skipped.
FINDINGS: tuple[tuple[tuple[str, ...], Callable[[Mapping], str]], ...] = (
    (("ibc",), _finding_ibc),
    (("sar",), _finding_sar),
    (("applications",), _finding_applications),
    (("tp", "report"), _finding_tp),
    (("eurodac",), _finding_eurodac),
    (("returns",), _finding_returns),
)


def key_findings(facts: Mapping[str, Mapping]) -> list[str]:
    """The numbered key findings, in the order of the report's chapters."""
    return [write(facts) for needs, write in FINDINGS if all(name in facts for name in needs)]


def key_findings_markdown(findings: list[str]) -> str:
    return "".join(f"{number}. {text}\n" for number, text in enumerate(findings, start=1))
