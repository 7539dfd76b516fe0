"""python -m pipeline.inputs.sample --seed N --out DIR: write the synthetic sample, atomically."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline.core import paths
from pipeline.core.atomic import atomic_dir
from pipeline.core.params import SampleParams
from pipeline.inputs.catalog import RAW_INPUTS
from pipeline.inputs.sample.generate import generate_sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.inputs.sample",
        description="Write a deterministic synthetic sample of every raw input of the catalogue.")
    parser.add_argument("--seed", type=int, default=SampleParams().seed,
                        help="random seed (default: %(default)s); same seed, same bytes")
    parser.add_argument("--out", type=Path, default=paths.raw_dir("sample"),
                        help="folder to (re)create (default: %(default)s); replaced as a whole")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed must be >= 0")

    started = time.perf_counter()
    with atomic_dir(args.out) as tmp:
        generate_sample(tmp, args.seed)
    elapsed = time.perf_counter() - started
    print(f"wrote {len(RAW_INPUTS)} files to {args.out} (seed {args.seed}) in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
