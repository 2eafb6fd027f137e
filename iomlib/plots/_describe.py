"""What a chart shows, in words and as a table: alt text, caption and the data behind it.

Every plot function ends with :func:`describe`, which attaches a :class:`ChartInfo` to the
figure (``figure.iom_charts``, one entry per Axes drawn). The report uses it three ways: the
notebook's image output carries the alt text (:func:`iomlib.plots.theme.set_theme` registers
the display hook), the appendix numbers and captions the figure and prints the data behind it,
and a chart with nothing left to show after disclosure control is replaced by one sentence
(:attr:`ChartInfo.empty`) instead of being drawn empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

#: Attribute of a matplotlib Figure holding its list of :class:`ChartInfo`.
CHARTS_ATTR = "iom_charts"
#: Most rows of the data behind a chart kept with it (the rest are summarised).
MAX_DATA_ROWS = 240


@dataclass
class ChartInfo:
    """One chart's description.

    Attributes
    ----------
    kind : str
        e.g. ``"bar chart"``, ``"line chart"``.
    title : str
        The chart's title (its caption in the appendix).
    alt : str
        Alt text: what the chart shows, in words.
    data : DataFrame
        The data behind the chart (already disclosure-controlled where the input was), or a
        summary (n, mean, quartiles) of individual-level data.
    count_columns : list of str
        Columns of ``data`` that are counts of people or events.
    individual : bool
        The chart plots individual people or episodes (its data table is a summary).
    empty : str or None
        When set, the chart has too little to show (e.g. everything suppressed): one sentence
        saying so, shown instead of the image.
    """

    kind: str
    title: str
    alt: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    count_columns: list = field(default_factory=list)
    individual: bool = False
    empty: str | None = None


def _visible(values) -> int:
    """How many values are present (not missing, finite)."""
    v = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce")
    return int(np.isfinite(v.to_numpy(dtype=float, na_value=np.nan)).sum())


def _range_text(values, unit: str) -> str:
    v = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce").dropna()
    if v.empty:
        return ""
    lo, hi = float(v.min()), float(v.max())
    fmt = (lambda x: f"{x:,.0f}") if max(abs(lo), abs(hi)) >= 100 else (lambda x: f"{x:,.1f}")
    return f"values range from {fmt(lo)}{unit} to {fmt(hi)}{unit}"


def _summary(table: pd.DataFrame, columns: list) -> pd.DataFrame:
    """n, mean and quartiles of each numeric column (for individual-level charts)."""
    rows = []
    for c in columns:
        v = pd.to_numeric(table[c], errors="coerce").dropna()
        rows.append({"measure": str(c), "n": int(len(v)),
                     "mean": float(v.mean()) if len(v) else None,
                     "lower quartile": float(v.quantile(0.25)) if len(v) else None,
                     "median": float(v.median()) if len(v) else None,
                     "upper quartile": float(v.quantile(0.75)) if len(v) else None})
    return pd.DataFrame(rows)


def _axis_words(ax: Axes) -> str:
    x, y = ax.get_xlabel().strip(), ax.get_ylabel().strip()
    parts = []
    if x:
        parts.append(f"horizontal axis: {x}")
    if y:
        parts.append(f"vertical axis: {y}")
    return "; ".join(parts)


def _series_words(ax: Axes) -> str:
    legend = ax.get_legend()
    if legend is None:
        return ""
    names = [t.get_text() for t in legend.get_texts() if t.get_text()]
    if not names:
        return ""
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return f"{len(names)} series: {shown}"


def describe(ax: Axes, *, kind: str, data: pd.DataFrame, values=None, unit: str = "",
             count_columns=(), individual: bool = False, detail: str = "",
             min_visible: int = 1, min_share: float = 0.0,
             what: str = "values") -> ChartInfo:
    """Attach what a chart shows to its figure; return the description.

    Parameters
    ----------
    ax : Axes
        The drawn chart (its title and axis labels are used).
    kind : str
        What sort of chart, e.g. ``"bar chart"``.
    data : DataFrame
        The data behind the chart: the plotted columns of the input table.
    values : array-like, optional
        The plotted values, for the range in the alt text and the emptiness check (default:
        every numeric column of ``data``).
    unit : str
        Appended to the values in the range (e.g. ``"%"``).
    count_columns : sequence of str
        Columns of ``data`` that are counts.
    individual : bool
        ``data`` is individual-level: the table kept is a summary of it.
    detail : str
        A sentence particular to the chart (e.g. the reference line), added to the alt text.
    min_visible : int
        Fewer present values than this: the chart is marked empty.
    min_share : float
        A smaller share of the values present than this (e.g. most bars suppressed): the
        chart is marked empty too.
    what : str
        What the values are, for the emptiness sentence.

    Returns
    -------
    ChartInfo
    """
    data = data.reset_index(drop=True)
    if values is None:
        num = data.select_dtypes("number")
        values = num.to_numpy(dtype=float, na_value=np.nan) if not num.empty else []
    title = " ".join(ax.get_title().split())
    n_vis = _visible(values)
    n_all = int(np.asarray(values).size)
    pieces = [f"{kind.capitalize()}: {title}." if title else f"{kind.capitalize()}."]
    for words in (_axis_words(ax), _series_words(ax), _range_text(values, unit)):
        if words:
            pieces.append(words[0].upper() + words[1:] + ".")
    if detail:
        pieces.append(detail.rstrip(".") + ".")
    empty = None
    if n_vis < min_visible or (n_all and n_vis / n_all < min_share):
        empty = (f"The chart \u201c{title or kind}\u201d is not shown: too few {what} are left "
                 f"to draw after small numbers were suppressed for disclosure control.")
        pieces.append("Too few values are left to show after disclosure control.")
    table = _summary(data, list(data.select_dtypes("number").columns)) if individual else data
    if not individual and len(table) > MAX_DATA_ROWS:
        table = table.head(MAX_DATA_ROWS)
    info = ChartInfo(kind=kind, title=title, alt=" ".join(pieces), data=table,
                     count_columns=[c for c in count_columns if c in table.columns]
                     if not individual else ["n"],
                     individual=individual, empty=empty)
    fig = ax.figure
    charts = getattr(fig, CHARTS_ATTR, None)
    if charts is None:
        charts = []
        setattr(fig, CHARTS_ATTR, charts)
    charts.append(info)
    return info


def figure_charts(fig) -> list[ChartInfo]:
    """The descriptions attached to a figure (empty when none of ours drew it).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    """
    return list(getattr(fig, CHARTS_ATTR, None) or [])


def figure_alt(fig) -> str | None:
    """The figure's alt text (its charts' descriptions joined), or None.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    """
    charts = figure_charts(fig)
    if not charts:
        return None
    if len(charts) == 1:
        return charts[0].alt
    return f"{len(charts)} panels. " + " ".join(f"Panel {i}: {c.alt}"
                                                for i, c in enumerate(charts, start=1))


def _jsonable(v):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return None
    if v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat() if v == v.normalize() else v.isoformat()
    if isinstance(v, str):
        return " ".join(v.split())
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (int, float, str, bool)):
        return v
    return str(v)


def figure_metadata(fig) -> dict | None:
    """The figure's descriptions as JSON-ready metadata of its image output, or None.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    dict or None
        ``{"alt": ..., "iom_charts": [{"kind", "title", "alt", "empty", "individual",
        "count_columns", "columns", "rows"}, ...]}``.
    """
    charts = figure_charts(fig)
    if not charts:
        return None
    out = []
    for c in charts:
        out.append({"kind": c.kind, "title": c.title, "alt": c.alt, "empty": c.empty,
                    "individual": c.individual, "count_columns": list(c.count_columns),
                    "columns": [str(col) for col in c.data.columns],
                    "rows": [[_jsonable(v) for v in row]
                             for row in c.data.itertuples(index=False, name=None)]})
    return {"alt": figure_alt(fig), "iom_charts": out}


def figure_empty(fig) -> str | None:
    """One sentence when every chart of the figure is empty, else None.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    """
    charts = figure_charts(fig)
    if charts and all(c.empty for c in charts):
        return " ".join(c.empty for c in charts)
    return None
