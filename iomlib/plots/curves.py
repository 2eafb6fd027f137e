"""Risk curves: mean risk by month on the scheme, with bands and numbers at risk."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots._common import (
    as_floats,
    axes_for,
    check_columns,
    check_table,
    is_missing,
    positive_int,
)
from iomlib.plots._describe import describe
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import AT_RISK_GID, SUPPRESSED_LABEL, colours


@fill_doc
def risk_curve(table: pd.DataFrame, *, groups=None, at_risk_every: int = 6, min_n: int = 1,
               title: str | None = None, ylabel: str = "Mean risk score (points)",
               ax=None) -> Axes:
    """Mean risk by month on the scheme with 95% bands and numbers at risk under the axis.

    {palette}

    Parameters
    ----------
    table : DataFrame
        :func:`iomlib.measures.curves.risk_by_month` output: month, group, mean, ci_low, ci_high,
        n_at_risk.
    groups : list of str, optional
        Groups to draw, in order (default: all, in order of appearance).
    at_risk_every : int
        Print the number at risk every this many months (months divisible by it).
    min_n : int
        Hide a month's mean and band when fewer than ``min_n`` episodes are at risk (small-cell
        rule); its number at risk is then printed as ``<min_n``. Points already suppressed
        (e.g. by :meth:`iomlib.sdc.policy.Disclosure.curve`: mean and number at risk missing)
        are not drawn and their number at risk is printed as ``[c]``.
    {title}
    ylabel : str
        Label of the y axis; the x axis is "Months since adoption (0 = adoption)".
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, month="month", group="group", mean="mean", ci_low="ci_low",
                  ci_high="ci_high", n_at_risk="n_at_risk")
    every = positive_int("at_risk_every", at_risk_every)
    min_n = positive_int("min_n", min_n)
    groups = _groups(table, groups)
    ax = axes_for(ax, (10, 5.5))
    cols = colours(len(groups))
    for g, c in zip(groups, cols):
        _draw_group(ax, table[table["group"] == g].sort_values("month"), g, c, min_n)
    ax.axvline(0, color="0.3", linestyle="--", linewidth=1)
    ax.text(0, 1.0, " adoption", transform=ax.get_xaxis_transform(), va="top", fontsize=8,
            color="0.3")
    months = np.sort(table["month"].unique())
    ticks = months[months % every == 0]
    ax.set_xticks(ticks)
    ax.set_xlabel("Months since adoption (0 = adoption)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Risk score by month on the scheme (mean, 95% band)")
    ax.legend(title=None, loc="upper right", fontsize=8)
    _numbers_at_risk(ax, table, groups, cols, ticks, min_n)
    describe(ax, kind="line chart with 95% bands",
             data=table[[c for c in ("group", "month", "mean", "ci_low", "ci_high", "n_at_risk")
                         if c in table.columns]],
             values=as_floats(table["mean"]), count_columns=["n_at_risk"], min_visible=2,
             what="months", detail="The number of people at risk is printed under the axis")
    return ax


def _groups(table: pd.DataFrame, groups) -> list:
    """The groups to draw: all in order of appearance, or those asked for (all present)."""
    present = list(dict.fromkeys(table["group"]))
    if groups is None:
        return present
    if isinstance(groups, str):
        groups = [groups]
    unknown = [g for g in groups if g not in present]
    if unknown:
        raise ValueError(f"groups={groups!r}: {unknown} not in table; groups: {present}")
    return groups


def _draw_group(ax: Axes, d: pd.DataFrame, group, colour, min_n: int) -> None:
    """One group's mean line and 95% band, months with fewer than ``min_n`` at risk left out."""
    small = as_floats(d["n_at_risk"]) < min_n        # False where missing (NaN)
    mean = np.where(small, np.nan, as_floats(d["mean"]))
    ax.plot(d["month"], mean, color=colour, marker="o", markersize=3, label=group)
    ax.fill_between(d["month"], np.where(small, np.nan, as_floats(d["ci_low"])),
                    np.where(small, np.nan, as_floats(d["ci_high"])),
                    color=colour, alpha=0.2, linewidth=0)


def _at_risk_text(n, min_n: int) -> str:
    """A number at risk as printed: the count, ``<min_n`` when small, ``[c]`` when suppressed."""
    if is_missing(n):
        return SUPPRESSED_LABEL
    return str(int(n)) if n >= min_n else f"<{min_n}"


def _numbers_at_risk(ax: Axes, table: pd.DataFrame, groups: list, cols: list, ticks,
                     min_n: int) -> None:
    """The numbers at risk at the ticked months: one row per group under the axis."""
    tr = ax.get_xaxis_transform()
    ax.text(0.0, -0.17, "Number at risk (episodes)", transform=ax.transAxes, fontsize=8,
            fontweight="bold", va="top", ha="left")
    for i, (g, c) in enumerate(zip(groups, cols)):
        y = -0.23 - 0.06 * i
        d = table[table["group"] == g].set_index("month")
        ax.text(-0.01, y, g, transform=ax.transAxes, ha="right", va="top", fontsize=8, color=c)
        for m in ticks:
            if m not in d.index:
                continue
            txt = ax.text(m, y, _at_risk_text(d.at[m, "n_at_risk"], min_n), transform=tr,
                          ha="center", va="top", fontsize=8, color=c)
            txt.set_gid(AT_RISK_GID)
