"""An independent check: ACRO, run on the microdata behind public tables, flags no cell the suite
publishes.

ACRO (PyPI ``acro``, the SACRO project's output checker for trusted research environments) pins
``pandas<=2.3.3``. The project pins pandas 2.3.3 (constraints.txt), so the two are compatible,
but ACRO brings its own dependencies (rdflib, tabulate, formulaic ...) that the project does not
need; so it is not a project dependency: the test runs it in a throwaway virtual environment
(made once per test session with pip from the registry), or in the Python named by
``IOM_ACRO_PYTHON``. Without either (no network) the test is skipped, saying why.

Where the two differ, by design:

* ACRO treats zeros as disclosive by default; the suite prints zeros (a zero describes nobody,
  and hiding zeros would not stop two hidden cells adding up to a small number), so zero cells
  are left out of the comparison;
* ACRO redacts failing cells and recomputes totals instead of secondary suppression; the suite
  keeps published totals and hides complementary cells, so it hides more cells than ACRO
  flags, never fewer;
* for sums of magnitudes both apply (n, k) = (2, 0.9) and p = 10%; ACRO also applies the
  threshold to the number of contributors, which the suite does through the count of people
  published beside each sum.
"""
from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def acro_python(tmp_path_factory) -> str:
    given = os.environ.get("IOM_ACRO_PYTHON")
    if given:
        return given
    env_dir = tmp_path_factory.mktemp("acro-venv")
    try:
        venv.create(env_dir, with_pip=True)
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"cannot create a virtual environment for ACRO: {exc}")
    py = str(env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    try:
        p = subprocess.run([py, "-m", "pip", "install", "--quiet", "acro",
                            f"pandas=={pd.__version__}"], capture_output=True, text=True,
                           timeout=900, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("installing ACRO from the package registry timed out")
    if p.returncode != 0:
        pytest.skip(f"ACRO could not be installed from the package registry (no network?): "
                    f"{p.stderr.strip().splitlines()[-1:]}")
    return py


def _run_acro(py: str, jobs: list[dict], tmp: Path) -> dict:
    (tmp / "jobs.json").write_text(json.dumps(jobs))
    p = subprocess.run([py, str(HERE / "acro_check.py"), str(tmp / "jobs.json"),
                        str(tmp / "out.json")], capture_output=True, text=True, timeout=600,
                       check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads((tmp / "out.json").read_text())


def _adoptions(seed: int | None):
    """The microdata behind 01's adoptions table: one row per episode adopted in the period."""
    import iomlib.notebook
    from iomlib.data.synth import SynthParams, simulate
    run = iomlib.notebook.start(theme=False, guard=False)
    ds = run.data if seed is None else simulate(SynthParams(seed=seed))
    e = ds.episodes
    e = e[(e["adopted_on"] >= run.cfg.period_start) & (e["adopted_on"] <= run.cfg.as_of)]
    return pd.DataFrame({"year": e["adopted_on"].dt.year.astype(int), "cohort": e["cohort"]})


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_acro_flags_no_cell_the_suite_publishes(acro_python, tmp_path, seed):
    from iomlib.sdc import Disclosure
    micro = _adoptions(seed)
    micro.to_csv(tmp_path / "adoptions.csv", index=False)
    wide = pd.crosstab(micro["year"], micro["cohort"])
    table = wide.reset_index()
    table["year"] = table["year"].astype(str)
    table.loc[len(table)] = ["all years", *wide.sum().tolist()]
    cohorts = list(wide.columns)
    table["all cohorts"] = table[cohorts].sum(axis=1)
    out = Disclosure("public").table(table, count_cols=cohorts,
                                     totals={"column": "all cohorts",
                                             "row": ("year", "all years")})
    acro = _run_acro(acro_python, [{"name": "adoptions", "csv": str(tmp_path / "adoptions.csv"),
                                    "index": "year", "columns": "cohort"}], tmp_path)["adoptions"]
    inner = out[out["year"] != "all years"].set_index("year")
    published, flagged_but_hidden = 0, 0
    for year, row in acro.items():
        for cohort, outcome in row.items():
            shown = inner.loc[year, cohort]
            if pd.isna(shown):
                flagged_but_hidden += outcome != "ok"
                continue
            if int(shown) == 0:
                continue                     # ACRO: zeros disclosive; the suite shows zeros
            published += 1
            assert outcome == "ok", (year, cohort, int(shown), outcome)
    assert published > 0


def test_acro_and_the_suite_agree_on_a_dominated_sum(acro_python, tmp_path):
    from iomlib.sdc.magnitudes import Dominance
    micro = pd.DataFrame({"group": ["a"] * 30 + ["b"] * 30,
                          "side": (["before", "after"] * 30),
                          "harm": [2.0] * 29 + [900.0] + [20.0] * 30})
    micro.to_csv(tmp_path / "harm.csv", index=False)
    acro = _run_acro(acro_python, [{"name": "harm", "csv": str(tmp_path / "harm.csv"),
                                    "index": "group", "columns": "side", "values": "harm"}],
                     tmp_path)["harm"]
    rule = Dominance()
    for g, row in acro.items():
        for side, outcome in row.items():
            part = micro.loc[(micro["group"] == g) & (micro["side"] == side), "harm"]
            dominated = "NKCheck" in outcome or "PPercentCheck" in outcome
            assert rule.sensitive(part) == dominated, (g, side, outcome)
