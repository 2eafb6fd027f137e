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
"""``gid`` of the number-at-risk texts under a risk curve (for tests and styling)."""
#: Label of a value suppressed for disclosure control (the ONS marker).
SUPPRESSED_LABEL = "[c]"


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


def _fmt_p(p, hidden: bool = False) -> str:
    if hidden:
        return f"p {SUPPRESSED_LABEL}"
    if _missing(p) or not np.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _hidden(table: pd.DataFrame, col: str, *, unflagged: bool = True) -> np.ndarray:
    """Which values of ``col`` were suppressed for disclosure control (positional booleans).

    Uses the flags of :mod:`iomlib.sdc.policy` when present (``<col>_suppressed``, or the
    row marker ``suppressed``); in a table without flags a missing value counts as suppressed
    when ``unflagged`` (counts: a table of counts has no other reason to miss one) and as
    "not available" otherwise (e.g. a p-value that could not be computed).
    """
    missing = table[col].isna().to_numpy(dtype=bool)
    for flag in (f"{col}_suppressed", "suppressed"):
        if flag in table.columns:
            return table[flag].astype("boolean").fillna(False).to_numpy(dtype=bool) & missing
    return missing if unflagged else np.zeros(len(table), dtype=bool)


def _missing(v) -> bool:
    """True for a missing value (``None``, ``NaN``, ``pd.NA``): e.g. suppressed for disclosure."""
    return v is None or bool(pd.isna(v))


def _floats(s: pd.Series) -> np.ndarray:
    """A numeric column as floats, missing values (``pd.NA`` of nullable integers too) as NaN."""
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _count_text(v) -> str:
    """A count for a label: the whole number, or ``[c]`` when it is missing (suppressed)."""
    return SUPPRESSED_LABEL if _missing(v) else f"{int(v)}"


# --------------------------------------------------------------------------- risk curves

