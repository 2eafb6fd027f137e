"""Figures for the appendix notebooks: one theme, tidy tables in, an Axes out.

Conventions
-----------
- Every function takes a tidy DataFrame first and keyword-only options, draws on ``ax`` (a new
  figure when ``ax`` is None) and returns the Axes. None calls ``plt.show()``.
- Bad arguments raise ``TypeError`` / ``ValueError`` naming the argument and the value.
- :func:`set_theme` sets one look for every figure: seaborn ``whitegrid`` with the colour-blind
  safe ``"colorblind"`` palette (Okabe-Ito-like). Diverging Likert bars use an orange-grey-blue
  scale from the same palette.
- Titles and axis labels carry units; counts shown on a figure are labelled with ``n``.
"""
from __future__ import annotations

from numbers import Real

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

PALETTE = "colorblind"
LIKERT_COLOURS = ("#d55e00", "#de8f05", "#bbbbbb", "#56b4e9", "#0173b2")
"""Strongly disagree .. strongly agree: vermillion, orange, grey, sky blue, blue."""
AT_RISK_GID = "at_risk"
#: Label of a value suppressed for disclosure control (the ONS marker).
SUPPRESSED_LABEL = "[c]"
"""``gid`` of the number-at-risk texts under a risk curve (for tests and styling)."""


# --------------------------------------------------------------------------- helpers

def set_theme(context: str = "notebook") -> None:
    """Apply the suite's figure theme (seaborn whitegrid, colour-blind palette).

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}
        Seaborn scaling context.
    """
    if context not in ("paper", "notebook", "talk", "poster"):
        raise ValueError(f"context={context!r}: expected 'paper', 'notebook', 'talk' or 'poster'")
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    plt.rcParams.update({"figure.figsize": (9, 5), "axes.titlesize": "medium",
                         "axes.titleweight": "bold", "figure.dpi": 100,
                         "savefig.bbox": "tight"})


def colours(n: int) -> list:
    """The first ``n`` colours of the theme palette (cycled beyond its 10 colours)."""
    base = sns.color_palette(PALETTE)
    return [base[i % len(base)] for i in range(n)]


def _check_table(table, arg: str = "table") -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{arg}: expected a pandas DataFrame, got {type(table).__name__}")
    return table


def _check_columns(table: pd.DataFrame, arg_table: str = "table", **cols) -> None:
    for arg, col in cols.items():
        if col is None:
            continue
        if not isinstance(col, str) or col not in table.columns:
            raise ValueError(f"{arg}={col!r}: not a column of {arg_table}; columns: "
                             f"{list(table.columns)}")


def _axes(ax, figsize=None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax={ax!r}: expected a matplotlib Axes or None")
    return ax


def _positive_int(arg: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{arg}={value!r}: expected a whole number >= {minimum}")
    return int(value)


def _number(arg: str, value, *, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{arg}={value!r}: expected a finite number")
    return float(value)


def _fmt_p(p) -> str:
    if p is None or not np.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# --------------------------------------------------------------------------- risk curves

def risk_curve(table: pd.DataFrame, *, groups=None, at_risk_every: int = 6, min_n: int = 1,
               title: str | None = None, ylabel: str = "Mean risk score (points)",
               ax=None) -> Axes:
    """Mean risk by month on the scheme with 95% bands and numbers at risk under the axis.

    Parameters
    ----------
    table : DataFrame
        :func:`iomlib.curves.risk_by_month` output: month, group, mean, ci_low, ci_high,
        n_at_risk.
    groups : list of str, optional
        Groups to draw, in order (default: all, in order of appearance).
    at_risk_every : int
        Print the number at risk every this many months (months divisible by it).
    min_n : int
        Hide a month's mean and band when fewer than ``min_n`` episodes are at risk (small-cell
        rule); its number at risk is then printed as ``<min_n``.
    title, ylabel : str, optional
        Labels; the x axis is "Months since adoption (0 = adoption)".
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, month="month", group="group", mean="mean", ci_low="ci_low",
                   ci_high="ci_high", n_at_risk="n_at_risk")
    every = _positive_int("at_risk_every", at_risk_every)
    min_n = _positive_int("min_n", min_n)
    present = list(dict.fromkeys(table["group"]))
    if groups is None:
        groups = present
    else:
        if isinstance(groups, str):
            groups = [groups]
        unknown = [g for g in groups if g not in present]
        if unknown:
            raise ValueError(f"groups={groups!r}: {unknown} not in table; groups: {present}")
    ax = _axes(ax, (10, 5.5))
    cols = colours(len(groups))
    for g, c in zip(groups, cols):
        d = table[table["group"] == g].sort_values("month")
        small = d["n_at_risk"] < min_n
        mean = d["mean"].where(~small)
        ax.plot(d["month"], mean, color=c, marker="o", markersize=3, label=g)
        ax.fill_between(d["month"], d["ci_low"].where(~small), d["ci_high"].where(~small),
                        color=c, alpha=0.2, linewidth=0)
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
    # numbers at risk: one row per group under the axis
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
            n = int(d.at[m, "n_at_risk"])
            txt = ax.text(m, y, str(n) if n >= min_n else f"<{min_n}", transform=tr,
                          ha="center", va="top", fontsize=8, color=c)
            txt.set_gid(AT_RISK_GID)
    return ax


def paired_scatter(table: pd.DataFrame, *, x: str, y: str, log: bool = True,
                   title: str | None = None, xlabel: str | None = None,
                   ylabel: str | None = None, ax=None) -> Axes:
    """One point per row, ``y`` against ``x``, with the line of no change (y = x).

    Points under the line fell. With ``log`` the axes are symmetric-log (zeros allowed).

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, x=x, y=y)
    ax = _axes(ax, (6, 6))
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
    return ax


def before_after(table: pd.DataFrame, *, group: str, before: str = "mean_before",
                 after: str = "mean_after", n: str = "n", p: str | None = "wilcoxon_p",
                 zeros: str | None = "n_zero_differences",
                 labels=("before adoption", "after adoption"), title: str | None = None,
                 xlabel: str | None = None, ylabel: str = "Mean per nominal",
                 ax=None) -> Axes:
    """Grouped bars of the mean before and after adoption, annotated with n and the p-value.

    Parameters
    ----------
    table : DataFrame
        One row per group, e.g. :func:`iomlib.reduction.figure_a` for one outcome or
        :func:`iomlib.dv.da_outcomes` for one outcome.
    group : str
        Column naming each pair of bars (e.g. ``"year"`` or ``"months"``).
    before, after, n : str
        Columns of the two means and the number of pairs.
    p, zeros : str or None
        Columns with the paired-test p-value and the number of zero differences (shown when
        given).
    labels : (str, str)
        Legend labels of the before and after bars.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, group=group, before=before, after=after, n=n, p=p, zeros=zeros)
    if table[group].duplicated().any():
        raise ValueError(f"group={group!r}: values repeat; pass one row per group (filter the "
                         "table to one outcome first)")
    if (not isinstance(labels, (tuple, list)) or len(labels) != 2
            or not all(isinstance(v, str) for v in labels)):
        raise ValueError(f"labels={labels!r}: expected two strings (before, after)")
    ax = _axes(ax, (8, 5))
    x = np.arange(len(table))
    c = colours(2)
    w = 0.38
    b1 = ax.bar(x - w / 2, table[before], w, color=c[0], label=labels[0])
    b2 = ax.bar(x + w / 2, table[after], w, color=c[1], label=labels[1])
    ax.bar_label(b1, fmt="%.2f", fontsize=8)
    ax.bar_label(b2, fmt="%.2f", fontsize=8)
    ticks = []
    for _, r in table.iterrows():
        lab = f"{r[group]}\nn = {int(r[n])}"
        if zeros is not None:
            lab += f", zero diff. = {int(r[zeros])}"
        if p is not None:
            lab += f"\n{_fmt_p(r[p])}"
        ticks.append(lab)
    ax.set_xticks(x, ticks, fontsize=8)
    ax.set_xlabel(xlabel or group)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "Before and after adoption (paired)")
    ax.legend(fontsize=8)
    ax.margins(y=0.15)
    return ax


def reduction_vs_baseline(table: pd.DataFrame, *, baseline: str = "risk_at_adoption",
                          reduction: str = "reduction_pct", bins: pd.DataFrame | None = None,
                          rho: float | None = None, ylim=(-200, 105),
                          title: str | None = None, ax=None) -> Axes:
    """The regression-to-the-mean tell-tale: % reduction against baseline risk.

    Draws one faint point per episode and, when ``bins`` is given
    (:func:`iomlib.curves.reduction_by_baseline`), the mean reduction per baseline band with its
    95% interval and n. The rank correlation ``rho`` is written on the figure when given.

    Parameters
    ----------
    ylim : (float, float) or None
        Y limits in %; reductions below the lower limit (large increases) are drawn at it.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, baseline=baseline, reduction=reduction)
    rho = _number("rho", rho)
    if ylim is not None and (not isinstance(ylim, (tuple, list)) or len(ylim) != 2
                             or not all(isinstance(v, Real) for v in ylim)
                             or ylim[0] >= ylim[1]):
        raise ValueError(f"ylim={ylim!r}: expected (low, high) with low < high")
    ax = _axes(ax, (8, 5))
    d = table[[baseline, reduction]].dropna()
    yv = d[reduction].clip(lower=ylim[0]) if ylim is not None else d[reduction]
    c = colours(2)
    ax.scatter(d[baseline], yv, s=10, alpha=0.3, color=c[0], label=f"episodes (n={len(d)})")
    if bins is not None:
        _check_table(bins, "bins")
        _check_columns(bins, "bins", baseline_median="baseline_median",
                       mean_reduction="mean_reduction", ci_low="ci_low", ci_high="ci_high",
                       n="n")
        err = np.vstack([bins["mean_reduction"] - bins["ci_low"],
                         bins["ci_high"] - bins["mean_reduction"]])
        ax.errorbar(bins["baseline_median"], bins["mean_reduction"], yerr=err, color=c[1],
                    marker="s", capsize=3, linewidth=2, label="mean per baseline band (95% CI)")
        for _, r in bins.iterrows():
            ax.annotate(f"n={int(r['n'])}", (r["baseline_median"], r["mean_reduction"]),
                        textcoords="offset points", xytext=(0, 8), ha="center", fontsize=7)
    ax.axhline(0, color="0.3", linewidth=1)
    if len(d) and (d[baseline] > 0).all():
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        xlab = "Risk score at adoption (points, log scale)"
    else:
        xlab = "Risk score at adoption (points)"
    if ylim is not None:
        ax.set_ylim(*ylim)
    if rho is not None:
        ax.text(0.02, 0.04, f"Spearman rank correlation = {rho:.2f}", transform=ax.transAxes,
                fontsize=9, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.7"})
    ax.set_xlabel(xlab)
    ax.set_ylabel("Reduction in risk score (%)")
    ax.set_title(title or "% reduction against baseline risk")
    ax.legend(fontsize=8, loc="lower right")
    return ax


# --------------------------------------------------------------------------- counts

def bar_counts(table: pd.DataFrame, *, x: str, y: str = "n", hue: str | None = None,
               horizontal: bool = False, annotate: bool = True, title: str | None = None,
               xlabel: str | None = None, ylabel: str | None = None, ax=None) -> Axes:
    """Bars of a count (or other value) per category, optionally split by ``hue``.

    A missing value (e.g. a count suppressed for a public report) draws no bar and, with
    ``annotate``, is labelled ``[c]``.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, x=x, y=y, hue=hue)
    ax = _axes(ax, (9, 5))
    d = table.assign(**{x: table[x].astype(str)})
    kw = {"data": d, "errorbar": None, "ax": ax, "saturation": 1}
    if hue is not None:
        d[hue] = d[hue].astype(str)
        kw.update(hue=hue, palette=colours(d[hue].nunique()))
    else:
        kw.update(color=colours(1)[0])
    if horizontal:
        sns.barplot(x=y, y=x, orient="h", **kw)
    else:
        sns.barplot(x=x, y=y, **kw)
    if annotate:
        for cont in ax.containers:
            values = getattr(cont, "datavalues", [])
            ax.bar_label(cont, labels=[SUPPRESSED_LABEL if pd.isna(v) else f"{v:g}"
                                       for v in values], fontsize=8)
    cat_label, val_label = (xlabel or x), (ylabel or y)
    if horizontal:
        ax.set_xlabel(val_label)
        ax.set_ylabel(cat_label)
    else:
        ax.set_xlabel(cat_label)
        ax.set_ylabel(val_label)
        if d[x].nunique() > 12:
            ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.set_title(title or f"{y} by {x}")
    return ax


def counts_over_time(table: pd.DataFrame, *, x: str, y: str, hue: str | None = None,
                     title: str | None = None, ylabel: str | None = None,
                     xlabel: str = "Date", ax=None) -> Axes:
    """Lines of a value over time (one line per ``hue`` level), e.g. cohort size per month.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, x=x, y=y, hue=hue)
    ax = _axes(ax, (10, 5))
    if hue is not None:
        levels = list(dict.fromkeys(table[hue]))
        sns.lineplot(data=table, x=x, y=y, hue=hue, hue_order=levels,
                     palette=colours(len(levels)), ax=ax)
    else:
        sns.lineplot(data=table, x=x, y=y, color=colours(1)[0], ax=ax)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or y)
    ax.set_title(title or f"{y} over time")
    return ax


