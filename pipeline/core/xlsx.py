"""Writing .xlsx workbooks with deterministic bytes: same content, same file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from pipeline.core import atomic

# Fixed timestamp for the workbook's properties and zip entries.
FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)


def write_workbook(workbook: openpyxl.Workbook, path: Path | str) -> None:
    """Save `workbook` atomically, with fixed properties and zip timestamps."""
    workbook.properties.creator = "eaamr-pipeline"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    with _FixedTimeZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()  # save_workbook() would stamp the current time
    atomic.write_bytes(path, buffer.getvalue())


class _FixedTimeZipFile(zipfile.ZipFile):
    """A ZipFile whose entries all carry FIXED_TIMESTAMP, so equal content gives equal bytes."""

    _DATE_TIME = FIXED_TIMESTAMP.timetuple()[:6]

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._DATE_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        else:
            zinfo_or_arcname.date_time = self._DATE_TIME
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as handle:
            data = handle.read()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)
