"""`civic restore` of a file that is not a backup says so in one line, exits non-zero and
leaves the database as it was; a real backup still restores."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.processes import CIVIC


def _add(database: Path, phone: str, name: str) -> subprocess.CompletedProcess:
    return _civic(database, "user", "add", "--phone", phone, "--name", name, "--password", "x" * 9)


def _civic(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CIVIC, *args],
        env={**os.environ, "CIVIC_DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _people(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [r[0] for r in db.execute("SELECT name FROM person ORDER BY id")]


def _digest(database: Path) -> str:
    return hashlib.sha256(database.read_bytes()).hexdigest()


@pytest.fixture
def site_database(tmp_path: Path) -> Path:
    database = tmp_path / "site.sqlite3"
    assert _civic(database, "migrate").returncode == 0
    added = _add(database, "13800001111", "王芳")
    assert added.returncode == 0, added.stderr
    return database


def _other_program(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d / "notes.txt",
        lambda d: d / "photo.jpg",
        lambda d: _other_program(d / "other.sqlite3"),
        lambda d: d / "cut.sqlite3",
    ],
    ids=["text", "empty file", "another program's database", "a cut-off backup"],
)
def test_a_file_that_is_not_a_backup_is_refused_in_one_line(site_database, tmp_path, make):
    (tmp_path / "notes.txt").write_text("这不是备份\n", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"")
    assert _civic(site_database, "backup", str(tmp_path / "whole.sqlite3")).returncode == 0
    (tmp_path / "cut.sqlite3").write_bytes((tmp_path / "whole.sqlite3").read_bytes()[:3000])
    before = _digest(site_database)

    refused = _civic(site_database, "restore", str(make(tmp_path)))

    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "不是 civic backup 做的备份文件，数据库没有改动" in lines[0]
    assert _digest(site_database) == before
    assert _people(site_database) == ["王芳"]


def test_a_missing_file_is_named(site_database, tmp_path):
    refused = _civic(site_database, "restore", str(tmp_path / "nowhere.sqlite3"))
    assert refused.returncode != 0
    assert refused.stderr.strip() == f"没有这个文件：{tmp_path / 'nowhere.sqlite3'}"


def test_a_real_backup_still_restores(site_database, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    assert _civic(site_database, "backup", str(backup)).returncode == 0
    later = _civic(
        site_database,
        "user",
        "add",
        "--phone",
        "13800002222",
        "--name",
        "李强",
        "--password",
        "y" * 9,
    )
    assert later.returncode == 0
    assert _people(site_database) == ["王芳", "李强"]

    restored = _civic(site_database, "restore", str(backup))

    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == f"已从 {backup} 恢复"
    assert _people(site_database) == ["王芳"]
