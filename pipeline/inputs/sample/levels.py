"""The synthetic sample's levels: what each Member State records, indicator by indicator.

Every number here is invented but plausible; the generator (`generate.py`) scales them so the
EU totals, changes and named values match the statements published in the EAAMR 2025
(`pipeline/inputs/published/eaamr_2025.yaml`), and the rankings published there follow from the
tables' proportions. "Reference" is July 2024 - June 2025; annual-only series use 2024.

Edit a level here, run `pytest tests/test_sample.py`: the test says which statement broke.
"""

from __future__ import annotations

import io

import pandas as pd

from pipeline.core.countries import EU27
from pipeline.core.routes import ROUTE_LABELS, route


def _table(text: str) -> pd.DataFrame:
    """A whitespace-aligned table, first column as index."""
    return pd.read_csv(io.StringIO(text), sep=r"\s+", index_col=0, comment="#")


# --- Reference key ------------------------------------------------------------------------------
# Population on 1 January 2025 and GDP 2024 (million EUR, current prices), close to Eurostat's.
# Growth rates (% a year) set the other years: population_growth applies to the population,
# gdp_growth adds to the EU-wide nominal GDP path (GDP_INDEX).
KEY = _table("""
ms  population  gdp      population_growth  gdp_growth
BE  11883000    614000   0.6                0.0
BG  6437000     103000   -0.8               3.0
CZ  10909000    322000   0.2                1.5
DK  5992000     390000   0.5                0.5
DE  83578000    4313000  0.2                -0.5
EE  1369000     40000    0.3                2.0
IE  5458000     562000   1.3                3.0
EL  10400000    237000   -0.3               1.0
ES  49077000    1592000  0.8                0.8
FR  68635000    2906000  0.3                -0.5
HR  3875000     86000    -0.5               3.5
IT  58934000    2192000  -0.2               -0.3
CY  976000      34000    1.2                2.5
LV  1857000     40000    -0.8               2.0
LT  2891000     79000    -0.1               2.5
LU  681000      86000    1.5                0.8
HU  9539000     206000   -0.3               2.5
MT  574000      23000    2.5                3.5
NL  18044000    1112000  0.6                0.8
AT  9197000     482000   0.6                0.0
PL  36497000    845000   -0.2               3.5
PT  10749000    285000   0.5                1.5
RO  19036000    354000   -0.4               4.0
SI  2131000     67000    0.2                1.5
SK  5419000     132000   0.0                1.5
FI  5635000     277000   0.3                -0.5
SE  10588000    542000   0.6                0.0
""")

# EU-wide nominal GDP relative to 2024, and the population and GDP years in the files.
GDP_INDEX = {2015: 0.715, 2016: 0.735, 2017: 0.765, 2018: 0.79, 2019: 0.815, 2020: 0.775,
             2021: 0.84, 2022: 0.915, 2023: 0.965, 2024: 1.0, 2025: 1.035}
POPULATION_YEARS = range(2015, 2027)

# --- Asylum, temporary protection, reception ----------------------------------------------------
# applications: ASY_APP lodged in the reference period; applications_change: % change from the
# comparison period (Germany and Ireland are set from the published statements).
# tp_stock: beneficiaries of temporary protection at the end of June 2025.
# tp_decisions: decisions granting temporary protection in the reference period.
# hosted: persons in the national reception system at the end of June 2025; occupancy: % of
# the capacity used then (the generator rescales capacities to the published EU rate).
ASYLUM = _table("""
ms  applications  applications_change  tp_stock  tp_decisions  hosted  occupancy
BE  33000         -10                  90000     10500         40000   99
BG  9000          -20                  78000     13900         3500    25
CZ  1400          -15                  380000    80300         6000    30
DK  2200          -10                  40000     6000          8000    50
DE  190000        -40                  1200000   170000        680000  80
EE  400           -10                  33000     4750          1500    50
IE  14000         -22                  110000    16600         40000   100
EL  71000         15                   28000     2500          20000   70
ES  150000        5                    230000    45000         50000   85
FR  158000        -5                   62000     30000         150000  92
HR  2000          -30                  24000     2800          1200    40
IT  140000        10                   165000    35000         165000  85
CY  5200          -30                  20000     1970          2500    95
LV  500           -20                  30000     3960          800     40
LT  600           -25                  50000     8600          3500    70
LU  2300          -5                   5000      1750          9500    90
HU  40            -30                  45000     6800          500     10
MT  600           -15                  3000      600           1500    80
NL  35000         -15                  125000    28000         75000   95
AT  22000         -40                  85000     13100         62000   60
PL  10000         20                   1000000   140000        8000    40
PT  3500          10                   62000     5500          3000    90
RO  8000          30                   185000    25000         4000    30
SI  4000          -30                  13000     1500          3000    60
SK  200           -20                  130000    10700         1000    20
FI  3500          -20                  67000     9700          14000   50
SE  8000          -10                  45000     5600          35000   55
""")

# --- Applications by unaccompanied minors (monthly file, annual migr_asyunaa) -----------------------
# share: % of the Member State's applications lodged by unaccompanied minors in the reference
# period. The generator scales them to UAM_SHARE_OF_APPLICATIONS % of all applications (Bulgaria
# kept at its published "one fifth"); the comparison period is UAM_CHANGE % away.
# EAAMR 2025: "Applications by unaccompanied minors also decreased by 25% and accounted for 3% of
# the total. Relative to GDP and population, Greece, Bulgaria and Cyprus received most
# applications by unaccompanied minors [...]. In absolute terms, these applications were mostly
# lodged in Germany, Greece and the Netherlands"; Bulgaria: "One fifth of these applications".
UNACCOMPANIED = _table("""
ms  share
BE  4
BG  20
CZ  1
DK  3
DE  2.5
EE  1
IE  2
EL  6
ES  0.5
FR  1
HR  3
IT  1.5
CY  4
LV  1
LT  1
LU  2
HU  5
MT  5
NL  8
AT  5
PL  2
PT  2
RO  4
SI  8
SK  3
FI  2
SE  3
""")
UAM_SHARE_OF_APPLICATIONS = 3.0
UAM_CHANGE = -25.0

# --- Borders, return, Dublin, resettlement -------------------------------------------------------
# sar: persons disembarked after search and rescue in the reference period.
# orders / returns: third-country nationals ordered to leave / returned, 2024-Q3..2025-Q2.
# refusals: refused entry in 2024; refusals_land / refusals_air: % at land / air borders
# (the rest at sea; the generator fits them to the published EU split).
# resettled, dublin: resettled persons and outgoing Dublin requests in 2024.
BORDERS = _table("""
ms  sar    orders  returns  refusals  refusals_land  refusals_air  resettled  dublin
BE  0      24000   5000     1000      0              95             300        6000
BG  0      5500    2000     3000      90             10             0          800
CZ  0      4000    1200     300       0              100            0          300
DK  0      2500    2800     200       0              95             0          1500
DE  0      56000   21000    4000      5              93             4000       40000
EE  0      1200    700      2000      90             5              0          100
IE  0      4000    1000     3500      5              93             300        1200
EL  8300   35000   5500     1500      30             50             0          1000
ES  38900  62000   4000     6000      30             62             500        500
FR  7000   125000  14000    13500     55             40             2300       18000
HR  0      12000   2500     19000     97             3              50         800
IT  38800  25000   4200     2000      10             60             900        1500
CY  900    12500   8200     800       20             70             0          800
LV  0      1500    1200     4500      90             8              0          100
LT  0      2500    1100     2500      92             8              20         200
LU  0      1000    500      100       0              100            30         1200
HU  0      3000    800      7000      96             4              0          100
MT  2500   2000    900      300       0              85             0          300
NL  0      22000   6500     2500      0              90             800        7000
AT  0      13000   6200     500       40             60             100        5000
PL  0      20000   7600     27000     92             8              0          600
PT  200    5000    700      1200      0              95             150        300
RO  0      6000    3500     9500      90             8              0          300
SI  0      2500    800      1000      95             5              0          1500
SK  0      1500    500      1500      90             10             0          200
FI  0      4500    2600     1000      60             35             1000       1000
SE  0      14000   9500     500       0              85             1400       2000
""")

# --- Eurodac foreign hits ------------------------------------------------------------------------
# outgoing: hits on persons first registered in the Member State, found in another one
# (reference period); pull: how strongly a Member State attracts the hits of the others.
EURODAC = _table("""
ms  outgoing  pull
BE  24000     11
BG  15000     1
CZ  2000      1.5
DK  4000      2
DE  50000     40
EE  800       0.3
IE  3000      2.5
EL  62000     2
ES  24000     3.5
FR  30000     18
HR  44000     1
IT  40000     8
CY  5000      0.5
LV  1200      0.3
LT  1500      0.3
LU  2500      1.5
HU  3000      0.8
MT  2500      0.3
NL  18000     6
AT  27000     4.5
PL  6000      1.5
PT  2000      1
RO  8000      1
SI  7000      1.5
SK  1000      0.5
FI  3500      1.5
SE  11000     3
""")
# The routes the report names (above 6 000 hits); every other flow stays below EURODAC_CAP.
EURODAC_MAIN_ROUTES = {("EL", "DE"): 20000, ("HR", "DE"): 13000, ("IT", "DE"): 8500,
                       ("IT", "FR"): 9000}
