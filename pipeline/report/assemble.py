"""Assemble the report build folder: report source + figures + facts, checked before rendering.

The build folder is a complete Quarto project that `quarto render` (or the pandoc/Typst fallback in
`pipeline.report.render`) can turn into the report:

    build/
      _quarto.yml, index.qmd, styles.css, ...   copied from report/
      _variables.yml                             every facts/*.yaml merged (read by {{< var >}})
      _metadata.yml                              facts/sections/*.yaml as `sections:` metadata
                                                 (read by conditional content and {{< meta >}})
      _generated/*.md                            facts/*.md (pulled in by {{< include >}})
      figures/*.png, *.svg                       outputs/<year>/figures/

Every `{{< var a.b >}}`, `{{< meta a.b >}}`, `when-meta="a.b"` and `{{< include f >}}` is checked here, so that both render paths fail
with the same clear message (file, line, missing key or file) instead of printing `?var:a.b`.
"""

from __future__ import annotations

import difflib
import re
import shlex
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.core import paths
from pipeline.core.atomic import atomic_dir
from pipeline.publication import facts

VARIABLES_FILE = "_variables.yml"
METADATA_FILE = "_metadata.yml"
GENERATED_DIR = "_generated"
FIGURES_SUBDIR = "figures"
FIGURE_SUFFIXES = (".png", ".svg")

# Left out when the report source is copied: Quarto's caches and earlier render outputs.
_IGNORED_SOURCE_NAMES = (".quarto", "_site", "_freeze", "*_files", ".*", "__pycache__")

_SHORTCODE = re.compile(
    r"\{\{\{<\s*(?P<escaped>.*?)\s*>\}\}\}"  # {{{< x >}}}: a shortcode written out literally
    r"|\{\{<\s*(?P<name>[\w-]+)(?P<args>.*?)\s*>\}\}"
)
# Conditional content on metadata: ::: {.content-visible when-meta="sections.sar.shown"}
_META_CONDITION = re.compile(r"""(?:when|unless)-meta\s*=\s*["'](?P<key>[^"']+)["']""")
# Fenced divs, to resolve conditional content on metadata before shortcodes are expanded.
_FENCE_OPEN = re.compile(r"^:{3,}\s*\{(?P<attrs>[^}]*)\}\s*$")
_FENCE_CLOSE = re.compile(r"^:{3,}\s*$")
_META_ATTRIBUTE = re.compile(r"""(?P<kind>when|unless)-meta\s*=\s*["'](?P<key>[^"']+)["']""")
# Markdown images with a local target: ![alt](figures/x.png) or ![alt](figures/x.png "title").
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


class ReportSourceError(ValueError):
    """The report source, its facts or its figures do not fit together."""


@dataclass(frozen=True)
class Shortcode:
    """One `{{< name args >}}` found in a text; `line` counts from 1."""

    name: str
    args: tuple[str, ...]
    raw: str
    start: int
    end: int
    line: int
    escaped: bool = False


def find_shortcodes(text: str, *, first_line: int = 1) -> Iterator[Shortcode]:
    """Every shortcode in `text`, in order (escaped `{{{< >}}}` ones flagged as such)."""
    for match in _SHORTCODE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        if match.group("escaped") is not None:
            yield Shortcode(
                name="", args=(), raw=match.group(0), start=match.start(), end=match.end(),
                line=line, escaped=True,
            )
            continue
        try:
            args = tuple(shlex.split(match.group("args")))
        except ValueError:
            args = tuple(match.group("args").split())
        yield Shortcode(
            name=match.group("name"), args=args, raw=match.group(0), start=match.start(),
            end=match.end(), line=line,
        )


def _shown(attrs: str, metadata: Mapping) -> bool:
    """Whether a fenced div's conditional content on metadata is shown (True when it has none)."""
    classes = attrs.split()
    conditions = list(_META_ATTRIBUTE.finditer(attrs))
    if not conditions or (".content-visible" not in classes and ".content-hidden" not in classes):
        return True  # no condition on metadata (a format condition is the filter's)
    applies = True
    for match in conditions:
        try:
            value = lookup_var(metadata, match.group("key")) is True
        except KeyError:
            value = False
        applies &= value if match.group("kind") == "when" else not value
    return applies if ".content-visible" in classes else not applies


