"""One nominal's timeline: risk score, time on the scheme, custody and offences."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots._common import axes_for, check_columns, check_table
from iomlib.plots._describe import describe
from iomlib.plots._docstrings import fill_doc
from iomlib.plots.theme import colours

#: The optional tables of :func:`nominal_timeline` and the columns each must hold.
_EXTRA_COLUMNS = {"offences": ("offence_date", "weapon"),
                  "custody": ("start_date", "end_date", "sentence_kind"),
                  "episodes": ("adopted_on", "removed_on", "cohort")}


@fill_doc
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
    person_id : str, optional
        Named in the default title.
    date, score : str
        Columns of ``risk`` holding the month end and the score.
    {title}
    {ax}

    {returns}

    {raises}
    """
    check_table(risk, "risk")
    check_columns(risk, "risk", date=date, score=score)
    _check_extra_tables(offences=offences, custody=custody, episodes=episodes)
    ax = axes_for(ax, (11, 5))
    c = colours(5)
    end = pd.Timestamp(risk[date].max()) if len(risk) else None
    if episodes is not None:
        _draw_episodes(ax, episodes, end, c[2])
    if custody is not None:
        for i, (_, s) in enumerate(custody.iterrows()):
            ax.axvspan(s["start_date"], s["end_date"], ymin=0, ymax=0.05, color="0.35",
                       label="in custody" if i == 0 else None)
    ax.plot(risk[date], risk[score], color=c[0], linewidth=2, drawstyle="steps-post",
            label="risk score (month end)")
    if offences is not None and len(offences):
        _draw_offences(ax, offences, plain=c[3], weapon=c[1])
    ax.set_ylim(bottom=0)
    ax.margins(y=0.2)
    ax.set_xlabel("Date")
    ax.set_ylabel("Risk score (points)")
    who = f"Nominal {person_id}" if person_id is not None else "Nominal"
    ax.set_title(title or f"{who}: risk score, time on the scheme, custody and offences")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    describe(ax, kind="timeline of one person", data=risk[[date, score]], what="months",
             detail=f"{0 if offences is None else len(offences)} offence(s) are marked")
    return ax


def _check_extra_tables(**tables) -> None:
    """Each optional table given is a DataFrame holding the columns it needs."""
    for arg, t in tables.items():
        if t is None:
            continue
        check_table(t, arg)
        missing = [c for c in _EXTRA_COLUMNS[arg] if c not in t.columns]
        if missing:
            raise ValueError(f"{arg}: missing column(s) {missing}; columns: {list(t.columns)}")


def _draw_episodes(ax: Axes, episodes: pd.DataFrame, end, colour) -> None:
    """Shade each episode on the scheme (to ``end`` when still open), its cohort at the top."""
    for i, (_, e) in enumerate(episodes.iterrows()):
        stop = e["removed_on"] if pd.notna(e["removed_on"]) else end
        ax.axvspan(e["adopted_on"], stop, color=colour, alpha=0.15,
                   label="on the scheme" if i == 0 else None)
        ax.text(e["adopted_on"], 0.98, f" {e['cohort']}", transform=ax.get_xaxis_transform(),
                va="top", fontsize=8, color="0.2")


def _draw_offences(ax: Axes, offences: pd.DataFrame, *, plain, weapon) -> None:
    """Mark each offence along the bottom: a tick, or a triangle when weapon-enabled."""
    tr = ax.get_xaxis_transform()
    w = offences["weapon"].astype(bool)
    ax.scatter(offences.loc[~w, "offence_date"], np.full((~w).sum(), 0.09), transform=tr,
               marker="|", s=120, color=plain, label="offence")
    if w.any():
        ax.scatter(offences.loc[w, "offence_date"], np.full(w.sum(), 0.09), transform=tr,
                   marker="^", s=40, color=weapon, label="weapon-enabled offence")
