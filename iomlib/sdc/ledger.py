"""The restricted disclosure ledger of a public run, and the audits the runner makes of it.

Every table a public :class:`~iomlib.sdc.policy.Disclosure` releases is recorded here (its true
cells, which are hidden, and the relations a reader sees), and so is every published count
whose set of people or episodes the notebook names (:meth:`Disclosure.people`), as keyed
fingerprints of the members. The ledger is a folder of JSON-lines files named by the
environment variable ``IOM_SDC_AUDIT_DIR``: the report runner points it at the run's private
scratch folder (never a folder a report is published from) and, when the notebooks have run:

* :func:`audit_tables` attacks every recorded table as a reader would
  (:func:`iomlib.sdc.intervals.cell_intervals`) and lists every hidden cell that is pinned or
  whose largest possible value is below ``min_cell``;
* :func:`audit_sets` finds every pair of published counts whose sets are nested and whose
  difference is from 1 to ``min_cell - 1``, and every published total that published disjoint
  counts inside it leave short by 1 to ``min_cell - 1``.

Problems name the notebook, the table and the cell's position, never a value.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np

#: The environment variable naming the ledger folder of a run.
AUDIT_DIR_ENV = "IOM_SDC_AUDIT_DIR"


def ledger_dir() -> Path | None:
    """The ledger folder of this run (``$IOM_SDC_AUDIT_DIR``), or ``None``."""
    d = os.environ.get(AUDIT_DIR_ENV)
    return Path(d) if d else None


def new_audit_id() -> str:
    """A random id tying a table shown in a notebook to its ledger record."""
    return uuid.uuid4().hex[:16]


def _salt(d: Path) -> bytes:
    """The ledger's random key for fingerprints (made once, owner-only)."""
    p = d / ".salt"
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(p.read_text().strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w") as f:
        f.write(key.hex())
    return key


def _append(record: dict) -> bool:
    d = ledger_dir()
    if d is None:
        return False
    d.mkdir(parents=True, exist_ok=True)
    with open(d / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record, default=str) + "\n")
    return True


def record_table(audit_id: str, published, min_cell: int) -> bool:
    """Write what a reader of one released table has to the ledger (if there is one).

    Parameters
    ----------
    audit_id : str
    published : iomlib.sdc.suppress.Published
        True values, hidden cells, relations.
    min_cell : int

    Returns
    -------
    bool
        Whether a ledger was written.
    """
    values = [None if np.isnan(v) else float(v) for v in published.values]
    return _append({"kind": "table", "audit_id": audit_id, "min_cell": int(min_cell),
                    "columns": [str(c) for c in published.columns], "values": values,
                    "hidden": [bool(h) for h in published.hidden],
                    "lines": [[list(map(int, ln.cells)), list(map(float, ln.coefs))]
                              for ln in published.lines],
                    "zeros_shown": bool(published.zeros_shown)})


def record_set(audit_id: str, label: str, ids: Iterable, shown: bool) -> bool:
    """Write the keyed fingerprints of the set of people a published count counts.

    Parameters
    ----------
    audit_id : str
    label : str
        What the count is, in words (for the audit's messages).
    ids : iterable
        The identifiers counted (person, episode, survivor ...): distinct values are the count.
    shown : bool
        Whether the count is published (a hidden count is recorded but not compared).

    Returns
    -------
    bool
    """
    d = ledger_dir()
    if d is None:
        return False
    d.mkdir(parents=True, exist_ok=True)
    key = _salt(d)
    fps = sorted({hmac.new(key, str(i).encode(), hashlib.sha256).hexdigest()[:20] for i in ids})
    return _append({"kind": "set", "audit_id": audit_id, "label": label, "n": len(fps),
                    "shown": bool(shown), "members": fps})


def read_ledger(d: str | Path) -> dict[str, list[dict]]:
    """``{file stem (the kernel's process id): [records]}`` of a ledger folder."""
    out: dict[str, list[dict]] = {}
    for p in sorted(Path(d).glob("*.jsonl")):
        out[p.stem] = [json.loads(line) for line in p.read_text().splitlines() if line.strip()]
    return out


