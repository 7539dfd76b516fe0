"""Downloads for `data.source: live`: Eurostat tables, the Frontex IBC workbook, GISCO boundaries.

- `fetch`: one URL into one file (timeout, retries with backoff, checks, atomic write,
  provenance record next to the file, reuse unless refreshed).
- `live`: the list of files to fetch from `params.yaml`'s `live:` block, with licence notices
  and Eurostat's last-update dates.
- `python -m pipeline.inputs.download [--refresh]`: the `download` stage.
"""

from pipeline.inputs.download.fetch import (
    Download,
    DownloadError,
    OfflineError,
    copy_local,
    fetch,
    provenance_path,
    read_provenance,
)
from pipeline.inputs.download.live import download_live

__all__ = [
    "Download",
    "DownloadError",
    "OfflineError",
    "copy_local",
    "download_live",
    "fetch",
    "provenance_path",
    "read_provenance",
]
