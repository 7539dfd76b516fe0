import os

import pytest

from pipeline.core import atomic


def test_write_replaces_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out" / "table.csv"
    atomic.write_text(target, "a,b\n")
    atomic.write_text(target, "a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    assert os.listdir(target.parent) == ["table.csv"]
    assert target.stat().st_mode & 0o644 == 0o644


def test_failure_keeps_the_previous_output(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["figure.png"]


def test_atomic_dir_swaps_a_whole_folder(tmp_path):
    target = tmp_path / "raw"
    (target).mkdir()
    (target / "old.txt").write_text("old")
    with atomic.atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(os.listdir(target)) == ["new.txt"]
    with pytest.raises(RuntimeError), atomic.atomic_dir(target) as tmp:
        (tmp / "partial.txt").write_text("x")
        raise RuntimeError
    assert sorted(os.listdir(target)) == ["new.txt"]
    assert os.listdir(tmp_path) == ["raw"]
