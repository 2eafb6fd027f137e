"""Change since the last report: the headline figures of the previous good run in the same
reports folder, for the same audience, with an earlier as-of date."""
from __future__ import annotations

import json
from pathlib import Path


def _good_runs(out: Path, current: str):
    """``(run_id, metrics)`` of every finished good run except ``current``, newest first."""
    runs = out / "runs"
    if not runs.is_dir():
        return
    for d in sorted((p for p in runs.iterdir() if p.is_dir()), reverse=True):
        if d.name == current or (d / "FAILED").exists():
            continue
        try:
            m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (m.get("run") or {}).get("status") == "ok":
            yield d.name, m


def previous_metrics(out, current_run: str, as_of: str, audience: str,
                     min_cell: int) -> dict | None:
    """The headline figures of the last good report before this one, or None.

    Parameters
    ----------
    out : str or Path
        The reports folder (its ``runs/`` holds every run).
    current_run : str
        This run's folder name (skipped).
    as_of : str
        This run's as-of date (ISO); only runs with an earlier as-of date count.
    audience : str
        Only runs for the same audience count (a restricted run's figures never reach a
        public appendix).
    min_cell : int
        For a public audience the previous figures are suppressed again at this threshold.

    Returns
    -------
    dict or None
        The previous run's ``metrics.json`` (``run_id`` added to its ``run`` entry).
    """
    for run_id, m in _good_runs(Path(out), current_run):
        params = (m.get("run") or {}).get("parameters") or {}
        if params.get("audience") != audience or str(m.get("as_of", "")) >= str(as_of):
            continue
        if audience == "public":
            from iomlib.measures.headline import COUNT_KEYS
            from iomlib.sdc import suppress_headline
            m = suppress_headline(m, min_cell, COUNT_KEYS)
        m.setdefault("run", {})["run_id"] = run_id
        return m
    return None


def change(key: str, now: dict | None, before: dict | None):
    """The change of one headline figure: ``(previous value, change, unit of change)``.

    Parameters
    ----------
    key : str
        The measure key.
    now, before : dict or None
        The measure's entries in this and the previous run.

    Returns
    -------
    tuple
        ``(previous, difference, kind)`` with ``kind`` ``"points"`` for percentages (a change
        in percentage points), ``"count"`` otherwise; values None where either is missing or
        suppressed.
    """
    from iomlib.report.appendix.labels import measure
    unit = measure(key).unit
    scale = 100.0 if unit == "proportion" else 1.0
    prev = None if not before or before.get("suppressed") else before.get("value")
    cur = None if not now or now.get("suppressed") else now.get("value")
    prev = None if prev is None else float(prev) * scale
    cur = None if cur is None else float(cur) * scale
    diff = None if prev is None or cur is None else cur - prev
    return prev, diff, "count" if unit == "people" else "points"