EURODAC_CAP = 5900

# --- Illegal border crossings --------------------------------------------------------------------
# Detections by route and Member State of detection in the reference period, and the % change
# from the comparison period. Greece (Eastern Mediterranean), Cyprus and Croatia, and Croatia's
# share of the Western Balkan route, are set from the published statements.
IBC = pd.read_csv(io.StringIO("""\
route,ms,reference,change
Eastern Mediterranean Route,EL,62000,5
Eastern Mediterranean Route,CY,2900,-65
Eastern Mediterranean Route,BG,3000,-10
Central Mediterranean Route,IT,60000,-50
Central Mediterranean Route,MT,500,-40
Western Mediterranean Route,ES,14000,-10
Western African Route,ES,35000,-45
Western Balkan Route,HR,12300,-40
Western Balkan Route,HU,1500,-60
Western Balkan Route,RO,1200,-50
Western Balkan Route,BG,1184,-55
Circular Route from Albania to Greece,EL,1500,-20
Eastern Borders Route,RO,5000,10
Eastern Borders Route,PL,2800,-20
Eastern Borders Route,HU,1500,0
Eastern Borders Route,SK,1200,10
Eastern Borders Route,LV,800,-30
Eastern Borders Route,LT,500,-40
Eastern Borders Route,FI,100,-50
Eastern Borders Route,EE,100,0
Black Sea Route,RO,150,0
Black Sea Route,BG,50,0
Other,IT,200,-20
Other,FR,150,-20
Other,PT,100,-20
Other,MT,50,-20
"""))

# Who crosses where: (border location, nationality, share of the route's detections).
ROUTE_MIX: dict[str, list[tuple[str, str, float]]] = {
    "Eastern Mediterranean Route": [
        ("Sea", "Afghanistan", 0.22), ("Sea", "Egypt", 0.15), ("Sea", "Syria", 0.12),
        ("Sea", "Sudan", 0.08), ("Sea", "Palestine", 0.05), ("Sea", "Eritrea", 0.03),
        ("Land", "Türkiye", 0.10), ("Land", "Syria", 0.10), ("Land", "Afghanistan", 0.08),
        ("Land", "Morocco", 0.03), ("Land", "Not specified", 0.04)],
    "Central Mediterranean Route": [
        ("Sea", "Bangladesh", 0.22), ("Sea", "Egypt", 0.12), ("Sea", "Syria", 0.10),
        ("Sea", "Tunisia", 0.10), ("Sea", "Eritrea", 0.08), ("Sea", "Pakistan", 0.08),
        ("Sea", "Sudan", 0.08), ("Sea", "Guinea", 0.06), ("Sea", "Mali", 0.06),
        ("Sea", "Not specified", 0.10)],
    "Western Mediterranean Route": [
        ("Sea", "Algeria", 0.55), ("Sea", "Morocco", 0.20), ("Sea", "Mali", 0.05),
        ("Sea", "Not specified", 0.05), ("Land", "Morocco", 0.10), ("Land", "Guinea", 0.05)],
    "Western African Route": [
        ("Sea", "Mali", 0.35), ("Sea", "Senegal", 0.25), ("Sea", "Guinea", 0.10),
        ("Sea", "Morocco", 0.10), ("Sea", "Gambia", 0.08), ("Sea", "Mauritania", 0.07),
        ("Sea", "Not specified", 0.05)],
    "Western Balkan Route": [
        ("Land", "Türkiye", 0.25), ("Land", "Syria", 0.20), ("Land", "Afghanistan", 0.15),
        ("Land", "Morocco", 0.10), ("Land", "Bangladesh", 0.10), ("Land", "Pakistan", 0.10),
        ("Land", "Not specified", 0.10)],
    "Circular Route from Albania to Greece": [
        ("Land", "Albania", 0.95), ("Land", "Not specified", 0.05)],
    "Eastern Borders Route": [
        ("Land", "Ukraine", 0.65), ("Land", "Syria", 0.05), ("Land", "Afghanistan", 0.05),
        ("Land", "Somalia", 0.05), ("Land", "Eritrea", 0.05), ("Land", "Russia", 0.05),
        ("Land", "Not specified", 0.10)],
    "Black Sea Route": [
        ("Sea", "Türkiye", 0.40), ("Sea", "Syria", 0.30), ("Sea", "Afghanistan", 0.20),
        ("Sea", "Not specified", 0.10)],
    "Other": [
        ("Sea", "Not specified", 0.30), ("Land", "Ukraine", 0.20), ("Land", "Albania", 0.20),
        ("Sea", "Morocco", 0.20), ("Land", "Türkiye", 0.10)],
}

