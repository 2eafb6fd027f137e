"""Notebooks that have nothing at all to show (:func:`iomlib.measures.empty.stop`).

Such a notebook is not a failure: its status is :data:`NOTHING_TO_SHOW`, the reason is its
message (listed on the index page), the error output of the cell that stopped it is removed
(no traceback is published; the reason was displayed just before), the cells after it (never
run: headings and narrative without their figures would mislead a reader) are dropped, and the
run still publishes.
"""
from __future__ import annotations

import json
from pathlib import Path

NOTHING_TO_SHOW = "nothing to show"
ENAME = "NothingAtAll"


def is_nothing_at_all(ename: str | None) -> bool:
    """Whether a notebook error is :class:`~iomlib.measures.empty.NothingAtAll`.

    Parameters
    ----------
    ename : str or None
        The exception's name as papermill reports it.
    """
    return ename == ENAME


def mark_nothing_to_show(ipynb: str | Path, res: dict, reason: str) -> None:
    """Record a notebook as having nothing to show, and strip the error from its outputs.

    Parameters
    ----------
    ipynb : str or Path
        The executed notebook (rewritten in place when it exists).
    res : dict
        The worker's result; ``status`` and ``message`` are set.
    reason : str
        The sentence the notebook gave.
    """
    res.update(status=NOTHING_TO_SHOW, error=None, message=f"nothing to show: {reason}")
    path = Path(ipynb)
    if not path.exists():
        return
    nb = json.loads(path.read_text(encoding="utf-8"))
    # papermill's "An Exception was encountered" banner cells
    nb["cells"] = [c for c in nb.get("cells", [])
                   if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    stopped = [i for i, c in enumerate(nb["cells"])
               if c.get("metadata", {}).get("papermill", {}).get("exception")]
    if stopped:
        nb["cells"] = nb["cells"][:stopped[0] + 1]     # the rest never ran
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = [o for o in cell.get("outputs", [])
                           if not (o.get("output_type") == "error"
                                   or (o.get("output_type") == "stream"
                                       and o.get("name") == "stderr"
                                       and ENAME in "".join(o.get("text", ""))))]
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("exception"):
            meta["exception"] = False
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