# --------------------------------------------------------------------------- survey

def likert_diverging(table: pd.DataFrame, *, item: str = "item", level: str = "level",
                     n: str = "n", label: str | None = "label", item_label: str | None = "text",
                     title: str | None = None, ax=None) -> Axes:
    """Diverging stacked bars for Likert items, centred on the neutral level.

    Disagreement extends left of zero and agreement right; the neutral level straddles zero.
    Each bar is labelled with its item and n (respondents answering it). Ordinal codes are
    never averaged.

    Parameters
    ----------
    table : DataFrame
        Tidy counts, e.g. :func:`iomlib.survey.likert_table`: item, level, n (and optionally a
        level ``label`` and an ``item_label`` display name).

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, item=item, level=level, n=n, label=label, item_label=item_label)
    if (table[n] < 0).any():
        raise ValueError(f"n={n!r}: counts must not be negative")
    levels = sorted(table[level].unique())
    if len(levels) < 2:
        raise ValueError(f"level={level!r}: need at least two levels, got {levels}")
    counts = table.pivot_table(index=item, columns=level, values=n, aggfunc="sum",
                               sort=False).reindex(columns=levels).fillna(0)
    totals = counts.sum(axis=1)
    pct = counts.div(totals.where(totals > 0), axis=0).fillna(0) * 100
    names = dict(zip(table[level], table[label])) if label else {v: str(v) for v in levels}
    shown = (dict(zip(table[item], table[item_label])) if item_label
             else {i: str(i) for i in counts.index})
    k = len(levels)
    if k == len(LIKERT_COLOURS):
        cols = list(LIKERT_COLOURS)
    else:
        cols = sns.blend_palette([LIKERT_COLOURS[0], LIKERT_COLOURS[2], LIKERT_COLOURS[-1]], k)
    half = k // 2
    ax = _axes(ax, (9, 1.2 + 0.8 * len(pct)))
    ypos = np.arange(len(pct))[::-1]
    left = -(pct.iloc[:, :half].sum(axis=1) + (pct.iloc[:, half] / 2 if k % 2 else 0))
    left = left.to_numpy()
    reach = float(np.max(np.abs(left))) if len(left) else 0.0
    for j, lv in enumerate(levels):
        w = pct[lv].to_numpy()
        ax.barh(ypos, w, left=left, color=cols[j], edgecolor="white", label=names[lv])
        for yy, ll, ww in zip(ypos, left, w):
            if ww >= 6:
                ax.text(ll + ww / 2, yy, f"{ww:.0f}%", ha="center", va="center", fontsize=8)
        left = left + w
    reach = max(reach, float(np.max(np.abs(left))) if len(left) else 0.0, 50.0)
    reach = float(np.ceil(reach / 10) * 10)
    ax.axvline(0, color="0.2", linewidth=1)
    ax.set_yticks(ypos, [f"{shown.get(i, i)}\n(n = {int(totals[i])})" for i in pct.index])
    ax.set_xlim(-reach, reach)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.set_xlabel("% of respondents answering the item  (← disagree | agree →)")
    ax.set_title(title or "Survey items: distribution of answers")
    ax.legend(ncol=k, loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8,
              frameon=False)
    return ax


def proportions(table: pd.DataFrame, *, label: str, value: str = "pct",
                ci_low: str = "ci_low", ci_high: str = "ci_high", k: str | None = "k",
                n: str = "n", title: str | None = None,
                xlabel: str = "% (with 95% interval)", ax=None) -> Axes:
    """Percentages with their intervals as points and horizontal bars, annotated k/n.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, label=label, value=value, ci_low=ci_low, ci_high=ci_high, k=k, n=n)
    ax = _axes(ax, (8, 1.2 + 0.6 * len(table)))
    y = np.arange(len(table))[::-1]
    v = table[value].to_numpy(float)
    err = np.vstack([v - table[ci_low].to_numpy(float), table[ci_high].to_numpy(float) - v])
    ax.errorbar(v, y, xerr=err, fmt="o", color=colours(1)[0], capsize=4)
    for yy, (_, r) in zip(y, table.iterrows()):
        frac = f"{int(r[k])}/{int(r[n])}" if k is not None else f"n = {int(r[n])}"
        ax.annotate(frac, (r[ci_high] if np.isfinite(r[ci_high]) else r[value], yy),
                    textcoords="offset points", xytext=(6, 0), va="center", fontsize=8)
    ax.set_yticks(y, [str(s) for s in table[label]])
    ax.set_xlim(0, 110)
    ax.set_xlabel(xlabel)
    ax.set_title(title or f"{value} by {label}")
    return ax


