"""Tests of iomlib.report.audience: the pseudonym key file."""
from __future__ import annotations

from pathlib import Path

from iomlib.report import audience


def test_restricted_runs_get_a_stable_key_file_in_the_output_folder(tmp_path, monkeypatch):
    from iomlib.sdc.pseudonyms import KEY_ENV, KEY_FILE_ENV
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    ctx = {"parameters": {"audience": "restricted"}, "out": tmp_path / "reports"}
    env = audience.pseudonym_environment(ctx)
    key_file = Path(env[KEY_FILE_ENV])
    assert key_file == (tmp_path / "reports" / ".pseudonym-key").resolve()
    assert not key_file.exists()          # made by the run, after its checks
    assert audience.pseudonym_environment(ctx) == env
    assert audience.pseudonym_environment({**ctx, "parameters": {"audience": "public"}}) == {}
    monkeypatch.setenv(KEY_ENV, "from-the-scheduler")
    assert audience.pseudonym_environment(ctx) == {}      # the operator's key wins


def test_public_runs_get_a_private_ledger_and_the_override_is_passed_on(tmp_path, monkeypatch):
    from iomlib.config.params import ALLOW_SMALL_MIN_CELL_ENV
    from iomlib.sdc.ledger import AUDIT_DIR_ENV
    monkeypatch.delenv(AUDIT_DIR_ENV, raising=False)
    public = {"parameters": {"audience": "public", "min_cell": 10}, "out": tmp_path / "r"}
    env = audience.ledger_environment(public, tmp_path / "scratch")
    assert env == {AUDIT_DIR_ENV: str(tmp_path / "scratch" / "sdc-ledger")}
    small = {"parameters": {"audience": "public", "min_cell": 5, "allow_small_min_cell": True}}
    assert audience.ledger_environment(small, tmp_path)[ALLOW_SMALL_MIN_CELL_ENV] == "1"
    assert audience.ledger_environment({"parameters": {"audience": "restricted"}}, tmp_path) == {}
    assert "allowed by allow_small_min_cell" in audience.marking(
        {"audience": "public", "min_cell": 5, "allow_small_min_cell": True})
    # no ledger folder (nothing released): nothing to audit
    assert audience.ledger_audit(env, {"audience": "public", "min_cell": 10}, {}) == {}


def test_min_cell_5_for_a_public_run_is_refused_before_anything_runs(tmp_path):
    import subprocess
    import sys
    out = tmp_path / "reports"
    p = subprocess.run([sys.executable, "-m", "iomlib", "report", "--out", str(out),
                        "-p", "min_cell=5", "-p", "audience=public"], capture_output=True,
                       text=True, timeout=300, check=False)
    assert p.returncode == 2, p.stderr
    assert "allow_small_min_cell" in p.stderr and "Traceback" not in p.stderr
    assert not (out / "runs").exists()
