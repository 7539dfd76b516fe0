"""Member State registry: protocol order, Eurostat and ISO codes, names, Regulation 2024/1351."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MemberState:
    eurostat: str  # Eurostat / EU protocol code (Greece is EL)
    iso2: str
    iso3: str
    iso_numeric: str  # ISO 3166-1 numeric, the id used by Natural Earth / world-atlas
    name: str
    bound_by_amm: bool  # bound by Regulation (EU) 2024/1351 (Denmark is not: Protocol 22)


# EU27 in protocol order (Interinstitutional Style Guide).
MEMBER_STATES: tuple[MemberState, ...] = (
    MemberState("BE", "BE", "BEL", "056", "Belgium", True),
    MemberState("BG", "BG", "BGR", "100", "Bulgaria", True),
    MemberState("CZ", "CZ", "CZE", "203", "Czechia", True),
    MemberState("DK", "DK", "DNK", "208", "Denmark", False),
    MemberState("DE", "DE", "DEU", "276", "Germany", True),
    MemberState("EE", "EE", "EST", "233", "Estonia", True),
    MemberState("IE", "IE", "IRL", "372", "Ireland", True),
    MemberState("EL", "GR", "GRC", "300", "Greece", True),
    MemberState("ES", "ES", "ESP", "724", "Spain", True),
    MemberState("FR", "FR", "FRA", "250", "France", True),
    MemberState("HR", "HR", "HRV", "191", "Croatia", True),
    MemberState("IT", "IT", "ITA", "380", "Italy", True),
    MemberState("CY", "CY", "CYP", "196", "Cyprus", True),
    MemberState("LV", "LV", "LVA", "428", "Latvia", True),
    MemberState("LT", "LT", "LTU", "440", "Lithuania", True),
    MemberState("LU", "LU", "LUX", "442", "Luxembourg", True),
    MemberState("HU", "HU", "HUN", "348", "Hungary", True),
    MemberState("MT", "MT", "MLT", "470", "Malta", True),
    MemberState("NL", "NL", "NLD", "528", "Netherlands", True),
    MemberState("AT", "AT", "AUT", "040", "Austria", True),
    MemberState("PL", "PL", "POL", "616", "Poland", True),
    MemberState("PT", "PT", "PRT", "620", "Portugal", True),
    MemberState("RO", "RO", "ROU", "642", "Romania", True),
    MemberState("SI", "SI", "SVN", "705", "Slovenia", True),
    MemberState("SK", "SK", "SVK", "703", "Slovakia", True),
    MemberState("FI", "FI", "FIN", "246", "Finland", True),
    MemberState("SE", "SE", "SWE", "752", "Sweden", True),
)

EU27: tuple[str, ...] = tuple(ms.eurostat for ms in MEMBER_STATES)
EU_AGGREGATE = "EU27_2020"
_BY_CODE = {ms.eurostat: ms for ms in MEMBER_STATES}
_ISO2_TO_EUROSTAT = {ms.iso2: ms.eurostat for ms in MEMBER_STATES}


def member_state(code: str) -> MemberState:
    """Look a Member State up by its Eurostat code (EL) or ISO alpha-2 code (GR)."""
    eurostat = _ISO2_TO_EUROSTAT.get(code, code)
    try:
        return _BY_CODE[eurostat]
    except KeyError:
        raise KeyError(f"unknown Member State code {code!r}; expected one of {', '.join(EU27)}")


def is_member_state(code: str) -> bool:
    return code in _BY_CODE


def to_eurostat(code: str) -> str:
    """Harmonise a Member State code to the Eurostat convention (GR -> EL)."""
    return member_state(code).eurostat


def name(code: str) -> str:
    return member_state(code).name


def protocol_rank(code: str) -> int:
    """Position in protocol order, for sorting."""
    return EU27.index(to_eurostat(code))


def bound_member_states(excluded: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """Member States bound by Regulation (EU) 2024/1351, minus any further exclusions."""
    return tuple(ms.eurostat for ms in MEMBER_STATES if ms.bound_by_amm and ms.eurostat not in excluded)
