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
