"""Build the offline basemap of the report's maps from Natural Earth 1:50m (world-atlas on npm).

    .venv/bin/python scripts/build_basemap.py

Run once by hand (it needs npm and the npm registry); the result is committed:
data/reference/basemap_ne50m_epsg3035.geojson and its provenance, data/reference/basemap.yaml.
Neither the pipeline nor the tests run npm.

Recipe: `npm pack world-atlas@2.0.2` -> package/countries-50m.json (Natural Earth 4.1.0 admin-0
countries, 1:50m, TopoJSON in degrees) -> editorial fixes (below) -> EPSG:3035 -> clipped to
MAP_BOX -> shared borders simplified together -> GeoJSON in metres.

Editorial choices, following the EU's own maps (Eurostat GISCO):
- Cyprus is the whole island: Natural Earth's "N. Cyprus" (a feature without id) is merged
  into Cyprus, an EU Member State.
- Crimea is part of Ukraine: Natural Earth 4.1.0 draws it inside Russia; its polygon is moved.
- Aland (248, a feature of its own in Natural Earth) is merged into Finland.
- Kosovo (no id in Natural Earth) is kept as its own feature, code XK; maps label it "Kosovo*"
  with the standard footnote.
- Western Sahara (732) is kept as its own feature, separate from Morocco, and not labelled.
- Outermost regions: the Canary Islands and Madeira are inside the box and kept; the Azores
  and the French overseas departments fall outside it (clipped after projecting).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from shapely.geometry import box

from pipeline.core import countries, paths

PACKAGE = "world-atlas"
VERSION = "2.0.2"
MEMBER = "package/countries-50m.json"
LAYER = "countries"

REFERENCE_DIR = paths.REFERENCE_DIR
OUTPUT = REFERENCE_DIR / "basemap_ne50m_epsg3035.geojson"
PROVENANCE = REFERENCE_DIR / "basemap.yaml"
LICENCE_COPY = REFERENCE_DIR / "LICENSE-world-atlas.txt"

CRS = "EPSG:3035"
# Degrees: cut before projecting, so that nothing far round the globe (Russia's Far East, the
# Americas) reaches the azimuthal projection; wider than MAP_BOX everywhere.
GEOGRAPHIC_BOX = (-65.0, 5.0, 90.0, 85.0)
# EPSG:3035 metres: the Canary Islands and West Africa to Guinea (south-west), Iraq (east),
# the North Cape (north). The Azores (x < 1.35e6) and the French overseas departments are outside.
MAP_BOX = (1_400_000, -900_000, 7_800_000, 5_700_000)
# Shared borders are simplified together (no gaps, no slivers); 1 km is far below what a 7-inch
# map of 6 000 km shows (about 3 km a pixel at 300 dpi).
SIMPLIFY_METRES = 1_000

CRIMEA_BOX = (32.2, 44.2, 36.8, 46.3)  # degrees; Russia's polygons inside it move to Ukraine

# Countries that are not Member States, by ISO 3166 numeric id (Natural Earth / world-atlas):
# code (ISO alpha-2, as GISCO writes it: UK for the United Kingdom), ISO alpha-3, English short
# name as in the EU Interinstitutional Style Guide.
OTHERS: dict[str, tuple[str, str, str]] = {
    "008": ("AL", "ALB", "Albania"),
    "012": ("DZ", "DZA", "Algeria"),
    "020": ("AD", "AND", "Andorra"),
    "031": ("AZ", "AZE", "Azerbaijan"),
    "051": ("AM", "ARM", "Armenia"),
    "070": ("BA", "BIH", "Bosnia and Herzegovina"),
    "112": ("BY", "BLR", "Belarus"),
    "148": ("TD", "TCD", "Chad"),
    "231": ("ET", "ETH", "Ethiopia"),
    "232": ("ER", "ERI", "Eritrea"),
    "234": ("FO", "FRO", "Faroe Islands"),
    "268": ("GE", "GEO", "Georgia"),
    "270": ("GM", "GMB", "The Gambia"),
    "275": ("PS", "PSE", "Palestine"),
    "304": ("GL", "GRL", "Greenland"),
    "324": ("GN", "GIN", "Guinea"),
    "336": ("VA", "VAT", "Holy See"),
    "352": ("IS", "ISL", "Iceland"),
    "364": ("IR", "IRN", "Iran"),
    "368": ("IQ", "IRQ", "Iraq"),
    "376": ("IL", "ISR", "Israel"),
    "398": ("KZ", "KAZ", "Kazakhstan"),
    "400": ("JO", "JOR", "Jordan"),
    "422": ("LB", "LBN", "Lebanon"),
    "434": ("LY", "LBY", "Libya"),
    "438": ("LI", "LIE", "Liechtenstein"),
    "466": ("ML", "MLI", "Mali"),
    "478": ("MR", "MRT", "Mauritania"),
    "492": ("MC", "MCO", "Monaco"),
    "498": ("MD", "MDA", "Moldova"),
    "499": ("ME", "MNE", "Montenegro"),
    "504": ("MA", "MAR", "Morocco"),
    "562": ("NE", "NER", "Niger"),
    "578": ("NO", "NOR", "Norway"),
    "624": ("GW", "GNB", "Guinea-Bissau"),
    "643": ("RU", "RUS", "Russia"),
    "674": ("SM", "SMR", "San Marino"),
    "682": ("SA", "SAU", "Saudi Arabia"),
    "686": ("SN", "SEN", "Senegal"),
    "688": ("RS", "SRB", "Serbia"),
    "728": ("SS", "SSD", "South Sudan"),
    "729": ("SD", "SDN", "Sudan"),
    "732": ("EH", "ESH", "Western Sahara"),
    "756": ("CH", "CHE", "Switzerland"),
    "760": ("SY", "SYR", "Syria"),
    "788": ("TN", "TUN", "Tunisia"),
    "792": ("TR", "TUR", "Türkiye"),
    "795": ("TM", "TKM", "Turkmenistan"),
    "804": ("UA", "UKR", "Ukraine"),
    "807": ("MK", "MKD", "North Macedonia"),
    "818": ("EG", "EGY", "Egypt"),
    "826": ("UK", "GBR", "United Kingdom"),
    "831": ("GG", "GGY", "Guernsey"),
    "832": ("JE", "JEY", "Jersey"),
    "833": ("IM", "IMN", "Isle of Man"),
    "854": ("BF", "BFA", "Burkina Faso"),
    "860": ("UZ", "UZB", "Uzbekistan"),
}
KOSOVO = ("XK", None, "XKX", "Kosovo")  # code, ISO numeric (none), alpha-3 used by the EU, name
EDITORIAL = (
    "N. Cyprus (no id in Natural Earth) merged into Cyprus: the whole island is the Member State",
    "Crimea moved from Russia to Ukraine (Natural Earth 4.1.0 draws it in Russia)",
    "Aland (248) merged into Finland",
    ("Kosovo (no id in Natural Earth) kept as its own feature, code XK, alpha-3 XKX, no ISO "
     "numeric code; labelled 'Kosovo*' with the standard footnote"),
    "Western Sahara (732) kept separate from Morocco",
    ("outermost regions: Canary Islands and Madeira kept; Azores and French overseas departments "
     "outside the map box (clipped after projecting)"),
    "Russia's antimeridian-crossing rings unwrapped before repair (shifted by 360 degrees)",
)
MERGED_INTO = {"N. Cyprus": "196", "248": "246"}  # Natural Earth name or id -> id it joins


def npm_pack(folder: Path) -> tuple[Path, dict]:
    """Download the package tarball with npm; return its path and npm's description of it."""
    result = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--json"], cwd=folder,
                            check=True, capture_output=True, text=True)
    described = json.loads(result.stdout)[0]
    return folder / described["filename"], described


