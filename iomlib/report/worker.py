"""The pool processes that execute and render the notebooks.

Each notebook runs in a pool process (:func:`run_notebook`): papermill executes it in a fresh
kernel with the process's output sent to the notebook's log, the executed notebook is redacted
and (public runs) audited, then rendered to HTML. Progress events go to the parent through a
queue. The pool's processes fork from a server that has imported papermill and nbconvert once.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

_LEAN_ENV = "IOM_REPORT_LEAN_IMPORTS"
if os.environ.get(_LEAN_ENV) == "1":  # pragma: no cover  (in the pool's fork server only)
    # jsonschema (via nbformat) imports rfc3987_syntax when it is installed, which builds a
    # grammar for 1.7 s; it only checks "iri" string formats, which notebooks do not use.
    sys.modules.setdefault("rfc3987_syntax", None)

from iomlib.report.audience import redact_file  # noqa: E402
from iomlib.report.kernel import engine_options  # noqa: E402
from iomlib.report.nothing import NOTHING_TO_SHOW  # noqa: E402
from iomlib.report.render import exporter, render_report  # noqa: E402

_QUEUE = None


def _worker_init(queue, env: dict) -> None:
    """Pool initializer: set the environment and import papermill and nbconvert once."""
    global _QUEUE
    _QUEUE = queue
    os.environ.update(env)
    import logging
    for name in ("papermill", "traitlets", "nbconvert", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import nbformat
    import papermill  # noqa: F401  (warm-up)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# warm-up")]
    exporter().from_notebook_node(nb, resources={"iom": {"name": "warm-up"}})  # compiles once


def _emit(*event) -> None:
    if _QUEUE is not None:
        try:
            _QUEUE.put_nowait(event)
        except Exception:  # noqa: BLE001, S110  (progress is best effort)
            pass


def now() -> str:
    """The current UTC time, ISO 8601 to the second.

    Returns
    -------
    str
    """
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _redirect_output(log_path: str):
    """Send this process's stdout/stderr (and so the kernel's) to ``log_path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return saved


def _restore_output(saved) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
    os.close(saved[0])
    os.close(saved[1])


def _injected_index(path) -> int | None:
    """Index at which papermill injects parameters: after the ``parameters`` cell."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    for i, c in enumerate(cells):
        if "parameters" in c.get("metadata", {}).get("tags", []):
            return i + 1
    return 0


def _first_line(source: str) -> str:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _failure(res: dict, error: dict, message: str) -> None:
    res.update(status="failed", error=error, message=message)


def _execute(job: dict, res: dict) -> None:
    """Run the notebook with papermill; a failure is recorded in ``res``."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from iomlib.report.nothing import is_nothing_at_all, mark_nothing_to_show
    name = job["name"]
    current = {"index": None}

    def on_cell_start(cell=None, cell_index=0, **_):
        current["index"] = cell_index
        _emit("cell", name, cell_index)

    def source_position(index):
        """1-based position in the source notebook of cell ``index`` of the run."""
        if index is None:
            return None
        injected = _injected_index(job["input"]) if job["parameters"] is not None else None
        return index + 1 - (1 if injected is not None and index > injected else 0)

    try:
        pm.execute_notebook(
            job["input"], job["ipynb"], parameters=job["parameters"],
            kernel_name=job["kernel"], progress_bar=False, log_output=False,
            cwd=job["cwd"], execution_timeout=job.get("timeout"),
            on_cell_start=on_cell_start, **engine_options())
    except PapermillExecutionError as exc:
        if is_nothing_at_all(exc.ename):      # the notebook said why it has nothing to show
            mark_nothing_to_show(job["ipynb"], res, exc.evalue)
            return
        cell = source_position(exc.cell_index)
        _failure(res, {"cell": cell, "exec_count": exc.exec_count, "ename": exc.ename,
                       "evalue": exc.evalue, "source": _first_line(exc.source)},
                 f"{name}: cell {cell} (In [{exc.exec_count}]: {_first_line(exc.source)}) "
                 f"raised {exc.ename}: {exc.evalue}")
    except Exception as exc:  # noqa: BLE001  kernel died, timeout, unreadable notebook ...
        cell = source_position(current["index"])
        evalue = " ".join(str(exc).split())[:500]
        where = f"cell {cell}: " if cell is not None else ""
        _failure(res, {"cell": cell, "exec_count": None, "ename": type(exc).__name__,
                       "evalue": evalue, "source": ""},
                 f"{name}: {where}{type(exc).__name__}: {evalue}")