def drop_hidden_content(text: str, metadata: Mapping) -> str:
    """Blank the lines of `::: {.content-visible when-meta=...}` / `.content-hidden` blocks that
    the metadata hides, as Quarto does before it reads their shortcodes: a section switched off
    may quote facts its stage did not write. Line numbers stay as they were."""
    out, stack, dropping = [], [], False
    for line in text.split("\n"):
        opening = _FENCE_OPEN.match(line)
        if opening:
            stack.append(dropping)
            dropping = dropping or not _shown(opening.group("attrs"), metadata)
            out.append("" if dropping else line)
        elif _FENCE_CLOSE.match(line) and stack:
            out.append("" if dropping else line)
            dropping = stack.pop()
        else:
            out.append("" if dropping else line)
    return "\n".join(out)


def lookup_var(variables: Mapping, key: str) -> object:
    """Value of a dotted key (`sar.total`) in nested variables; KeyError if absent."""
    value: object = variables
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(key)
        value = value[part]
    return value


def var_text(value: object) -> str:
    """How a variable is written into the text (Quarto writes booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def dotted_keys(variables: Mapping, prefix: str = "") -> list[str]:
    """All leaf keys of nested variables, dotted (for 'did you mean' hints)."""
    keys: list[str] = []
    for key, value in variables.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            keys.extend(dotted_keys(value, f"{dotted}."))
        else:
            keys.append(dotted)
    return keys


def missing_var_message(where: str, line: int | None, key: str, variables: Mapping) -> str:
    location = f"{where}, line {line}" if line is not None else where
    message = f"{location}: unknown variable '{key}' in {{{{< var {key} >}}}}"
    try:
        value = lookup_var(variables, key)
    except KeyError:
        close = difflib.get_close_matches(key, dotted_keys(variables), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"{message}: no facts file defines it{hint}"
    return f"{message}: it is a {type(value).__name__}, not a single value"


def resolve_include(target: str, including_file: Path, project_dir: Path) -> Path:
    """Quarto's rule: relative to the including file, or to the project if it starts with '/'."""
    if target.startswith("/"):
        return project_dir / target.lstrip("/")
    return including_file.parent / target


def _read_facts(facts_dir: Path) -> dict:
    try:
        return facts.read_facts(facts_dir)
    except ValueError as error:
        raise ReportSourceError(str(error)) from None


def _has_key(metadata: Mapping, key: str) -> bool:
    try:
        lookup_var(metadata, key)
    except KeyError:
        return False
    return True


def _read_metadata(facts_dir: Path) -> dict:
    try:
        return {"sections": facts.read_sections(facts_dir)}
    except ValueError as error:
        raise ReportSourceError(str(error)) from None


def _copy_files(source_dir: Path, target_dir: Path, suffixes: tuple[str, ...]) -> list[Path]:
    copied = []
    for path in sorted(source_dir.iterdir()) if source_dir.is_dir() else []:
        if path.is_file() and path.suffix.lower() in suffixes:
            target_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target_dir / path.name)
            copied.append(target_dir / path.name)
    return copied


