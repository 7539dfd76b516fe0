"""Helpers shared by the test modules (fixtures are in conftest.py)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import nbformat
import yaml
from loopback import LoopbackServer
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from bench.eurostat_api import filter_tsv
from pipeline.core.params import Params
from pipeline.inputs.basemap import load_basemap
from pipeline.inputs.catalog import RAW_INPUTS
from pipeline.inputs.download.live import EurostatToc, plan

FRONTEX_PATH = "/frontex/assets/Monthly_detections_of_IBC_2025_11_03.xlsx"
GISCO_NAME = "CNTR_RG_20M_2024_3035.geojson"
OPEN_DATA = [raw for raw in RAW_INPUTS if raw.open_data]


def normalise(text: str) -> str:
    """Collapse line breaks and runs of spaces (keeping no-break spaces in numbers); undo smart quotes."""
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return re.sub(r"[ \t\r\n]+", " ", text)


def set_param(project: Path, key: str, value) -> None:
    params_file = project / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    params[key] = value
    params_file.write_text(yaml.safe_dump(params))


def make_notebook(path: Path, parameters: str, *cells: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    parameter_cell = nbformat.v4.new_code_cell(parameters)
    parameter_cell.metadata["tags"] = ["parameters"]
    notebook.cells = [parameter_cell, *(nbformat.v4.new_code_cell(cell) for cell in cells)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def toc_text(dates: dict[str, str]) -> str:
    """The Eurostat table of contents' layout: quoted, tab-separated, titles indented."""
    lines = [('"title"\t"code"\t"type"\t"last update of data"\t"last table structure change"\t'
             '"data start"\t"data end"'),
             '"Population and social conditions"\t"data"\t"folder"\t""\t""\t""\t""']
    for code, date in dates.items():
        lines.append(f'"    Dataset {code}"\t"{code}"\t"dataset"\t"{date}"\t"01.01.2024"\t'
                     f'"2008"\t"2025"')
    return "\n".join(lines) + "\n"


def gisco_fixture(path: Path) -> bytes:
    """A GISCO-shaped countries file (CNTR_ID, NAME_ENGL, ISO3_CODE; EPSG:3035), made from the
    project's base map: GISCO itself cannot be reached from the tests."""
    basemap = load_basemap()
    gisco = basemap.rename(columns={"code": "CNTR_ID", "name": "NAME_ENGL", "iso3": "ISO3_CODE"})
    gisco = gisco.drop(columns=["eu", "iso_numeric"]).assign(CNTR_NAME=gisco["NAME_ENGL"])
    gisco.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path.read_bytes()


def serve_eurostat(server: LoopbackServer, folder: Path, params: Params) -> dict[str, bytes]:
    """Route each Eurostat table of `folder` as the API serves it: whole, and filtered for the
    query the download stage makes for `params`; return the filtered bodies by file name."""
    served = {}
    for item in plan(params, EurostatToc("http://unused"), 2026):
        if item.whole_table is None:
            continue
        table = folder / item.filename
        server.route(urlsplit(item.whole_table).path, body=table.read_bytes())
        query = urlsplit(item.source)
        served[item.filename] = filter_tsv(table, query.path.rsplit("/", 1)[1],
                                           parse_qs(query.query)["startPeriod"][0])
        server.route(query.path, body=served[item.filename])
    return served


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by path relative to it."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def copy_built(built_project: dict, target: Path) -> Path:
    """A copy of the shared build to change (DVC's own temporary folder is not copied)."""
    shutil.copytree(built_project["project"], target, symlinks=True,
                    ignore=lambda folder, names: ["tmp"] if Path(folder).name == ".dvc" else [])
    return target


# --- PDF layout: overprinting text and table rows split across pages -----------------------------

def word_boxes(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, the words of a PDF with their boxes (x0, y0, x1, y1, text), from `pdftotext -bbox`."""
    result = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                            check=True)
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>|xmlns=\"[^\"]*\"", "", result.stdout))
    return [[(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
              float(w.get("yMax")), w.text or "") for w in page.iter("word")]
            for page in root.iter("page")]


def overprinting_words(pdf: Path, *, tolerance: float = 0.5) -> list[tuple[int, str, str]]:
    """(page, word, word) for every two words whose boxes overlap: by more than `tolerance`
    points across, and by more than half the height of the smaller one."""
    found = []
    for number, words in enumerate(word_boxes(pdf), start=1):
        for index, (ax0, ay0, ax1, ay1, a) in enumerate(words):
            for bx0, by0, bx1, by1, b in words[index + 1:]:
                across = min(ax1, bx1) - max(ax0, bx0)
                down = min(ay1, by1) - max(ay0, by0)
                if across > tolerance and down > 0.5 * min(ay1 - ay0, by1 - by0):
                    found.append((number, a, b))
    return found


def split_table_rows(pdf: Path) -> list[tuple[int, int, list[int]]]:
    """(table, row, pages) for every table row whose content lies on more than one page, read
    from the PDF's structure tree (tables, and rows within a table, numbered from 1)."""
    reader = PdfReader(pdf)
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)}
    structure = reader.trailer["/Root"].get("/StructTreeRoot")
    if structure is None:
        raise ValueError(f"{pdf}: not a tagged PDF (no structure tree)")

    def kids(element: DictionaryObject) -> list:
        k = element.get("/K", [])
        return [child.get_object() for child in (k if isinstance(k, list) else [k])]

    def elements(element: DictionaryObject):
        """The element and its structure elements below, in reading order."""
        yield element
        for child in kids(element):
            if isinstance(child, DictionaryObject) and "/S" in child:
                yield from elements(child)

    def pages(element, page=None) -> set[int]:
        if not isinstance(element, DictionaryObject):  # a marked-content id, on `page`
            return {page_numbers[page.idnum]}
        page = element.get("/Pg", page)
        if element.get("/Type") in ("/MCR", "/OBJR"):
            return {page_numbers[page.idnum]}
        return set().union(*(pages(child, page) for child in kids(element)))

    tables = [e for e in elements(structure.get_object()) if e.get("/S") == "/Table"]
    split = []
    for t, table in enumerate(tables, 1):
        rows = [e for e in elements(table) if e.get("/S") == "/TR"]
        split += [(t, r, sorted(pages(row))) for r, row in enumerate(rows, 1) if len(pages(row)) > 1]
    return split