# --------------------------------------------------------------------------- selection matrix

def score_histogram(table: pd.DataFrame, *, score: str = "points",
                    threshold: float | None = None, bins: int = 30,
                    positive_only: bool = True, min_count: int = 1, title: str | None = None,
                    xlabel: str = "Selection-matrix points", ax=None) -> Axes:
    """Histogram of a score with the selection threshold marked.

    With ``positive_only`` people with zero points (no recent offending) are left out; the title
    says how many were drawn. With ``min_count`` > 1 (a public report's ``min_cell``), bins
    holding 1 to ``min_count - 1`` people are not drawn, and the numbers of people in the title
    and legend are shown only when they are at least ``min_count``.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, score=score)
    threshold = _number("threshold", threshold)
    bins = _positive_int("bins", bins)
    min_count = _positive_int("min_count", min_count)
    ax = _axes(ax, (9, 5))
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
    return ax


def versions_scatter(table: pd.DataFrame, *, x: str, y: str, hue: str | None = None,
                     threshold_x: float | None = None, threshold_y: float | None = None,
                     title: str | None = None, xlabel: str | None = None,
                     ylabel: str | None = None, ax=None) -> Axes:
    """Points of each person under two matrix versions, with each version's threshold.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, x=x, y=y, hue=hue)
    threshold_x = _number("threshold_x", threshold_x)
    threshold_y = _number("threshold_y", threshold_y)
    ax = _axes(ax, (7, 6))
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
    return ax


