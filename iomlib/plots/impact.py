"""Figures of the impact estimates: the event study and the Kaplan-Meier curves.

Same conventions as the other plot modules (:mod:`iomlib.plots`): a tidy frame first,
keyword-only options, drawn on ``ax`` (a new figure when None), the Axes returned. Rows hidden
by disclosure control (NaN) are simply not drawn.
"""
from __future__ import annotations

import pandas as pd

from iomlib.plots._describe import describe


def plot_event_study(frame: pd.DataFrame, ax=None, *, outcome: str | None = "count",
                     band: str = "pointwise", anticipation: int | None = None,
                     title: str | None = None):
    """Event-study plot: estimates by event time with a 95% band.

    Parameters
    ----------
    frame : DataFrame
        Tidy: ``event_time``, ``estimate``, ``ci_low``, ``ci_high`` (and optionally
        ``outcome``, ``ci_low_uniform``, ``ci_high_uniform``), e.g. ``EventStudy().event_``.
    ax : matplotlib Axes, optional
        Drawn on a new figure if omitted.
    outcome : str or None
        Rows of this ``outcome`` (ignored when the frame has no ``outcome`` column).
    band : {"pointwise", "uniform"}
        Which 95% band to shade (uniform needs the ``*_uniform`` columns).
    anticipation : int, optional
        Shade event times ``-anticipation .. -1`` (the selection window).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    df = frame
    if outcome is not None and "outcome" in df.columns:
        df = df[df["outcome"] == outcome]
    df = df.sort_values("event_time")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    lo, hi = ("ci_low_uniform", "ci_high_uniform") if band == "uniform" else ("ci_low",
                                                                                "ci_high")
    if lo not in df.columns:
        lo, hi = "ci_low", "ci_high"
    x = df["event_time"].to_numpy()
    ax.fill_between(x, df[lo].to_numpy(float), df[hi].to_numpy(float), alpha=0.25,
                    color="C0", label=f"95% {'simultaneous' if 'uniform' in lo else 'pointwise'}"
                                      " band")
    ax.plot(x, df["estimate"].to_numpy(float), "o-", ms=3, color="C0", label="estimate")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.axvline(-0.5, color="0.3", lw=0.8, ls="--")
    if anticipation:
        ax.axvspan(-anticipation - 0.5, -0.5, color="0.85", alpha=0.5, zorder=0,
                   label="selection window (anticipation)")
    ax.set_xlabel("months since first managed month (0 = first month managed)")
    ax.set_ylabel("effect" if outcome is None else f"effect on {outcome} per person-month")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    describe(ax, kind="event-study chart",
             data=df[[c for c in ("event_time", "estimate", lo, hi) if c in df.columns]],
             values=df["estimate"], min_visible=2, what="months",
             detail="The dashed line marks the first managed month; zero means no effect")
    return ax


def plot_survival(frame: pd.DataFrame, ax=None, *, title: str | None = None):
    """Kaplan-Meier curves of time to first reoffence with 95% bands (``JusticeDataLab``).

    Parameters
    ----------
    frame : DataFrame
        Tidy: ``group``, ``days``, ``survival``, ``ci_low``, ``ci_high`` (e.g.
        ``JusticeDataLab().survival_``); rows with a missing survival are skipped (suppressed).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for k, (name, g) in enumerate(frame.groupby("group", sort=False)):
        g = g.dropna(subset=["survival"]).sort_values("days")
        ax.step(g["days"], g["survival"], where="post", color=f"C{k}", label=name)
        ax.fill_between(g["days"], g["ci_low"].astype(float), g["ci_high"].astype(float),
                        step="post", alpha=0.2, color=f"C{k}")
    ax.set_xlabel("days since the index date")
    ax.set_ylabel("share not yet reoffended")
    ax.set_ylim(0, 1)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    cols = [c for c in ("group", "days", "survival", "ci_low", "ci_high") if c in frame.columns]
    describe(ax, kind="survival chart", data=frame[cols], values=frame["survival"],
             min_visible=2, what="points")
    return ax
