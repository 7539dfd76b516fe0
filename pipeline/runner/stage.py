"""Run a stage's command so that a failed run leaves the stage's outputs as they were.

    python -m pipeline.runner.stage -- python -m pipeline.runner.notebook notebooks/03_fig2_sar.ipynb

Every command in dvc.yaml runs through this wrapper, and every output there is `persist: true`,
so DVC does not delete the outputs before it runs a stage. The wrapper sets the stage's outputs
aside (the stage DVC names in `DVC_STAGE`, `<name>@<item>` for an entry of a `foreach` stage;
its outputs as dvc.yaml declares them), runs the command and, when the command fails, puts
every output back byte for byte and removes what the failed run created. The last good report and every earlier output therefore survive any failure;
the stage is not recorded as done, so the next `dvc repro` runs it again. A copy left by a run
that was killed is put back before the stage runs again. Run without DVC (no `DVC_STAGE`), the
command simply runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from pipeline.core import paths

BACKUP_DIR = paths.PROJECT_ROOT / ".dvc" / "tmp" / "stage-outputs"  # DVC ignores its own folder
_TEMPLATE = re.compile(r"\$\{\s*([\w.]+)\s*\}")


def _param(params: dict, dotted: str) -> object:
    found: object = params
    for key in dotted.split("."):
        found = found[key]  # a missing key: DVC itself would have refused dvc.yaml
    return found


def _fill_item(value: object, item: str) -> object:
    """`value` (a `do:` block) with `${item}` filled in, in its strings and mapping keys."""
    if isinstance(value, str):
        return re.sub(r"\$\{\s*item\s*\}", item, value)
    if isinstance(value, list):
        return [_fill_item(entry, item) for entry in value]
    if isinstance(value, dict):
        return {_fill_item(key, item): _fill_item(entry, item) for key, entry in value.items()}
    return value


def pipeline_stages(pipeline_file: Path = paths.PROJECT_ROOT / "dvc.yaml",
                    params_file: Path = paths.PARAMS_FILE) -> dict[str, dict]:
    """dvc.yaml's stages as DVC runs them: each entry of a `foreach` stage over a list (e.g.
    `foreach: ${key.member_states}` from params.yaml) is a stage `<name>@<item>`, its `do:`
    block with `${item}` filled in. Other `${...}` are left for `declared_outputs`."""
    stages = yaml.safe_load(pipeline_file.read_text(encoding="utf-8"))["stages"]
    expanded: dict[str, dict] = {}
    for name, definition in stages.items():
        if "foreach" not in definition:
            expanded[name] = definition
            continue
        items = definition["foreach"]
        if isinstance(items, str):
            params = yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}
            items = _param(params, _TEMPLATE.fullmatch(items.strip()).group(1))
        if not isinstance(items, list):
            raise TypeError(f"{pipeline_file}: stage {name!r}: foreach over a list only")
        for item in items:
            expanded[f"{name}@{item}"] = _fill_item(definition["do"], str(item))
    return expanded


def declared_outputs(stage: str, pipeline_file: Path = paths.PROJECT_ROOT / "dvc.yaml",
                     params_file: Path = paths.PARAMS_FILE) -> list[Path]:
    """The outputs dvc.yaml declares for `stage` (`fiche@DE` for a foreach entry), `${...}`
    filled in from params.yaml."""
    stages = pipeline_stages(pipeline_file, params_file)
    if stage not in stages:
        raise KeyError(f"{pipeline_file}: no stage {stage!r}")
    params = yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}

    def value(match: re.Match) -> str:
        return str(_param(params, match.group(1)))

    outputs = []
    for entry in stages[stage].get("outs", []):
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        outputs.append(pipeline_file.parent / _TEMPLATE.sub(value, name))
    return outputs


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


MANIFEST = "outputs.json"  # written last: a backup without it was never complete


def set_aside(outputs: list[Path], backup: Path) -> None:
    """Copy each existing output into `backup`, and record which outputs existed."""
    _remove(backup)
    backup.mkdir(parents=True)
    for number, output in enumerate(outputs):
        kept = backup / str(number)
        if output.is_dir():
            shutil.copytree(output, kept, symlinks=True)
        elif output.exists():
            shutil.copy2(output, kept)
    existed = [[str(output), output.exists()] for output in outputs]
    (backup / MANIFEST).write_text(json.dumps(existed), encoding="utf-8")


def put_back(backup: Path) -> None:
    """Return every output recorded in `backup` to its state there, then drop the backup.
    Safe to repeat after an interruption: an output already put back is left alone."""
    existed = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    for number, (name, was_there) in enumerate(existed):
        output, kept = Path(name), backup / str(number)
        if not was_there:
            _remove(output)
        elif kept.exists() or kept.is_symlink():
            _remove(output)
            output.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, output)
    _remove(backup)


def run(command: list[str], stage: str | None) -> int:
    """Run `command`; if it fails, put the outputs of `stage` back as they were."""
    if not stage:
        return subprocess.call(command)
    backup = BACKUP_DIR / stage
    if (backup / MANIFEST).is_file():  # a run of this stage was killed: undo what it did
        put_back(backup)
    set_aside(declared_outputs(stage), backup)
    try:
        code = subprocess.call(command)
    except BaseException:  # interrupted (Ctrl-C): the outputs as they were, then stop
        put_back(backup)
        raise
    if code == 0:
        _remove(backup)
    else:
        put_back(backup)
        print(f"stage {stage} failed: its outputs are left as they were before this run",
              file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print("usage: python -m pipeline.runner.stage -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return run(args, os.environ.get("DVC_STAGE"))


if __name__ == "__main__":
    sys.exit(main())
