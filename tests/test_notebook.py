"""Tests of iomlib.notebook.start (the set-up every report notebook shares) and
iomlib.config.settings.run_config (the configuration the runner and the notebooks both build)."""
from __future__ import annotations

import pandas as pd
import pytest

import iomlib.notebook
from iomlib.config.settings import run_config
from iomlib.errors import ConfigError, IomError, ParameterError


def test_run_config_applies_the_run_parameters_over_the_file(tmp_path):
    cfg = run_config(None, as_of="2019-06-30", period_start="2017-01-01", min_cell=5,
                     audience="public")
    assert cfg.as_of == pd.Timestamp("2019-06-30")
    assert cfg.period_start == pd.Timestamp("2017-01-01")
    assert (cfg.min_cell, cfg.audience) == (5, "public")
    f = tmp_path / "c.yaml"
    f.write_text("report:\n  min_cell: 20\nheadline:\n  as_of: '2018-12-31'\n")
    kept = run_config(f)                      # None keeps the file's values
    assert (kept.min_cell, kept.as_of) == (20, pd.Timestamp("2018-12-31"))
    assert run_config(f, min_cell=7).min_cell == 7
    with pytest.raises(ConfigError, match="report.audience"):
        run_config(None, audience="everyone")


def test_start_on_a_folder_restricts_the_cohort(small_dataset, tmp_path):
    small_dataset.write(tmp_path / "d")
    run = iomlib.notebook.start(str(tmp_path / "d"), as_of="2019-12-31",
                                period_start="2016-01-01", cohort="IOM", min_cell=5,
                                audience="public", guard=False, theme=False,
                                allow_small_min_cell=True)
    assert run.cfg.as_of == pd.Timestamp("2019-12-31") and run.cfg.min_cell == 5
    assert run.sdc.public and run.sdc.min_cell == 5
    assert len(run.ds.episodes) > 0 and set(run.ds.episodes["cohort"]) == {"IOM"}
    assert len(run.data.episodes) >= len(run.ds.episodes)
    assert "audience: **public**" in run.describe()


def test_start_defaults_to_the_embedded_data_and_restricted():
    run = iomlib.notebook.start(theme=False)
    assert run.sdc.audience == "restricted" and run.cohort == "all"
    assert len(run.data.people) > 0


def test_start_refuses_bad_settings():
    with pytest.raises(ParameterError, match="show_identifiers"):
        iomlib.notebook.start(audience="public", show_identifiers=True, theme=False,
                              guard=False)
    with pytest.raises(IomError):
        iomlib.notebook.start("/nonexistent/folder", theme=False)
