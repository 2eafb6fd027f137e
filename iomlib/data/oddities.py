"""Oddities of real extracts, handled by definition, each counted in the data-quality ledger.

Run by :func:`iomlib.data.validate.validate_tables` on the rows still kept after the row checks
and the references between tables. None of them makes the data unusable, and none makes
``iom validate`` (strict) refuse the data: they are decisions, not errors.

Rows **kept**, with a ledger note (``reason`` starting ``"note: "``, ``rows_excluded`` = 0):

same-day repeats of an offence
    offences of the same person on the same day with the same ``offence_code``,
    ``offence_category`` and ``victim_id`` (an empty victim matches an empty victim) under
    different ``offence_id``. A crime record is identified by its ``offence_id`` (a row repeated
    with the same id is refused by the key check), and two records with different ids are two
    crimes as recorded (two thefts from shops on one day are common), so they are kept; the
    note counts them (the rows after the first), so that a force whose export re-keys records
    can see them and de-duplicate at source. The synthetic force has such repeats too.

open episode with a removal reason
    ``removed_on`` is empty but ``removal_reason`` is not: the episode is kept as open and the
    reason is set aside (emptied); a removal needs its date.
overlapping custody spells
    kept as recorded: every consumer counts the days in custody once (the union of the spells)
    and takes the most severe ``sentence_kind`` on a day (long > short > remand).
adoption while in custody
    kept: a person may be adopted while in custody (e.g. ahead of release); the note counts them.
people with no offences
    kept: they are part of the comparison pool.
offences before the earliest selection-matrix version
    kept, and scored under the earliest version (points at a month end before it, too: see
    :meth:`iomlib.config.settings.Config.matrix_version_on`). The note counts them against the
    configuration given to the validator (``config.matrix_versions``).
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from iomlib.data.hashdup import duplicated_rows

NOTE = "note: "
REPEATED_OFFENCE = ("offences repeating an earlier offence of the same person on the same day "
                    "(same code, category and victim) under another offence_id; kept as "
                    "separate crime records")
OFFENCE_KEY = ("person_id", "offence_date", "offence_code", "offence_category", "victim_id")


_NEEDS = {"offences": OFFENCE_KEY, "episodes": ("person_id", "adopted_on", "removed_on"),
          "custody": ("person_id", "start_date", "end_date"), "people": ("person_id",)}


def _kept_typed(st, columns=None) -> pd.DataFrame:
    """The typed rows still kept (only ``columns``, when given), indexed by position."""
    df = st.typed if columns is None else st.typed[list(columns)]
    kept = st.kept()
    return df if kept.all() else df[kept]


def _note(st, what: str, positions) -> None:
    positions = [int(p) for p in positions]
    if positions:
        st.notes.append((NOTE + what, [int(st.rows[p]) for p in positions]))


def repeated_offences(st) -> None:
    """Note offences repeating an earlier one (same person, day, code, category, victim).

    Parameters
    ----------
    st : validate._State
        The offences table.
    """
    if st.typed is None or not set(OFFENCE_KEY) <= set(st.typed.columns):
        return
    kept = _kept_typed(st, OFFENCE_KEY)
    if kept.empty:
        return
    repeat = duplicated_rows(kept)
    _note(st, REPEATED_OFFENCE, kept.index[repeat])


def open_with_reason(st) -> None:
    """Empty the removal reason of open episodes (no ``removed_on``), with a ledger note.

    Parameters
    ----------
    st : validate._State
        The episodes table.
    """
    kept = _kept_typed(st)
    if kept.empty or "removal_reason" not in kept.columns:
        return
    odd = kept["removed_on"].isna() & kept["removal_reason"].notna()
    positions = kept.index[odd.to_numpy()]
    if len(positions):
        reason = st.typed["removal_reason"].copy()   # not in place: it may share the input's
        reason.iloc[positions] = None                 # cells
        st.typed["removal_reason"] = reason
        _note(st, "removal_reason set aside on open episodes (removed_on is empty); kept as "
                  "open", positions)


def overlapping_custody(st) -> None:
    """Note custody spells that overlap an earlier spell of the same person (kept as recorded).

    Parameters
    ----------
    st : validate._State
        The custody table.
    """
    kept = _kept_typed(st)
    if kept.empty:
        return
    k = kept.assign(_pos=kept.index).sort_values(["person_id", "start_date", "end_date"])
    latest_end = k.groupby("person_id", sort=False)["end_date"].cummax().groupby(
        k["person_id"], sort=False).shift()     # cythonised: no Python call per person
    over = (k["start_date"] < latest_end).fillna(False).to_numpy(dtype=bool)
    _note(st, "custody spells overlapping an earlier spell of the same person; kept as "
              "recorded (days in custody counted once, the most severe kind applies)",
          sorted(k["_pos"].to_numpy()[over]))


def adopted_in_custody(episodes, custody) -> None:
    """Note episodes adopted while the person was in custody (kept: allowed).

    Parameters
    ----------
    episodes, custody : validate._State
        The two tables.
    """
    ep = _kept_typed(episodes, ["person_id", "adopted_on"])
    cu = _kept_typed(custody, ["person_id", "start_date", "end_date"])
    if ep.empty or cu.empty:
        return
    pairs = ep[["person_id", "adopted_on"]].reset_index(names="_pos").merge(
        cu[["person_id", "start_date", "end_date"]], on="person_id")
    inside = pairs[(pairs["start_date"] <= pairs["adopted_on"])
                   & (pairs["adopted_on"] <= pairs["end_date"])]
    _note(episodes, "episodes adopted while the person was in custody; kept (allowed)",
          sorted(set(inside["_pos"])))


def people_without_offences(people, offences) -> None:
    """Note people with no (kept) offence; they stay in the comparison pool.

    Parameters
    ----------
    people, offences : validate._State
        The two tables.
    """
    pe = _kept_typed(people, ["person_id"])
    with_offence = pd.unique(_kept_typed(offences, ["person_id"])["person_id"].to_numpy())
    none = ~pe["person_id"].isin(with_offence)
    _note(people, "people with no offences; kept (comparison pool)", pe.index[none.to_numpy()])


def offences_before_matrix(st, first_version: pd.Timestamp | None) -> None:
    """Note offences dated before the earliest selection-matrix version (kept).

    Parameters
    ----------
    st : validate._State
        The offences table.
    first_version : Timestamp or None
        ``effective_from`` of the earliest version in the configuration.
    """
    if first_version is None:
        return
    kept = _kept_typed(st, ["offence_date"])
    early = (kept["offence_date"] < first_version).fillna(False).to_numpy(dtype=bool)
    _note(st, f"offences dated before the earliest selection-matrix version "
              f"({first_version:%Y-%m-%d}); kept and scored under that earliest version",
          kept.index[early])


def handle_oddities(states: Mapping, out, config) -> None:
    """Apply every oddity rule of this module to the validated tables (see the docstring).

    Parameters
    ----------
    states : mapping of str to validate._State
        The tables, after the row checks and the references.
    out : validate._Collector
        Where set-aside problems go (no rule of this module sets rows aside at present).
    config : Config
        Supplies the selection-matrix versions.
    """
    def usable(name):
        st = states.get(name)
        if st is None or st.typed is None or not st.n:
            return None
        return st if set(_NEEDS[name]) <= set(st.typed.columns) else None

    people, episodes, offences, custody = (usable(n) for n in
                                           ("people", "episodes", "offences", "custody"))
    if offences is not None:
        repeated_offences(offences)
        versions = getattr(config, "matrix_versions", ()) or ()
        first = min((v.effective_from for v in versions), default=None)
        offences_before_matrix(offences, None if first is None else pd.Timestamp(first))
    if episodes is not None:
        open_with_reason(episodes)
    if custody is not None:
        overlapping_custody(custody)
    if episodes is not None and custody is not None:
        adopted_in_custody(episodes, custody)
    if people is not None and offences is not None:
        people_without_offences(people, offences)