def check_build(build_dir: Path, variables: Mapping, origins: Mapping[Path, Path],
                metadata: Mapping | None = None) -> None:
    """Raise one ReportSourceError listing every unknown var or metadata key, missing include
    or image.

    `origins` maps files of the build folder to where they were copied from, so messages name
    the file a person edits (report/index.qmd, outputs/<year>/facts/banner.md), not the copy.
    """
    build_dir = Path(build_dir)
    problems: list[str] = []
    seen: set[Path] = set()

    def name(path: Path) -> str:
        return str(origins.get(path, path))

    def visit(path: Path, document_dir: Path) -> None:
        # Includes are textual, so images in an included file resolve from the document's folder.
        if path in seen:
            return
        seen.add(path)
        original = path.read_text(encoding="utf-8")
        text = drop_hidden_content(original, metadata or {})
        for code in find_shortcodes(text):
            if code.escaped:
                continue
            if code.name == "var":
                key = code.args[0] if code.args else ""
                try:
                    ok = not isinstance(lookup_var(variables, key), Mapping | list)
                except KeyError:
                    ok = False
                if not ok:
                    problems.append(missing_var_message(name(path), code.line, key, variables))
            elif code.name == "meta":
                key = code.args[0] if code.args else ""
                if not _has_key(metadata or {}, key):
                    problems.append(f"{name(path)}, line {code.line}: unknown metadata key '{key}' "
                                    f"in {{{{< meta {key} >}}}}")
            elif code.name == "include":
                target = code.args[0] if code.args else ""
                included = resolve_include(target, path, build_dir)
                if not target or not included.is_file():
                    hint = ""
                    if target.lstrip("/").startswith(f"{GENERATED_DIR}/"):
                        hint = " (generated snippets are copied from the facts folder)"
                    problems.append(
                        f"{name(path)}, line {code.line}: included file '{target}' not found{hint}"
                    )
                else:
                    visit(included.resolve(), document_dir)
        for match in _META_CONDITION.finditer(original):
            if not _has_key(metadata or {}, match.group("key")):
                line = 1 + original.count("\n", 0, match.start())
                problems.append(f"{name(path)}, line {line}: unknown metadata key "
                                f"'{match.group('key')}' in {match.group(0)} (section switches "
                                "are written to the facts folder's sections/ by the stages)")
        for match in _IMAGE.finditer(text):
            target = match.group("target")
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # data: or http(s): - not a file of the build
            if not (document_dir / target).is_file():
                line = 1 + text.count("\n", 0, match.start())
                problems.append(f"{name(path)}, line {line}: image '{target}' not found")

    for path in sorted(build_dir.glob("*.qmd")):
        visit(path.resolve(), path.resolve().parent)
    config = build_dir / "_quarto.yml"
    if config.is_file():
        visit(config.resolve(), build_dir.resolve())
    if problems:
        raise ReportSourceError("report source does not match its facts:\n  " + "\n  ".join(problems))


def assemble(
    build_dir: Path | str,
    *,
    source_dir: Path | str = paths.REPORT_SOURCE_DIR,
    facts_dir: Path | str = paths.FACTS_DIR,
    figures_dir: Path | str = paths.FIGURES_DIR,
) -> Path:
    """Recreate `build_dir` from the report source, figures and facts; return its path.

    The folder is built beside its final place and swapped in only when every check passed.
    """
    build_dir = Path(build_dir).resolve()
    source_dir, facts_dir, figures_dir = (
        Path(source_dir).resolve(), Path(facts_dir).resolve(), Path(figures_dir).resolve()
    )
    if not (source_dir / "_quarto.yml").is_file():
        raise ReportSourceError(f"{source_dir}: not a Quarto project (no _quarto.yml)")
    if not facts_dir.is_dir():
        raise ReportSourceError(f"{facts_dir}: facts folder not found (run the pipeline first)")

    variables = _read_facts(facts_dir)
    metadata = _read_metadata(facts_dir)
    with atomic_dir(build_dir) as tmp:
        tmp = tmp.resolve()
        shutil.copytree(
            source_dir, tmp, dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(*_IGNORED_SOURCE_NAMES),
        )
        origins: dict[Path, Path] = {
            tmp / path.relative_to(source_dir): path
            for path in source_dir.rglob("*") if path.is_file()
        }
        for copied in _copy_files(facts_dir, tmp / GENERATED_DIR, (".md",)):
            origins[copied] = facts_dir / copied.name
        _copy_files(figures_dir, tmp / FIGURES_SUBDIR, FIGURE_SUFFIXES)
        (tmp / VARIABLES_FILE).write_text(
            "# Generated by pipeline.report.assemble from the facts folder: do not edit.\n"
            + yaml.safe_dump(variables, sort_keys=False, allow_unicode=True, width=1000),
            encoding="utf-8",
        )
        (tmp / METADATA_FILE).write_text(
            "# Generated by pipeline.report.assemble from the facts folder: do not edit.\n"
            + yaml.safe_dump(metadata, sort_keys=True, allow_unicode=True, width=1000),
            encoding="utf-8",
        )
        check_build(tmp, variables, origins, metadata)
    return build_dir
