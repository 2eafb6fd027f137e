"""The selection matrix: the distribution of points, and two versions of the matrix compared."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots._common import (
    axes_for,
    check_columns,
    check_table,
    finite_number,
    positive_int,
)
from iomlib.plots._describe import describe
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import colours


@fill_doc
def score_histogram(table: pd.DataFrame, *, score: str = "points",
                    threshold: float | None = None, bins: int = 30,
                    positive_only: bool = True, min_count: int = 1, title: str | None = None,
                    xlabel: str = "Selection-matrix points", ax=None) -> Axes:
    """Histogram of a score with the selection threshold marked.

    With ``positive_only`` people with zero points (no recent offending) are left out; the title
    says how many were drawn. With ``min_count`` > 1 (a public report's ``min_cell``), bins
    holding 1 to ``min_count - 1`` people are not drawn, and the numbers of people in the title
    and legend are shown only when they are at least ``min_count``.

    Parameters
    ----------
    table : DataFrame
        One row per person, with the ``score`` column (missing scores are left out).
    score : str
        Column of the score.
    threshold : float, optional
        Selection threshold: a vertical line, its legend giving how many are at or above it.
    bins : int
        Number of equal-width bins.
    positive_only : bool
        Leave out scores of zero or less.
    min_count : int
        Smallest number of people shown in a bin or a label (small-cell rule).
    {title}
    xlabel : str
        Label of the x axis.
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, score=score)
    threshold = finite_number("threshold", threshold)
    bins = positive_int("bins", bins)
    min_count = positive_int("min_count", min_count)
    ax = axes_for(ax, (9, 5))
    s = table[score].dropna()
    if positive_only:
        s = s[s > 0]

    def people(n: int) -> str:
        return f"fewer than {min_count}" if 0 < n < min_count else f"{n}"

    counts, edges = np.histogram(s, bins=bins)
    small = (counts > 0) & (counts < min_count)
    heights = np.where(small, 0, counts)
    ax.bar(edges[:-1], heights, width=np.diff(edges), align="edge", color=colours(1)[0],
           edgecolor="white")
    if small.any():
        ax.text(0.99, 0.97, f"{int(small.sum())} bin(s) with fewer than {min_count} people "
                "not drawn", transform=ax.transAxes, ha="right", va="top", fontsize=8)
    if threshold is not None:
        above = int((s >= threshold).sum())
        ax.axvline(threshold, color=colours(4)[3], linewidth=2,
                   label=f"threshold {threshold:g} ({people(above)} at or above)")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("People")
    ax.set_title(title or f"Distribution of {score} (n = {people(len(s))}"
                 f"{' with points > 0' if positive_only else ''})")
    bins_table = pd.DataFrame({"from (points)": edges[:-1].round(1),
                               "to (points)": edges[1:].round(1),
                               "people": np.where(small, np.nan, counts)})
    describe(ax, kind="histogram", data=bins_table, values=bins_table["people"],
             count_columns=["people"], what="bins",
             detail=(f"A vertical line marks the threshold of {threshold:g} points"
                     if threshold is not None else ""))
    return ax


@fill_doc
def versions_scatter(table: pd.DataFrame, *, x: str, y: str, hue: str | None = None,
                     threshold_x: float | None = None, threshold_y: float | None = None,
                     title: str | None = None, xlabel: str | None = None,
                     ylabel: str | None = None, ax=None) -> Axes:
    """Points of each person under two matrix versions, with each version's threshold.

    The grey diagonal marks equal points under both versions; the legend gives n per group.

    Parameters
    ----------
    table : DataFrame
        One row per person, with the points under each version.
    {xy}
    {hue}
    threshold_x, threshold_y : float, optional
        Each version's selection threshold (dashed lines).
    {title}
    {xlabel}
    {ylabel}
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, x=x, y=y, hue=hue)
    threshold_x = finite_number("threshold_x", threshold_x)
    threshold_y = finite_number("threshold_y", threshold_y)
    ax = axes_for(ax, (7, 6))
    if hue is not None:
        levels = list(dict.fromkeys(table[hue]))
        for lv, c in zip(levels, colours(len(levels))):
            d = table[table[hue] == lv]
            ax.scatter(d[x], d[y], s=12, alpha=0.6, color=c, label=f"{lv} (n = {len(d)})")
    else:
        ax.scatter(table[x], table[y], s=12, alpha=0.6, color=colours(1)[0],
                   label=f"people (n = {len(table)})")
    if threshold_x is not None:
        ax.axvline(threshold_x, color="0.3", linestyle="--", linewidth=1)
    if threshold_y is not None:
        ax.axhline(threshold_y, color="0.3", linestyle="--", linewidth=1)
    hi = float(np.nanmax([table[x].max(), table[y].max(), 1.0])) if len(table) else 1.0
    ax.plot([0, hi], [0, hi], color="0.6", linewidth=1)
    ax.set_xlabel(xlabel or f"{x} (points)")
    ax.set_ylabel(ylabel or f"{y} (points)")
    ax.set_title(title or f"{y} against {x}")
    ax.legend(fontsize=8)
    describe(ax, kind="scatter plot of people", data=table[[x, y]], individual=True,
             what="people", detail="The grey diagonal marks equal points under both versions")
    return ax
