"""A caveat: an editorial choice the pipeline makes, declared next to the code that makes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caveat:
    topic: str
    text: str  # a str.format template over the flattened parameters (figures_dpi, year, ...)
