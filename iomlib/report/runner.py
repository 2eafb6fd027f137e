"""The report runner (``iom report``): run the appendix notebooks and publish them as HTML.

What one run does, in order:

1. **Validate** every parameter (from ``--params FILE.yaml``, ``--data`` and ``-p key=value``)
   against :data:`~iomlib.report.params.PARAMETERS` and the parameters the notebooks declare,
   then load the configuration and the data. Any problem raises
   :class:`~iomlib.errors.ParameterError` (or another :class:`~iomlib.errors.IomError`), which
   ``iom`` reports with exit status 2. Nothing has been run and no run folder exists at that
   point. (Papermill itself only *warns* about a misspelt parameter; this check is what
   prevents a silently ignored one.)
2. Create ``<out>/runs/<UTC timestamp>/`` and execute the notebooks with papermill in a pool of
   ``--jobs`` processes (each notebook gets a fresh kernel; the pool's processes were warmed up
   while step 1 loaded the data). Each process writes the executed ``.ipynb`` and renders it to
   HTML without code: nbconvert's ``lab`` template with inputs and prompts excluded, stderr
   output dropped, every CDN script (require.js, MathJax, mermaid, widgets) removed, images as
   data URIs, a table of contents at the top.
3. Add the provenance block to the bottom of each report, write ``index.html`` (headline figures
   from :mod:`iomlib.measures.headline` on the same data and parameters, links to every report),
   ``metrics.json`` (``headline_json`` output plus a ``"run"`` entry) and ``provenance.json``.
4. If every notebook succeeded, point ``<out>/latest`` at the run by replacing the symlink with
   :func:`os.replace` (atomic). If any failed, write ``FAILED`` (the reason) into the run folder,
   keep the partial output, leave ``latest`` alone and exit with :data:`EXIT_NOTEBOOK_FAILED`
   (1), naming the notebook and the failing cell.

Kernel and log output of each notebook goes to ``<run>/logs/<notebook>.log``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iomlib.errors import IomError
from iomlib.report import results, zygote
from iomlib.report.audience import (
    identifier_redactions,
    ledger_audit,
    ledger_environment,
    marking,
    pseudonym_environment,
)
from iomlib.report.forces import force_slug, force_subset, report_all_forces
from iomlib.report.index import (
    headline_metrics,
    impact_entry,
    impact_in_run,
    impact_metric,
    index_html,
)
from iomlib.report.inputs import load_data, needs_data_first
from iomlib.report.kernel import choose_kernel
from iomlib.report.notebooks import Notebook, run_order
from iomlib.report.nothing import NOTHING_TO_SHOW
from iomlib.report.params import check_parameters, mask_secrets, valid_parameters_text
from iomlib.report.progress import Progress
from iomlib.report.render import finish_report
from iomlib.report.results import results_environment
from iomlib.report.rundir import (
    claim_audience,
    new_run_dir,
    previous_durations,
    publish,
    write_json,
)
from iomlib.report.snapshot import SNAPSHOT_ENV, snapshot_environment, write_snapshot
from iomlib.report.worker import now, run_notebook, start_pool, stop_pool

#: The impact estimate's key in ``metrics.json``.
IMPACT_KEY = "impact_managed_rate_reduction"
#: Exit status when a notebook fails (parameter, configuration and data errors exit with 2).
EXIT_NOTEBOOK_FAILED = 1
#: Default per-cell time limit, seconds.
DEFAULT_CELL_TIMEOUT = 1800


# --------------------------------------------------------------------------------------------
# The command line


def add_report_arguments(ap: argparse.ArgumentParser) -> None:
    """Add the ``iom report`` options to an argument parser.

    Parameters
    ----------
    ap : argparse.ArgumentParser
    """
    ap.formatter_class = argparse.RawDescriptionHelpFormatter
    ap.epilog = (valid_parameters_text() + "\n\nparameters come from --params, then --data and "
                 "-p (which win); relative paths are\nrelative to the current folder.\n\n"
                 "exit status:\n"
                 "  0  every notebook ran; <out>/latest now points to this run\n"
                 "  1  a notebook failed: partial output kept in the run folder (FAILED file),\n"
                 "     <out>/latest unchanged\n"
                 "  2  bad parameters, configuration or data: nothing was run")
    ap.add_argument("--data", default=None, metavar="PATH",
                    help="dataset (folder, .xlsx or SQLAlchemy URL); same as -p data=PATH "
                         "(default: the embedded synthetic data)")
    ap.add_argument("--params", default=None, metavar="FILE.yaml",
                    help="YAML file of parameters (name: value)")
    ap.add_argument("-p", "--param", dest="param", action="append", default=[],
                    metavar="KEY=VALUE", help="set a parameter (repeatable; wins over --params)")
    ap.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                    help="notebooks run in parallel (default: number of CPUs)")
    ap.add_argument("--out", default="reports", metavar="DIR",
                    help="reports folder (default: reports)")
    ap.add_argument("--notebooks", default=None, metavar="01,02,...",
                    help="run only these notebooks (numbers or names; default: all)")
    ap.add_argument("--notebook-dir", default=None, metavar="DIR",
                    help="where the NN_*.ipynb notebooks are (default: ./notebooks)")
    ap.add_argument("--force", default=None, metavar="NAME",
                    help="report on one force of a national dataset (people.force); output "
                         "goes to <out>/forces/<name>/")
    ap.add_argument("--all-forces", action="store_true",
                    help="one report per force of a national dataset, forces in parallel "
                         "(--jobs forces at a time)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                    help=f"time limit per cell (default {DEFAULT_CELL_TIMEOUT})")



def main_report(args) -> int:
    """Run ``iom report``: one run, one force (``--force``) or every force (``--all-forces``).

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by :func:`add_report_arguments`.

    Returns
    -------
    int
        The exit status.
    """
    if getattr(args, "all_forces", False):
        return EXIT_NOTEBOOK_FAILED if report_all_forces(args) else 0
    if getattr(args, "force", None):
        scratch = Path(tempfile.mkdtemp(prefix="iom-force-"))
        try:
            subset = force_subset(args.data, args.force, scratch)
            out = Path(args.out)
            args = argparse.Namespace(**{**vars(args), "data": str(subset), "force": None,
                                         "out": str(out / "forces" / force_slug(args.force))})
            print(f"iom report: force {subset.name} -> {args.out}", file=sys.stderr)
            return run_report(args)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return run_report(args)


# --------------------------------------------------------------------------------------------
# One run: prepare, submit, describe, collect, publish


@dataclass
class Run:
    """What the steps of one run hand on to each other.

    Attributes
    ----------
    args : argparse.Namespace
        The ``iom report`` arguments.
    started : str
        UTC start time (ISO 8601).
    scratch : Path
        A temporary folder removed at the end of the run.
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`.
    run_dir : Path or None
        The run folder, once it exists.
    """

    args: argparse.Namespace
    started: str
    scratch: Path
    t_start: float = field(default_factory=time.perf_counter)
    ctx: dict = field(default_factory=dict)
    kernel: str = ""
    env: dict = field(default_factory=dict)
    pool: Any = None
    zygote: Any = None
    queue: Any = None
    ds: Any = None
    redactions: dict = field(default_factory=dict)
    run_dir: Path | None = None
    progress: Progress | None = None
    futures: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)

    @property
    def notebooks(self) -> list[Notebook]:
        """The selected notebooks, in file-name order."""
        return self.ctx["notebooks"]

    @property
    def params(self) -> dict:
        """The checked parameters."""
        return self.ctx["parameters"]

    @property
    def out(self) -> Path:
        """The reports folder."""
        return self.ctx["out"]

    @property
    def run_id(self) -> str:
        """The run folder's name."""
        return self.run_dir.name


def _prepare(run: Run) -> None:
    """Check everything, start the pool, load the data if needed, create the run folder."""
    run.ctx = check_parameters(run.args)
    # one audience per reports folder, and no pseudonym key in a public one
    key_file = os.environ.get("IOM_PSEUDONYM_KEY_FILE")
    claim_audience(run.out, run.params["audience"], key_file, write=False)
    run.kernel, env = choose_kernel(run.scratch)
    env = {**env, **pseudonym_environment(run.ctx), **ledger_environment(run.ctx, run.scratch)}
    if "IPYTHONDIR" not in os.environ:
        # the kernels' IPython profile and input history (the notebooks' code) stay in
        # the run's scratch folder instead of ~/.ipython
        env = {**env, "IPYTHONDIR": str(run.scratch / "ipython")}
    env = {**env, **snapshot_environment(run.scratch)}  # kernels read the run's snapshot
    env = {**env, **results_environment(run.scratch)}   # figures notebooks hand back
    # kernels fork from a process that imports the notebooks' libraries once (POSIX)
    run.zygote, run.kernel, env = zygote.start(run.kernel, run.scratch, env)
    run.env = env
    # the workers import papermill and nbconvert while this process loads the data
    run.pool, run.queue = start_pool(run.ctx["jobs"], env)
    run.ds = load_data(run.ctx) if needs_data_first(run.params) else None
    run.out.mkdir(parents=True, exist_ok=True)
    claim_audience(run.out, run.params["audience"], key_file)
    from iomlib.sdc import KEY_FILE_ENV, new_key_file
    if KEY_FILE_ENV in env:
        new_key_file(env[KEY_FILE_ENV])
    run.redactions = identifier_redactions(run.params, env)
    run.run_dir = new_run_dir(run.out)
    (run.run_dir / "logs").mkdir()
    run.progress = Progress([nb.name for nb in run.notebooks],
                            {nb.name: len(json.loads(nb.path.read_text()).get("cells", []))
                             + (1 if nb.declared else 0) for nb in run.notebooks})


def _job(run: Run, nb: Notebook) -> dict:
    """The :func:`~iomlib.report.worker.run_notebook` job of one notebook."""
    params, run_dir = run.params, run.run_dir
    return {"name": nb.name, "input": str(nb.path.resolve()),
            "ipynb": str((run_dir / f"{nb.name}.ipynb").resolve()),
            "html": str((run_dir / f"{nb.name}.html").resolve()),
            "log": str((run_dir / "logs" / f"{nb.name}.log").resolve()),
            "parameters": ({k: params[k] for k in nb.declared if k in params}
                           if nb.declared else None),
            "kernel": run.kernel, "cwd": str(nb.path.parent.resolve()),
            "timeout": run.args.timeout, "run_id": run.run_id,
            "marking": marking(params),
            "audit_min_cell": params["min_cell"] if params["audience"] == "public" else None,
            "redact": run.redactions}


def _submit(run: Run) -> None:
    """Queue every notebook, longest first."""
    run.progress.log(f"iom report: {len(run.notebooks)} notebook(s), {run.ctx['jobs']} "
                     f"process(es), kernel {run.kernel}, run {run.run_dir}")
    for nb in run_order(run.notebooks, previous_durations(run.out)):
        run.futures[run.pool.submit(run_notebook, _job(run, nb))] = nb.name
    run.progress.draw()


def _describe(run: Run) -> None:
    """Headline figures and provenance, computed while the first notebooks run."""
    from iomlib.data.dataset import file_sha256
    from iomlib.report import provenance as prov_mod
    if run.ds is None:
        run.ds = load_data(run.ctx)
    write_snapshot(run.ds, Path(run.env[SNAPSHOT_ENV]), run.params["data"], run.ctx["config"])
    params = run.params
    from iomlib.data.coverage import coverage_notes
    coverage = coverage_notes(run.ds, params["as_of"], params["period_start"],
                              given=run.ctx.get("given", ()))
    for line in coverage:     # the period misses the data: say so, suggest dates that fit
        run.progress.log(f"iom report: note: {line}")
    # the impact estimate comes from notebook 07 when it runs (filled in after the notebooks)
    run.metrics = headline_metrics(run.ds, run.ctx, impact=(
        {"value": None, "n": None, "pending": True} if impact_in_run(run.ctx) else None))
    from iomlib.data.quality import announce, data_quality
    run.metrics["data_quality"] = data_quality(run.ds.ledger)
    for line in announce(run.ds.ledger):      # rows set aside are said, not hidden
        run.progress.log(line)
    run.shown = {k: run.redactions.get(v, v) if k == "person_id" else v
                 for k, v in mask_secrets(params).items()}
    data_prov = prov_mod.data_provenance(run.ds, params["data"])
    data_prov["parameter"] = run.shown["data"]
    config_prov = ({"path": params["config"], "sha256": file_sha256(params["config"])}
                   if params["config"] else None)
    run.info = {"run_id": run.run_id, "status": "running", "started": run.started,
                "ended": None, "parameters": run.shown, "data": data_prov,
                "config": config_prov, "packages": prov_mod.package_versions(),
                "git": prov_mod.git_info(run.ctx["notebook_dir"].resolve()),
                "environment": prov_mod.environment(), "kernel": run.kernel,
                "jobs": run.ctx["jobs"], "notebooks": [], "period_notes": coverage}
    write_json(run.run_dir / "provenance.json", run.info)
    run.progress.draw()


def _collect(run: Run) -> None:
    """Wait for the notebooks, showing the workers' progress; stop the pool."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool
    from queue import Empty
    pending = set(run.futures)
    while pending:
        done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        while True:
            try:
                run.progress.event(run.queue.get_nowait())
            except (Empty, OSError, ValueError):
                break
        for f in done:
            name = run.futures[f]
            try:
                r = f.result()
            except BrokenProcessPool as exc:
                r = {"name": name, "status": "failed", "seconds": None,
                     "message": f"{name}: the worker process died ({exc})",
                     "error": {"ename": "BrokenProcessPool", "evalue": str(exc)}}
            run.results[name] = r
            run.progress.finish(name, r["status"], r.get("seconds") or 0.0,
                                r.get("message", ""))
        run.progress.draw()
    run.progress.close()
    run.pool.shutdown(wait=True)
    run.pool = None


def _audit_ledger(run: Run) -> None:
    """Public runs: attack every released table and compare published counts across tables
    (:func:`~iomlib.report.audience.ledger_audit`); a notebook with a problem fails the run."""
    names = [nb.name for nb in run.notebooks]
    problems = ledger_audit(run.env, run.params, {n: run.run_dir / f"{n}.ipynb" for n in names})
    for name, msgs in problems.items():
        r = run.results.get(name) or run.results[names[0]]
        r.update(status="failed", error={"cell": None, "exec_count": None,
                                         "ename": "DisclosureAudit", "evalue": "; ".join(msgs),
                                         "source": ""},
                 message=f"{r['name']}: disclosure audit failed ({len(msgs)} problem(s)): "
                         f"{'; '.join(msgs[:3])}")
        run.progress.log(f"iom report: {r['message']}")


def _notebook_entry(run: Run, nb: Notebook) -> dict:
    """The provenance of one notebook's run (an element of ``provenance.json``'s list)."""
    from iomlib.data.dataset import file_sha256
    r = run.results[nb.name]
    return {"name": nb.name, "status": r["status"], "seconds": r.get("seconds"),
            "started": r.get("started"), "ended": r.get("ended"),
            "error": r.get("error"), "message": r.get("message", ""),
            "source": str(nb.path.resolve()), "source_sha256": file_sha256(nb.path),
            "parameters": ({k: run.shown[k] for k in nb.declared if k in run.shown}
                           if nb.declared is not None else None),
            "execute_seconds": r.get("execute_seconds"),
            "render_seconds": r.get("render_seconds"),
            "figures": r.get("figures"), "stderr_outputs": r.get("stderr_outputs"),
            "external": r.get("external", [])}


def _finish_pages(run: Run, ended: str) -> list[dict]:
    """Add the provenance to every page; return the index's list of reports."""
    reports, nb_prov, info = [], [], run.info
    for nb in run.notebooks:
        r = run.results[nb.name]
        html_path, ipynb_path = run.run_dir / f"{nb.name}.html", run.run_dir / f"{nb.name}.ipynb"
        entry = _notebook_entry(run, nb)
        nb_prov.append(entry)
        if html_path.exists():
            finish_report(html_path, {
                "run_id": run.run_id, "status": r["status"], "run_started": run.started,
                "run_ended": ended, "notebook_started": r.get("started"),
                "notebook_ended": r.get("ended"), "kernel": run.kernel,
                "notebook": {"path": str(nb.path), "sha256": entry["source_sha256"]},
                "parameters": entry["parameters"] or {}, "data": info["data"],
                "config": info["config"], "packages": info["packages"], "git": info["git"],
                "environment": info["environment"]})
        if r.get("external"):
            run.progress.log(f"iom report: warning: {nb.name}.html still refers to other "
                             f"hosts: {r['external'][:3]}")
        reports.append({**entry, "title": r.get("title"), "has_html": html_path.exists(),
                        "has_ipynb": ipynb_path.exists()})
    info["notebooks"] = nb_prov
    return reports


def _write_run_files(run: Run, status: str, ended: str, reports: list[dict]) -> None:
    """``provenance.json``, ``metrics.json`` and ``index.html`` of the finished run."""
    info = run.info
    info.update(status=status, ended=ended)
    write_json(run.run_dir / "provenance.json", info)
    git = info["git"]
    metrics = dict(run.metrics)
    metrics["run"] = {"run_id": run.run_id, "status": status, "started": run.started,
                      "ended": ended, "parameters": run.shown, "data_source": run.ds.source,
                      "git_commit": git["commit"] if git else None,
                      "iomlib": info["packages"].get("iomlib"),
                      "notebooks": {e["name"]: e["status"] for e in info["notebooks"]}}
    write_json(run.run_dir / "metrics.json", metrics)
    (run.run_dir / "index.html").write_text(index_html(metrics, reports, {
        "run_id": run.run_id, "status": status, "started": run.started, "ended": ended,
        "parameters": run.shown, "data_source": run.ds.source, "git": git,
        "packages": info["packages"]}), encoding="utf-8")


def _impact_figure(run: Run) -> None:
    """The impact entry of ``metrics.json``: the estimate notebook 07 recorded, or (07 failed,
    had nothing to show or ran without recording) fitted here; suppressed for a public run."""
    if not impact_in_run(run.ctx):
        return
    est = results.read(Path(run.env[results.RESULTS_ENV]), "impact_headline")
    entry = impact_entry(est) if est is not None else impact_metric(run.ds, run.ctx["config"])
    if run.params["audience"] == "public":
        from iomlib.measures.headline import COUNT_KEYS
        from iomlib.sdc import suppress_headline
        entry = suppress_headline({IMPACT_KEY: entry}, run.params["min_cell"],
                                  COUNT_KEYS)[IMPACT_KEY]
    run.metrics[IMPACT_KEY] = entry


def _publish(run: Run) -> int:
    """Write the run's pages and files; point ``latest`` at it if every notebook succeeded."""
    ended = now()
    failed = [run.results[nb.name] for nb in run.notebooks
              if run.results[nb.name]["status"] not in ("ok", NOTHING_TO_SHOW)]
    reports = _finish_pages(run, ended)
    _write_run_files(run, "failed" if failed else "ok", ended, reports)
    from iomlib.report.appendix.build import appendix_for_run
    appendix_for_run(run)  # appendix.html and .pdf, linked first on index.html
    run_dir, progress = run.run_dir, run.progress
    if failed:
        head = (f"run {run.run_id} failed at {ended}; {len(failed)} of {len(run.notebooks)} "
                f"notebook(s) failed:")
        lines = [head] + [f"  {r['message']}" for r in failed]
        (run_dir / "FAILED").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for r in failed:
            progress.log(f"iom report: error: notebook {r['message']} "
                         f"(log: {run_dir / 'logs' / (r['name'] + '.log')})")
        progress.log(f"iom report: partial output kept in {run_dir} (marked FAILED); "
                     f"{run.out / 'latest'} not changed")
        return EXIT_NOTEBOOK_FAILED
    latest = publish(run.out, run_dir)
    total = time.perf_counter() - run.t_start
    progress.log(f"iom report: {len(run.notebooks)} notebook(s) in {total:.1f} s")
    print(f"published {run_dir} -> {latest}")
    return 0


def _fail(run: Run, exc: BaseException) -> None:
    """Mark the run folder FAILED (if there is one); turn an OSError into a clear IomError."""
    run_dir = run.run_dir
    if run_dir is not None and not (run_dir / "FAILED").exists():
        why = ("interrupted (Ctrl-C or SIGTERM)" if isinstance(exc, KeyboardInterrupt)
               else f"{type(exc).__name__}: {exc}")
        try:
            (run_dir / "FAILED").write_text(f"{why}; partial output kept, latest not "
                                            f"changed\n")
        except OSError:
            pass  # the folder cannot be written either; report the original error
    if isinstance(exc, OSError) and not isinstance(exc, IomError):
        # e.g. --out inside a file, a read-only or full disk: a clear message, no traceback
        err = IomError(f"cannot write the reports: {exc}; "
                       f"{Path(run.args.out) / 'latest'} not changed")
        err.exit_code = EXIT_NOTEBOOK_FAILED if run_dir is not None else 2
        raise err from exc


def run_report(args) -> int:
    """Run ``iom report``; see the module docstring.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        0 when every notebook ran and the run was published, :data:`EXIT_NOTEBOOK_FAILED`
        when a notebook failed.

    Raises
    ------
    IomError
        Bad parameters, configuration or data (exit status 2; nothing has been run).
    """
    if "jsonschema" not in sys.modules:
        # as in the workers (iomlib.report.worker): jsonschema, imported by nbformat for the
        # appendix, would build rfc3987_syntax's grammar (about a second) for "iri" string
        # formats that notebooks do not use
        sys.modules.setdefault("rfc3987_syntax", None)
    run = Run(args=args, started=now(), scratch=Path(tempfile.mkdtemp(prefix="iom-report-")))
    previous_term = _terminate_as_interrupt()
    try:
        _prepare(run)
        _submit(run)
        _describe(run)
        _collect(run)
        _impact_figure(run)
        _audit_ledger(run)
        return _publish(run)
    except BaseException as exc:
        _fail(run, exc)
        raise
    finally:
        if run.pool is not None:  # only on an error or interruption: stop the workers now
            stop_pool(run.pool)
        if run.zygote is not None:
            run.zygote.stop()
        shutil.rmtree(run.scratch, ignore_errors=True)
        if previous_term is not None:
            import signal
            signal.signal(signal.SIGTERM, previous_term)


def _terminate_as_interrupt():
    """Treat SIGTERM like Ctrl-C (clean up, mark the run FAILED); return the old handler."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return None

