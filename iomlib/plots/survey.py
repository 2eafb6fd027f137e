"""Survey answers: diverging stacked bars for Likert items."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from iomlib.plots._common import as_floats, axes_for, check_columns, check_table, count_text
from iomlib.plots._describe import describe
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import LIKERT_COLOURS, SUPPRESSED_LABEL


@dataclass
class _Likert:
    """What :func:`likert_diverging` draws: % per item (rows) and level (columns), and labels."""

    pct: pd.DataFrame
    levels: list
    suppressed: set
    labels_n: dict
    names: dict
    shown: dict


@fill_doc
def likert_diverging(table: pd.DataFrame, *, item: str = "item", level: str = "level",
                     n: str = "n", label: str | None = "label", item_label: str | None = "text",
                     total: str | None = None, title: str | None = None, ax=None) -> Axes:
    """Diverging stacked bars for Likert items, centred on the neutral level.

    Disagreement extends left of zero and agreement right; the neutral level straddles zero.
    Each bar is labelled with its item and n (respondents answering it). Ordinal codes are
    never averaged. Five levels take :data:`iomlib.plots.theme.LIKERT_COLOURS`; other numbers
    of levels a blend of its two ends through its grey.

    An item with a missing count (suppressed for a public report) is not drawn: its
    percentages would be wrong without it, and its position would give it away. Its bar is
    replaced by a ``[c]`` note; its n is taken from ``total`` when given (else ``[c]``).

    Parameters
    ----------
    table : DataFrame
        Tidy counts, e.g. :func:`iomlib.measures.survey.likert_table`: item, level, n (and
        optionally a level ``label`` and an ``item_label`` display name).
    item, level, n : str
        Columns of the item, the ordinal level (sorted, low = disagree) and the count.
    label, item_label : str or None
        Columns of each level's legend label and each item's display name (default the
        codes).
    total : str, optional
        A column holding each item's number of respondents (e.g. ``n_item``), used for the
        labels; default the sum of the item's counts.
    {title}
    {ax}

    {returns}

    {raises}
    """
    check_table(table)
    check_columns(table, item=item, level=level, n=n, label=label, item_label=item_label,
                  total=total)
    lk = _likert_shares(table, item=item, level=level, n=n, label=label,
                        item_label=item_label, total=total)
    ax = axes_for(ax, (9, 1.2 + 0.8 * len(lk.pct)))
    ypos = np.arange(len(lk.pct))[::-1]
    reach = _draw_likert_bars(ax, lk, ypos)
    for yy, i in zip(ypos, lk.pct.index):
        if i in lk.suppressed:
            ax.text(0, yy, f"{SUPPRESSED_LABEL}: answers on too few respondents not shown",
                    ha="center", va="center", fontsize=8, color="0.3")
    ax.axvline(0, color="0.2", linewidth=1)
    ax.set_yticks(ypos, [f"{lk.shown.get(i, i)}\n(n = {lk.labels_n[i]})" for i in lk.pct.index])
    ax.set_xlim(-reach, reach)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.set_xlabel("% of respondents answering the item  (← disagree | agree →)")
    ax.set_title(title or "Survey items: distribution of answers")
    ax.legend(ncol=len(lk.levels), loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8,
              frameon=False)
    shown = lk.pct.drop(index=[i for i in lk.suppressed if i in lk.pct.index])
    masked = lk.pct.round(1)
    masked.loc[masked.index.isin(lk.suppressed)] = np.nan
    data = masked.rename(index=lk.shown).rename_axis("item").reset_index()
    data.columns = ["item"] + [f"{lk.names.get(c, c)} (%)" for c in lk.pct.columns]
    describe(ax, kind="diverging stacked bar chart", data=data, values=shown.to_numpy(),
             unit="%", what="survey items")
    return ax


def _likert_shares(table: pd.DataFrame, *, item: str, level: str, n: str, label: str | None,
                   item_label: str | None, total: str | None) -> _Likert:
    """Check the counts and turn them into % per item and level, with the labels."""
    values = as_floats(table[n])
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
        given = pd.Series(as_floats(table[total]), index=table[item]).groupby(level=0).first()
        labels_n = {i: count_text(given.get(i)) for i in counts.index}
    else:
        labels_n = {i: SUPPRESSED_LABEL if i in suppressed else count_text(totals[i])
                    for i in counts.index}
    pct = counts.div(totals.where(totals > 0), axis=0).fillna(0) * 100
    names = dict(zip(table[level], table[label])) if label else {v: str(v) for v in levels}
    shown = (dict(zip(table[item], table[item_label])) if item_label
             else {i: str(i) for i in counts.index})
    return _Likert(pct, levels, suppressed, labels_n, names, shown)


def _likert_palette(k: int) -> list:
    """Colours of ``k`` levels, disagree to agree."""
    if k == len(LIKERT_COLOURS):
        return list(LIKERT_COLOURS)
    return sns.blend_palette([LIKERT_COLOURS[0], LIKERT_COLOURS[2], LIKERT_COLOURS[-1]], k)


def _draw_likert_bars(ax: Axes, lk: _Likert, ypos) -> float:
    """Stack the levels left to right, the neutral one across zero; return the x half-range."""
    k = len(lk.levels)
    cols = _likert_palette(k)
    half = k // 2
    pct = lk.pct
    left = -(pct.iloc[:, :half].sum(axis=1) + (pct.iloc[:, half] / 2 if k % 2 else 0))
    left = left.to_numpy()
    reach = float(np.max(np.abs(left))) if len(left) else 0.0
    for j, lv in enumerate(lk.levels):
        w = pct[lv].to_numpy()
        ax.barh(ypos, w, left=left, color=cols[j], edgecolor="white", label=lk.names[lv])
        for yy, ll, ww in zip(ypos, left, w):
            if ww >= 6:
                ax.text(ll + ww / 2, yy, f"{ww:.0f}%", ha="center", va="center", fontsize=8)
        left = left + w
    reach = max(reach, float(np.max(np.abs(left))) if len(left) else 0.0, 50.0)
    return float(np.ceil(reach / 10) * 10)