# --- Other years ---------------------------------------------------------------------------------
# EU-wide level of each flow in each 12-month period to June of the year (2020 = July 2019 -
# June 2020), relative to the reference period (2025). The comparison period (2024) is set from
# the published changes, not from here. Each Member State gets its own noise around these.
HISTORY: dict[str, dict[int, float]] = {
    "ibc": {2020: 0.55, 2021: 0.75, 2022: 1.1, 2023: 1.55, 2026: 0.75},
    "sar": {2020: 0.6, 2021: 0.8, 2022: 1.0, 2023: 1.6, 2026: 0.85},
    "applications": {2020: 0.69, 2021: 0.52, 2022: 0.8, 2023: 1.21, 2026: 0.82},
    "tp_decisions": {2022: 5.0, 2023: 1.9, 2024: 1.25, 2026: 0.8},  # no TP before March 2022
    "orders": {2020: 0.95, 2021: 0.85, 2022: 0.9, 2023: 0.95, 2026: 1.05},
    "returns": {2020: 0.85, 2021: 0.65, 2022: 0.7, 2023: 0.8, 2026: 1.1},
    "eurodac": {2020: 1.0, 2021: 0.9, 2022: 1.1, 2023: 1.35, 2026: 0.85},
    "unaccompanied": {2020: 0.75, 2021: 0.95, 2022: 1.35, 2023: 1.6, 2026: 0.8},
}
# Calendar-year series, relative to 2024.
ANNUAL_HISTORY: dict[str, dict[int, float]] = {
    "refusals": {2019: 1.3, 2020: 0.9, 2021: 0.95, 2022: 1.35, 2023: 1.2, 2025: 0.95},
    "resettled": {2019: 1.7, 2020: 0.7, 2021: 1.3, 2022: 1.5, 2023: 1.35, 2025: 0.7},
    "dublin": {2019: 1.5, 2020: 1.0, 2021: 1.1, 2022: 1.4, 2023: 1.5, 2025: 0.85},
}
# Stocks, EU-wide, relative to the end of June 2025 (linear between the months given).
STOCK_PATH: dict[str, dict[str, float]] = {
    "tp_stock": {"2022-03": 0.35, "2022-05": 0.7, "2022-09": 0.9, "2023-06": 0.93,
                 "2024-06": 0.98, "2025-06": 1.0, "2026-06": 1.02},
    "hosted": {"2019-07": 0.75, "2020-06": 0.72, "2022-06": 0.85, "2023-06": 1.0,
               "2024-06": 1.05, "2025-06": 1.0, "2026-06": 0.95},
}
TP_FIRST_MONTH = "2022-03"

# Seasonality of monthly flows: relative amplitude and the month of the peak.
SEASONALITY: dict[str, tuple[float, int]] = {
    "ibc_sea": (0.35, 9), "ibc_land": (0.25, 9), "ibc_atlantic": (0.4, 12),
    "sar": (0.35, 9), "applications": (0.12, 10), "tp_decisions": (0.1, 8),
    "orders": (0.05, 11), "returns": (0.08, 12), "unaccompanied": (0.15, 10),
}


def _check() -> None:
    """The tables list the 27 Member States in protocol order and only known routes."""
    tables = {"KEY": KEY, "ASYLUM": ASYLUM, "BORDERS": BORDERS, "EURODAC": EURODAC,
              "UNACCOMPANIED": UNACCOMPANIED}
    for name, table in tables.items():
        if list(table.index) != list(EU27):
            raise ValueError(f"levels.{name} must list the 27 Member States in protocol order")
    for row in IBC.itertuples():
        if row.route != "Other" and row.ms not in route(row.route).detected_in:
            raise ValueError(f"levels.IBC: {row.ms} does not detect IBCs on the {row.route}")
    if set(ROUTE_MIX) != set(ROUTE_LABELS) or set(IBC.route) != set(ROUTE_LABELS):
        raise ValueError("levels.IBC and levels.ROUTE_MIX must cover every route")


_check()
