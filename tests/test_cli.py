"""The ``iom`` command (``python -m iomlib``): headline, synth, validate."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from iomlib.cli import main

ROOT = Path(__file__).resolve().parents[1]
TABLE_FILES = ["custody.csv", "episodes.csv", "idva_survey.csv", "offences.csv", "people.csv"]


def run(*args, timeout=120):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "iomlib", *args], check=False,
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


# ------------------------------------------------------------------------------------------
# headline


def test_headline_json_prints_the_calibrated_figures():
    r = run("headline", "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert {"unique_nominals", "active_cohort", "removed_mean_reduction_pct",
            "month12_mean_reduction_pct", "idva_felt_safer_pct"} <= set(j)
    for key in ("unique_nominals", "active_cohort", "removed_mean_reduction_pct",
                "month12_mean_reduction_pct", "idva_felt_safer_pct"):
        assert {"value", "n"} <= set(j[key])
    assert j["unique_nominals"]["value"] == 578
    assert j["active_cohort"]["value"] == 317
    assert abs(j["removed_mean_reduction_pct"]["value"] - 73.9) <= 0.5
    assert abs(j["month12_mean_reduction_pct"]["value"] - 52.9) <= 0.5
    assert abs(j["idva_felt_safer_pct"]["value"] - 86.0) <= 0.5
    assert j["as_of"] == "2020-01-31"


def test_headline_table_output_in_process(capsys):
    assert main(["headline"]) == 0
    out = capsys.readouterr().out
    for key in ("unique_nominals", "active_cohort", "removed_mean_reduction_pct",
                "month12_mean_reduction_pct", "idva_felt_safer_pct"):
        assert key in out


def test_headline_as_of_and_since_in_process(capsys):
    assert main(["headline", "--json", "--as-of", "2019-01-31", "--since", "2017-01-01"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["as_of"] == "2019-01-31"
    assert "2017-01-01" in j["unique_nominals"]["definition"]


def test_headline_bad_as_of_exits_2_in_process(capsys):
    assert main(["headline", "--as-of", "not-a-date"]) == 2
    err = capsys.readouterr().err
    assert "headline.as_of" in err and "not-a-date" in err


def test_headline_with_a_config_file(tmp_path, capsys):
    cfg = tmp_path / "force.yaml"
    cfg.write_text("risk:\n  window_days: -1\n")
    assert main(["headline", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "risk.window_days" in err and "-1" in err


# ------------------------------------------------------------------------------------------
# synth


def test_synth_writes_the_tables(tmp_path, default_data):
    out = tmp_path / "synth"
    r = run("synth", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == TABLE_FILES
    people = pd.read_csv(out / "people.csv")
    assert len(people) == 4000 and list(people.columns) == ["person_id", "birth_year", "sex",
                                                            "area"]
    assert "wrote 5 tables" in r.stdout and "4000 people" in r.stdout
    # the command writes the calibrated default force, byte for byte
    ref = tmp_path / "ref"
    default_data.write(ref)
    for name in TABLE_FILES:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


def test_synth_options_in_process(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["synth", "--out", str(out), "--people", "300", "--seed", "3",
                 "--true-effect", "0.5", "--format", "parquet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [n.replace(".csv", ".parquet")
                                                    for n in TABLE_FILES]
    assert len(pd.read_parquet(out / "people.parquet")) == 300
    assert "300 people" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1.5", "-0.1", "1", "1.0", "nan"])
def test_synth_bad_true_effect_exits_2_in_process(tmp_path, capsys, value):
    out = tmp_path / "s"
    assert main(["synth", "--out", str(out), "--true-effect", value]) == 2
    err = capsys.readouterr().err
    assert "--true-effect" in err and value in err and "[0, 1)" in err
    assert not out.exists()


def test_synth_bad_true_effect_subprocess_no_traceback(tmp_path):
    out = tmp_path / "s"
    r = run("synth", "--out", str(out), "--true-effect", "1.5")
    assert r.returncode == 2
    assert "--true-effect 1.5" in r.stderr and "expected a fraction in [0, 1)" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not out.exists()


def test_synth_non_numeric_true_effect_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["synth", "--out", str(tmp_path / "s"), "--true-effect", "lots"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--true-effect" in err and "lots" in err


def test_synth_without_out_exits_2(capsys):
    assert main(["synth"]) == 2
    assert "--out" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# validate (depends on iomlib/load.py and iomlib/validate.py)

_HAVE_LOADER = (importlib.util.find_spec("iomlib.data.sources") is not None
                and importlib.util.find_spec("iomlib.data.validate") is not None)
needs_loader = pytest.mark.skipif(not _HAVE_LOADER,
                                  reason="iomlib/load.py or iomlib/validate.py not written yet")


@pytest.fixture
def data_folder(tmp_path, small_dataset):
    folder = tmp_path / "data"
    small_dataset.write(folder)
    return folder


@needs_loader
def test_validate_good_folder_exits_0(data_folder, capsys):
    assert main(["validate", str(data_folder)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "episodes" in out  # the ledger follows


@needs_loader
def test_validate_broken_folder_names_table_row_and_column(data_folder):
    path = data_folder / "episodes.csv"
    lines = path.read_text().splitlines(keepends=True)
    assert lines[3].startswith("E3,P2,IOM,2017-06-30,")  # line 4 of the file
    lines[3] = lines[3].replace("2017-06-30", "2017-13-45", 1)
    path.write_text("".join(lines))
    r = run("validate", str(data_folder))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    problem = [ln for ln in r.stderr.splitlines() if "2017-13-45" in ln]
    assert problem, r.stderr
    assert "episodes" in problem[0] and "row 4" in problem[0] and "adopted_on" in problem[0]


@needs_loader
def test_validate_missing_table_exits_2(data_folder, capsys):
    (data_folder / "custody.csv").unlink()
    assert main(["validate", str(data_folder)]) == 2
    assert "custody" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# entry points


def test_iom_console_script():
    exe = shutil.which("iom", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the iom console script is not installed in this environment")
    r = subprocess.run([exe, "--help"], check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for cmd in ("validate", "synth", "headline", "report"):
        assert cmd in r.stdout


def test_unknown_subcommand_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
