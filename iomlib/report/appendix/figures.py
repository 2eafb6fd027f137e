"""The run's figures, taken from the executed notebooks with the descriptions the plot
functions attached (:mod:`iomlib.plots._describe`)."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path

from iomlib.report.appendix.tables import Table, cell


@dataclass
class Figure:
    """One figure of the appendix.

    Attributes
    ----------
    caption : str
        Without its number.
    alt : str
        Alt text, from the plot function.
    png : bytes or None
        The image; None when the chart had too little left to show (see ``empty``).
    empty : str or None
        The sentence shown instead of an empty chart.
    data : list of Table
        The data behind the chart (one per panel).
    source : str
        The analyst's page the figure comes from (a title, not a file name).
    number : int
        Set by the document.
    """

    caption: str
    alt: str
    png: bytes | None
    empty: str | None = None
    data: list = field(default_factory=list)
    source: str = ""
    number: int = 0
    withheld: list = field(default_factory=list)


def _data_table(chart: dict) -> Table:
    """A chart's data (from its output metadata) as a formatted table."""
    from iomlib.report.appendix.labels import humanise
    cols = chart.get("columns") or []
    rows = chart.get("rows") or []
    counts = [i for i, c in enumerate(cols) if c in (chart.get("count_columns") or [])]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
               for i in range(len(cols))]
    decimals = [_decimals([r[i] for r in rows]) for i in range(len(cols))]
    text = [[_words(v, decimals[i]) if i not in counts
             else ("[c]" if v is None else cell(v)) for i, v in enumerate(r)] for r in rows]
    what = "summary of the individual values" if chart.get("individual") else "values drawn"
    return Table(caption=f"Data behind the chart \u201c{chart.get('title') or 'untitled'}\u201d "
                         f"({what})",
                 columns=[humanise(c) for c in cols], rows=text, numeric=numeric,
                 counts=counts, row_header=False)


def _decimals(values: list) -> int:
    """Fixed decimals of a column: none when every number is whole, else 1 (2 below 1)."""
    nums = [abs(float(v)) for v in values if isinstance(v, (int, float))
            and not isinstance(v, bool) and v == v]
    if not nums or all(x.is_integer() for x in nums):
        return 0
    return 2 if max(nums) < 1 else 1


def _words(v, decimals: int = 1) -> str:
    """A cell as text: numbers with the column's decimals, a snake_case code as words."""
    if isinstance(v, str):
        v = " ".join(v.split())
        return v.replace("_", " ") if re.fullmatch(r"[a-z]+(?:_[a-z0-9]+)+", v) else v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
        return f"{float(v):,.{decimals}f}"
    return cell(v)


def _title(nb) -> str:
    for c in nb.cells:
        if c.cell_type == "markdown":
            for line in c.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def notebook_figures(ipynb) -> list[Figure]:
    """The described figures of one executed notebook, in order.

    Parameters
    ----------
    ipynb : str or Path
        An executed notebook.

    Returns
    -------
    list of Figure
        Images whose output carries ``iom_charts`` metadata, and the sentences that replaced
        empty charts. Images without a description (not drawn by :mod:`iomlib.plots`) are
        left to the analyst's page.
    """
    import nbformat
    nb = nbformat.read(Path(ipynb), as_version=4)
    title = _title(nb) or Path(ipynb).stem
    found = []
    for c in nb.cells:
        for out in c.get("outputs", []) or []:
            data, meta = out.get("data") or {}, out.get("metadata") or {}
            png_meta = meta.get("image/png") or {}
            md_meta = meta.get("text/markdown") or {}
            if "image/png" in data and png_meta.get("iom_charts"):
                charts = png_meta["iom_charts"]
                found.append(Figure(caption=_caption(charts), alt=png_meta.get("alt") or "",
                                    png=base64.b64decode(data["image/png"]),
                                    data=[_data_table(ch) for ch in charts], source=title))
            elif "image/png" not in data and md_meta.get("iom_empty"):
                charts = md_meta.get("iom_charts") or []
                found.append(Figure(caption=_caption(charts), alt="", png=None,
                                    empty=str(data.get("text/markdown", "")), source=title))
    return found


def _caption(charts: list) -> str:
    titles = [c.get("title") for c in charts if c.get("title")]
    if not titles:
        return (charts[0].get("kind") or "Chart").capitalize() if charts else "Chart"
    if len(set(titles)) == 1:
        return titles[0]
    return "; ".join(f"({chr(97 + i)}) {t}" for i, t in enumerate(titles))


def run_figures(run_dir) -> list[Figure]:
    """Every described figure of a run's executed notebooks, in notebook order.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (``NN_*.ipynb`` executed notebooks).
    """
    out = []
    for nb in sorted(Path(run_dir).glob("[0-9][0-9]_*.ipynb")):
        try:
            out.extend(notebook_figures(nb))
        except (OSError, ValueError):
            continue
    return out
