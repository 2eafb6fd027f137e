"""The appendix notebooks: structure (parameters, pairing, stripped outputs) and execution.

Execution runs every notebook with papermill, in parallel processes, on a small synthetic force
(800 people) written to a temporary folder and passed as ``data=<folder>``; plus one run of the
nominal profile with ``audience="public"``, which must refuse. The kernel is the project kernel
"iom-suite" when it runs this interpreter; otherwise a temporary "iom-suite" kernel spec for
``sys.executable`` is registered for the test session only (``JUPYTER_PATH``).
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ("01_cohort", "02_risk_reduction", "03_dviom", "04_idva_survey",
             "05_selection_matrix", "06_nominal_profile")
#: Notebooks also run for a public audience on the small force.
PUBLIC_NOTEBOOKS = ("01_cohort", "02_risk_reduction", "03_dviom", "04_idva_survey",
                    "05_selection_matrix")
#: Every appendix notebook; 07 and 08 are executed by the report tests (test_report*.py).
ALL_NOTEBOOKS = NOTEBOOKS + ("07_impact", "08_national")
SHARED_PARAMETERS = {"data": None, "as_of": "2020-01-31", "period_start": "2016-01-01",
                     "cohort": "all", "config": None, "min_cell": 10, "audience": "restricted"}
KERNEL = "iom-suite"
RUN_TIMEOUT = 600   # seconds for the whole parallel batch
#: Runs one notebook in a Unix-socket kernel: parallel TCP kernels can race for a port.
RUN_NOTEBOOK = Path(__file__).resolve().parent / "run_notebook.py"


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _assignments(source: str) -> dict:
    out = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, \
            f"parameters cell may only hold simple assignments: {ast.unparse(node)}"
        out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


# ------------------------------------------------------------------------------ structure

@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_parameters_cell_is_first_and_exact(name):
    first = _code_cells(_read(name))[0]
    assert "parameters" in first.metadata.get("tags", [])
    expected = dict(SHARED_PARAMETERS)
    if name == "06_nominal_profile":
        expected["person_id"] = None
        expected["show_identifiers"] = False
    params = _assignments(first.source)
    assert params == expected
    assert list(params) == list(expected)


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_outputs_are_stripped(name):
    nb = _read(name)
    for cell in _code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None
    assert nb.metadata["kernelspec"]["name"] == KERNEL


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_paired_py_percent_file_matches(name):
    import jupytext
    py = jupytext.read(NOTEBOOK_DIR / f"{name}.py")
    nb = _read(name)
    assert [(c.cell_type, c.source) for c in py.cells] == \
        [(c.cell_type, c.source) for c in nb.cells], \
        f"{name}.py and {name}.ipynb differ: run `jupytext --sync notebooks/{name}.ipynb`"
    assert 'formats = "ipynb,py:percent"' in (NOTEBOOK_DIR / "jupytext.toml").read_text()


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_sets_up_the_shared_way(name):
    """One call sets up every notebook: configuration, data, cohort and disclosure rules."""
    code = re.sub(r"\s+", "", "\n".join(c.source for c in _code_cells(_read(name))))
    assert "iomlib.notebook.start(data,as_of=as_of,period_start=period_start," in code
    assert "min_cell=min_cell,audience=audience" in code
    for old in ("load_config(", "open_dataset(", "cohort.restrict("):
        assert old not in code, f"{name} repeats the set-up ({old}); use iomlib.notebook.start"
    if name != "07_impact":     # 07 shows its figures before the notes that follow them
        assert "plt.show()" not in code


def test_nominal_profile_refuses_public_audience_before_anything_else():
    cells = _code_cells(_read("06_nominal_profile"))
    guard = cells[1].source
    assert 'audience == "public"' in guard and "raise" in guard
    assert "open_dataset" not in guard
    markdown = " ".join(c.source for c in _read("06_nominal_profile").cells
                        if c.cell_type == "markdown")
    assert "restricted audiences only" in markdown.lower()


# ------------------------------------------------------------------------------ execution

def _same_python(argv0: str) -> bool:
    try:
        return Path(argv0).resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


@pytest.fixture(scope="session")
def kernel_env(tmp_path_factory):
    """Environment in which kernel "iom-suite" runs this interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    env = os.environ.copy()
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
        if _same_python(spec.argv[0]):
            return env
    except NoSuchKernel:
        pass
    prefix = tmp_path_factory.mktemp("kernel")
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix),
                    "--name", KERNEL], check=True, capture_output=True)
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(prefix / "share" / "jupyter"), env.get("JUPYTER_PATH")) if p)
    return env


@pytest.fixture(scope="module")
def small_data_dir(tmp_path_factory):
    from iomlib.data.synth import SynthParams, simulate
    out = tmp_path_factory.mktemp("small-force")
    simulate(replace(SynthParams(), n_people=800)).write(out)
    return out