def audit_tables(records: list[dict], min_cell: int) -> list[tuple[str, str]]:
    """Attack every recorded table: ``[(audit_id, problem)]`` for each exposed hidden cell.

    Parameters
    ----------
    records : list of dict
        Ledger records (other kinds are ignored).
    min_cell : int
        The run's threshold: a hidden cell whose largest possible value is below it, or that
        is pinned to a value below it, is a problem.

    Returns
    -------
    list of (str, str)
    """
    from iomlib.sdc.intervals import cell_intervals
    from iomlib.sdc.secondary import _Line
    problems = []
    for r in records:
        if r.get("kind") != "table":
            continue
        values = np.array([np.nan if v is None else v for v in r["values"]], dtype=float)
        hidden = np.array(r["hidden"], dtype=bool)
        lines = [_Line(c, k) for c, k in r["lines"]]
        n_cols = len(r["columns"])
        iv = cell_intervals(values, hidden, lines, zeros_shown=r["zeros_shown"])
        for c, (low, high) in sorted(iv.items()):
            where = f"row {c // n_cols + 1}, column {r['columns'][c % n_cols]!r}"
            if low == high and low < min_cell:
                problems.append((r["audit_id"], f"the hidden cell at {where} can be worked out "
                                                f"from the published cells and totals"))
            elif high < min_cell:
                problems.append((r["audit_id"], f"the hidden cell at {where} is shown by the "
                                                f"published cells to be below {min_cell}"))
    return problems


def audit_sets(records: list[dict], min_cell: int) -> list[tuple[str, str]]:
    """Nested published counts with a small difference, and totals left short by a little.

    Parameters
    ----------
    records : list of dict
        Ledger records of every notebook of the run (sets of different notebooks are compared).
    min_cell : int

    Returns
    -------
    list of (str, str)
        ``(audit_id of the larger count, problem)``.
    """
    sets = [(r, frozenset(r["members"])) for r in records
            if r.get("kind") == "set" and r.get("shown") and r["n"] > 0]
    problems = []
    for big, b in sets:
        inside = [(r, s) for r, s in sets if s < b]
        for small, s in inside:
            if 0 < len(b) - len(s) < min_cell:
                problems.append((big["audit_id"], f"{big['label']!r} minus {small['label']!r} "
                                                  f"is a count from 1 to {min_cell - 1}"))
        # disjoint published parts of a published total: greedy, largest first
        union: set = set()
        parts = []
        for r, s in sorted(inside, key=lambda rs: -len(rs[1])):
            if not (union & s):
                union |= s
                parts.append(r["label"])
        if len(parts) >= 2 and 0 < len(b) - len(union) < min_cell:
            problems.append((big["audit_id"], f"{big['label']!r} minus the sum of "
                                              f"{', '.join(map(repr, parts))} is a count from 1 "
                                              f"to {min_cell - 1}"))
    return problems


def _owners(notebooks: dict[str, Path]) -> dict[str, str]:
    """``{audit_id: notebook name}`` from the checks in the executed notebooks' outputs."""
    owner = {}
    for name, path in notebooks.items():
        try:
            text = Path(path).read_text()
        except OSError:
            continue
        nb = json.loads(text)
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []) or []:
                meta = out.get("metadata") or {}
                check = (meta.get("text/html") or {}).get("iom_disclosure") \
                    or meta.get("iom_disclosure") or {}
                for a in [check.get("audit_id"), *(check.get("audit_ids") or [])]:
                    if a:
                        owner[a] = name
    return owner


def audit_run(d: str | Path, min_cell: int, notebooks: dict[str, Path]) -> dict[str, list[str]]:
    """The interval and cross-table audits of a run's ledger, by notebook.

    Parameters
    ----------
    d : str or Path
        The ledger folder.
    min_cell : int
    notebooks : dict
        ``{notebook name: executed .ipynb}``: a record belongs to the notebook that shows its
        table, or else to the notebook whose kernel wrote it.

    Returns
    -------
    dict
        ``{notebook name (or "unknown"): [problems]}``; empty when the run passes.
    """
    files = read_ledger(d)
    owner = _owners(notebooks)
    of_record: dict[str, str] = {}
    records = []
    for recs in files.values():
        names = {owner[r["audit_id"]] for r in recs if r["audit_id"] in owner}
        name = names.pop() if len(names) == 1 else None
        for r in recs:
            of_record[r["audit_id"]] = owner.get(r["audit_id"], name or "unknown")
            records.append(r)
    tables = {}
    for recs in files.values():
        for i, r in enumerate(x for x in recs if x.get("kind") == "table"):
            tables[r["audit_id"]] = i + 1
    out: dict[str, list[str]] = {}
    for aid, msg in audit_tables(records, min_cell):
        out.setdefault(of_record[aid], []).append(f"table {tables.get(aid, '?')}: {msg}")
    for aid, msg in audit_sets(records, min_cell):
        out.setdefault(of_record[aid], []).append(msg)
    return out
