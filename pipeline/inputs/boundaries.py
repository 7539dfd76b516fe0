"""The country boundaries the two maps draw, chosen by the data source (the `boundaries` stage).

    python -m pipeline.inputs.boundaries

- `data.source: live`: Eurostat GISCO's countries, as downloaded by `pipeline.inputs.download`
  (`data/raw/live/gisco/CNTR_RG_<scale>_<year>_3035.geojson`), with GISCO's copyright notice
  ("© EuroGeographics for the administrative boundaries") shown under each map and in the
  figures' source lines.
- `sample` and `local`: the project's Natural Earth base map (`data/reference/`), unchanged.

Writes `data/processed/boundaries.geojson` (the basemap's columns, EPSG:3035) and
`data/processed/boundaries.yaml` (what it is, its attribution); the map stages depend on these
two files, so a map is redrawn exactly when the boundaries it draws change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from pipeline.core import atomic, paths
from pipeline.core.params import Params, stage_params
from pipeline.inputs.basemap import BASEMAP_FILE, gisco_basemap, load_basemap
from pipeline.inputs.download.fetch import read_provenance
from pipeline.inputs.download.live import LIVE_DIR, gisco_path

BOUNDARIES_FILE = paths.PROCESSED_DIR / "boundaries.geojson"
RECORD_FILE = paths.PROCESSED_DIR / "boundaries.yaml"
GISCO_ATTRIBUTION = "\u00a9 EuroGeographics for the administrative boundaries"


def prepare(params: Params, out_dir: Path = paths.PROCESSED_DIR,
            live_dir: Path = LIVE_DIR) -> dict[str, object]:
    """Write the boundaries for `params.data.source` and their record; return the record."""
    if params.data.source == "live":
        source = gisco_path(params.live, live_dir)
        if not source.is_file():
            raise FileNotFoundError(f"{source}: GISCO boundaries not downloaded; run "
                                    "`python -m pipeline.inputs.download` (or dvc repro)")
        basemap = gisco_basemap(source)
        with atomic.atomic_path(out_dir / BOUNDARIES_FILE.name) as tmp:
            basemap.to_file(tmp, driver="GeoJSON", engine="pyogrio")
        provenance = read_provenance(source) or {}
        record = {
            "boundaries": "Eurostat GISCO countries",
            "file": source.relative_to(paths.PROJECT_ROOT).as_posix()
            if source.is_relative_to(paths.PROJECT_ROOT) else str(source),
            "source_url": provenance.get("source_url"),
            "sha256": provenance.get("sha256"),
            "licence": provenance.get("licence"),
            "attribution": GISCO_ATTRIBUTION,
        }
    else:
        atomic.write_bytes(out_dir / BOUNDARIES_FILE.name, BASEMAP_FILE.read_bytes())
        record = {
            "boundaries": "Natural Earth 1:50m (public domain), the project's base map",
            "file": BASEMAP_FILE.relative_to(paths.PROJECT_ROOT).as_posix(),
            "attribution": None,
        }
    atomic.write_text(out_dir / RECORD_FILE.name,
                      "# Written by python -m pipeline.inputs.boundaries: the boundaries the maps draw.\n"
                      + yaml.safe_dump(record, sort_keys=True, allow_unicode=True))
    return record


def load(folder: Path = paths.PROCESSED_DIR):
    """(basemap, attribution) for the map figures: the prepared boundaries, or the bundled
    Natural Earth base map (no attribution line) when the stage has not run."""
    path, record_file = folder / BOUNDARIES_FILE.name, folder / RECORD_FILE.name
    if not path.is_file() or not record_file.is_file():
        return load_basemap(), None
    record = yaml.safe_load(record_file.read_text(encoding="utf-8")) or {}
    return load_basemap(path), record.get("attribution")


def source_line(line: str, attribution: str | None) -> str:
    """A figure's source line with the boundaries' attribution added where they need one."""
    return f"{line}; boundaries: {attribution}" if attribution else line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    params = stage_params()  # a bad parameter: exit status 2, one line
    try:
        record = prepare(params)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"boundaries: {record['boundaries']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
