"""Provenance of a report run: what was run, on which data, with which software, when.

Every report page ends with a provenance block and every run folder holds ``provenance.json``;
both come from the dictionaries built here. Nothing in this module changes any state: the git
commit is read with ``git rev-parse`` and ``git status`` only.
"""
from __future__ import annotations

import hashlib
import html
import json
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from iomlib.data.dataset import file_sha256

#: Distributions whose versions every report states.
PACKAGES = ("iomlib", "pandas", "numpy", "statsmodels", "matplotlib", "seaborn", "papermill",
            "nbconvert", "scipy")


def package_versions(names=PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (``None`` when it is not installed).

    Parameters
    ----------
    names : iterable of str
        Distribution names.

    Returns
    -------
    dict of str to str or None
    """
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_info(path: str | Path) -> dict | None:
    """The git commit checked out at ``path``, and whether tracked files differ from it.

    Parameters
    ----------
    path : str or Path
        Any folder inside the working tree.

    Returns
    -------
    dict or None
        ``{"commit": sha, "dirty": bool}``, or ``None`` when ``path`` is not in a git working
        tree or git is not installed.
    """
    def git(*args):
        return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": dirty}


def table_hashes(dataset) -> dict[str, dict]:
    """Row count and a content hash of every table of a :class:`~iomlib.data.dataset.Dataset`.

    The content hash (SHA-256 over pandas' row hashes and the column names) identifies the data
    actually analysed, also for the embedded synthetic data and database sources, which have no
    files to hash.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    dict
        ``{table: {"rows": int, "sha256": str}}``.
    """
    out = {}
    for name, df in dataset.tables().items():
        h = hashlib.sha256(json.dumps([str(c) for c in df.columns]).encode())
        h.update(row_hashes(df).tobytes())
        out[name] = {"rows": len(df), "sha256": h.hexdigest()}
    return out


def _mostly_distinct_text(vals) -> bool:
    """An object column of ``str`` only (no missing cells) whose first cells are mostly
    distinct: hashing it cell by cell is cheaper than through its distinct values."""
    import pandas as pd
    if vals.dtype != object or len(vals) < 10_000:
        return False
    head = vals[:10_000]
    return len(set(head)) > len(head) // 2 \
        and pd.api.types.infer_dtype(vals, skipna=False) == "string"


def row_hashes(df):
    """``pandas.util.hash_pandas_object(df, index=False)`` as a NumPy array, the same values.

    Columns of text without missing cells whose values are mostly distinct (identifiers) are
    hashed cell by cell instead of through a table of their distinct values
    (``categorize=False``: the same hashes, faster on millions of distinct identifiers); the
    columns' hashes are combined as pandas combines them.

    Parameters
    ----------
    df : DataFrame

    Returns
    -------
    ndarray of uint64
    """
    import numpy as np
    import pandas as pd
    n_cols = len(df.columns)
    if n_cols == 0:
        return pd.util.hash_pandas_object(df, index=False).to_numpy()
    h = np.full(len(df), 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for i in range(n_cols):
        s = df.iloc[:, i]
        if isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
            col = pd.util.hash_array(s.array)
        else:
            vals = s.to_numpy()
            col = pd.util.hash_array(vals, categorize=not _mostly_distinct_text(vals))
        inverse = n_cols - i
        h = (h ^ col) * mult
        mult = mult + np.uint64(82520 + inverse + inverse)
    return h + np.uint64(97531)


def source_file_hashes(data_param) -> dict[str, str]:
    """SHA-256 of the files behind a ``data`` parameter, hashed here (not by the loader).

    Parameters
    ----------
    data_param : str or None
        A folder (its ``<table>.csv`` / ``<table>.parquet`` files are hashed), a workbook or
        other file, an ``sqlite:///`` URL (the database file), another URL or ``None`` (no
        files).

    Returns
    -------
    dict
        ``{file name: SHA-256}``.
    """
    if not data_param:
        return {}
    s = str(data_param)
    if "://" in s:
        if not s.startswith("sqlite:///"):
            return {}
        s = s[len("sqlite:///"):].split("?")[0]
        if not s.startswith("/"):
            s = str(Path(s).resolve())
    p = Path(s)
    if p.is_file():
        return {p.name: file_sha256(p)}
    if p.is_dir():
        from iomlib.data.schema import TABLES
        return {f.name: file_sha256(f) for f in sorted(p.iterdir())
                if f.is_file() and f.stem in TABLES}
    return {}


def data_provenance(dataset, data_param) -> dict:
    """Where the data came from and fingerprints of it.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    data_param : str or None
        The ``data`` parameter given to the notebooks (``None``: embedded synthetic default).

    Returns
    -------
    dict
        ``source``, ``parameter``, ``file_hashes`` ({file name: SHA-256}, empty for the
        synthetic default and server databases) and ``tables`` (see :func:`table_hashes`).
    """
    hashes = dict(getattr(dataset, "file_hashes", {}) or {})
    hashes.update(source_file_hashes(data_param))
    return {
        "source": dataset.source,
        "parameter": data_param,
        "file_hashes": hashes,
        "tables": table_hashes(dataset),
    }


def environment() -> dict:
    """Python version and platform of the process running the report."""
    return {"python": platform.python_version(), "executable": sys.executable,
            "platform": platform.platform()}


def _rows(pairs) -> str:
    return "".join(f"<tr><th scope='row'>{html.escape(str(k))}</th><td>{v}</td></tr>"
                   for k, v in pairs)


def _code(value) -> str:
    return f"<code>{html.escape(json.dumps(value) if not isinstance(value, str) else value)}</code>"


def provenance_html(prov: dict) -> str:
    """Render a report's provenance as an HTML ``<footer>`` (inline styles only, no links out).

    Parameters
    ----------
    prov : dict
        Keys used when present: ``run_id``, ``notebook`` (``{"path", "sha256"}``),
        ``parameters``, ``data`` (see :func:`data_provenance`), ``config`` (``{"path",
        "sha256"}`` or None), ``packages``, ``git``, ``environment``, ``kernel``, ``run_started``,
        ``run_ended``, ``notebook_started``, ``notebook_ended``, ``status``.

    Returns
    -------
    str
    """
    parts = ['<footer class="iom-provenance">', '<h2 id="provenance">Provenance</h2>']
    general = []
    for key, label in (("run_id", "Run"), ("status", "Status"), ("run_started", "Run started"),
                       ("run_ended", "Run ended"), ("notebook_started", "Notebook started"),
                       ("notebook_ended", "Notebook ended"), ("kernel", "Kernel")):
        if prov.get(key) is not None:
            general.append((label, html.escape(str(prov[key]))))
    nb = prov.get("notebook")
    if nb:
        general.append(("Notebook", f"{_code(nb['path'])}<br>sha256 {_code(nb['sha256'])}"))
    git = prov.get("git")
    if git:
        general.append(("Git commit", _code(git["commit"])
                        + (" (with uncommitted changes)" if git.get("dirty") else "")))
    elif "git" in prov:
        general.append(("Git commit", "not available (not a git working tree)"))
    cfg = prov.get("config")
    general.append(("Configuration", "packaged defaults" if not cfg else
                    f"{_code(cfg['path'])}<br>sha256 {_code(cfg['sha256'])}"))
    env = prov.get("environment")
    if env:
        general.append(("Python", html.escape(f"{env['python']} on {env['platform']}")))
    parts.append(f"<table>{_rows(general)}</table>")
    if prov.get("parameters") is not None:
        parts.append("<h3>Parameters</h3>")
        parts.append(f"<table>{_rows((k, _code(v)) for k, v in prov['parameters'].items())}"
                     "</table>")
    data = prov.get("data")
    if data:
        parts.append("<h3>Data</h3>")
        rows = [("Source", _code(data["source"]))]
        rows += [(f"file {name}", "sha256 " + _code(digest))
                 for name, digest in sorted(data.get("file_hashes", {}).items())]
        rows += [(f"table {name}", f"{t['rows']} rows, content sha256 {_code(t['sha256'])}")
                 for name, t in data.get("tables", {}).items()]
        parts.append(f"<table>{_rows(rows)}</table>")
    if prov.get("packages"):
        parts.append("<h3>Package versions</h3>")
        rows = ((k, html.escape(str(v or "not installed"))) for k, v in prov["packages"].items())
        parts.append(f"<table>{_rows(rows)}</table>")
    parts.append("</footer>")
    return "\n".join(parts)
