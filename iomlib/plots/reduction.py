"""Change on the scheme: paired before/after values, and reduction against baseline risk."""
from __future__ import annotations

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots._common import (
    as_floats,
    axes_for,
    check_columns,
    check_table,
    check_two,
    count_text,
    finite_number,
    p_value_text,
    suppressed_mask,
)
from iomlib.plots._describe import describe
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import SUPPRESSED_LABEL, colours

_BAND_COLUMNS = ("baseline_median", "mean_reduction", "ci_low", "ci_high", "n")


@fill_doc
def paired_scatter(table: pd.DataFrame, *, x: str, y: str, log: bool = True,
                   title: str | None = None, xlabel: str | None = None,
                   ylabel: str | None = None, ax=None) -> Axes:
    """One point per row, ``y`` against ``x``, with the line of no change (y = x).

    Points under the line fell. Rows missing either value are left out; the legend and the
    title give the number drawn.

    Parameters
    ----------
    table : DataFrame
        One row per episode (e.g. risk at adoption and at removal).
    {xy}
    log : bool
        Symmetric-log axes (linear up to 10 points, so zeros are allowed).
    {title}
    {xlabel}
    {ylabel}
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, x=x, y=y)
    ax = axes_for(ax, (6, 6))
    d = table[[x, y]].dropna()
    ax.scatter(d[x], d[y], s=12, alpha=0.5, color=colours(1)[0], label=f"episodes (n={len(d)})")
    hi = float(np.nanmax([d[x].max(), d[y].max(), 1.0])) if len(d) else 1.0
    ax.plot([0, hi], [0, hi], color="0.3", linestyle="--", linewidth=1, label="no change")
    if log:
        ax.set_xscale("symlog", linthresh=10)
        ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel(xlabel or f"{x} (points)")
    ax.set_ylabel(ylabel or f"{y} (points)")
    ax.set_title(title or f"{y} against {x} (n = {len(d)})")
    ax.legend(fontsize=8)
    describe(ax, kind="scatter plot of episodes", data=d, individual=True, what="episodes",
             detail="Points below the dashed diagonal are episodes whose score fell")
    return ax


@fill_doc
def before_after(table: pd.DataFrame, *, group: str, before: str = "mean_before",
                 after: str = "mean_after", n: str = "n", p: str | None = "wilcoxon_p",
                 zeros: str | None = "n_zero_differences",
                 labels=("before adoption", "after adoption"), title: str | None = None,
                 xlabel: str | None = None, ylabel: str = "Mean per nominal",
                 ax=None) -> Axes:
    """Grouped bars of the mean before and after adoption, annotated with n and the p-value.

    {suppressed}
    A missing p-value without a suppression flag (``<p>_suppressed`` or ``suppressed``) was
    not computed and reads ``p n/a``.

    Parameters
    ----------
    table : DataFrame
        One row per group, e.g. :func:`iomlib.measures.reduction.figure_a` for one outcome or
        :func:`iomlib.measures.dv.da_outcomes` for one outcome.
    group : str
        Column naming each pair of bars (e.g. ``"year"`` or ``"months"``).
    before, after, n : str
        Columns of the two means and the number of pairs.
    p, zeros : str or None
        Columns with the paired-test p-value and the number of zero differences (shown when
        given).
    labels : (str, str)
        Legend labels of the before and after bars.
    {title}
    {xlabel}
    ylabel : str
        Label of the y axis.
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, group=group, before=before, after=after, n=n, p=p, zeros=zeros)
    if table[group].duplicated().any():
        raise ValueError(f"group={group!r}: values repeat; pass one row per group (filter the "
                         "table to one outcome first)")
    check_two("labels", labels, what="two strings (before, after)")
    ax = axes_for(ax, (8, 5))
    x = np.arange(len(table))
    c = colours(2)
    w = 0.38
    for offset, col, colour, label in ((-w / 2, before, c[0], labels[0]),
                                       (w / 2, after, c[1], labels[1])):
        v = as_floats(table[col])
        bars = ax.bar(x + offset, np.nan_to_num(v, nan=0.0), w, color=colour, label=label)
        ax.bar_label(bars, labels=[SUPPRESSED_LABEL if np.isnan(val) else f"{val:.2f}"
                                   for val in v], fontsize=8)
    ax.set_xticks(x, _pair_ticks(table, group=group, n=n, p=p, zeros=zeros), fontsize=8)
    ax.set_xlabel(xlabel or group)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "Before and after adoption (paired)")
    ax.legend(fontsize=8)
    ax.margins(y=0.15)
    describe(ax, kind="paired bar chart",
             data=table[[c for c in dict.fromkeys((group, before, after, n, p))
                         if c is not None]],
             values=np.r_[as_floats(table[before]), as_floats(table[after])],
             count_columns=[n] if n is not None else [], what="groups")
    return ax


