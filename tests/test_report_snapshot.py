"""The run's validated snapshot: exact round trip, used only when it matches, never stale."""
from __future__ import annotations

import pandas as pd
import pytest

from iomlib.config.settings import default_config
from iomlib.data.open import default_dataset
from iomlib.data.sources import load_dataset
from iomlib.report import snapshot as snap


def _assert_same(a, b):
    for name in ("people", "episodes", "offences", "custody", "idva_survey", "risk_scores",
                 "ledger"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            assert y is None, name
            continue
        pd.testing.assert_frame_equal(x, y, check_exact=True, obj=name)
    assert a.source == b.source
    assert a.file_hashes == b.file_hashes


@pytest.fixture()
def csv_source(tmp_path):
    folder = tmp_path / "force"
    default_dataset().write(folder, "csv")
    return folder


def test_round_trip_of_the_synthetic_force(tmp_path):
    ds = default_dataset()
    folder = snap.write_snapshot(ds, tmp_path / "snap", None, default_config())
    _assert_same(ds, snap.read_snapshot(folder))


def test_round_trip_of_a_loaded_csv_folder(tmp_path, csv_source):
    cfg = default_config()
    ds = load_dataset(csv_source, config=cfg)
    assert len(ds.ledger)
    folder = snap.write_snapshot(ds, tmp_path / "snap", str(csv_source), cfg)
    _assert_same(ds, snap.read_snapshot(folder))


def test_kernels_read_the_snapshot_not_the_source(tmp_path, csv_source, monkeypatch):
    cfg = default_config()
    ds = load_dataset(csv_source, config=cfg)
    snap.write_snapshot(ds, tmp_path / "snap", str(csv_source), cfg)
    monkeypatch.setenv(snap.SNAPSHOT_ENV, str(tmp_path / "snap"))

    def no_read(*a, **k):
        raise AssertionError("the source was read again")

    monkeypatch.setattr("iomlib.data.open.open_dataset", no_read)
    _assert_same(ds, snap.open_for_run(str(csv_source), cfg))
    with pytest.raises(AssertionError, match="read again"):     # other data: not the snapshot
        snap.open_for_run(str(tmp_path), cfg)
    other = cfg.with_risk(window_days=cfg.risk.window_days)     # same validation settings
    assert snap.usable_snapshot(str(csv_source), other) is not None


def test_a_changed_source_is_never_served_stale(tmp_path, csv_source, monkeypatch, capsys):
    cfg = default_config()
    ds = load_dataset(csv_source, config=cfg)
    key = snap.source_key(csv_source)
    snap.write_snapshot(ds, tmp_path / "snap", str(csv_source), cfg)
    monkeypatch.setenv(snap.SNAPSHOT_ENV, str(tmp_path / "snap"))
    people = csv_source / "people.csv"
    lines = people.read_text().splitlines()
    people.write_text("\n".join(lines[:-1]) + "\n")           # one person fewer
    assert snap.source_key(csv_source) != key
    fresh = snap.open_for_run(str(csv_source), cfg)
    assert len(fresh.people) == len(ds.people) - 1
    assert "changed since the run started" in capsys.readouterr().err


def test_no_snapshot_or_a_failed_one_reads_the_source(tmp_path, monkeypatch):
    cfg = default_config()
    monkeypatch.delenv(snap.SNAPSHOT_ENV, raising=False)
    assert snap.usable_snapshot(None, cfg) is None
    monkeypatch.setenv(snap.SNAPSHOT_ENV, str(tmp_path / "snap"))
    snap.write_failed(tmp_path / "snap", "the runner could not load the data")
    assert snap.usable_snapshot(None, cfg, timeout=5) is None
    assert len(snap.open_for_run(None, cfg).people)


def test_waits_for_the_runner_then_times_out(tmp_path, monkeypatch):
    monkeypatch.setenv(snap.SNAPSHOT_ENV, str(tmp_path / "never"))
    assert snap.usable_snapshot(None, default_config(), timeout=0.1) is None


def test_source_keys(tmp_path, csv_source):
    assert snap.source_key(None) == snap.source_key("default")
    assert snap.source_key("postgresql://u@host/db") is None
    assert len(snap.source_files(csv_source)) >= 5
    assert snap.data_parameter("synthetic") is None


@pytest.mark.slow
def test_iom_report_hands_the_kernels_its_snapshot(tmp_path, csv_source):
    """End to end: the kernel finds the runner's snapshot (same data, same settings) and uses
    it; the scratch folder holding it is gone after the run."""
    import json

    from report_helpers import write_notebook

    from iomlib.cli import main
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    write_notebook(nb_dir / "01_probe.ipynb", [("md", "# Probe"), ("code", (
        "import os, iomlib.notebook\nfrom iomlib.report import snapshot as s\n"
        "run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, theme=False)\n"
        "print('SNAPSHOT', os.environ.get(s.SNAPSHOT_ENV) is not None, "
        "s.usable_snapshot(data, run.cfg, timeout=0) is not None, len(run.data.people))"))])
    out = tmp_path / "reports"
    rc = main(["report", "--notebook-dir", str(nb_dir), "--out", str(out), "--data",
               str(csv_source), "--jobs", "1"])
    assert rc == 0
    nb = json.loads((out / "latest" / "01_probe.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    n_people = len(load_dataset(csv_source).people)
    assert f"SNAPSHOT True True {n_people}" in text
    assert not list((out / "latest").glob("*.parquet"))          # never in the published folder


def test_settings_key_is_the_same_in_every_process():
    """The runner and the kernels are separate processes: set and dict orders differ."""
    import os
    import subprocess
    import sys
    code = ("from iomlib.config.settings import default_config\n"
            "from iomlib.report.snapshot import settings_key\n"
            "print(settings_key(default_config()))")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert len(keys) == 1