def extract(tarball: Path, folder: Path) -> tuple[Path, str]:
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, members=[archive.getmember(MEMBER),
                                            archive.getmember("package/LICENSE")], filter="data")
    return folder / MEMBER, (folder / "package/LICENSE").read_text(encoding="utf-8")


def read_countries(topojson: Path) -> gpd.GeoDataFrame:
    raw = gpd.read_file(topojson, layer=LAYER)
    raw = raw.set_crs("EPSG:4326", allow_override=True)
    # Russia's rings cross the antimeridian (Chukotka, Wrangel Island): read as plane polygons
    # they wrap round the globe. Shift its western-hemisphere longitudes east by 360 degrees
    # before anything repairs the rings.
    russia = raw["id"] == "643"
    raw.loc[russia, "geometry"] = shapely.transform(
        raw.loc[russia, "geometry"].to_numpy(),
        lambda xy: np.column_stack([np.where(xy[:, 0] < 0, xy[:, 0] + 360, xy[:, 0]), xy[:, 1]]))
    raw["geometry"] = shapely.make_valid(raw.geometry.to_numpy())
    return raw


def editorial_fixes(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge N. Cyprus and Aland, give Kosovo a code, move Crimea to Ukraine."""
    frame = raw.copy()
    frame.loc[frame["name"] == "Kosovo", "id"] = "XK"
    for source, target in MERGED_INTO.items():
        frame.loc[(frame["name"] == source) | (frame["id"] == source), "id"] = target
    frame = frame.dropna(subset=["id"])

    russia = frame.index[frame["id"] == "643"][0]
    ukraine = frame.index[frame["id"] == "804"][0]
    crimea_box = box(*CRIMEA_BOX)
    parts = list(shapely.get_parts(frame.at[russia, "geometry"]))
    crimea = [p for p in parts if crimea_box.contains(p.representative_point())]
    if not crimea:
        raise SystemExit("no Russian polygon inside the Crimea box: has the source changed?")
    frame.at[russia, "geometry"] = shapely.MultiPolygon([p for p in parts if p not in crimea])
    frame.at[ukraine, "geometry"] = shapely.union_all([frame.at[ukraine, "geometry"], *crimea])

    return frame.dissolve(by="id", as_index=False, aggfunc="first")[["id", "geometry"]]


def attributes(ids: pd.Series) -> pd.DataFrame:
    members = {ms.iso_numeric: ms for ms in countries.MEMBER_STATES}
    rows = []
    for iso_numeric in ids:
        if iso_numeric in members:
            ms = members[iso_numeric]
            rows.append((ms.eurostat, iso_numeric, ms.iso3, ms.name, True))
        elif iso_numeric == "XK":
            code, numeric, iso3, name = KOSOVO
            rows.append((code, numeric, iso3, name, False))
        elif iso_numeric in OTHERS:
            code, iso3, name = OTHERS[iso_numeric]
            rows.append((code, iso_numeric, iso3, name, False))
        else:
            raise SystemExit(f"country {iso_numeric} lies inside the map box but has no entry "
                             f"in OTHERS: add its code, alpha-3 code and name")
    return pd.DataFrame(rows, columns=["code", "iso_numeric", "iso3", "name", "eu"])


def build(topojson: Path) -> gpd.GeoDataFrame:
    frame = editorial_fixes(read_countries(topojson))
    frame = frame.clip(box(*GEOGRAPHIC_BOX))
    # The cut leaves long straight edges in degrees; densify them so they project as curves.
    frame["geometry"] = shapely.segmentize(frame.geometry.to_numpy(), 0.25)
    frame = frame.to_crs(CRS)
    frame["geometry"] = shapely.make_valid(frame.geometry.to_numpy())  # projecting can fold rings
    frame = frame.clip(box(*MAP_BOX))
    frame = frame[~frame.geometry.is_empty].reset_index(drop=True)
    # Keep only areas: clipping can leave stray lines and points along the box.
    frame["geometry"] = [shapely.MultiPolygon([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
                         if g.geom_type == "GeometryCollection" else g for g in frame.geometry]
    simplified = shapely.coverage_simplify(frame.geometry.to_numpy(), SIMPLIFY_METRES)
    frame["geometry"] = shapely.make_valid(shapely.set_precision(simplified, 1.0))
    frame = frame[~frame.geometry.is_empty]
    table = attributes(frame["id"])
    result = gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs=CRS)
    missing = set(countries.EU27) - set(result["code"])
    if missing:
        raise SystemExit(f"Member States missing from the basemap: {sorted(missing)}")
    return result.sort_values("code").reset_index(drop=True)


def main() -> int:
    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tarball, described = npm_pack(Path(folder))
        sha256 = hashlib.sha256(tarball.read_bytes()).hexdigest()
        topojson, licence = extract(tarball, Path(folder))
        source_sha256 = hashlib.sha256(topojson.read_bytes()).hexdigest()
        basemap = build(topojson)
    OUTPUT.unlink(missing_ok=True)
    basemap.to_file(OUTPUT, driver="GeoJSON", engine="pyogrio",
                    layer_options={"COORDINATE_PRECISION": 0, "RFC7946": "NO", "WRITE_BBOX": "NO"})
    LICENCE_COPY.write_text(licence, encoding="utf-8")
    provenance = {
        "file": OUTPUT.name,
        "description": "Country outlines for the report's maps: EU Member States and their "
                       "neighbours, projected to EPSG:3035 (ETRS89-LAEA), clipped to the map box",
        "source": {
            "data": "Natural Earth, Admin 0 - Countries, version 4.1.0",
            "scale": "1:50m",
            "url": "https://www.naturalearthdata.com/downloads/50m-cultural-vectors/",
            "licence": "public domain (Natural Earth terms of use)",
            "package": f"{PACKAGE}@{VERSION} (npm)",
            "package_file": MEMBER.removeprefix("package/"),
            "package_licence": "ISC (copyright Michael Bostock), copied to LICENSE-world-atlas.txt",
            "tarball": described["filename"],
            "tarball_sha256": sha256,
            "npm_integrity": described.get("integrity"),
            "source_file_sha256": source_sha256,
        },
        "processing": {
            "crs": CRS,
            "geographic_precut_degrees": list(GEOGRAPHIC_BOX),
            "map_box_metres": list(MAP_BOX),
            "simplification": f"shapely.coverage_simplify, tolerance {SIMPLIFY_METRES} m; "
                              "coordinates rounded to 1 m",
            "editorial": list(EDITORIAL),
        },
        "columns": {
            "code": "Eurostat code for Member States (Greece EL), ISO 3166 alpha-2 otherwise "
                    "(United Kingdom UK, Kosovo XK), as GISCO writes them",
            "iso_numeric": "ISO 3166-1 numeric, the id of Natural Earth / world-atlas (none for Kosovo)",
            "iso3": "ISO 3166-1 alpha-3 (XKX for Kosovo)",
            "name": "English short name (EU Interinstitutional Style Guide)",
            "eu": "EU Member State",
        },
        "features": len(basemap),
        "build_command": ".venv/bin/python scripts/build_basemap.py",
        "built": dt.date.today().isoformat(),
    }
    PROVENANCE.write_text(
        "# Provenance of basemap_ne50m_epsg3035.geojson, written by scripts/build_basemap.py.\n"
        + yaml.safe_dump(provenance, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")
    print(f"{OUTPUT.relative_to(paths.PROJECT_ROOT)}: {len(basemap)} countries, "
          f"{OUTPUT.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
