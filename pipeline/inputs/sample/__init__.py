"""Deterministic synthetic sample of every raw input, in the providers' own formats.

`generate_sample(out_dir, seed)` writes each file of `pipeline/inputs/catalog.py` under `out_dir`;
`python -m pipeline.inputs.sample --seed N --out DIR` does the same and swaps the folder in
atomically. The levels are invented (`levels.py`) but calibrated so the sample agrees with the
statements published in the EAAMR 2025 (`pipeline/inputs/published/eaamr_2025.yaml`).
"""

from pipeline.inputs.sample.generate import generate_sample

__all__ = ["generate_sample"]
