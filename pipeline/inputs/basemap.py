"""The basemap the maps are drawn on: country outlines in EPSG:3035 (ETRS89-LAEA, metres).

Natural Earth 1:50m (`data/reference/basemap_ne50m_epsg3035.geojson`, built once by
`scripts/build_basemap.py` and committed; provenance in `basemap.yaml` next to it), or with
`data.source: live` Eurostat GISCO's country boundaries turned into the same columns
(`gisco_basemap`; `pipeline.inputs.boundaries` chooses). Countries are keyed by `code`: the
Eurostat code for Member States (Greece EL), ISO 3166 alpha-2 otherwise (United Kingdom UK,
Kosovo XK), as Eurostat GISCO writes them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import Transformer

from pipeline.core import countries, paths

BASEMAP_FILE = paths.REFERENCE_DIR / "basemap_ne50m_epsg3035.geojson"
CRS = "EPSG:3035"

_TO_MAP = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def project(lon: float, lat: float) -> tuple[float, float]:
    """A longitude/latitude point in EPSG:3035 metres."""
    x, y = _TO_MAP.transform(lon, lat)
    return float(x), float(y)


@cache
def _read_basemap(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path, engine="pyogrio")


# The box the basemap is clipped to (EPSG:3035 metres), as scripts/build_basemap.py does.
MAP_BOX = (1_400_000, -900_000, 7_800_000, 5_700_000)


def gisco_basemap(path: Path | str, names_from: Path | None = BASEMAP_FILE) -> gpd.GeoDataFrame:
    """GISCO country regions (`CNTR_RG_<scale>_<year>_3035.geojson`) as a basemap.

    Same columns as the Natural Earth basemap: code (GISCO's CNTR_ID: Eurostat codes, Greece
    EL, United Kingdom UK, Kosovo XK), iso3, name, eu, geometry in EPSG:3035, repaired and
    clipped to MAP_BOX. Names are taken from `names_from` where it has the country (so that
    both basemaps name countries alike), else GISCO's NAME_ENGL.
    """
    raw = gpd.read_file(path, engine="pyogrio")
    if "CNTR_ID" not in raw.columns:
        raise ValueError(f"{path}: no CNTR_ID field; is this a GISCO countries file?")
    if raw.crs is None:
        raw = raw.set_crs(CRS)
    raw = raw.to_crs(CRS)
    names = {}
    if names_from is not None and Path(names_from).is_file():
        reference = _read_basemap(Path(names_from))
        names = dict(zip(reference["code"], reference["name"]))
    codes = raw["CNTR_ID"].astype(str).str.strip()
    english = raw["NAME_ENGL"] if "NAME_ENGL" in raw.columns else codes
    frame = gpd.GeoDataFrame({
        "code": codes.to_numpy(),
        "iso3": (raw["ISO3_CODE"] if "ISO3_CODE" in raw.columns else codes).astype(str).to_numpy(),
        "name": [names.get(code, str(name)) for code, name in zip(codes, english)],
        "eu": codes.isin(countries.EU27).to_numpy(),
    }, geometry=shapely.make_valid(raw.geometry.to_numpy()), crs=CRS)
    frame = frame.clip(shapely.box(*MAP_BOX))
    frame = frame[~frame.geometry.is_empty]
    frame = frame.dissolve(by="code", as_index=False, aggfunc="first")
    polygons = frame.geometry.apply(lambda geometry: shapely.multipolygons(
        [part for part in shapely.get_parts(geometry) if part.geom_type == "Polygon"]))
    frame = frame.set_geometry(polygons)
    frame = frame[~frame.geometry.is_empty]
    return frame[["code", "iso3", "name", "eu", "geometry"]].sort_values("code").reset_index(drop=True)


def load_basemap(path: Path = BASEMAP_FILE) -> gpd.GeoDataFrame:
    """Country outlines in EPSG:3035: code, iso_numeric, iso3, name, eu (bool), geometry."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: basemap not found; build it with scripts/build_basemap.py")
    return _read_basemap(Path(path)).copy()
