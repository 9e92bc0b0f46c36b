"""The console script reads its input files on a spare core while it starts (disruption_qa.prefetch)."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import DISRUPTIONS_BROKEN, run_cli

from disruption_qa import prefetch
from disruption_qa.errors import InputError
from disruption_qa.reading import read_export


def test_a_file_started_is_taken_once_with_its_digest(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(DISRUPTIONS_BROKEN.read_bytes())
    prefetch.start(path, None)
    data, digest = prefetch.take(tmp_path / "." / "d.csv")  # the same file, however it is named
    assert data == path.read_bytes()
    assert digest.result() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prefetch.take(path) is None  # taken: the bytes are let go


def test_the_reader_uses_the_bytes_started_and_gives_the_same_export(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(DISRUPTIONS_BROKEN.read_bytes())
    read = read_export(path)
    prefetch.start(path)
    taken = read_export(path)
    assert prefetch.take(path) is None  # the reader took them
    assert taken.source.sha256 == read.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert taken.text.equals(read.text)


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_a_file_that_cannot_be_read_ahead_is_read_by_the_reader_which_says_why(tmp_path, make):
    path = tmp_path / "d.csv"
    if make == "folder":
        path.mkdir()
    prefetch.start(path)
    with pytest.raises(InputError, match="no such file" if make == "missing" else "is a folder"):
        read_export(path)


def test_the_command_line_records_the_digest_of_the_file_it_read(tmp_path):
    run = run_cli("validate", DISRUPTIONS_BROKEN, "--out", tmp_path)
    assert run.code == 1, run.stderr
    files = json.loads((tmp_path / "validation.json").read_text())["files"]
    assert files[0]["sha256"] == hashlib.sha256(DISRUPTIONS_BROKEN.read_bytes()).hexdigest()


def test_a_read_ahead_that_fails_otherwise_leaves_the_file_to_the_reader(tmp_path, monkeypatch):
    """Not only an OSError: whatever stops the read ahead (memory, say), the reader is not left waiting."""
    from pathlib import Path

    path = tmp_path / "d.csv"
    path.write_bytes(DISRUPTIONS_BROKEN.read_bytes())
    read_bytes = Path.read_bytes

    def out_of_memory(self):
        raise MemoryError

    monkeypatch.setattr(Path, "read_bytes", out_of_memory)
    prefetch.start(path)
    assert prefetch.take(path) is None  # (it would wait for ever)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert read_export(path).source.rows > 0


def test_a_file_read_ahead_but_not_hashed_is_read_again_by_the_reader(tmp_path, monkeypatch):
    """Bytes are handed over only with their SHA-256: a file whose hashing failed is read again, and hashed."""
    import hashlib as real

    path = tmp_path / "d.csv"
    path.write_bytes(DISRUPTIONS_BROKEN.read_bytes())

    def failing(data):
        raise MemoryError

    monkeypatch.setattr(prefetch.hashlib, "sha256", failing)
    prefetch.start(path)
    assert prefetch.take(path) is None
    monkeypatch.undo()
    assert read_export(path).source.sha256 == real.sha256(path.read_bytes()).hexdigest()
