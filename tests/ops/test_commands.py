"""`mtb user list`, `mtb audit export`, and the owner-only modes of what mtb creates."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mtb.cli import main
from mtb.store import Store
from tests.web.conftest import PASSWORD


@pytest.fixture
def site(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("MTB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MTB_DB_URL", raising=False)
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'mtb.sqlite'}")
    store.add_user("vera", "viewer", PASSWORD)
    store.add_user("=chef", "chair", PASSWORD)
    store.change_user("vera", active=False)
    store.log_event("=chef", "sign_in", detail="from 10.0.0.7")
    store.log_event("=chef", "export_report", "synthetic-egfr-lung", "pdf")
    yield store
    store.close()


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_user_list_tsv_and_json(site, capsys) -> None:
    code, out, _ = _run(capsys, "user", "list")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out), delimiter="\t"))
    assert [(r["name"], r["role"], r["active"]) for r in rows] == [
        ("=chef", "chair", "yes"), ("vera", "viewer", "no")]
    assert rows[1]["last_sign_in"] == "-"
    assert datetime.fromisoformat(rows[0]["last_sign_in"]) > datetime.now(UTC) - timedelta(
        minutes=5)
    code, out, _ = _run(capsys, "user", "list", "--format", "json")
    users = json.loads(out)
    assert [u["name"] for u in users] == ["=chef", "vera"]
    assert set(users[0]) == {"name", "role", "active", "created", "last_sign_in"}
    assert "argon2" not in out


def test_audit_export_json_and_csv(site, tmp_path, capsys) -> None:
    today = datetime.now().date().isoformat()
    code, out, _ = _run(capsys, "audit", "export", "--since", today, "--format", "json")
    entries = json.loads(out)
    assert code == 0
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("mtb (command line)", "add_user"), ("mtb (command line)", "add_user"),
        ("mtb (command line)", "change_user"), ("=chef", "sign_in"),
        ("=chef", "export_report")]
    assert entries[2]["after"]["active"] is False  # details as objects
    assert set(entries[0]) == {"id", "time", "actor", "action", "object_type", "object",
                               "case_id", "before", "after"}
    target = tmp_path / "exports" / "audit.csv"
    code, _, err = _run(capsys, "audit", "export", "--since", today, "--until", today,
                        "--format", "csv", "--output", str(target))
    assert code == 0 and "5 audit entries" in err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 5
    assert rows[3]["actor"] == "'=chef"  # a spreadsheet does not run it as a formula


def test_audit_export_period(site, capsys) -> None:
    tomorrow = (datetime.now().date() + timedelta(days=1)).strftime("%d.%m.%Y")
    code, out, _ = _run(capsys, "audit", "export", "--since", tomorrow, "--format", "json")
    assert code == 0 and json.loads(out) == []
    yesterday = (datetime.now().date() - timedelta(days=1)).isoformat()
    code, out, _ = _run(capsys, "audit", "export", "--since", yesterday, "--until", yesterday,
                        "--format", "csv")
    assert out.splitlines() == ["id,time,actor,action,object_type,object,case_id,before,after"]
    code, _, err = _run(capsys, "audit", "export", "--since", "2026-12-02", "--until",
                        "2026-12-01", "--format", "csv")
    assert code == 2 and "--until" in err


@pytest.mark.parametrize("argv", [["audit", "export", "--since", "2026-12-01", "--format",
                                   "csv", "--bogus"],
                                  ["user", "list", "--bogus"]])
def test_unknown_option_prints_the_commands_usage(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: mtb {' '.join(argv[:2])} ")
    assert "unrecognized arguments: --bogus" in err


def test_bad_date_is_named(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "export", "--since", "last week", "--format", "csv"])
    assert "'last week' is not a date" in capsys.readouterr().err


def test_store_and_secret_are_owner_only_even_with_a_loose_umask(tmp_path) -> None:
    from mtb.web.auth import secret_key

    previous = os.umask(0o022)
    try:
        data = tmp_path / "fresh"
        Store.open(f"sqlite:///{data / 'mtb.sqlite'}").close()
        secret_key(data)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("mtb.sqlite", "secret_key"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_the_command_line_creates_owner_only_files(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MTB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MTB_DB_URL", raising=False)
    previous = os.umask(0o022)
    try:
        assert main(["user", "add", "anna", "--role", "curator", "--password", PASSWORD]) == 0
        assert os.umask(0o022) == 0o022  # the command restored the caller's mask
    finally:
        os.umask(previous)
    created = [p for p in Path(tmp_path / "data").rglob("*")]
    assert created
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
