"""Counts and shares: bars per category, lines over time, proportions, 100% stacked bars."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots._common import (
    as_floats,
    axes_for,
    check_columns,
    check_table,
    count_text,
    positive_int,
)
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import SUPPRESSED_LABEL, colours


@fill_doc
def bar_counts(table: pd.DataFrame, *, x: str, y: str = "n", hue: str | None = None,
               horizontal: bool = False, annotate: bool = True, title: str | None = None,
               xlabel: str | None = None, ylabel: str | None = None, ax=None) -> Axes:
    """Bars of a count (or other value) per category, optionally split by ``hue``.

    {suppressed}
    A category (or category and ``hue`` level) absent from the table leaves an empty,
    unlabelled slot. More than 12 categories along the x axis have their labels turned.

    Parameters
    ----------
    {data}
        One row per bar: aggregate first.
    x : str
        Column of the categories (one slot each, in order of appearance).
    y : str
        Column of the value drawn (default ``"n"``).
    {hue}
    horizontal : bool
        Horizontal bars, the first category at the top.
    annotate : bool
        Write each value at the end of its bar.
    {title}
    xlabel, ylabel : str, optional
        Labels of the category and the value axes (swapped with ``horizontal``); by default
        ``x`` and ``y``.
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, x=x, y=y, hue=hue)
    ax = axes_for(ax, (9, 5))
    d = pd.DataFrame({"x": table[x].astype(str).to_numpy(), "y": as_floats(table[y])})
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
    _category_axes(ax, cats, horizontal=horizontal, cat_label=xlabel or x,
                   val_label=ylabel or y)
    if hue is not None:
        ax.legend(title=hue, fontsize=8)
    ax.set_title(title or f"{y} by {x}")
    return ax


def _category_axes(ax: Axes, cats: list, *, horizontal: bool, cat_label: str,
                   val_label: str) -> None:
    """Ticks and labels of :func:`bar_counts`' category and value axes."""
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


@fill_doc
def counts_over_time(table: pd.DataFrame, *, x: str, y: str, hue: str | None = None,
                     title: str | None = None, ylabel: str | None = None,
                     xlabel: str = "Date", ax=None) -> Axes:
    """Lines of a value over time (one line per ``hue`` level), e.g. cohort size per month.

    A missing value (e.g. a count suppressed for a public report) leaves a gap in its line
    (the line is never drawn across it); points left isolated between gaps are drawn as dots,
    and the number of points not drawn is noted on the figure.

    Parameters
    ----------
    {data}
    x : str
        Column of the dates (each line is drawn in date order).
    y : str
        Column of the value.
    {hue}
    {title}
    {ylabel}
    xlabel : str
        Label of the x axis.
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, x=x, y=y, hue=hue)
    ax = axes_for(ax, (10, 5))
    levels = list(dict.fromkeys(table[hue])) if hue is not None else [None]
    hidden = 0
    for lv, colour in zip(levels, colours(len(levels))):
        d = (table[table[hue] == lv] if hue is not None else table).sort_values(x)
        xs, ys = d[x].to_numpy(), as_floats(d[y])
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


@fill_doc
def proportions(table: pd.DataFrame, *, label: str, value: str = "pct",
                ci_low: str = "ci_low", ci_high: str = "ci_high", k: str | None = "k",
                n: str = "n", title: str | None = None,
                xlabel: str = "% (with 95% interval)", ax=None) -> Axes:
    """Percentages with their intervals as points and horizontal bars, annotated k/n.

    {suppressed}
    A row whose percentage is missing keeps its label but draws no point.

    Parameters
    ----------
    table : DataFrame
        One row per proportion, top to bottom (e.g. a Wilson interval table).
    label : str
        Column naming each row.
    value, ci_low, ci_high : str
        Columns of the percentage and its interval (0-100).
    k : str or None
        Column of the numerators: annotated ``k/n``, or ``n = n`` when None.
    n : str
        Column of the denominators.
    {title}
    xlabel : str
        Label of the x axis.
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, label=label, value=value, ci_low=ci_low, ci_high=ci_high, k=k, n=n)
    ax = axes_for(ax, (8, 1.2 + 0.6 * len(table)))
    y = np.arange(len(table))[::-1]
    v = as_floats(table[value])
    lo, hi = as_floats(table[ci_low]), as_floats(table[ci_high])
    err = np.vstack([v - lo, hi - v])
    # a Wilson bound of 0% or 100% can differ from the value by rounding (1e-14): clip
    err = np.clip(np.where(np.isnan(err), 0.0, err), 0.0, None)
    ax.errorbar(v, y, xerr=err, fmt="o", color=colours(1)[0], capsize=4)
    for yy, vv, hh, (_, r) in zip(y, v, hi, table.iterrows()):
        if np.isnan(vv):
            frac = SUPPRESSED_LABEL
        elif k is not None:
            frac = f"{count_text(r[k])}/{count_text(r[n])}"
        else:
            frac = f"n = {count_text(r[n])}"
        at = hh if np.isfinite(hh) else (vv if np.isfinite(vv) else 0.0)
        ax.annotate(frac, (at, yy), textcoords="offset points", xytext=(6, 0), va="center",
                    fontsize=8)
    ax.set_yticks(y, [str(s) for s in table[label]])
    ax.set_xlim(0, 110)
    ax.set_xlabel(xlabel)
    ax.set_title(title or f"{value} by {label}")
    return ax


@fill_doc
def stacked_shares(table: pd.DataFrame, *, group: str, category: str, value: str = "share",
                   n: str | None = None, top: int = 9, order=None, title: str | None = None,
                   xlabel: str = "% of offences", ax=None) -> Axes:
    """Horizontal 100% stacked bars: the composition of each group by category.

    The ``top`` categories overall are drawn; the rest are summed into "all other" (so colours
    stay distinguishable).
    {palette}

    Parameters
    ----------
    table : DataFrame
        Tidy values: one row per group and category (rows repeating a pair are summed).
    group, category, value : str
        Columns of the bars, of the segments and of the value shared out.
    n : str, optional
        Column holding each group's size for its label.
    top : int
        How many categories to draw (largest in total first).
    order : list, optional
        The categories drawn and their colours, instead of ``top`` (pass the same list to
        several figures to keep colours consistent); categories not in it go to "all other".
    {title}
    xlabel : str
        Label of the x axis.
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, group=group, category=category, value=value, n=n)
    top = positive_int("top", top)
    wide = _shares(table, group=group, category=category, value=value, top=top, order=order)
    ax = axes_for(ax, (10, 1.5 + 0.7 * len(wide)))
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


def _shares(table: pd.DataFrame, *, group: str, category: str, value: str, top: int,
            order) -> pd.DataFrame:
    """% shares, one row per group and one column per category drawn (then "all other")."""
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
    return wide.div(wide.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0) * 100
