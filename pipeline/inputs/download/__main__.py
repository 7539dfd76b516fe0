"""Download the open-data inputs when `data.source` is `live` (the `download` stage).

    python -m pipeline.inputs.download [--refresh] [--params params.yaml] [--out data/raw/live]

With another data source it does nothing but make sure the output folder exists. Files already
downloaded are reused unless --refresh is given. Exit code 0 on success, 1 with one message on
an expected failure (offline, HTTP error, a file that is not what was expected, bad parameters).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.core import paths
from pipeline.core.errors import InputError
from pipeline.core.params import stage_params
from pipeline.inputs.download.fetch import DownloadError
from pipeline.inputs.download.live import download_live


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true",
                        help="download again even where a file is already there")
    parser.add_argument("--params", type=Path, default=paths.PARAMS_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=paths.raw_dir("live"), help=argparse.SUPPRESS)
    parser.add_argument("--backoff", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    params = stage_params(args.params)  # a bad parameter: exit status 2, one line
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        if params.data.source != "live":
            print(f"data.source is {params.data.source}: nothing to download")
            return 0
        done = download_live(params, args.out, refresh=args.refresh, backoff=args.backoff)
    except (DownloadError, InputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    fetched = sum(not item.reused for item in done)
    print(f"{len(done)} files in {args.out}: {fetched} downloaded, {len(done) - fetched} reused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
