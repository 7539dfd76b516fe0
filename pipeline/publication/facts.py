"""Facts: values a stage hands to the report, already formatted for prose."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.core import atomic, paths
from pipeline.core.formatting import literal


def write_facts(name: str, facts: dict[str, dict[str, object]], folder: Path = paths.FACTS_DIR) -> Path:
    """Write `facts` (namespace -> key -> value) to `<folder>/<name>.yaml`, atomically."""
    for namespace, values in facts.items():
        if not isinstance(values, dict):
            raise TypeError(f"facts namespace {namespace!r} must map keys to values")
    target = folder / f"{name}.yaml"
    text = yaml.safe_dump(facts, allow_unicode=True, sort_keys=True, width=1000)
    atomic.write_text(target, text)
    return target


def write_snippet(name: str, markdown: str, folder: Path = paths.FACTS_DIR) -> Path:
    """Write a generated markdown snippet the report includes (`_generated/<name>.md`)."""
    target = folder / f"{name}.md"
    atomic.write_text(target, markdown)
    return target


SECTIONS_DIR = "sections"


def write_section(name: str, left_out: str | None = None, folder: Path = paths.FACTS_DIR, *,
                  caveat: str | None = None) -> Path:
    """Switch a report section on or off: `<folder>/sections/<name>.yaml`, which the report
    reads as metadata (`sections.<name>.shown`, Quarto's conditional content). When `left_out`
    says why, the report shows that note in the section's place; a `caveat` is shown after the
    section. Both notes are plain text (they quote file names and problems found in inputs),
    never markup."""
    state = {
        "shown": left_out is None,
        "left_out": "" if left_out is None else literal(left_out),
        "has_caveat": caveat is not None and left_out is None,
        "caveat": "" if caveat is None else literal(caveat),
    }
    target = folder / SECTIONS_DIR / f"{name}.yaml"
    atomic.write_text(target, yaml.safe_dump(state, allow_unicode=True, sort_keys=True, width=1000))
    return target


def read_sections(folder: Path = paths.FACTS_DIR) -> dict[str, dict[str, object]]:
    """Every section switch, by section name (the report's `sections` metadata)."""
    sections = {}
    for path in sorted((folder / SECTIONS_DIR).glob("*.yaml")):
        try:
            state = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(state, dict) or not isinstance(state.get("shown"), bool):
            raise ValueError(  # noqa: TRY004 - a bad file, reported like the other bad files
                f"{path}: expected a section switch (shown: true/false, left_out, has_caveat, "
                "caveat)")
        sections[path.stem] = state
    return sections


def read_facts(folder: Path = paths.FACTS_DIR) -> dict:
    """Every facts file merged (namespace -> values); a namespace may come from one file only."""
    merged: dict = {}
    owner: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ValueError(  # noqa: TRY004 - a bad file, reported like the other bad files
                f"{path}: expected a mapping of namespaces (e.g. 'sar: {{total: ...}}'), "
                f"got {type(data).__name__}")
        for namespace, values in data.items():
            if namespace in owner:
                raise ValueError(f"facts namespace '{namespace}' is defined in two files: "
                                 f"{owner[namespace]} and {path}")
            owner[namespace] = path
            merged[namespace] = values
    return merged
