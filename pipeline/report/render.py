"""Render an assembled build folder into the report's HTML and PDF.

With Quarto on PATH, `quarto render` does both formats. Without it (the usual case on our
machines), a fallback renders the same Quarto-flavoured markdown:

1. `{{< include >}}` and `{{< var >}}` (and `{{< meta >}}`) are expanded textually, in the body
   and in the metadata of `_quarto.yml` and the document's front matter;
2. HTML: pandoc, standalone with every resource embedded (no request to any other host), the
   project template and CSS, the project's Lua filters (`filters:` in `_quarto.yml`) and
   `assets/quarto-compat.lua` (callouts, page breaks, conditional content);
3. PDF: pandoc `-t typst` with `assets/template.typ`, then the Typst compiler (bundled fonts
   only, embedded in the PDF).

Outputs are written atomically. The PDF carries no creation date unless a timestamp is given
(argument, or the `SOURCE_DATE_EPOCH` environment variable), so that equal inputs give equal
files.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml

from pipeline.core import atomic
from pipeline.report.assemble import (
    METADATA_FILE,
    VARIABLES_FILE,
    ReportSourceError,
    drop_hidden_content,
    find_shortcodes,
    lookup_var,
    missing_var_message,
    resolve_include,
    var_text,
)

Engine = Literal["auto", "quarto", "pandoc"]
DOCUMENT = "index.qmd"
# Shortcodes the fallback leaves in the text for the Lua filter (quarto-compat.lua).
_FILTER_SHORTCODES = {"pagebreak"}
# Metadata keys that are renderer options, not document metadata.
_OPTION_KEYS = {
    "project", "format", "filters", "embed-resources", "self-contained", "css",
    "number-sections", "toc", "toc-depth", "keep-typ", "keep-md", "execute", "jupyter",
}


class RenderError(RuntimeError):
    """pandoc, Typst or Quarto failed; the message names the file and quotes the tool."""


def render(
    build_dir: Path | str,
    out_dir: Path | str,
    basename: str,
    *,
    engine: Engine = "auto",
    timestamp: int | datetime.datetime | None = None,
    document: str = DOCUMENT,
) -> tuple[Path, Path]:
    """Write `out_dir/{basename}.html` and `out_dir/{basename}.pdf`; return both paths.

    engine: "quarto" (needs `quarto` on PATH), "pandoc" (the fallback), or "auto" (Quarto if
    it is installed). timestamp: PDF creation date (UNIX seconds or aware datetime); default
    `SOURCE_DATE_EPOCH` if set, else no date in the PDF.
    """
    build_dir, out_dir = Path(build_dir).resolve(), Path(out_dir).resolve()
    html_path, pdf_path = out_dir / f"{basename}.html", out_dir / f"{basename}.pdf"
    if timestamp is None and os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        timestamp = int(os.environ["SOURCE_DATE_EPOCH"])
    if engine == "auto":
        engine = "quarto" if shutil.which("quarto") else "pandoc"
    if engine == "quarto":
        render_quarto(build_dir, html_path, pdf_path, timestamp=timestamp, document=document)
    elif engine == "pandoc":
        render_html(build_dir, html_path, document=document)
        render_pdf(build_dir, pdf_path, timestamp=timestamp, document=document)
    else:
        raise ValueError(f"unknown render engine {engine!r} (auto, quarto or pandoc)")
    return html_path, pdf_path


# --- Quarto -------------------------------------------------------------------------------------


def render_quarto(
    build_dir: Path,
    html_path: Path,
    pdf_path: Path,
    *,
    timestamp: int | datetime.datetime | None = None,
    document: str = DOCUMENT,
) -> None:
    """`quarto render` of both formats in the build folder, then copy the results."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise RenderError("quarto is not on PATH (use engine='pandoc' for the fallback)")
    env = dict(os.environ)
    if timestamp is not None:
        env["SOURCE_DATE_EPOCH"] = str(_epoch(timestamp))
    config = _read_yaml(build_dir / "_quarto.yml")
    output_dir = build_dir / str((config.get("project") or {}).get("output-dir", "."))
    stem = Path(document).stem
    for fmt, suffix, target in (("html", ".html", html_path), ("typst", ".pdf", pdf_path)):
        result = subprocess.run(
            [quarto, "render", document, "--to", fmt],
            cwd=build_dir, env=env, capture_output=True, text=True, check=False,
        )
        produced = output_dir / f"{stem}{suffix}"
        if result.returncode != 0 or not produced.is_file():
            raise RenderError(
                f"quarto render {build_dir / document} --to {fmt} failed "
                f"(exit {result.returncode}):\n{result.stderr.strip() or result.stdout.strip()}"
            )
        atomic.write_bytes(target, produced.read_bytes())


