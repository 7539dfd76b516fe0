"""pipeline.runner.stage: a failed stage leaves its outputs as they were (the `dvc repro` cases are in
test_local_source.py and test_end_to_end.py)."""

from __future__ import annotations

import sys

import pytest
import yaml

from pipeline.runner import stage


def test_every_stage_runs_through_the_wrapper_and_every_output_persists():
    for name, definition in stage.pipeline_stages().items():  # foreach entries one by one
        if name != "download":  # its files are fetched one by one, each kept until replaced
            assert definition["cmd"].startswith("python -m pipeline.runner.stage -- "), name
        for out in definition["outs"]:
            options = next(iter(out.values()))
            assert options.get("persist") is True, (name, out)  # DVC must not delete it first


def test_declared_outputs_are_read_from_dvc_yaml_with_parameters_filled_in(tmp_path):
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"report": {
        "cmd": "x", "outs": [{"outputs/${year}/report": {"persist": True}}, "plain.txt"]}}}))
    (tmp_path / "params.yaml").write_text("year: 2026\n")
    assert stage.declared_outputs("report", tmp_path / "dvc.yaml", tmp_path / "params.yaml") == [
        tmp_path / "outputs" / "2026" / "report", tmp_path / "plain.txt"]
    with pytest.raises(KeyError, match="no stage 'figure'"):
        stage.declared_outputs("figure", tmp_path / "dvc.yaml", tmp_path / "params.yaml")


def test_each_entry_of_a_foreach_stage_declares_its_own_outputs(tmp_path):
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"fiche": {
        "foreach": "${key.member_states}", "do": {
            "cmd": "x -p member_state ${item}",
            "outs": [{"outputs/${year}/fiches/${item}": {"persist": True}}]}}}}))
    (tmp_path / "params.yaml").write_text("year: 2026\nkey: {member_states: [DE, MT]}\n")
    stages = stage.pipeline_stages(tmp_path / "dvc.yaml", tmp_path / "params.yaml")
    assert list(stages) == ["fiche@DE", "fiche@MT"]
    assert stages["fiche@MT"]["cmd"] == "x -p member_state MT"
    assert stage.declared_outputs("fiche@MT", tmp_path / "dvc.yaml", tmp_path / "params.yaml") == [
        tmp_path / "outputs" / "2026" / "fiches" / "MT"]


@pytest.fixture
def outputs(tmp_path):
    table, folder, new = tmp_path / "table.csv", tmp_path / "report", tmp_path / "new.txt"
    table.write_text("previous table")
    folder.mkdir()
    (folder / "eaamr.html").write_text("previous report")
    return [table, folder, new]


def test_put_back_restores_files_folders_and_removes_what_was_new(tmp_path, outputs):
    table, folder, new = outputs
    backup = tmp_path / "backup"
    stage.set_aside(outputs, backup)
    table.write_text("half-written table")
    (folder / "eaamr.html").unlink()
    (folder / "stray.png").write_bytes(b"new")
    new.write_text("created by the failed run")

    stage.put_back(backup)
    assert table.read_text() == "previous table"
    assert sorted(p.name for p in folder.iterdir()) == ["eaamr.html"]
    assert (folder / "eaamr.html").read_text() == "previous report"
    assert not new.exists() and not backup.exists()


def test_put_back_after_an_interrupted_put_back_keeps_what_was_restored(tmp_path, outputs):
    table, folder, _ = outputs
    backup = tmp_path / "backup"
    stage.set_aside(outputs, backup)
    table.write_text("changed")
    manifest = (backup / stage.MANIFEST).read_text()
    stage.put_back(backup)  # completes; then pretend it was cut short after the first output
    backup.mkdir()
    (backup / stage.MANIFEST).write_text(manifest)
    stage.put_back(backup)
    assert table.read_text() == "previous table"
    assert (folder / "eaamr.html").read_text() == "previous report"


def test_a_failing_command_leaves_the_outputs_and_a_passing_one_its_own(tmp_path, outputs,
                                                                        monkeypatch, capsys):
    table = outputs[0]
    monkeypatch.setattr(stage, "BACKUP_DIR", tmp_path / "backups")
    monkeypatch.setattr(stage, "declared_outputs", lambda name: outputs)
    write = f"import pathlib; pathlib.Path({str(table)!r}).write_text('new table')"

    assert stage.run([sys.executable, "-c", write + "; raise SystemExit(3)"], "ingest") == 3
    assert table.read_text() == "previous table"
    assert "stage ingest failed: its outputs are left as they were" in capsys.readouterr().err

    assert stage.run([sys.executable, "-c", write], "ingest") == 0
    assert table.read_text() == "new table"
    assert not (tmp_path / "backups" / "ingest").exists()


def test_a_backup_left_by_a_killed_run_is_put_back_first(tmp_path, outputs, monkeypatch):
    table = outputs[0]
    monkeypatch.setattr(stage, "BACKUP_DIR", tmp_path / "backups")
    monkeypatch.setattr(stage, "declared_outputs", lambda name: outputs)
    stage.set_aside(outputs, tmp_path / "backups" / "ingest")
    table.write_text("half-written by a run that was killed")
    assert stage.run([sys.executable, "-c", "raise SystemExit(1)"], "ingest") == 1
    assert table.read_text() == "previous table"


def test_without_dvc_the_command_simply_runs(tmp_path):
    assert stage.run([sys.executable, "-c", "raise SystemExit(4)"], None) == 4
    assert stage.main(["--"]) == 2