def risk_curve(table: pd.DataFrame, *, groups=None, at_risk_every: int = 6, min_n: int = 1,
               title: str | None = None, ylabel: str = "Mean risk score (points)",
               ax=None) -> Axes:
    """Mean risk by month on the scheme with 95% bands and numbers at risk under the axis.

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
        at_risk = _floats(d["n_at_risk"])
        small = at_risk < min_n                       # False where missing (NaN)
        mean = np.where(small, np.nan, _floats(d["mean"]))
        ax.plot(d["month"], mean, color=c, marker="o", markersize=3, label=g)
        ax.fill_between(d["month"], np.where(small, np.nan, _floats(d["ci_low"])),
                        np.where(small, np.nan, _floats(d["ci_high"])),
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
            n = d.at[m, "n_at_risk"]
            label = (SUPPRESSED_LABEL if _missing(n) else
                     str(int(n)) if n >= min_n else f"<{min_n}")
            txt = ax.text(m, y, label, transform=tr, ha="center", va="top", fontsize=8,
                          color=c)
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

    Values suppressed for disclosure control (missing, e.g. from
    :meth:`iomlib.sdc.policy.Disclosure.table`) draw no bar and are labelled ``[c]``.

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
    for offset, col, colour, label in ((-w / 2, before, c[0], labels[0]),
                                       (w / 2, after, c[1], labels[1])):
        v = _floats(table[col])
        bars = ax.bar(x + offset, np.nan_to_num(v, nan=0.0), w, color=colour, label=label)
        ax.bar_label(bars, labels=[SUPPRESSED_LABEL if np.isnan(val) else f"{val:.2f}"
                                   for val in v], fontsize=8)
    p_hidden = _hidden(table, p, unflagged=False) if p is not None else None
    ticks = []
    for i, (_, r) in enumerate(table.iterrows()):
        lab = f"{r[group]}\nn = {_count_text(r[n])}"
        if zeros is not None:
            lab += f", zero diff. = {_count_text(r[zeros])}"
        if p is not None:
            lab += f"\n{_fmt_p(r[p], hidden=bool(p_hidden[i]))}"
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
                          rho: float | None = None, ylim=(-200, 105), points: bool = True,
                          title: str | None = None, ax=None) -> Axes:
    """The regression-to-the-mean tell-tale: % reduction against baseline risk.

    Draws one faint point per episode and, when ``bins`` is given
    (:func:`iomlib.measures.curves.reduction_by_baseline`), the mean reduction per baseline band with its
    95% interval and n. The rank correlation ``rho`` is written on the figure when given.

    Parameters
    ----------
    ylim : (float, float) or None
        Y limits in %; reductions below the lower limit (large increases) are drawn at it.
    points : bool, default True
        Draw the individual episodes. Pass ``False`` for a public report (individual-level
        points are disclosive): only the band means are drawn, and ``bins`` is then required.
        Bands whose mean was suppressed (missing) are not drawn.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, baseline=baseline, reduction=reduction)
    rho = _number("rho", rho)
    if not isinstance(points, bool):
        raise TypeError(f"points={points!r}: expected True or False")
    if not points and bins is None:
        raise ValueError("points=False: pass bins (the band means) to have something to draw")
    if ylim is not None and (not isinstance(ylim, (tuple, list)) or len(ylim) != 2
                             or not all(isinstance(v, Real) for v in ylim)
                             or ylim[0] >= ylim[1]):
        raise ValueError(f"ylim={ylim!r}: expected (low, high) with low < high")
    ax = _axes(ax, (8, 5))
    d = table[[baseline, reduction]].dropna()
    c = colours(2)
    if points:
        yv = d[reduction].clip(lower=ylim[0]) if ylim is not None else d[reduction]
        ax.scatter(d[baseline], yv, s=10, alpha=0.3, color=c[0],
                   label=f"episodes (n={len(d)})")
    if bins is not None:
        _check_table(bins, "bins")
        _check_columns(bins, "bins", baseline_median="baseline_median",
                       mean_reduction="mean_reduction", ci_low="ci_low", ci_high="ci_high",
                       n="n")
        b = pd.DataFrame({k: _floats(bins[k]) for k in ("baseline_median", "mean_reduction",
                                                        "ci_low", "ci_high", "n")})
        b = b[np.isfinite(b["baseline_median"]) & np.isfinite(b["mean_reduction"])]
        err = np.vstack([b["mean_reduction"] - b["ci_low"], b["ci_high"] - b["mean_reduction"]])
        ax.errorbar(b["baseline_median"], b["mean_reduction"], yerr=np.nan_to_num(err),
                    color=c[1], marker="s", capsize=3, linewidth=2,
                    label="mean per baseline band (95% CI)")
        for _, r in b.iterrows():
            ax.annotate(f"n={_count_text(r['n'])}", (r["baseline_median"], r["mean_reduction"]),
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
    ``annotate``, is labelled ``[c]``; a category (or category and ``hue`` level) absent from
    the table leaves an empty, unlabelled slot.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, x=x, y=y, hue=hue)
    ax = _axes(ax, (9, 5))
    d = pd.DataFrame({"x": table[x].astype(str).to_numpy(), "y": _floats(table[y])})
    d["hue"] = table[hue].astype(str).to_numpy() if hue is not None else ""
    if d.duplicated(["x", "hue"]).any():
        raise ValueError(f"x={x!r}, hue={hue!r}: several rows per bar; pass one row per bar "
                         "(aggregate the table first)")
    cats = list(dict.fromkeys(d["x"]))
    levels = list(dict.fromkeys(d["hue"]))
    width = 0.8 / len(levels) if levels else 0.8
    pos = {cat: i for i, cat in enumerate(cats)}
    draw = ax.barh if horizontal else ax.bar
    for j, (lv, colour) in enumerate(zip(levels, colours(len(levels)))):
        part = d[d["hue"] == lv]
        where = np.array([pos[cat] for cat in part["x"]], dtype=float)
        where = where - 0.4 + width * (j + 0.5)
        values = part["y"].to_numpy()
        bars = draw(where, np.nan_to_num(values, nan=0.0), width, color=colour,
                    label=lv if hue is not None else None)
        if annotate:
            ax.bar_label(bars, labels=[SUPPRESSED_LABEL if np.isnan(v) else f"{v:g}"
                                       for v in values], fontsize=8)
    cat_label, val_label = (xlabel or x), (ylabel or y)
    if horizontal:
        ax.set_yticks(range(len(cats)), cats)
        ax.set_ylim(len(cats) - 0.5, -0.5)            # first category at the top
        ax.set_xlabel(val_label)
        ax.set_ylabel(cat_label)
    else:
        ax.set_xticks(range(len(cats)), cats)
        ax.set_xlabel(cat_label)
        ax.set_ylabel(val_label)
        if len(cats) > 12:
            ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    if hue is not None:
        ax.legend(title=hue, fontsize=8)
    ax.set_title(title or f"{y} by {x}")
    return ax