# --- Fallback: shortcodes and metadata ----------------------------------------------------------


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReportSourceError(f"{path}: not valid YAML: {exc}") from None
    return data if isinstance(data, dict) else {}


def split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    """(front matter, body, line number of the body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("".join(lines[1:index])) or {}
            except yaml.YAMLError as exc:
                raise ReportSourceError(f"{path}: front matter is not valid YAML: {exc}") from None
            if not isinstance(meta, dict):
                raise ReportSourceError(f"{path}: front matter must be a mapping")
            return meta, "".join(lines[index + 1:]), index + 2
    raise ReportSourceError(f"{path}: front matter starts with '---' but is never closed")


class _Expander:
    """Textual expansion of include/var/meta shortcodes, as Quarto does before parsing."""

    def __init__(self, build_dir: Path, variables: Mapping, metadata: Mapping | None = None):
        self.build_dir = build_dir
        self.variables = variables
        self.metadata = metadata or {}

    def text(
        self, text: str, path: Path, *, first_line: int = 1, label: str | None = None,
        _stack: tuple = (),
    ) -> str:
        """Expand `text` from file `path`; `label` replaces "path, line N" in messages."""
        text = drop_hidden_content(text, self.metadata)
        parts: list[str] = []
        position = 0
        for code in find_shortcodes(text, first_line=first_line):
            parts.append(text[position:code.start])
            position = code.end
            where = label or f"{path}, line {code.line}"
            if code.escaped:
                parts.append(code.raw[1:-1])  # {{{< x >}}} -> {{< x >}}
            elif code.name == "var":
                key = code.args[0] if code.args else ""
                line = None if label else code.line
                parts.append(self.var(key, label or str(path), line))
            elif code.name == "meta":
                key = code.args[0] if code.args else ""
                try:
                    parts.append(var_text(lookup_var(self.metadata, key)))
                except KeyError:
                    raise ReportSourceError(f"{where}: unknown metadata key '{key}'") from None
            elif code.name == "include":
                parts.append(self.include(code.args[0] if code.args else "", path, where, _stack))
            elif code.name in _FILTER_SHORTCODES:
                parts.append(code.raw)
            else:
                raise ReportSourceError(
                    f"{where}: shortcode '{code.name}' is not supported by the fallback renderer "
                    "(supported: var, meta, include, pagebreak); install Quarto or remove it"
                )
        parts.append(text[position:])
        return "".join(parts)

    def var(self, key: str, where: str, line: int | None) -> str:
        try:
            value = lookup_var(self.variables, key)
        except KeyError:
            value = None
        if value is None or isinstance(value, Mapping | list):
            raise ReportSourceError(missing_var_message(where, line, key, self.variables))
        return var_text(value)

    def include(self, target: str, path: Path, where: str, stack: tuple) -> str:
        included = resolve_include(target, path, self.build_dir).resolve()
        if not target or not included.is_file():
            raise ReportSourceError(f"{where}: included file '{target}' not found")
        if included in stack:
            raise ReportSourceError(f"{where}: '{target}' includes itself (via {stack[-1]})")
        _, body, first_line = split_front_matter(included.read_text(encoding="utf-8"), included)
        expanded = self.text(body, included, first_line=first_line, _stack=(*stack, path))
        return expanded if expanded.endswith("\n") else expanded + "\n"

    def value(self, value: object, path: Path, label: str) -> object:
        """Expand shortcodes in every string of a metadata value."""
        if isinstance(value, str):
            return self.text(value, path, label=label) if "{{<" in value else value
        if isinstance(value, list):
            return [self.value(item, path, label) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item, path, f"{label}.{key}") for key, item in value.items()}
        return value


def _format_options(config: Mapping, fmt: str) -> dict:
    formats = config.get("format")
    if isinstance(formats, Mapping):
        options = formats.get(fmt)
        return dict(options) if isinstance(options, Mapping) else {}
    return {}


def prepare(build_dir: Path, fmt: str, document: str = DOCUMENT) -> tuple[dict, str, list[Path]]:
    """(metadata, expanded markdown body, project Lua filters) of one format, as Quarto would
    merge them: `_quarto.yml`, its `format: {fmt}` options, the folder's `_metadata.yml`, the
    front matter, its format options.
    """
    config_path, doc_path = build_dir / "_quarto.yml", build_dir / document
    if not doc_path.is_file():
        raise ReportSourceError(f"{doc_path}: report document not found")
    config = _read_yaml(config_path)
    variables = _read_yaml(build_dir / VARIABLES_FILE)
    folder_metadata = _read_yaml(build_dir / METADATA_FILE)
    front, body, first_line = split_front_matter(doc_path.read_text(encoding="utf-8"), doc_path)

    metadata: dict = {}
    for layer in (config, _format_options(config, fmt), folder_metadata, front,
                  _format_options(front, fmt)):
        metadata.update({key: value for key, value in layer.items() if key != "format"})
    filters = metadata.pop("filters", None) or []
    expander = _Expander(build_dir, variables)
    for key, value in metadata.items():
        source = doc_path if key in front else config_path
        metadata[key] = expander.value(value, source, f"{source}, metadata '{key}'")
    expander.metadata = metadata
    body = expander.text(body, doc_path, first_line=first_line)

    lua_filters = []
    for entry in filters:
        name = entry.get("path") if isinstance(entry, Mapping) else entry
        if isinstance(name, str) and name.endswith(".lua"):
            filter_path = (build_dir / name).resolve()
            if not filter_path.is_file():
                raise ReportSourceError(f"{config_path}: filter '{name}' not found")
            lua_filters.append(filter_path)
    return metadata, body, lua_filters


# --- Fallback: pandoc and Typst -----------------------------------------------------------------


def _asset(name: str) -> Path:
    return Path(str(resources.files("pipeline.report") / "assets" / name))


def _pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _pandoc(
    build_dir: Path, metadata: Mapping, body: str, args: list[str], source: Path
) -> bytes:
    """Run pandoc on front matter + body (stdin) inside the build folder; return stdout."""
    front = yaml.safe_dump(dict(metadata), sort_keys=False, allow_unicode=True, width=1000)
    markdown = f"---\n{front}---\n\n{body}"
    command = [_pandoc_path(), "--from", "markdown", "--fail-if-warnings", *args]
    result = subprocess.run(
        command, cwd=build_dir, input=markdown.encode("utf-8"), capture_output=True, check=False
    )
    if result.returncode != 0:
        raise RenderError(
            f"pandoc failed on {source} (exit {result.returncode}):\n"
            + result.stderr.decode("utf-8", "replace").strip()
        )
    return result.stdout


def _common_pandoc_args(metadata: Mapping, lua_filters: list[Path]) -> list[str]:
    args = [arg for path in lua_filters for arg in ("--lua-filter", str(path))]
    args += ["--lua-filter", str(_asset("quarto-compat.lua"))]
    if metadata.get("toc"):
        args += ["--toc", f"--toc-depth={int(metadata.get('toc-depth', 3))}"]
    if metadata.get("number-sections"):
        args.append("--number-sections")
    return args


def _split_lang(metadata: dict) -> dict:
    lang = str(metadata.get("lang", "en-GB"))
    language, _, region = lang.partition("-")
    metadata.setdefault("lang", lang)
    return {"lang": language.lower(), "region": region.upper()} if region else {"lang": language}


def render_html(build_dir: Path | str, target: Path | str, *, document: str = DOCUMENT) -> Path:
    """Self-contained HTML (images, CSS inlined; nothing loaded from another host)."""
    build_dir, target = Path(build_dir).resolve(), Path(target)
    metadata, body, lua_filters = prepare(build_dir, "html", document)
    css = metadata.get("css") or []
    css = [css] if isinstance(css, str) else list(css)
    for sheet in css:
        if not (build_dir / sheet).is_file():
            raise ReportSourceError(f"{build_dir / '_quarto.yml'}: stylesheet '{sheet}' not found")
    options, metadata = _split_options(metadata)
    metadata.setdefault("lang", "en-GB")
    args = [
        "--to", "html5", "--standalone", "--embed-resources", "--resource-path", ".",
        "--template", str(_asset("template.html")),
        "--css", str(_asset("fallback.css")), *[arg for s in css for arg in ("--css", s)],
        *_common_pandoc_args(options, lua_filters),
    ]
    html = _pandoc(build_dir, metadata, body, args, build_dir / document)
    atomic.write_bytes(target, html)
    return target


def _split_options(metadata: Mapping) -> tuple[dict, dict]:
    """(renderer options such as toc and css, document metadata)."""
    options = {key: value for key, value in metadata.items() if key in _OPTION_KEYS}
    return options, {key: value for key, value in metadata.items() if key not in _OPTION_KEYS}


def _epoch(timestamp: int | datetime.datetime) -> int:
    if isinstance(timestamp, datetime.datetime):
        return int(timestamp.timestamp())
    return int(timestamp)


def render_pdf(
    build_dir: Path | str,
    target: Path | str,
    *,
    timestamp: int | datetime.datetime | None = None,
    document: str = DOCUMENT,
) -> Path:
    """A4 PDF through Typst; keeps the intermediate `{stem}.typ` in the build folder."""
    import typst

    build_dir, target = Path(build_dir).resolve(), Path(target)
    metadata, body, lua_filters = prepare(build_dir, "typst", document)
    options, metadata = _split_options(metadata)
    variables = _split_lang(metadata)
    if timestamp is None:
        variables["no-creation-date"] = "true"
    args = [
        "--to", "typst", "--standalone", "--template", str(_asset("template.typ")),
        *[arg for key, value in variables.items() for arg in ("--variable", f"{key}={value}")],
        *_common_pandoc_args(options, lua_filters),
    ]
    typ_path = build_dir / f"{Path(document).stem}.typ"
    typ_path.write_bytes(_pandoc(build_dir, metadata, body, args, build_dir / document))
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(typ_path), root=str(build_dir), ignore_system_fonts=True, format="pdf",
            timestamp=_epoch(timestamp) if timestamp is not None else None,
        )
    except typst.TypstError as exc:
        raise RenderError(f"typst failed on {typ_path}:\n{_typst_message(exc)}") from None
    if warnings:
        raise RenderError(
            f"typst warned on {typ_path}:\n" + "\n".join(_typst_message(w) for w in warnings)
        )
    atomic.write_bytes(target, pdf)
    return target


def _typst_message(problem: object) -> str:
    parts = [str(getattr(problem, "message", problem))]
    for attribute in ("diagnostic", "hints", "trace"):
        value = getattr(problem, attribute, None)
        if value:
            parts.append("\n".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)
