"""Errors raised on bad input: each one names the file, the row or field, and the problem."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """A raw or processed input that does not meet its contract."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        self.row = row
        self.field = field
        where = [str(self.path)]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


class ParameterError(ValueError):
    """A value in params.yaml that is missing, of the wrong type, or out of range."""


class MissingInputError(InputError):
    """An optional input that was not supplied: the figures using it are left out."""


SOURCE_ATTR = "source"  # processed tables carry the raw file they were read from in `attrs`


def source_of(table, name: str) -> str:
    """The raw file a processed table was read from (set by `processed.load`), else `name`."""
    return getattr(table, "attrs", {}).get(SOURCE_ATTR, name)
