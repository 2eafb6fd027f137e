"""The report runner (``iom report``): run the appendix notebooks and publish them as HTML.

What one run does, in order:

1. **Validate** every parameter (from ``--params FILE.yaml``, ``--data`` and ``-p key=value``)
   against :data:`PARAMETERS` and the parameters the notebooks declare, then load the
   configuration and the data. Any problem raises :class:`~iomlib.errors.ParameterError` (or
   another :class:`~iomlib.errors.IomError`), which ``iom`` reports with exit status 2. Nothing
   has been run and no run folder exists at that point. (Papermill itself only *warns* about a
   misspelt parameter; this check is what prevents a silently ignored one.)
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
import datetime as _dt
import difflib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from iomlib.errors import IomError, ParameterError
from iomlib.report.notebooks import (  # noqa: F401  (re-exported)
    NOTEBOOK_GLOB,
    Notebook,
    default_notebook_dir,
    discover_notebooks,
)
from iomlib.report.params import (  # noqa: F401  (re-exported)
    AUDIENCES,
    COHORTS,
    PARAMETERS,
    Param,
    check_parameters,
    mask_secrets,
    notebook_parameters,
    parse_assignment,
    read_params_file,
    resolve_parameters,
    valid_parameters_text,
)

_LEAN_ENV = "IOM_REPORT_LEAN_IMPORTS"
if os.environ.get(_LEAN_ENV) == "1":  # pragma: no cover  (in the pool's fork server only)
    # jsonschema (via nbformat) imports rfc3987_syntax when it is installed, which builds a
    # grammar for 1.7 s; it only checks "iri" string formats, which notebooks do not use.
    sys.modules.setdefault("rfc3987_syntax", None)

#: Exit status when a notebook fails (parameter, configuration and data errors exit with 2).
EXIT_NOTEBOOK_FAILED = 1
#: The project's Jupyter kernel (registered by ``make setup``).
KERNEL_NAME = "iom-suite"
#: Default per-cell time limit, seconds.
DEFAULT_CELL_TIMEOUT = 1800

_TOP_MARKER = "<!--IOM-REPORT-TOP-->"
_BOTTOM_MARKER = "<!--IOM-REPORT-PROVENANCE-->"


# --------------------------------------------------------------------------------------------
# Kernel


def choose_kernel(scratch: Path) -> tuple[str, dict]:
    """The kernel to run the notebooks with, and environment variables the workers need.

    ``iom-suite`` when it is registered and its interpreter exists; otherwise a kernel spec
    for the current interpreter written under ``scratch`` (made visible with ``JUPYTER_PATH``),
    so that the notebooks never run in some other Python that happens to be called python3.

    Parameters
    ----------
    scratch : Path
        A temporary folder that lives as long as the run.

    Returns
    -------
    (str, dict)
        Kernel name and extra environment variables.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        exe = spec.argv[0] if spec.argv else ""
        if Path(exe).exists() or shutil.which(exe):
            return KERNEL_NAME, {}
    except NoSuchKernel:
        pass
    name = "iom-report-python"
    kdir = scratch / "kernels" / name
    kdir.mkdir(parents=True, exist_ok=True)
    (kdir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": f"Python ({sys.executable})", "language": "python"}))
    path = os.pathsep.join(filter(None, [str(scratch), os.environ.get("JUPYTER_PATH")]))
    return name, {"JUPYTER_PATH": path}


# --------------------------------------------------------------------------------------------
# HTML

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">
body.jp-Notebook { max-width: 1100px; margin: 0 auto; }
.iom-header { font: 13px/1.5 system-ui, sans-serif; color: #555; border-bottom: 1px solid #ddd;
  padding: 8px 0; margin-bottom: 8px; }
.iom-header a { color: #1a5fb4; }
.iom-toc { font: 14px/1.6 system-ui, sans-serif; background: #f6f8fa; border: 1px solid #ddd;
  border-radius: 4px; padding: 4px 16px 8px; margin: 8px 0 16px; }
.iom-toc h2 { font-size: 15px; margin: 8px 0 4px; }
.iom-toc ol { margin: 0; padding-left: 20px; }
.iom-toc a { color: #1a5fb4; text-decoration: none; }
.iom-provenance { font: 12px/1.5 system-ui, sans-serif; color: #333; border-top: 2px solid #ddd;
  margin-top: 32px; padding: 8px 0 24px; }
.iom-provenance h2 { font-size: 16px; } .iom-provenance h3 { font-size: 13px; margin: 12px 0 4px; }
.iom-provenance table { border-collapse: collapse; }
.iom-provenance th, .iom-provenance td { text-align: left; vertical-align: top;
  padding: 2px 12px 2px 0; border-bottom: 1px solid #eee; font-weight: normal; }
.iom-provenance th { color: #666; white-space: nowrap; }
.iom-provenance code { font-size: 11px; word-break: break-all; }
.iom-failed { background: #fde8e8; border: 1px solid #c01c28; padding: 8px 12px;
  font: 14px/1.5 system-ui, sans-serif; }
</style>{% endblock extra_css %}
{%- block body_header -%}{{ super() }}""" + _TOP_MARKER + """{%- endblock body_header -%}
{% block body_footer %}""" + _BOTTOM_MARKER + """{{ super() }}{% endblock body_footer %}
"""

_EXTERNAL_PATTERNS = (
    ("script", re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)",
                          re.IGNORECASE)),
    ("link", re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE)),
    ("img", re.compile(r"<(?:img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?\s*"
                       r"((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE)),
    ("css", re.compile(r"url\(\s*[\"']?\s*((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)),
    ("css", re.compile(r"@import\s+[\"']((?:https?:)?//[^\"']+)", re.IGNORECASE)),
    ("module", re.compile(r"\bimport\s*\(\s*[\"']((?:https?:)?//[^\"']+)", re.IGNORECASE)),
)


def external_resources(text: str) -> list[tuple[str, str]]:
    """Everything in an HTML page that a browser would fetch from another host.

    Scripts, style sheets, fonts, images and frames given by ``http(s)://`` or ``//`` URLs,
    CSS ``url(...)`` and ``@import``, and dynamic ``import("...")`` in scripts. Plain links
    (``<a href>``) are not fetched and are not reported.

    Parameters
    ----------
    text : str
        HTML.

    Returns
    -------
    list of (str, str)
        ``(kind, url)`` pairs; empty for a self-contained page.
    """
    return [(kind, m.group(1)) for kind, rx in _EXTERNAL_PATTERNS for m in rx.finditer(text)]


def strip_external_scripts(text: str) -> str:
    """Remove ``<script src=...>`` and ``<link href=...>`` elements that point to other hosts."""
    text = re.sub(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script>", "",
                  text, flags=re.IGNORECASE)
    return re.sub(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", "", text,
                  flags=re.IGNORECASE)


class _Headings(HTMLParser):
    """Collect ``<h1>``-``<h6>`` elements that have an ``id``: (level, id, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._cur: list | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and a.get("id"):
            self._cur = [int(tag[1]), a["id"], []]
        elif self._cur is not None and tag == "a" and "anchor-link" in (a.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._cur is not None and tag == f"h{self._cur[0]}":
            text = " ".join("".join(self._cur[2]).split())
            if text:
                self.found.append((self._cur[0], self._cur[1], text))
            self._cur = None

    def handle_data(self, data):
        if self._cur is not None and not self._skip:
            self._cur[2].append(data)


def headings(text: str) -> list[tuple[int, str, str]]:
    """Headings with an ``id`` in an HTML page, in document order: ``(level, id, text)``."""
    p = _Headings()
    p.feed(text)
    p.close()
    return p.found


def toc_html(heads: list[tuple[int, str, str]], extra: list[tuple[str, str]] = ()) -> str:
    """A nested table of contents.

    A single top-level heading that comes first is taken as the page title and left out; the
    two heading levels below the top level are listed.

    Parameters
    ----------
    heads : list of (int, str, str)
        From :func:`headings`.
    extra : list of (str, str)
        ``(id, text)`` entries appended at the top level (e.g. the provenance section).

    Returns
    -------
    str
        A ``<nav>`` element (empty string when there is nothing to list).
    """
    heads = list(heads)
    if heads:
        top = min(h[0] for h in heads)
        if sum(h[0] == top for h in heads) == 1 and heads[0][0] == top and len(heads) > 1:
            heads = heads[1:]
    items = []
    if heads:
        top = min(h[0] for h in heads)
        items = [(h[0] - top, h[1], h[2]) for h in heads if h[0] - top < 2]
    items += [(0, i, t) for i, t in extra]
    if not items:
        return ""
    out = ['<nav class="iom-toc" aria-label="Contents"><h2 id="iom-contents">Contents</h2><ol>']
    depth = 0
    first = True
    for level, ident, text in items:
        if not first:
            if level > depth:
                out.append("<ol>" * (level - depth))
            else:
                out.append("</li>" + "</ol></li>" * (depth - level))
        depth = max(level, 0)
        first = False
        out.append(f'<li><a href="#{html.escape(ident, quote=True)}">{html.escape(text)}</a>')
    out.append("</li>" + "</ol></li>" * depth + "</ol></nav>")
    return "".join(out)


_EXPORTER = None


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter
        _EXPORTER = HTMLExporter(
            template_name="lab", exclude_input=True, exclude_input_prompt=True,
            exclude_output_prompt=True, embed_images=True,
            extra_loaders=[DictLoader({"iom_report.html.j2": _TEMPLATE})],
            template_file="iom_report.html.j2")
    return _EXPORTER


def _prune(nb) -> int:
    """Drop stderr output and code cells left without output; return how many stderr outputs."""
    n_stderr = 0
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            outs = [o for o in cell.get("outputs", [])
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            n_stderr += len(cell.get("outputs", [])) - len(outs)
            cell.outputs = outs
            if not outs:
                continue
        cells.append(cell)
    nb.cells = cells
    return n_stderr


def render_report(ipynb: str | Path, out_html: str | Path, *, run_id: str = "",
                  failed: str | None = None, marking: str = "") -> dict:
    """Render an executed notebook to a self-contained HTML report without code.

    Parameters
    ----------
    ipynb : str or Path
        The executed notebook.
    out_html : str or Path
        Where to write the page. Its bottom holds a marker that :func:`finish_report` replaces
        with the provenance block.
    run_id : str
        Shown in the page header.
    failed : str, optional
        A reason shown in a banner at the top when the notebook failed.

    Returns
    -------
    dict
        ``title``, ``headings`` (count), ``figures`` (embedded images), ``stderr_outputs``
        (dropped) and ``external`` (remaining references to other hosts; should be empty).
    """
    import nbformat
    ipynb, out_html = Path(ipynb), Path(out_html)
    nb = nbformat.read(ipynb, as_version=4)
    n_stderr = _prune(nb)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    body = strip_external_scripts(body)
    heads = headings(body)
    title = next((t for lvl, _, t in heads if lvl == 1), ipynb.stem)
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body,
                  count=1, flags=re.DOTALL)
    top = ((f'<div class="iom-marking" role="note"><strong>{html.escape(marking)}</strong></div>'
            if marking else "")
           + f'<header class="iom-header"><a href="index.html">&larr; All reports</a>'
           f' &middot; {html.escape(ipynb.stem)}'
           + (f" &middot; run {html.escape(run_id)}" if run_id else "") + "</header>")
    if failed:
        top += (f'<div class="iom-failed" role="alert"><strong>This notebook failed.</strong> '
                f'{html.escape(failed)} The output below is partial.</div>')
    top += toc_html(heads, extra=[("provenance", "Provenance")])
    body = body.replace(_TOP_MARKER, top, 1)
    out_html.write_text(body, encoding="utf-8")
    return {"title": title, "headings": len(heads), "stderr_outputs": n_stderr,
            "figures": len(re.findall(r"<img\b[^>]*src=[\"']data:image/", body)),
            "external": external_resources(body)}


def finish_report(out_html: str | Path, provenance: dict) -> None:
    """Put the provenance block at the bottom of a rendered report (written atomically).

    Parameters
    ----------
    out_html : str or Path
        A page written by :func:`render_report`.
    provenance : dict
        See :func:`iomlib.report.provenance.provenance_html`.
    """
    from iomlib.report.provenance import provenance_html
    out_html = Path(out_html)
    text = out_html.read_text(encoding="utf-8")
    text = text.replace(_BOTTOM_MARKER, provenance_html(provenance), 1)
    tmp = out_html.with_name(f".{out_html.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out_html)


# --------------------------------------------------------------------------------------------
# Worker processes

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
    _exporter().from_notebook_node(nb)  # compiles the templates once per worker


def _emit(*event) -> None:
    if _QUEUE is not None:
        try:
            _QUEUE.put_nowait(event)
        except Exception:  # noqa: BLE001, S110  (progress is best effort)
            pass


def _now() -> str:
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


_KM_CLASS = None


def _engine_options() -> dict:
    """Extra papermill engine options: IPC kernels on POSIX, papermill's defaults elsewhere."""
    if os.name != "posix":
        return {}
    return {"kernel_manager_class": _kernel_manager_class()}


def _kernel_manager_class():
    """An ``AsyncKernelManager`` whose kernels talk over Unix sockets in the temp folder.

    With the default TCP transport, kernels started at the same moment by parallel processes
    can pick the same free port (a known race); IPC socket paths are unique per kernel. (It
    also avoids ipykernel's warning about unencrypted TCP.)
    """
    global _KM_CLASS
    if _KM_CLASS is None:
        import uuid

        from jupyter_client.manager import AsyncKernelManager

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.transport = "ipc"
                self.ip = os.path.join(tempfile.gettempdir(), f"iomk-{uuid.uuid4().hex[:12]}")

        _KM_CLASS = IPCKernelManager
    return _KM_CLASS


def _first_line(source: str) -> str:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


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
        by :func:`render_report`.
    """
    name = job["name"]
    res: dict[str, Any] = {"name": name, "status": "ok", "error": None, "message": "",
                           "started": _now()}
    t0 = time.perf_counter()
    _emit("start", name, time.time())
    saved = _redirect_output(job["log"])
    try:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

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
                on_cell_start=on_cell_start, **_engine_options())
        except PapermillExecutionError as exc:
            cell = source_position(exc.cell_index)
            res["status"] = "failed"
            res["error"] = {"cell": cell, "exec_count": exc.exec_count, "ename": exc.ename,
                            "evalue": exc.evalue, "source": _first_line(exc.source)}
            res["message"] = (f"{name}: cell {cell} (In [{exc.exec_count}]: "
                              f"{_first_line(exc.source)}) raised {exc.ename}: {exc.evalue}")
        except Exception as exc:  # noqa: BLE001  kernel died, timeout, unreadable notebook ...
            cell = source_position(current["index"])
            evalue = " ".join(str(exc).split())[:500]
            res["status"] = "failed"
            res["error"] = {"cell": cell, "exec_count": None, "ename": type(exc).__name__,
                            "evalue": evalue, "source": ""}
            where = f"cell {cell}: " if cell is not None else ""
            res["message"] = f"{name}: {where}{type(exc).__name__}: {evalue}"
        res["execute_seconds"] = round(time.perf_counter() - t0, 2)
        if job.get("redact") and Path(job["ipynb"]).exists():
            redact_file(job["ipynb"], job["redact"])     # parameters papermill wrote in
        if res["status"] == "ok" and job.get("audit_min_cell") is not None:
            # a public run publishes nothing that bypassed disclosure control
            from iomlib.sdc import audit_notebook
            problems = audit_notebook(json.loads(Path(job["ipynb"]).read_text()),
                                      job["audit_min_cell"])
            if problems:
                res["status"] = "failed"
                res["error"] = {"cell": None, "exec_count": None, "ename": "DisclosureAudit",
                                "evalue": "; ".join(problems[:5]), "source": ""}
                res["message"] = (f"{name}: disclosure audit failed ({len(problems)} "
                                  f"problem(s)): {'; '.join(problems[:3])}")
        if Path(job["ipynb"]).exists():
            t1 = time.perf_counter()
            try:
                res.update(render_report(job["ipynb"], job["html"], run_id=job["run_id"],
                                         failed=res["message"] or None,
                                         marking=job.get("marking", "")))
            except Exception as exc:  # noqa: BLE001  (reported as a failure)
                res["status"] = "failed"
                res["message"] = res["message"] or (
                    f"{name}: rendering HTML failed: {type(exc).__name__}: {exc}")
            res["render_seconds"] = round(time.perf_counter() - t1, 2)
        if res["status"] == "failed":
            print(f"iom report: {res['message']}", file=sys.stderr)
    finally:
        _restore_output(saved)
    res["ended"] = _now()
    res["seconds"] = round(time.perf_counter() - t0, 2)
    _emit("end", name, res["status"], res["seconds"])
    return res


# --------------------------------------------------------------------------------------------
# Progress display


class Progress:
    """Progress of the notebooks: one line per notebook updated in place on a terminal,
    plain log lines otherwise.

    Parameters
    ----------
    names : list of str
        Notebooks in display order.
    cells : dict of str to int
        Number of cells of each notebook (after parameter injection).
    stream : file
        Where to write (standard error).
    tty : bool, optional
        Force the terminal mode on or off (default: ``stream.isatty()``).
    """

    def __init__(self, names, cells, stream=None, tty=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.names = list(names)
        self.cells = dict(cells)
        self.state = {n: {"status": "waiting", "t0": None, "cell": None, "seconds": None}
                      for n in self.names}
        self.width = max(len(n) for n in self.names) if self.names else 0
        self._lines = 0

    def log(self, msg: str) -> None:
        """Write a plain message (above the progress block on a terminal)."""
        if self.tty and self._lines:
            self.stream.write(f"\x1b[{self._lines}F\x1b[J")
            self._lines = 0
        self.stream.write(msg + "\n")
        self.stream.flush()
        if self.tty:
            self.draw()

    def event(self, ev: tuple) -> None:
        """Apply an event from a worker: ``("start", name, t)``, ``("cell", name, i)``,
        ``("end", name, status, seconds)``."""
        kind, name = ev[0], ev[1]
        st = self.state.get(name)
        if st is None:
            return
        if kind == "start":
            st.update(status="running", t0=ev[2])
            if not self.tty:
                self.log(f"iom report: {name}: started")
        elif kind == "cell":
            st["cell"] = ev[2] + 1
        elif kind == "end":
            self.finish(name, ev[2], ev[3])

    def finish(self, name: str, status: str, seconds: float, message: str = "") -> None:
        """Mark a notebook finished (idempotent)."""
        st = self.state[name]
        if st["status"] in ("ok", "failed"):
            return
        st.update(status=status, seconds=seconds)
        if not self.tty:
            self.log(f"iom report: {name}: {'done' if status == 'ok' else 'FAILED'} in "
                     f"{seconds:.1f} s" + (f" ({message})" if message else ""))

    def _line(self, name: str) -> str:
        st = self.state[name]
        s = st["status"]
        if s == "waiting":
            tail = "[wait]"
        elif s == "running":
            el = time.time() - (st["t0"] or time.time())
            cell = (f"cell {st['cell']}/{self.cells.get(name, '?')}" if st["cell"]
                    else "starting kernel")
            tail = f"[run ] {cell:<18} {el:6.1f} s"
        else:
            tail = f"[{' ok ' if s == 'ok' else 'FAIL'}] {'':<18} {st['seconds']:6.1f} s"
        return f"  {name:<{self.width}}  {tail}"

    def close(self) -> None:
        """Draw the final state; later messages are written below it."""
        self.draw()
        self.tty = False
        self._lines = 0

    def draw(self) -> None:
        """Redraw the block of lines (terminal mode only)."""
        if not self.tty:
            return
        cols = shutil.get_terminal_size((100, 20)).columns - 1
        out = [f"\x1b[{self._lines}F" if self._lines else ""]
        for n in self.names:
            out.append("\x1b[2K" + self._line(n)[:cols] + "\n")
        self._lines = len(self.names)
        self.stream.write("".join(out))
        self.stream.flush()


# --------------------------------------------------------------------------------------------
# Run folder, index page, publication


def new_run_dir(out: Path) -> Path:
    """Create ``out/runs/<UTC timestamp>`` (with a suffix if it exists already)."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for i in range(1000):
        d = runs / (stamp if i == 0 else f"{stamp}-{i}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise IomError(f"cannot create a run folder in {runs}")  # pragma: no cover


def publish(out: Path, run_dir: Path) -> Path:
    """Point ``out/latest`` at ``run_dir`` atomically (a new relative symlink + os.replace).

    Parameters
    ----------
    out : Path
        The reports folder.
    run_dir : Path
        A run folder inside ``out``.

    Returns
    -------
    Path
        The ``latest`` link.

    Raises
    ------
    IomError
        ``out/latest`` exists and is a real folder or file, not a symlink.
    """
    latest = out / "latest"
    if latest.exists() and not latest.is_symlink():
        raise IomError(f"{latest} exists and is not a symlink; move it away so that it can "
                       f"point to the latest good run")
    tmp = out / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(run_dir.resolve(), out.resolve()))
    os.replace(tmp, latest)
    return latest


def _previous_durations(out: Path) -> dict:
    try:
        prov = json.loads((out / "latest" / "provenance.json").read_text())
        return {n["name"]: float(n["seconds"]) for n in prov.get("notebooks", [])
                if n.get("seconds") is not None}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _fmt_value(key: str, entry: dict, min_cell: int) -> str:
    """A headline value for the index page; public runs arrive already suppressed
    (:func:`iomlib.sdc.suppress_headline`)."""
    v = entry.get("value")
    if entry.get("suppressed"):
        return f"[c] (fewer than {min_cell} people)"
    if v is None:
        return "&ndash;"
    if key.endswith("_pct"):
        return f"{v:.1f}%"
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def index_html(metrics: dict, reports: list[dict], run: dict) -> str:
    """The run's front page: headline figures, links to every report, run details.

    Parameters
    ----------
    metrics : dict
        As returned by :func:`iomlib.measures.headline.headline_json`.
    reports : list of dict
        Per notebook: ``name``, ``title``, ``status``, ``seconds``, ``message``.
    run : dict
        ``run_id``, ``status``, ``started``, ``ended``, ``parameters``, ``data_source``,
        ``git`` and ``packages``.

    Returns
    -------
    str
        A self-contained HTML page (inline CSS, no scripts).
    """
    from iomlib.measures.headline import HEADLINE_KEYS
    esc = html.escape
    params = run["parameters"]
    rows = []
    for key in HEADLINE_KEYS:
        e = metrics.get(key)
        if not isinstance(e, dict):
            continue
        ci = ""
        if e.get("ci_low") is not None and e.get("ci_high") is not None:
            ci = f"{e['ci_low']:.1f}–{e['ci_high']:.1f}"
        rows.append(
            f"<tr data-measure='{esc(key)}'><th scope='row'>{esc(key)}</th>"
            f"<td class='num'>{_fmt_value(key, e, params['min_cell'])}</td>"
            f"<td class='num'>{'' if e.get('n') is None else e['n']}</td>"
            f"<td class='ci'>{esc(ci)}</td>"
            f"<td>{esc(str(e.get('definition') or ''))}</td></tr>")
    imp = metrics.get("impact_managed_rate_reduction")
    if isinstance(imp, dict) and imp.get("value") is not None:
        rows.append(
            "<tr data-measure='impact_managed_rate_reduction'><th scope='row'>"
            "impact_managed_rate_reduction (honest estimate)</th>"
            f"<td class='num'>{100 * imp['value']:.1f}%</td>"
            f"<td class='num'>{imp.get('n_treated')} managed / {imp.get('n_control')} "
            f"comparison</td><td class='ci'>{100 * imp['ci_low']:.1f}–"
            f"{100 * imp['ci_high']:.1f}</td>"
            f"<td>{esc(str(imp.get('definition') or ''))}; {esc(str(imp.get('method')))}</td>"
            "</tr>")
    links = []
    for r in reports:
        status = r["status"]
        mark = {"ok": "", "failed": " <strong class='bad'>FAILED</strong>"}.get(
            status, f" <em>({esc(status)})</em>")
        target = f"{r['name']}.html"
        title = esc(r.get("title") or r["name"])
        link = (f"<a href='{esc(target)}'>{title}</a>" if r.get("has_html")
                else title)
        secs = f" <span class='muted'>{r['seconds']:.1f} s</span>" if r.get("seconds") else ""
        nb = f" <a class='muted' href='{esc(r['name'])}.ipynb'>notebook</a>" \
            if r.get("has_ipynb") else ""
        msg = f"<br><span class='bad'>{esc(r['message'])}</span>" if r.get("message") else ""
        links.append(f"<li><code>{esc(r['name'])}</code> {link}{mark}{secs}{nb}{msg}</li>")
    banner = (f"<p class='marking' role='note'><strong>{esc(marking(params))}</strong></p>"
              if params.get("audience") else "")
    if run["status"] != "ok":
        banner = ("<div class='failed' role='alert'><strong>This run failed</strong>; "
                  "reports/latest still points to the previous good run.</div>")
    git = run.get("git")
    git_txt = (esc(git["commit"][:12]) + (" (uncommitted changes)" if git.get("dirty") else "")
               if git else "not available")
    ptable = "".join(f"<tr><th scope='row'>{esc(k)}</th><td><code>{esc(json.dumps(v))}</code>"
                     f"</td></tr>" for k, v in params.items())
    pk = ", ".join(f"{esc(k)} {esc(str(v))}" for k, v in run.get("packages", {}).items() if v)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>IOM performance appendix &ndash; {esc(metrics.get('as_of', ''))}</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 24px auto;
  padding: 0 16px; color: #222; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
th, td {{ text-align: left; vertical-align: top; padding: 4px 12px 4px 0;
  border-bottom: 1px solid #e5e5e5; }}
td.num, td.ci {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
thead th {{ border-bottom: 2px solid #bbb; }}
.muted {{ color: #777; font-size: 13px; }} .bad {{ color: #c01c28; }}
.failed {{ background: #fde8e8; border: 1px solid #c01c28; padding: 8px 12px; }}
code {{ font-size: 13px; }} a {{ color: #1a5fb4; }} li {{ margin: 4px 0; }}
</style></head>
<body>
<main>
<h1>IOM performance appendix</h1>
<p>As of <strong>{esc(str(metrics.get('as_of', '')))}</strong>; period from
{esc(str(params.get('period_start')))}; cohort {esc(str(params.get('cohort')))};
audience {esc(str(params.get('audience')))}; data: <code>{esc(run['data_source'])}</code>.</p>
{banner}
<h2 id="headline">Headline figures</h2>
<table class="headline"><thead><tr><th>measure</th><th>value</th><th>n</th>
<th>95% interval</th><th>definition</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table>
<p class="muted">Every figure with its numerator, denominator and alternative definitions:
<a href="metrics.json">metrics.json</a>.</p>
<h2 id="reports">Reports</h2>
<ol class="reports">
{''.join(links)}
</ol>
<h2 id="run">Run</h2>
<table>
<tr><th scope='row'>run</th><td><code>{esc(run['run_id'])}</code> ({esc(run['status'])})</td></tr>
<tr><th scope='row'>started</th><td>{esc(run['started'])}</td></tr>
<tr><th scope='row'>ended</th><td>{esc(run.get('ended') or '')}</td></tr>
<tr><th scope='row'>git commit</th><td><code>{git_txt}</code></td></tr>
<tr><th scope='row'>packages</th><td>{pk}</td></tr>
</table>
<h3>Parameters</h3>
<table>{ptable}</table>
<p class="muted">Full provenance: <a href="provenance.json">provenance.json</a>.</p>
</main>
</body></html>
"""


def _write_json(path: Path, obj) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# The command


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



def load_data(ctx: dict):
    """Load and validate the data and check ``person_id`` against them.

    Parameters
    ----------
    ctx : dict
        From :func:`check_parameters`.

    Returns
    -------
    Dataset

    Raises
    ------
    IomError
        The data cannot be read or are invalid, or ``person_id`` is not in them.
    """
    from iomlib.data.open import open_dataset
    params = ctx["parameters"]
    ds = open_dataset(params["data"], config=ctx["config"])
    pid = params.get("person_id")
    if pid is not None:
        ids = ds.people["person_id"].astype(str)
        if pid not in set(ids):
            close = difflib.get_close_matches(pid, ids.tolist(), n=3, cutoff=0.8)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise ParameterError(f"parameter person_id: {pid!r} is not in the people table of "
                                 f"{ds.source}{hint}\n" + valid_parameters_text())
    return ds


def pseudonym_environment(ctx: dict) -> dict:
    """Environment for the kernels so that a restricted run's pseudonyms are stable.

    Unless ``IOM_PSEUDONYM_KEY`` or ``IOM_PSEUDONYM_KEY_FILE`` is set already, a restricted
    run uses the key file ``<out>/.pseudonym-key`` (64 random hex digits, owner-only
    permissions), made by :func:`run_report` on the first run once the parameters and data
    have been checked: the same person gets the same pseudonym in every run
    written to that folder, and nobody without the file can recompute them. Public runs show
    no identifiers and need no key.

    Parameters
    ----------
    ctx : dict
        From :func:`check_parameters`.

    Returns
    -------
    dict
        Variables to add to the kernels' environment (possibly empty).
    """
    from iomlib.sdc import KEY_ENV, KEY_FILE_ENV
    if ctx["parameters"]["audience"] != "restricted" or os.environ.get(KEY_ENV) \
            or os.environ.get(KEY_FILE_ENV):
        return {}
    return {KEY_FILE_ENV: str(ctx["out"].resolve() / ".pseudonym-key")}


def identifier_redactions(params: dict, env: dict) -> dict:
    """Identifiers given as parameters, and the pseudonyms that replace them in the outputs.

    A restricted run that does not show identifiers still needs the real ``person_id`` to find
    the nominal, and papermill writes parameters into the executed notebook; the runner
    replaces them there, and in the provenance, by the same keyed pseudonym the notebook shows.

    Parameters
    ----------
    params : dict
        Checked parameters.
    env : dict
        The kernels' extra environment (it may name the key file).

    Returns
    -------
    dict
        ``{raw identifier: pseudonym}``; empty for public runs (which take no identifier) and
        runs with ``show_identifiers``.
    """
    pid = params.get("person_id")
    if pid is None or params.get("audience") != "restricted" or params.get("show_identifiers"):
        return {}
    from iomlib.sdc import Disclosure, pseudonym_key
    key, _ = pseudonym_key({**os.environ, **env})
    return {pid: Disclosure("restricted", key=key).identifier(pid)}


def redact_file(path: str | Path, redactions: dict) -> int:
    """Replace whole-token occurrences of each raw identifier in a text file; return how many."""
    if not redactions:
        return 0
    p = Path(path)
    text = p.read_text()
    total = 0
    for raw, new in redactions.items():
        text, n = re.subn(rf"(?<![A-Za-z0-9]){re.escape(raw)}(?![A-Za-z0-9])", new, text)
        total += n
    if total:
        p.write_text(text)
    return total


def marking(params: dict) -> str:
    """The protective-marking banner for the run's audience and suppression threshold."""
    from iomlib.sdc import banner
    return banner(params["audience"], params["min_cell"],
                  show_identifiers=bool(params.get("show_identifiers")))


def headline_metrics(ds, ctx: dict) -> dict:
    """The headline figures for the run's data and parameters.

    Parameters
    ----------
    ds : Dataset
    ctx : dict
        From :func:`check_parameters`.

    Returns
    -------
    dict
        :func:`iomlib.measures.headline.headline_json` of :func:`iomlib.measures.headline.headline_table` with the
        run's configuration (as-of date, period start) and cohort (``"all"``: every cohort).
    """
    from iomlib.measures.headline import headline_json, headline_table
    cohort = ctx["parameters"]["cohort"]
    metrics = headline_json(headline_table(ds, config=ctx["config"],
                                           cohorts=None if cohort == "all" else cohort))
    try:
        from iomlib.impact import impact_headline
        est = impact_headline(ds, ctx["config"])
        metrics["impact_managed_rate_reduction"] = {
            "value": est["estimate"], "n": est["n_treated"] + est["n_control"],
            "definition": est.get("estimand", ""), **est}
    except IomError as exc:  # e.g. an as-of date too early for any follow-up
        metrics["impact_managed_rate_reduction"] = {"value": None, "n": 0, "error": str(exc)}
    if ctx["parameters"]["audience"] == "public":
        from iomlib.measures.headline import COUNT_KEYS
        from iomlib.sdc import suppress_headline
        metrics = suppress_headline(metrics, ctx["parameters"]["min_cell"], COUNT_KEYS)
    return metrics


def needs_data_first(params: dict) -> bool:
    """Whether the data must be loaded and checked before any notebook starts.

    Always, except for the embedded synthetic data without ``person_id``: nothing about it can
    be invalid, so the notebooks start at once and the headline figures are computed while
    they run.
    """
    return params.get("data") is not None or params.get("person_id") is not None


def run_order(notebooks: list[Notebook], previous: dict) -> list[Notebook]:
    """Longest first, so that the last notebook to finish is a short one.

    Durations of the previous run are used where known; notebooks without one go first,
    largest file first (a rough proxy for the amount of work).
    """
    unknown = sorted((nb for nb in notebooks if nb.name not in previous),
                     key=lambda nb: -nb.path.stat().st_size)
    known = sorted((nb for nb in notebooks if nb.name in previous),
                   key=lambda nb: -previous[nb.name])
    return unknown + known


def _start_pool(jobs: int, env: dict):
    """A process pool whose workers fork from a server that has imported papermill/nbconvert.

    The ``forkserver`` start method imports them once (in the server, while this process loads
    the data) instead of once per worker, and never forks this process's threads.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["iomlib.report.runner", "papermill", "nbconvert", "nbformat",
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


def _stop_pool(pool) -> None:
    """Cancel queued notebooks and terminate the workers (their kernels notice and exit)."""
    procs = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass


def force_slug(name: str) -> str:
    """A folder name for a force (``"Avon and Somerset"`` -> ``"avon-and-somerset"``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    if not slug:
        raise ParameterError(f"--force {name!r}: not a usable force name")
    return slug


def _force_subset(data, force: str, scratch: Path) -> Path:
    """Write one force's validated tables (read lazily from Parquet) to a scratch folder."""
    from iomlib.data.open import open_dataset
    if data is None:
        raise ParameterError("--force/--all-forces need --data: a national dataset with a "
                             "'force' column in people (iom synth --forces 43 --format parquet)")
    ds = open_dataset(data, force=force)
    folder = scratch / force_slug(force)
    ds.write(folder, "parquet")
    return folder


def _forces_of(data) -> list[str]:
    from iomlib.data.sources import read_tables
    if data is None:
        raise ParameterError("--all-forces needs --data: a national dataset")
    path = Path(data)
    people = path / "people.parquet"
    if people.is_file():
        import duckdb
        with duckdb.connect() as con:
            rows = con.execute("SELECT DISTINCT force FROM read_parquet(?) WHERE force IS NOT "
                               "NULL ORDER BY 1", [str(people)]).fetchall()
        forces = [r[0] for r in rows]
    else:
        tables, _ = read_tables(data)
        forces = sorted(set(tables["people"].get("force", pd.Series(dtype=str)).dropna())
                        - {""})
    if not forces:
        raise ParameterError(f"--all-forces: {data} has no 'force' values in people")
    return forces


def main_report(args) -> int:
    """Run ``iom report``: one run, one force (``--force``) or every force (``--all-forces``)."""
    if getattr(args, "all_forces", False):
        return _report_all_forces(args)
    if getattr(args, "force", None):
        scratch = Path(tempfile.mkdtemp(prefix="iom-force-"))
        try:
            subset = _force_subset(args.data, args.force, scratch)
            out = Path(args.out)
            args = argparse.Namespace(**{**vars(args), "data": str(subset), "force": None,
                                         "out": str(out / "forces" / force_slug(args.force))})
            print(f"iom report: force {subset.name} -> {args.out}", file=sys.stderr)
            return run_report(args)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return run_report(args)


def _report_all_forces(args) -> int:
    """One ``iom report --force NAME`` subprocess per force, ``--jobs`` forces at a time."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor
    forces = _forces_of(args.data)
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    base = [sys.executable, "-m", "iomlib", "report", "--data", str(args.data), "--out",
            str(args.out), "--jobs", "1", "--timeout", str(args.timeout)]
    if args.params:
        base += ["--params", str(args.params)]
    for item in args.param or []:
        base += ["-p", item]
    if args.notebooks:
        base += ["--notebooks", args.notebooks]
    if args.notebook_dir:
        base += ["--notebook-dir", str(args.notebook_dir)]

    def one(force):
        r = subprocess.run(base + ["--force", force], capture_output=True, text=True)
        tail = (r.stderr.strip().splitlines() or [""])[-1]
        print(f"iom report: {force}: {'ok' if r.returncode == 0 else 'FAILED'} {tail}",
              file=sys.stderr, flush=True)
        return force, r.returncode

    with ThreadPoolExecutor(max(1, jobs)) as ex:
        results = list(ex.map(one, forces))
    failed = [f for f, rc in results if rc != 0]
    print(f"iom report: {len(forces) - len(failed)} of {len(forces)} forces published under "
          f"{Path(args.out) / 'forces'}" + (f"; failed: {', '.join(failed)}" if failed else ""),
          file=sys.stderr)
    return EXIT_NOTEBOOK_FAILED if failed else 0


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
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool
    from queue import Empty

    from iomlib.report import provenance as prov_mod

    started = _now()
    t_start = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="iom-report-"))
    pool = None
    previous_term = _terminate_as_interrupt()
    try:
        ctx = check_parameters(args)
        kernel, env = choose_kernel(scratch)
        env = {**env, **pseudonym_environment(ctx)}
        if "IPYTHONDIR" not in os.environ:
            # the kernels' IPython profile and input history (the notebooks' code) stay in
            # the run's scratch folder instead of ~/.ipython
            env = {**env, "IPYTHONDIR": str(scratch / "ipython")}
        # the workers import papermill and nbconvert while this process loads the data
        pool, queue = _start_pool(ctx["jobs"], env)
        ds = load_data(ctx) if needs_data_first(ctx["parameters"]) else None
        notebooks, params, out = ctx["notebooks"], ctx["parameters"], ctx["out"]
        out.mkdir(parents=True, exist_ok=True)
        from iomlib.sdc import KEY_FILE_ENV, new_key_file
        if KEY_FILE_ENV in env:
            new_key_file(env[KEY_FILE_ENV])
        redactions = identifier_redactions(params, env)
        run_dir = new_run_dir(out)
        run_id = run_dir.name
        (run_dir / "logs").mkdir()
        progress = Progress([nb.name for nb in notebooks],
                            {nb.name: len(json.loads(nb.path.read_text()).get("cells", []))
                             + (1 if nb.declared else 0) for nb in notebooks})
        progress.log(f"iom report: {len(notebooks)} notebook(s), {ctx['jobs']} process(es), "
                     f"kernel {kernel}, run {run_dir}")
        order = run_order(notebooks, _previous_durations(out))
        futures = {}
        for nb in order:
            job = {"name": nb.name, "input": str(nb.path.resolve()),
                   "ipynb": str((run_dir / f"{nb.name}.ipynb").resolve()),
                   "html": str((run_dir / f"{nb.name}.html").resolve()),
                   "log": str((run_dir / "logs" / f"{nb.name}.log").resolve()),
                   "parameters": ({k: params[k] for k in nb.declared if k in params}
                                  if nb.declared else None),
                   "kernel": kernel, "cwd": str(nb.path.parent.resolve()),
                   "timeout": args.timeout, "run_id": run_id,
                   "marking": marking(params),
                   "audit_min_cell": (params["min_cell"] if params["audience"] == "public"
                                      else None),
                   "redact": redactions}
            futures[pool.submit(run_notebook, job)] = nb.name
        progress.draw()
        # the headline figures and provenance are computed while the first notebooks run
        if ds is None:
            ds = load_data(ctx)
        metrics = headline_metrics(ds, ctx)
        shown = {k: redactions.get(v, v) if k == "person_id" else v
                 for k, v in mask_secrets(params).items()}
        git = prov_mod.git_info(ctx["notebook_dir"].resolve())
        packages = prov_mod.package_versions()
        data_prov = prov_mod.data_provenance(ds, params["data"])
        data_prov["parameter"] = shown["data"]
        config_prov = ({"path": params["config"], "sha256": prov_mod.sha256_file(params["config"])}
                       if params["config"] else None)
        run_info = {"run_id": run_id, "status": "running", "started": started, "ended": None,
                    "parameters": shown, "data": data_prov, "config": config_prov,
                    "packages": packages, "git": git, "environment": prov_mod.environment(),
                    "kernel": kernel, "jobs": ctx["jobs"], "notebooks": []}
        _write_json(run_dir / "provenance.json", run_info)
        results: dict[str, dict] = {}
        progress.draw()
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            while True:
                try:
                    progress.event(queue.get_nowait())
                except (Empty, OSError, ValueError):
                    break
            for f in done:
                name = futures[f]
                try:
                    r = f.result()
                except BrokenProcessPool as exc:
                    r = {"name": name, "status": "failed", "seconds": None,
                         "message": f"{name}: the worker process died ({exc})",
                         "error": {"ename": "BrokenProcessPool", "evalue": str(exc)}}
                results[name] = r
                progress.finish(name, r["status"], r.get("seconds") or 0.0,
                                r.get("message", ""))
            progress.draw()
        progress.close()
        pool.shutdown(wait=True)
        pool = None
        ended = _now()
        failed = [results[nb.name] for nb in notebooks if results[nb.name]["status"] != "ok"]
        status = "failed" if failed else "ok"

        reports = []
        nb_prov = []
        for nb in notebooks:
            r = results[nb.name]
            html_path, ipynb_path = run_dir / f"{nb.name}.html", run_dir / f"{nb.name}.ipynb"
            entry = {"name": nb.name, "status": r["status"], "seconds": r.get("seconds"),
                     "started": r.get("started"), "ended": r.get("ended"),
                     "error": r.get("error"), "message": r.get("message", ""),
                     "source": str(nb.path.resolve()),
                     "source_sha256": prov_mod.sha256_file(nb.path),
                     "parameters": ({k: shown[k] for k in nb.declared if k in shown}
                                    if nb.declared is not None else None),
                     "execute_seconds": r.get("execute_seconds"),
                     "render_seconds": r.get("render_seconds"),
                     "figures": r.get("figures"), "stderr_outputs": r.get("stderr_outputs"),
                     "external": r.get("external", [])}
            nb_prov.append(entry)
            if html_path.exists():
                finish_report(html_path, {
                    "run_id": run_id, "status": r["status"], "run_started": started,
                    "run_ended": ended, "notebook_started": r.get("started"),
                    "notebook_ended": r.get("ended"), "kernel": kernel,
                    "notebook": {"path": str(nb.path), "sha256": entry["source_sha256"]},
                    "parameters": entry["parameters"] or {}, "data": data_prov,
                    "config": config_prov, "packages": packages, "git": git,
                    "environment": run_info["environment"]})
            if r.get("external"):
                progress.log(f"iom report: warning: {nb.name}.html still refers to other "
                             f"hosts: {r['external'][:3]}")
            reports.append({**entry, "title": r.get("title"), "has_html": html_path.exists(),
                            "has_ipynb": ipynb_path.exists()})
        run_info.update(status=status, ended=ended, notebooks=nb_prov)
        _write_json(run_dir / "provenance.json", run_info)
        metrics = dict(metrics)
        metrics["run"] = {"run_id": run_id, "status": status, "started": started,
                          "ended": ended, "parameters": shown, "data_source": ds.source,
                          "git_commit": git["commit"] if git else None,
                          "iomlib": packages.get("iomlib"),
                          "notebooks": {e["name"]: e["status"] for e in nb_prov}}
        _write_json(run_dir / "metrics.json", metrics)
        (run_dir / "index.html").write_text(index_html(metrics, reports, {
            "run_id": run_id, "status": status, "started": started, "ended": ended,
            "parameters": shown, "data_source": ds.source, "git": git,
            "packages": packages}), encoding="utf-8")
        if failed:
            head = (f"run {run_id} failed at {ended}; {len(failed)} of {len(notebooks)} "
                    f"notebook(s) failed:")
            lines = [head] + [f"  {r['message']}" for r in failed]
            (run_dir / "FAILED").write_text("\n".join(lines) + "\n", encoding="utf-8")
            for r in failed:
                progress.log(f"iom report: error: notebook {r['message']} "
                             f"(log: {run_dir / 'logs' / (r['name'] + '.log')})")
            progress.log(f"iom report: partial output kept in {run_dir} (marked FAILED); "
                         f"{out / 'latest'} not changed")
            return EXIT_NOTEBOOK_FAILED
        latest = publish(out, run_dir)
        total = time.perf_counter() - t_start
        progress.log(f"iom report: {len(notebooks)} notebook(s) in {total:.1f} s")
        print(f"published {run_dir} -> {latest}")
        return 0
    except BaseException as exc:
        run_dir = locals().get("run_dir")
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
                           f"{Path(args.out) / 'latest'} not changed")
            err.exit_code = EXIT_NOTEBOOK_FAILED if run_dir is not None else 2
            raise err from exc
        raise
    finally:
        if pool is not None:  # only on an error or interruption: stop the workers now
            _stop_pool(pool)
        shutil.rmtree(scratch, ignore_errors=True)
        if previous_term is not None:
            import signal
            signal.signal(signal.SIGTERM, previous_term)