@pytest.fixture(scope="module")
def executed(small_data_dir, kernel_env, tmp_path_factory):
    """Run every notebook (and the public-audience profile) at once; wait for all."""
    out_dir = tmp_path_factory.mktemp("executed")
    runs = {name: {"data": str(small_data_dir)} for name in NOTEBOOKS}
    runs["06_nominal_profile-public"] = {"data": str(small_data_dir), "audience": "public"}
    for name in PUBLIC_NOTEBOOKS:     # small groups everywhere: suppression at work
        runs[f"{name}-public"] = {"data": str(small_data_dir), "audience": "public"}
    procs = {}
    t0 = time.monotonic()
    for run, params in runs.items():
        src = NOTEBOOK_DIR / f"{run.split('-')[0]}.ipynb"
        dst = out_dir / f"{run}.ipynb"
        cmd = [sys.executable, str(RUN_NOTEBOOK), str(src), str(dst), KERNEL,
               str(NOTEBOOK_DIR), json.dumps(params)]
        log = open(out_dir / f"{run}.log", "w")  # noqa: SIM115 (closed after the wait)
        procs[run] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                       env=kernel_env), dst, log)
    results = {}
    for run, (proc, dst, log) in procs.items():
        remaining = max(1.0, RUN_TIMEOUT - (time.monotonic() - t0))
        try:
            code = proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = "timeout"
        log.close()
        results[run] = {"returncode": code, "path": dst,
                        "log": (out_dir / f"{run}.log").read_text()[-4000:]}
    return results


def _errors(nb):
    return [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_a_small_force(executed, name):
    res = executed[name]
    assert res["returncode"] == 0, f"{name} failed:\n{res['log']}"
    nb = nbformat.read(res["path"], as_version=4)
    errors = _errors(nb)
    assert not errors, f"{name}: error outputs {[(i, o.ename, o.evalue) for i, o in errors]}"
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert images, f"{name}: no figure was drawn"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "small-force" in injected[0].source


def _row_numbered_tables(nb) -> list[str]:
    """HTML tables of ``nb``'s outputs whose rows start with the bare numbers 0, 1, 2 ..."""
    found = []
    for c in _code_cells(nb):
        for o in c.get("outputs", []):
            html = o.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            for body in re.findall(r"<tbody>(.*?)</tbody>", html, flags=re.S):
                heads = re.findall(r"<tr>\s*<th[^>]*>([^<]*)</th>", body)
                if heads[:2] == ["0", "1"] or heads == ["0"]:
                    found.append(body[:200])
    return found


@pytest.mark.slow
@pytest.mark.parametrize("run", [*NOTEBOOKS, *(f"{n}-public" for n in PUBLIC_NOTEBOOKS)])
def test_tables_show_no_bare_row_numbers(executed, run):
    """A reader of the rendered page cannot use pandas' 0, 1, 2 ... row numbers."""
    nb = nbformat.read(executed[run]["path"], as_version=4)
    assert _row_numbered_tables(nb) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", PUBLIC_NOTEBOOKS)
def test_public_run_on_a_small_force_passes_the_disclosure_audit(executed, name):
    """On 800 people many groups are small: every table must still pass the audit (no table
    bypassed the rules, none shows a count under 10), and something must have been hidden."""
    from iomlib.sdc.audit import audit_notebook
    res = executed[f"{name}-public"]
    assert res["returncode"] == 0, f"{name} (public) failed:\n{res['log']}"
    nb = nbformat.read(res["path"], as_version=4)
    assert not _errors(nb)
    assert audit_notebook(nb, 10) == []
    checks = [o.metadata["text/html"]["iom_disclosure"] for c in _code_cells(nb)
              for o in c.get("outputs", [])
              if "iom_disclosure" in o.get("metadata", {}).get("text/html", {})]
    assert checks, f"{name}: no checked table"


@pytest.mark.slow
def test_small_public_force_has_cells_hidden(executed):
    hidden = 0
    for name in PUBLIC_NOTEBOOKS:
        nb = nbformat.read(executed[f"{name}-public"]["path"], as_version=4)
        hidden += sum(o.metadata["text/html"]["iom_disclosure"]["cells_hidden"]
                      for c in _code_cells(nb) for o in c.get("outputs", [])
                      if "iom_disclosure" in o.get("metadata", {}).get("text/html", {}))
    assert hidden > 0


@pytest.mark.slow
def test_nominal_profile_refuses_a_public_run(executed):
    res = executed["06_nominal_profile-public"]
    assert res["returncode"] != 0
    nb = nbformat.read(res["path"], as_version=4)
    errors = _errors(nb)
    assert len(errors) == 1
    index, err = errors[0]
    assert err.ename == "ParameterError" and "restricted" in err.evalue
    assert 'audience == "public"' in nb.cells[index].source
    # nothing after the guard ran
    assert all(not c.get("outputs") for c in nb.cells[index + 1:] if c.cell_type == "code")