def _audit(job: dict, res: dict) -> None:
    """A public run publishes nothing that bypassed disclosure control."""
    from iomlib.sdc import audit_notebook
    problems = audit_notebook(json.loads(Path(job["ipynb"]).read_text()),
                              job["audit_min_cell"])
    if problems:
        _failure(res, {"cell": None, "exec_count": None, "ename": "DisclosureAudit",
                       "evalue": "; ".join(problems[:5]), "source": ""},
                 f"{job['name']}: disclosure audit failed ({len(problems)} problem(s)): "
                 f"{'; '.join(problems[:3])}")


def _render(job: dict, res: dict) -> None:
    t1 = time.perf_counter()
    try:
        nothing = res["status"] == NOTHING_TO_SHOW
        reason = res["message"].removeprefix(f"{NOTHING_TO_SHOW}: ") if nothing else None
        res.update(render_report(job["ipynb"], job["html"], run_id=job["run_id"],
                                 failed=None if nothing else (res["message"] or None),
                                 nothing=reason, marking=job.get("marking", "")))
    except Exception as exc:  # noqa: BLE001  (reported as a failure)
        res["status"] = "failed"
        res["message"] = res["message"] or (
            f"{job['name']}: rendering HTML failed: {type(exc).__name__}: {exc}")
    res["render_seconds"] = round(time.perf_counter() - t1, 2)


def run_notebook(job: dict) -> dict:
    """Execute one notebook with papermill and render it (runs in a pool process).

    Parameters
    ----------
    job : dict
        ``name``, ``input``, ``ipynb``, ``html``, ``log``, ``parameters`` (dict or None),
        ``kernel``, ``cwd``, ``timeout`` (seconds per cell or None), ``run_id``; optional
        ``marking`` (banner), ``audit_min_cell`` (public runs: audit the executed notebook with
        :func:`iomlib.sdc.audit_notebook`) and ``redact`` (``{raw: pseudonym}`` replaced
        in the executed notebook before it is rendered).

    Returns
    -------
    dict
        ``name``, ``status`` (``"ok"`` or ``"failed"``), ``started``, ``ended``, ``seconds``,
        ``error`` (``None`` or a dict with ``cell`` (1-based position in the notebook),
        ``exec_count``, ``ename``, ``evalue``, ``source``), ``message`` and the fields returned
        by :func:`~iomlib.report.render.render_report`.
    """
    name = job["name"]
    res: dict[str, Any] = {"name": name, "status": "ok", "error": None, "message": "",
                           "started": now()}
    t0 = time.perf_counter()
    _emit("start", name, time.time())
    saved = _redirect_output(job["log"])
    try:
        _execute(job, res)
        res["execute_seconds"] = round(time.perf_counter() - t0, 2)
        if job.get("redact") and Path(job["ipynb"]).exists():
            redact_file(job["ipynb"], job["redact"])     # parameters papermill wrote in
        if res["status"] == "ok" and job.get("audit_min_cell") is not None:
            _audit(job, res)
        if Path(job["ipynb"]).exists():
            _render(job, res)
        if res["status"] == "failed":
            print(f"iom report: {res['message']}", file=sys.stderr)
    finally:
        _restore_output(saved)
    res["ended"] = now()
    res["seconds"] = round(time.perf_counter() - t0, 2)
    _emit("end", name, res["status"], res["seconds"])
    return res


def start_pool(jobs: int, env: dict):
    """A process pool whose workers fork from a server that has imported papermill/nbconvert.

    The ``forkserver`` start method imports them once (in the server, while this process loads
    the data) instead of once per worker, and never forks this process's threads.

    Parameters
    ----------
    jobs : int
        Number of processes.
    env : dict
        Environment variables the workers (and so the kernels) get.

    Returns
    -------
    (ProcessPoolExecutor, multiprocessing.Queue)
        The pool (its processes already starting) and the queue of progress events.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["iomlib.report.worker", "papermill", "nbconvert", "nbformat",
                                    "jupyter_client"])
    queue = ctx.Queue()
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                               initargs=(queue, env))
    # start the workers now so that they warm up while the data load; the fork server starts
    # with the first submission and keeps the environment it sees then
    before = os.environ.get(_LEAN_ENV)
    os.environ[_LEAN_ENV] = "1"
    try:
        for _ in range(jobs):
            pool.submit(time.sleep, 0)
    finally:
        if before is None:
            os.environ.pop(_LEAN_ENV, None)
        else:
            os.environ[_LEAN_ENV] = before
    return pool, queue


def stop_pool(pool) -> None:
    """Cancel queued notebooks and terminate the workers (their kernels notice and exit).

    Parameters
    ----------
    pool : ProcessPoolExecutor
    """
    procs = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass
