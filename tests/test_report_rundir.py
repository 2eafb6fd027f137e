"""Tests of iomlib.report.rundir: run folders and the atomic ``latest``."""
from __future__ import annotations

import shutil

import pytest

from iomlib.errors import IomError
from iomlib.report import rundir


def test_publish_is_atomic_symlink_swap(tmp_path):
    out = tmp_path / "reports"
    a, b = rundir.new_run_dir(out), rundir.new_run_dir(out)
    assert a != b
    rundir.publish(out, a)
    assert (out / "latest").resolve() == a.resolve()
    rundir.publish(out, b)
    assert (out / "latest").resolve() == b.resolve()
    assert [p.name for p in out.iterdir() if p.name.startswith(".latest")] == []
    shutil.rmtree(tmp_path / "other", ignore_errors=True)
    (out / "latest").unlink()
    (out / "latest").mkdir()
    with pytest.raises(IomError, match="not a symlink"):
        rundir.publish(out, a)


def test_claim_audience_refuses_to_mix_audiences(tmp_path):
    out = tmp_path / "reports"
    rundir.claim_audience(out, "public")
    assert (out / rundir.AUDIENCE_FILE).read_text().strip() == "public"
    rundir.claim_audience(out, "public")                        # same audience: fine
    with pytest.raises(IomError, match="holds public reports; a restricted run"):
        rundir.claim_audience(out, "restricted")
    other = tmp_path / "restricted"
    rundir.claim_audience(other, "restricted")
    (other / ".pseudonym-key").write_text("ab" * 32)
    with pytest.raises(IomError, match="holds restricted reports"):
        rundir.claim_audience(other, "public")
    with pytest.raises(IomError, match="inside the public reports folder"):
        rundir.claim_audience(out, "public", key_file=str(out / "keys" / "k"))


def test_claim_audience_reads_the_runs_of_an_older_folder(tmp_path):
    out = tmp_path / "reports"
    run = rundir.new_run_dir(out)
    rundir.write_json(run / "provenance.json", {"parameters": {"audience": "restricted"}})
    with pytest.raises(IomError, match="holds restricted reports"):
        rundir.claim_audience(out, "public")
    (out / ".pseudonym-key").write_text("00")
    (out / rundir.AUDIENCE_FILE).write_text("public\n")      # a marker cannot hide a key
    with pytest.raises(IomError, match="holds a pseudonym key"):
        rundir.claim_audience(out, "public")


SAFE = ("import pandas as pd\nimport iomlib.notebook\n"
        "run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, "
        "cohort=cohort, config=config, min_cell=min_cell, audience=audience)\n"
        "t = pd.DataFrame({'reason': ['moved', 'died', 'other'], 'n': [40, 3, 25]})\n"
        "run.sdc.show(t, count_cols='n')")


def test_public_then_restricted_into_one_folder(tmp_path):
    """The issue's case: `iom report -p audience=public --out X` then `iom report --out X`
    left X/latest pointing at the restricted run with the key beside it. Now the restricted
    run is refused before anything runs; the public link still holds the public report and
    no key is reachable from the folder."""
    import subprocess
    import sys

    from report_helpers import write_notebook
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    write_notebook(nb_dir / "01_safe.ipynb", [("md", "# Safe"), ("code", SAFE)])
    out = tmp_path / "X"

    def iom(*args):
        p = subprocess.run([sys.executable, "-m", "iomlib", "report", "--notebook-dir", nb_dir,
                            "--out", out, "--jobs", "1", *args], capture_output=True, text=True,
                           timeout=600, check=False)
        return p.returncode, p.stderr

    rc, err = iom("-p", "audience=public")
    assert rc == 0, err
    public_run = (out / "latest").resolve()
    rc, err = iom()                                   # restricted, the default
    assert rc == 2 and "holds public reports" in err and "Traceback" not in err
    assert (out / "latest").resolve() == public_run
    page = (out / "latest" / "01_safe.html").read_text()
    assert "OFFICIAL — PUBLIC" in page and "RESTRICTED" not in page
    assert not [p for p in out.rglob("*") if "pseudonym-key" in p.name]
    assert len(list((out / "runs").iterdir())) == 1


def test_claim_audience_can_only_check(tmp_path):
    out = tmp_path / "reports"
    rundir.claim_audience(out, "public", write=False)
    assert not out.exists()
