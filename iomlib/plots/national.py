"""National comparison: the funnel plot of forces against their numbers."""
from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots._common import (
    as_floats,
    axes_for,
    check_columns,
    check_table,
    finite_number,
)
from iomlib.plots._describe import describe
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import colours

#: Line styles of the control limits, lowest level first (further levels dash-dotted).
_LIMIT_STYLES = {0: "--", 1: ":"}


@fill_doc
def funnel_plot(table: pd.DataFrame, limits: pd.DataFrame, *, centre: float, x: str = "n",
                y: str = "value", label: str = "force", annotate: str | None = "funnel",
                ax=None, title: str = "Risk reduction after 12 months by force",
                xlabel: str = "Episodes on the scheme at 12 months (n)",
                ylabel: str = "Mean % reduction in risk") -> Axes:
    """Funnel plot: each unit's value against its n, with control limits around ``centre``.

    The x axis is logarithmic.

    Parameters
    ----------
    table : DataFrame
        One row per unit (force) with ``x``, ``y`` and ``label`` columns.
    limits : DataFrame
        Tidy control limits (n, level, lower, upper), e.g. from
        :func:`iomlib.measures.national.funnel_limits`.
    centre : float
        The national value (horizontal line).
    {xy}
    label : str
        Column naming each unit.
    annotate : str or None
        A column; units whose value in it does not start with "within" are labelled.
    {ax}
    title, xlabel, ylabel : str
        Title and axis labels.

    {returns}

    {raises}
    """
    table = check_table(table)
    limits = check_table(limits, "limits")
    check_columns(table, x=x, y=y, label=label, annotate=annotate)
    check_columns(limits, "limits", n="n", level="level", lower="lower", upper="upper")
    centre = finite_number("centre", centre, allow_none=False)
    ax = axes_for(ax, figsize=(10, 6))
    for i, (level, g) in enumerate(limits.groupby("level", sort=True)):
        ls = _LIMIT_STYLES.get(i, "-.")
        ax.plot(g["n"], g["lower"], color="grey", linestyle=ls, linewidth=1,
                label=f"{level:.1%} control limits")
        ax.plot(g["n"], g["upper"], color="grey", linestyle=ls, linewidth=1)
    ax.axhline(centre, color="black", linewidth=1, label=f"national value ({centre:.1f})")
    ax.scatter(table[x], table[y], color=colours(1)[0], zorder=3, label="force")
    if annotate is not None:
        for _, r in table.iterrows():
            if not str(r[annotate]).startswith("within"):
                ax.annotate(str(r[label]), (r[x], r[y]), textcoords="offset points",
                            xytext=(4, 4), fontsize="small")
    ax.set_xscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", fontsize="small")
    describe(ax, kind="funnel plot",
             data=table[[c for c in dict.fromkeys((label, x, y, annotate)) if c is not None]],
             values=as_floats(table[y]), count_columns=[x], what="forces",
             detail=f"The horizontal line is the national value, {centre:.1f}; the grey lines "
                    "are the control limits")
    return ax