def stacked_shares(table: pd.DataFrame, *, group: str, category: str, value: str = "share",
                   n: str | None = None, top: int = 9, order=None, title: str | None = None,
                   xlabel: str = "% of offences", ax=None) -> Axes:
    """Horizontal 100% stacked bars: the composition of each group by category.

    The ``top`` categories overall are drawn; the rest are summed into "all other" (so colours
    stay distinguishable). ``n`` names a column holding each group's size for its label.
    ``order`` fixes the categories drawn and their colours (pass the same list to several
    figures to keep colours consistent); categories not in it go to "all other".

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, group=group, category=category, value=value, n=n)
    top = _positive_int("top", top)
    wide = table.pivot_table(index=group, columns=category, values=value, aggfunc="sum",
                             sort=False).fillna(0)
    if order is None:
        ranked = list(wide.sum().sort_values(ascending=False).index)
        keep = ranked[:top]
    else:
        if isinstance(order, str) or not len(order):
            raise ValueError(f"order={order!r}: expected a non-empty list of categories")
        keep = list(order)
        for cat in keep:
            if cat not in wide.columns:
                wide[cat] = 0.0
    rest = [c for c in wide.columns if c not in keep]
    if rest:
        wide["all other"] = wide[rest].sum(axis=1)
        keep.append("all other")
    wide = wide[keep]
    wide = wide.div(wide.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0) * 100
    ax = _axes(ax, (10, 1.5 + 0.7 * len(wide)))
    y = np.arange(len(wide))[::-1]
    left = np.zeros(len(wide))
    for cat, c in zip(wide.columns, colours(len(wide.columns))):
        w = wide[cat].to_numpy()
        ax.barh(y, w, left=left, color=c, edgecolor="white", label=str(cat))
        left = left + w
    if n is not None:
        sizes = table.groupby(group, sort=False)[n].first()
        labels = [f"{g}\n(n = {int(sizes[g])})" for g in wide.index]
    else:
        labels = [str(g) for g in wide.index]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_title(title or f"Composition by {category}")
    ax.legend(ncol=min(5, len(wide.columns)), loc="upper center", bbox_to_anchor=(0.5, -0.18),
              fontsize=8, frameon=False)
    return ax


# --------------------------------------------------------------------------- one nominal

def nominal_timeline(risk: pd.DataFrame, *, offences: pd.DataFrame | None = None,
                     custody: pd.DataFrame | None = None,
                     episodes: pd.DataFrame | None = None, person_id: str | None = None,
                     date: str = "month_end", score: str = "score",
                     title: str | None = None, ax=None) -> Axes:
    """One person's timeline: monthly risk score, episodes on the scheme, custody, offences.

    Parameters
    ----------
    risk : DataFrame
        Monthly scores (``date``, ``score``), e.g. ``nominal_history(...)["risk"]``.
    offences : DataFrame, optional
        offence_date, weapon (and weight): drawn as marks along the bottom of the plot
        (triangles for weapon-enabled offences).
    custody : DataFrame, optional
        start_date, end_date, sentence_kind: drawn as grey bands at the bottom.
    episodes : DataFrame, optional
        adopted_on, removed_on (empty = still open), cohort: shaded spans.

    Returns
    -------
    Axes
    """
    _check_table(risk, "risk")
    _check_columns(risk, "risk", date=date, score=score)
    for arg, t, need in (("offences", offences, ("offence_date", "weapon")),
                         ("custody", custody, ("start_date", "end_date", "sentence_kind")),
                         ("episodes", episodes, ("adopted_on", "removed_on", "cohort"))):
        if t is not None:
            _check_table(t, arg)
            missing = [c for c in need if c not in t.columns]
            if missing:
                raise ValueError(f"{arg}: missing column(s) {missing}; columns: "
                                 f"{list(t.columns)}")
    ax = _axes(ax, (11, 5))
    c = colours(5)
    end = pd.Timestamp(risk[date].max()) if len(risk) else None
    if episodes is not None:
        for i, (_, e) in enumerate(episodes.iterrows()):
            stop = e["removed_on"] if pd.notna(e["removed_on"]) else end
            ax.axvspan(e["adopted_on"], stop, color=c[2], alpha=0.15,
                       label="on the scheme" if i == 0 else None)
            ax.text(e["adopted_on"], 0.98, f" {e['cohort']}", transform=ax.get_xaxis_transform(),
                    va="top", fontsize=8, color="0.2")
    if custody is not None:
        for i, (_, s) in enumerate(custody.iterrows()):
            ax.axvspan(s["start_date"], s["end_date"], ymin=0, ymax=0.05, color="0.35",
                       label="in custody" if i == 0 else None)
    ax.plot(risk[date], risk[score], color=c[0], linewidth=2, drawstyle="steps-post",
            label="risk score (month end)")
    if offences is not None and len(offences):
        tr = ax.get_xaxis_transform()
        w = offences["weapon"].astype(bool)
        ax.scatter(offences.loc[~w, "offence_date"], np.full((~w).sum(), 0.09), transform=tr,
                   marker="|", s=120, color=c[3], label="offence")
        if w.any():
            ax.scatter(offences.loc[w, "offence_date"], np.full(w.sum(), 0.09), transform=tr,
                       marker="^", s=40, color=c[1], label="weapon-enabled offence")
    ax.set_ylim(bottom=0)
    ax.margins(y=0.2)
    ax.set_xlabel("Date")
    ax.set_ylabel("Risk score (points)")
    who = f"Nominal {person_id}" if person_id is not None else "Nominal"
    ax.set_title(title or f"{who}: risk score, time on the scheme, custody and offences")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


# --------------------------------------------------------------------------- national

def funnel_plot(table: pd.DataFrame, limits: pd.DataFrame, *, centre: float, x: str = "n",
                y: str = "value", label: str = "force", annotate: str | None = "funnel",
                ax=None, title: str = "Risk reduction after 12 months by force",
                xlabel: str = "Episodes on the scheme at 12 months (n)",
                ylabel: str = "Mean % reduction in risk") -> Axes:
    """Funnel plot: each unit's value against its n, with control limits around ``centre``.

    Parameters
    ----------
    table : DataFrame
        One row per unit (force) with ``x``, ``y`` and ``label`` columns.
    limits : DataFrame
        Tidy control limits (n, level, lower, upper), e.g. from
        :func:`iomlib.national.funnel_limits`.
    centre : float
        The national value (horizontal line).
    annotate : str or None
        A column; units whose value in it does not start with "within" are labelled.
    """
    table = _check_table(table)
    limits = _check_table(limits, "limits")
    _check_columns(table, x=x, y=y, label=label, annotate=annotate)
    _check_columns(limits, "limits", n="n", level="level", lower="lower", upper="upper")
    centre = _number("centre", centre, allow_none=False)
    ax = _axes(ax, figsize=(10, 6))
    styles = {0: "--", 1: ":"}
    for i, (level, g) in enumerate(limits.groupby("level", sort=True)):
        ls = styles.get(i, "-.")
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
    return ax