def _pair_ticks(table: pd.DataFrame, *, group: str, n: str, p: str | None,
                zeros: str | None) -> list[str]:
    """Tick labels of :func:`before_after`: the group, n, zero differences and the p-value."""
    p_hidden = suppressed_mask(table, p, unflagged=False) if p is not None else None
    ticks = []
    for i, (_, r) in enumerate(table.iterrows()):
        lab = f"{r[group]}\nn = {count_text(r[n])}"
        if zeros is not None:
            lab += f", zero diff. = {count_text(r[zeros])}"
        if p is not None:
            lab += f"\n{p_value_text(r[p], hidden=bool(p_hidden[i]))}"
        ticks.append(lab)
    return ticks


@fill_doc
def reduction_vs_baseline(table: pd.DataFrame, *, baseline: str = "risk_at_adoption",
                          reduction: str = "reduction_pct", bins: pd.DataFrame | None = None,
                          rho: float | None = None, ylim=(-200, 105), points: bool = True,
                          title: str | None = None, ax=None) -> Axes:
    """The regression-to-the-mean tell-tale: % reduction against baseline risk.

    Draws one faint point per episode and, when ``bins`` is given, the mean reduction per
    baseline band with its 95% interval and n. The rank correlation ``rho`` is written on the
    figure when given. The x axis is logarithmic when every baseline is positive.

    Parameters
    ----------
    table : DataFrame
        One row per episode, with the ``baseline`` and ``reduction`` columns.
    baseline, reduction : str
        Columns of the risk score at adoption (points) and the reduction in it (%).
    bins : DataFrame, optional
        Band means, :func:`iomlib.measures.curves.reduction_by_baseline` output:
        baseline_median, mean_reduction, ci_low, ci_high, n. A band whose mean was suppressed
        (missing) is not drawn; a missing n reads ``[c]``.
    rho : float, optional
        Spearman rank correlation of reduction with baseline.
    ylim : (float, float) or None
        Y limits in %; reductions below the lower limit (large increases) are drawn at it.
    points : bool, default True
        Draw the individual episodes. Pass ``False`` for a public report (individual-level
        points are disclosive): only the band means are drawn, and ``bins`` is then required.
    {title}
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, baseline=baseline, reduction=reduction)
    rho = finite_number("rho", rho)
    if not isinstance(points, bool):
        raise TypeError(f"points={points!r}: expected True or False")
    if not points and bins is None:
        raise ValueError("points=False: pass bins (the band means) to have something to draw")
    if ylim is not None:
        check_two("ylim", ylim, what="(low, high) with low < high", numbers=True)
    ax = axes_for(ax, (8, 5))
    d = table[[baseline, reduction]].dropna()
    c = colours(2)
    if points:
        yv = d[reduction].clip(lower=ylim[0]) if ylim is not None else d[reduction]
        ax.scatter(d[baseline], yv, s=10, alpha=0.3, color=c[0],
                   label=f"episodes (n={len(d)})")
    if bins is not None:
        _band_means(ax, bins, c[1])
    ax.axhline(0, color="0.3", linewidth=1)
    xlab = _baseline_axis(ax, d[baseline])
    if ylim is not None:
        ax.set_ylim(*ylim)
    if rho is not None:
        ax.text(0.02, 0.04, f"Spearman rank correlation = {rho:.2f}", transform=ax.transAxes,
                fontsize=9, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.7"})
    ax.set_xlabel(xlab)
    ax.set_ylabel("Reduction in risk score (%)")
    ax.set_title(title or "% reduction against baseline risk")
    ax.legend(fontsize=8, loc="lower right")
    banded = isinstance(bins, pd.DataFrame)
    describe(ax, kind="scatter plot of episodes with band means",
             data=bins if banded else d, individual=not banded, unit="%",
             values=d[reduction], what="episodes",
             detail=(f"Spearman rank correlation {rho:.2f}" if rho is not None else ""))
    return ax


def _band_means(ax: Axes, bins, colour) -> None:
    """The mean reduction per baseline band with its 95% interval and n (drawn bands only)."""
    check_table(bins, "bins")
    check_columns(bins, "bins", **{col: col for col in _BAND_COLUMNS})
    b = pd.DataFrame({k: as_floats(bins[k]) for k in _BAND_COLUMNS})
    b = b[np.isfinite(b["baseline_median"]) & np.isfinite(b["mean_reduction"])]
    err = np.vstack([b["mean_reduction"] - b["ci_low"], b["ci_high"] - b["mean_reduction"]])
    ax.errorbar(b["baseline_median"], b["mean_reduction"], yerr=np.nan_to_num(err),
                color=colour, marker="s", capsize=3, linewidth=2,
                label="mean per baseline band (95% CI)")
    for _, r in b.iterrows():
        ax.annotate(f"n={count_text(r['n'])}", (r["baseline_median"], r["mean_reduction"]),
                    textcoords="offset points", xytext=(0, 8), ha="center", fontsize=7)


def _baseline_axis(ax: Axes, baseline: pd.Series) -> str:
    """Log-scale the x axis when every baseline is positive; return the matching label."""
    if len(baseline) and (baseline > 0).all():
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        return "Risk score at adoption (points, log scale)"
    return "Risk score at adoption (points)"