def counts_over_time(table: pd.DataFrame, *, x: str, y: str, hue: str | None = None,
                     title: str | None = None, ylabel: str | None = None,
                     xlabel: str = "Date", ax=None) -> Axes:
    """Lines of a value over time (one line per ``hue`` level), e.g. cohort size per month.

    A missing value (e.g. a count suppressed for a public report) leaves a gap in its line
    (the line is never drawn across it); points left isolated between gaps are drawn as dots,
    and the number of points not drawn is noted on the figure.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, x=x, y=y, hue=hue)
    ax = _axes(ax, (10, 5))
    levels = list(dict.fromkeys(table[hue])) if hue is not None else [None]
    hidden = 0
    for lv, colour in zip(levels, colours(len(levels))):
        d = (table[table[hue] == lv] if hue is not None else table).sort_values(x)
        xs, ys = d[x].to_numpy(), _floats(d[y])
        hidden += int(np.isnan(ys).sum())
        ax.plot(xs, ys, color=colour, label=str(lv) if hue is not None else None)
        ok = ~np.isnan(ys)
        before = np.r_[False, ok[:-1]]
        after = np.r_[ok[1:], False]
        alone = ok & ~before & ~after
        if alone.any():
            ax.plot(xs[alone], ys[alone], linestyle="none", marker="o", markersize=3,
                    color=colour)
    if hue is not None:
        ax.legend(title=hue, fontsize=8)
    if hidden:
        ax.text(0.99, 0.98, f"{hidden} suppressed point(s) {SUPPRESSED_LABEL} not drawn",
                transform=ax.transAxes, ha="right", va="top", fontsize=8, color="0.3")
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or y)
    ax.set_title(title or f"{y} over time")
    return ax


# --------------------------------------------------------------------------- survey

def likert_diverging(table: pd.DataFrame, *, item: str = "item", level: str = "level",
                     n: str = "n", label: str | None = "label", item_label: str | None = "text",
                     total: str | None = None, title: str | None = None, ax=None) -> Axes:
    """Diverging stacked bars for Likert items, centred on the neutral level.

    Disagreement extends left of zero and agreement right; the neutral level straddles zero.
    Each bar is labelled with its item and n (respondents answering it). Ordinal codes are
    never averaged.

    An item with a missing count (suppressed for a public report) is not drawn: its
    percentages would be wrong without it, and its position would give it away. Its bar is
    replaced by a ``[c]`` note; its n is taken from ``total`` when given (else ``[c]``).

    Parameters
    ----------
    table : DataFrame
        Tidy counts, e.g. :func:`iomlib.measures.survey.likert_table`: item, level, n (and optionally a
        level ``label`` and an ``item_label`` display name).
    total : str, optional
        A column holding each item's number of respondents (e.g. ``n_item``), used for the
        labels; default the sum of the item's counts.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, item=item, level=level, n=n, label=label, item_label=item_label,
                   total=total)
    values = _floats(table[n])
    if (values[~np.isnan(values)] < 0).any():
        raise ValueError(f"n={n!r}: counts must not be negative")
    levels = sorted(table[level].unique())
    if len(levels) < 2:
        raise ValueError(f"level={level!r}: need at least two levels, got {levels}")
    suppressed = set(table.loc[np.isnan(values), item])
    counts = (table.assign(**{n: values})
              .pivot_table(index=item, columns=level, values=n, aggfunc="sum", sort=False)
              .reindex(columns=levels).fillna(0))
    counts.loc[counts.index.isin(suppressed)] = 0.0
    totals = counts.sum(axis=1)
    if total is not None:
        given = pd.Series(_floats(table[total]), index=table[item]).groupby(level=0).first()
        labels_n = {i: _count_text(given.get(i)) for i in counts.index}
    else:
        labels_n = {i: SUPPRESSED_LABEL if i in suppressed else _count_text(totals[i])
                    for i in counts.index}
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
    for yy, i in zip(ypos, pct.index):
        if i in suppressed:
            ax.text(0, yy, f"{SUPPRESSED_LABEL}: answers on too few respondents not shown",
                    ha="center", va="center", fontsize=8, color="0.3")
    reach = max(reach, float(np.max(np.abs(left))) if len(left) else 0.0, 50.0)
    reach = float(np.ceil(reach / 10) * 10)
    ax.axvline(0, color="0.2", linewidth=1)
    ax.set_yticks(ypos, [f"{shown.get(i, i)}\n(n = {labels_n[i]})" for i in pct.index])
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

    A row whose percentage is missing (suppressed for a public report) keeps its label but
    draws no point; it is annotated ``[c]``, as are missing counts.

    Returns
    -------
    Axes
    """
    _check_table(table)
    _check_columns(table, label=label, value=value, ci_low=ci_low, ci_high=ci_high, k=k, n=n)
    ax = _axes(ax, (8, 1.2 + 0.6 * len(table)))
    y = np.arange(len(table))[::-1]
    v = _floats(table[value])
    lo, hi = _floats(table[ci_low]), _floats(table[ci_high])
    err = np.vstack([v - lo, hi - v])
    err = np.where(np.isnan(err), 0.0, err)
    ax.errorbar(v, y, xerr=err, fmt="o", color=colours(1)[0], capsize=4)
    for yy, vv, hh, (_, r) in zip(y, v, hi, table.iterrows()):
        if np.isnan(vv):
            frac = SUPPRESSED_LABEL
        elif k is not None:
            frac = f"{_count_text(r[k])}/{_count_text(r[n])}"
        else:
            frac = f"n = {_count_text(r[n])}"
        at = hh if np.isfinite(hh) else (vv if np.isfinite(vv) else 0.0)
        ax.annotate(frac, (at, yy), textcoords="offset points", xytext=(6, 0), va="center",
                    fontsize=8)
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
        :func:`iomlib.measures.national.funnel_limits`.
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
