"""The disclosure rules of one report: :class:`Disclosure`, the banner and the notebook guard.

Every table and plotted series a report notebook shows passes through a :class:`Disclosure`,
which applies small-cell suppression (:mod:`iomlib.sdc.suppress`) for a public audience and
keyed pseudonyms (:mod:`iomlib.sdc.pseudonyms`) for a restricted one; :meth:`Disclosure.guard`
withholds any table shown without that check. :func:`banner` is the protective-marking line of
a report.
"""
from __future__ import annotations

import html
import secrets

import numpy as np
import pandas as pd

from iomlib.config.params import (
    AUDIENCES,
    PUBLIC_MIN_CELL,
    check_run_parameter,
    small_min_cell_allowed,
)
from iomlib.errors import ParameterError
from iomlib.sdc.ledger import new_audit_id, record_set, record_table
from iomlib.sdc.magnitudes import Dominance
from iomlib.sdc.pseudonyms import IDENTIFIER_COLUMNS, _key_bytes, pseudonym_key, pseudonymise
from iomlib.sdc.suppress import (
    DEFAULT_MIN_CELL,
    MEASURE_DERIVED,
    SUPPRESSED_SYMBOL,
    _as_list,
    _check_min_cell,
    _hide,
    _suppress,
    display_table,
    suppress_curve,
    suppress_measures,
    suppress_steps,
)
from iomlib.tables import frame_html, running_shell

#: The notice shown in place of a table that did not pass through disclosure control.
WITHHELD_MARKER = "iom-withheld"


def banner(audience: str, min_cell: int = DEFAULT_MIN_CELL, *,
           show_identifiers: bool = False, small_min_cell: bool = False) -> str:
    """The protective-marking line shown at the top of every report page.

    Parameters
    ----------
    audience : {"public", "restricted"}
    min_cell : int, default 10
        The suppression threshold in force (quoted in the public banner).
    show_identifiers : bool, default False
        Restricted reports: whether real identifiers are shown (else keyed pseudonyms).
    small_min_cell : bool, default False
        Public reports: ``min_cell`` below 10 was allowed (``allow_small_min_cell``); said.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        Unknown audience or bad ``min_cell``.

    Examples
    --------
    >>> banner("public")[:17]
    'OFFICIAL — PUBLIC'
    """
    min_cell = _check_min_cell(min_cell)
    audience = _check_audience(audience)
    if audience == "public":
        override = (f" (min_cell {min_cell} is below the usual {PUBLIC_MIN_CELL}: allowed by "
                    f"allow_small_min_cell)" if small_min_cell and min_cell < PUBLIC_MIN_CELL
                    else "")
        return (f"OFFICIAL — PUBLIC: every count, rate and percentage resting on 1 to "
                f"{min_cell - 1} people is suppressed ({SUPPRESSED_SYMBOL}){override}, and so "
                f"is a percentage whose complement is 1 to {min_cell - 1}; further cells are "
                f"hidden until no suppressed count can be worked out, or bounded below "
                f"{min_cell}, from the totals (whole, non-negative counts); published counts of "
                f"nested groups differ by 0 or at least {min_cell}; sums of magnitudes follow "
                f"the dominance rule; curve points on fewer than {min_cell} people are not "
                f"drawn; no identifiers are shown")
    if audience == "restricted":
        ids = ("shows real identifiers" if show_identifiers else
               "identifiers are replaced by keyed pseudonyms")
        return ("OFFICIAL-SENSITIVE — RESTRICTED: contains personal data about offenders "
                f"and victims ({ids}); figures are not suppressed; do not publish")


def _check_audience(audience) -> str:
    return check_run_parameter("audience", audience, lambda _: ParameterError(
        f"audience={audience!r}: expected one of {', '.join(AUDIENCES)}"))


# --------------------------------------------------------------------------------------------
# the disclosure rules of one report


class Disclosure:
    """The disclosure rules of one report: who reads it, the threshold, identifiers.

    Every table and plotted series a report notebook shows goes through one of these methods,
    so that the same notebook is safe for either audience:

    * ``public``: counts of 1 to ``min_cell - 1`` people (and every figure resting on them) are
      hidden, with secondary suppression where totals are published (:func:`suppress_table`);
      curve points on fewer than ``min_cell`` people are hidden (:func:`suppress_curve`); a
      table holding an identifier column is refused;
    * ``restricted``: figures are shown as they are, and identifier columns (``person_id``,
      ``survivor_id``, ``offence_id``, ``victim_id``, ``episode_id``) are replaced by keyed,
      stable pseudonyms (:func:`pseudonymise`) unless ``show_identifiers=True``.

    Parameters
    ----------
    audience : {"public", "restricted"}, default "restricted"
    min_cell : int, default 10
    show_identifiers : bool, default False
        Restricted reports only: show real identifiers instead of pseudonyms.
    key : str or bytes, optional
        The pseudonym key; default from :func:`pseudonym_key` (environment), else a random key
        for this object only.
    allow_small_min_cell : bool, default False
        Public audience: allow ``min_cell`` below 10 (the run parameter of that name; the
        banner says so). Without it such a ``min_cell`` is refused.
    dominance : Dominance, optional
        The dominance rules for sums of magnitudes (:meth:`sums`); default (n, k) = (2, 0.9)
        and p = 10%.

    Attributes
    ----------
    log_ : list of dict
        One entry per table or curve released: its kind, rows, the count columns, cells hidden
        and the smallest non-zero count left visible (see :meth:`summary`).
    key_source_ : str
        Where the pseudonym key came from (never the key).

    Raises
    ------
    ParameterError
        Unknown audience, bad ``min_cell``, or ``show_identifiers`` with a public audience.

    Examples
    --------
    >>> sdc = Disclosure("public", min_cell=10)
    >>> t = pd.DataFrame({"reason": ["moved", "died"], "n": [40, 3]})
    >>> sdc.table(t, count_cols="n")["n"].tolist()
    [40, <NA>]
    """

    def __init__(self, audience: str = "restricted", min_cell: int = DEFAULT_MIN_CELL, *,
                 show_identifiers: bool = False, key=None, allow_small_min_cell: bool = False,
                 dominance: Dominance | None = None):
        audience = _check_audience(audience)
        self.audience = audience
        self.min_cell = _check_min_cell(min_cell)
        self.small_min_cell = self.min_cell < PUBLIC_MIN_CELL and small_min_cell_allowed(
            {"allow_small_min_cell": allow_small_min_cell})
        if audience == "public" and self.min_cell < PUBLIC_MIN_CELL and not self.small_min_cell:
            raise ParameterError(f"min_cell={self.min_cell}: below {PUBLIC_MIN_CELL} for a "
                                 f"public audience; pass allow_small_min_cell=True to override")
        if not isinstance(show_identifiers, bool):
            raise ParameterError(f"show_identifiers={show_identifiers!r}: expected true or false")
        if show_identifiers and audience == "public":
            raise ParameterError("show_identifiers=True: identifiers are never shown to a public "
                                 "audience; use audience='restricted'")
        self.show_identifiers = show_identifiers
        self.dominance = Dominance() if dominance is None else dominance
        if key is not None:
            self._key, self.key_source_ = _key_bytes(key), "given"
        else:
            k, self.key_source_ = pseudonym_key()
            self._key = k if k is not None else secrets.token_bytes(32)
        self.log_: list[dict] = []

    def __repr__(self) -> str:
        return (f"Disclosure(audience={self.audience!r}, min_cell={self.min_cell}, "
                f"show_identifiers={self.show_identifiers})")

    @property
    def public(self) -> bool:
        """True for a public audience."""
        return self.audience == "public"

    @property
    def banner(self) -> str:
        """The protective-marking line (:func:`banner`)."""
        return banner(self.audience, self.min_cell, small_min_cell=self.small_min_cell)

    # -- single values --------------------------------------------------------------------

    def is_small(self, n) -> bool:
        """True when ``n`` people is a count a public report must not show (1 to min_cell-1).

        Parameters
        ----------
        n : int or None
            A count of people; missing (``None``, ``NaN``) is never small.
        """
        return self.public and n is not None and not pd.isna(n) and 0 < float(n) < self.min_cell

    def count(self, n, unit: str = "") -> str:
        """A count for text: ``"1,234"``, or ``"fewer than 10"`` when it is small and public.

        Parameters
        ----------
        n : int
        unit : str, optional
            Appended after a space, e.g. ``"people"``.
        """
        text = f"fewer than {self.min_cell}" if self.is_small(n) else (
            "unknown" if n is None or pd.isna(n) else f"{int(n):,}")
        return f"{text} {unit}".rstrip()

    def people(self, label: str, ids, *, shown: bool | None = None) -> int:
        """How many distinct people (or episodes) ``ids`` holds, recorded for the cross-table
        audit.

        Call it for a count that is published (in text or a table) and whose members are
        known: in a public run the keyed fingerprints of the members go to the run's restricted
        ledger (:mod:`iomlib.sdc.ledger`), where the runner checks every pair of nested
        published counts (and disjoint parts against a total) for a difference from 1 to
        ``min_cell - 1``.

        Parameters
        ----------
        label : str
            What is counted, in words (named in the audit's messages).
        ids : iterable
            The identifiers counted; missing values are ignored.
        shown : bool, optional
            Whether the count is published (default: unless it is small); say ``False`` for a
            count hidden as a complement.

        Returns
        -------
        int
            The number of distinct identifiers.
        """
        members = set(pd.Series(list(ids), dtype=object).dropna())
        n = len(members)
        if self.public:
            shown = not self.is_small(n) if shown is None else bool(shown) and \
                not self.is_small(n)
            record_set(new_audit_id(), label, members, shown=shown)
        return n

    def identifier(self, value, column: str = "person_id") -> str:
        """One identifier for text: its pseudonym, or itself when identifiers are shown.

        Parameters
        ----------
        value : str
            The identifier.
        column : str, default "person_id"
            Its identifier column (one of ``IDENTIFIER_COLUMNS``), which gives the prefix.

        Raises
        ------
        ParameterError
            Public audience (identifiers are never shown), or an unknown identifier column.
        """
        if column not in IDENTIFIER_COLUMNS:
            raise ParameterError(f"column={column!r}: expected one of "
                                 f"{', '.join(IDENTIFIER_COLUMNS)}")
        if self.public:
            raise ParameterError(f"a public report cannot show a {column}")
        if self.show_identifiers:
            return str(value)
        return pseudonymise(value, self._key, prefix=IDENTIFIER_COLUMNS[column])

    # -- tables ---------------------------------------------------------------------------

    def identifiers(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with its identifier columns (and index) pseudonymised, for a restricted audience.

        Parameters
        ----------
        df : DataFrame
            Returned as it is when no column or index level is an identifier, or when
            identifiers are shown; otherwise a copy.

        Raises
        ------
        ParameterError
            Public audience and ``df`` holds an identifier column: aggregate it first.
        """
        names = [c for c in df.columns if c in IDENTIFIER_COLUMNS]
        index_names = [n for n in df.index.names if n in IDENTIFIER_COLUMNS]
        if self.public and (names or index_names):
            raise ParameterError(f"a public report cannot show identifier column(s) "
                                 f"{', '.join(names + index_names)}; aggregate the table first")
        if self.show_identifiers or not (names or index_names):
            return df
        out = df.copy()
        for c in names:
            out[c] = pseudonymise(out[c].astype(object), self._key,
                                  prefix=IDENTIFIER_COLUMNS[c])
        if index_names:
            out = out.reset_index()
            for c in index_names:
                out[c] = pseudonymise(out[c].astype(object), self._key,
                                      prefix=IDENTIFIER_COLUMNS[c])
            out = out.set_index(list(df.index.names))
        return out

    def _record(self, kind: str, out: pd.DataFrame, counts: list[str], hidden: int,
                published=None) -> None:
        visible = []
        for c in counts:
            if c in out.columns:
                v = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float)
                visible.extend(v[~np.isnan(v) & (v > 0)].tolist())
        smallest = float(min(visible)) if visible else None
        self.log_.append({"kind": kind, "rows": len(out), "count_columns": ", ".join(counts),
                          "cells_hidden": int(hidden),
                          "smallest_count_shown": np.nan if smallest is None else smallest})
        audit_id = new_audit_id()
        out.attrs["disclosure"] = {"audience": self.audience, "min_cell": self.min_cell,
                                   "kind": kind, "count_columns": list(counts),
                                   "cells_hidden": int(hidden),
                                   "smallest_count_shown": smallest, "audit_id": audit_id}
        if self.public and published is not None:
            # the true cells go to the run's restricted ledger only (iomlib.sdc.ledger)
            record_table(audit_id, published, self.min_cell)

    def table(self, df: pd.DataFrame, *, count_cols=None, totals="both", derived=None, by=None,
              rests_on=None, suppress_zeros: bool = False, hide=None) -> pd.DataFrame:
        """A table of counts ready to plot or show: small cells hidden for a public audience.

        Parameters
        ----------
        df : DataFrame
        count_cols : str or list of str, optional
            Columns counting people (or events of people); see :func:`suppress_table`. With a
            public audience, either these or ``rests_on`` must be given.
        totals : default "both"
            Which totals a reader can see (see :func:`suppress_table`). The default is the
            safe rule, as in :func:`suppress_table`: every row and every column of counts is
            taken to add up to a published total. Say ``"none"`` only for counts that are not
            additive (e.g. one row per measure), ``{"row": ..., "column": ...}`` for margins held
            in the table.
        derived : dict, optional
            ``{column: count column(s)}``: values hidden with their counts.
        by : str or list of str, optional
            Independent sub-tables (see :func:`suppress_table`).
        rests_on : int, optional
            For a table with no count column (e.g. model estimates): the number of people the
            whole table rests on. Below ``min_cell`` every numeric value is hidden.
        suppress_zeros : bool, default False
        hide : dict, optional
            ``{count column: boolean mask of rows}``: cells to hide for a reason outside the
            table (e.g. a small difference from a count in another table); secondary
            suppression then protects them as well. Public audience only.

        Returns
        -------
        DataFrame
            Numeric (hidden values missing) with ``<col>_suppressed`` flags for a public
            audience; identifiers pseudonymised for a restricted one.
            ``attrs["disclosure"]`` marks it as checked.

        Raises
        ------
        ParameterError
            Public audience and neither ``count_cols`` nor ``rests_on`` given, a named column
            missing, or an identifier column in a public table.
        """
        counts = _as_list(count_cols, "count_cols")
        out = self.identifiers(df)
        if out is df:
            out = df.copy()
        hidden, published = 0, None
        if self.public:
            if not counts and rests_on is None:
                raise ParameterError("a public table needs count_cols (the columns counting "
                                     "people) or rests_on (how many people it rests on)")
            if counts:
                out, hidden, published = _suppress(
                    out, count_cols=counts, min_cell=self.min_cell, totals=totals,
                    derived=derived, by=by, suppress_zeros=suppress_zeros, flags="columns",
                    margin=None, hide=hide)
            if rests_on is not None and self.is_small(rests_on):
                numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])
                           and not pd.api.types.is_bool_dtype(out[c])]
                mask = np.ones(len(out), dtype=bool)
                for c in numeric:
                    out[c] = _hide(out[c], mask)
                    out[f"{c}_suppressed"] = mask
                hidden += len(out) * len(numeric)
        self._record("table", out, counts, hidden, published)
        return out

    def sums(self, df: pd.DataFrame, parts, *, derived=None) -> pd.DataFrame:
        """Sums of magnitudes (summed harm, severity) with the dominance rule applied (public).

        Apply it before :meth:`table` (which then checks the counts of the same rows); the
        ``<col>_suppressed`` flags it adds are kept.

        Parameters
        ----------
        df : DataFrame
        parts : dict
            ``{sum column: function(row) -> contributions}``: for each row (a Series), the
            values of the people or episodes that make up the sum.
        derived : dict, optional
            ``{column: sum column(s)}`` hidden with them (e.g. a mean of the sum).

        Returns
        -------
        DataFrame
            A copy; for a public audience every sum :attr:`dominance` finds sensitive, and what
            is derived from it, is missing, with ``<col>_suppressed`` flags.
        """
        out = df.copy()
        if not self.public:
            return out
        derived = {k: _as_list(v, f"derived[{k!r}]") for k, v in dict(derived or {}).items()}
        masks = {}
        for col, contributions in parts.items():
            masks[col] = np.array([self.dominance.sensitive(contributions(row))
                                   for _, row in out.iterrows()], dtype=bool)
        for k, bases in derived.items():
            masks[k] = np.logical_or.reduce([masks.get(k, np.zeros(len(out), dtype=bool))]
                                            + [masks[b] for b in bases if b in masks])
        for c, m in masks.items():
            out[c] = _hide(out[c], m)
            flag = f"{c}_suppressed"
            out[flag] = m | (out[flag].to_numpy(dtype=bool) if flag in out else False)
        return out

    def steps(self, df: pd.DataFrame, *, count_cols) -> pd.DataFrame:
        """An attrition table (each row a subset of the row before): a count is hidden when it,
        or its step from the last count shown, is small (:func:`suppress_steps`); public only.

        Parameters
        ----------
        df : DataFrame
            One row per stage, in order.
        count_cols : str or list of str
            The columns of nested counts of people.
        """
        counts = _as_list(count_cols, "count_cols")
        out = self.identifiers(df)
        out = df.copy() if out is df else out
        hidden = 0
        if self.public:
            out, hidden = suppress_steps(out, count_cols=counts, min_cell=self.min_cell)
        self._record("steps", out, counts, hidden)
        return out

    def measures(self, df: pd.DataFrame, *, count_cols=("n",),
                 derived=MEASURE_DERIVED, together: str | None = None) -> pd.DataFrame:
        """A tidy measure table with figures on fewer than ``min_cell`` people hidden (public).

        Parameters
        ----------
        df : DataFrame
            Measure rows (see :func:`suppress_measures`).
        count_cols : sequence of str, default ("n",)
            Counts of people; include ``numerator`` where it counts people.
        derived : sequence of str
            Columns hidden with the counts.
        together : str, optional
            Rows resting on the same people (equal values of this column) are hidden together
            by the complement rule (see :func:`suppress_measures`).
        """
        counts = _as_list(count_cols, "count_cols")
        out = self.identifiers(df)
        hidden = 0
        if self.public:
            out, hidden = suppress_measures(out, min_cell=self.min_cell, count_cols=counts,
                                            derived=derived, flags="columns",
                                            together=together)
        elif out is df:
            out = df.copy()
        self._record("measures", out, counts, hidden)
        return out

    def curve(self, df: pd.DataFrame, *, n_col: str = "n_at_risk", **kwargs) -> pd.DataFrame:
        """Curve points on fewer than ``min_cell`` people hidden (public).

        Parameters
        ----------
        df : DataFrame
            One row per curve point.
        n_col : str, default "n_at_risk"
            The number at risk at each point.
        **kwargs
            ``value_cols``, ``people_col``, ``event_col`` of :func:`suppress_curve`.
        """
        out = self.identifiers(df)
        if self.public:
            out = suppress_curve(out, n_col=n_col, min_cell=self.min_cell, **kwargs)
            hidden = int(out["suppressed"].sum())
        else:
            out, hidden = (df.copy() if out is df else out), 0
        people = kwargs.get("people_col", "n_people")
        self._record("curve", out, [n_col] + ([people] if people and people in out else []),
                     hidden)
        return out

    def show(self, df: pd.DataFrame, *, digits=None, measures: bool = False, **rules) -> None:
        """Display a table in the notebook after :meth:`table` (or :meth:`measures`).

        Parameters
        ----------
        df : DataFrame
        digits : int or dict, optional
            Passed to ``DataFrame.round`` before hidden cells become ``[c]``.
        measures : bool, default False
            Use :meth:`measures` (``rules`` as its keywords) instead of :meth:`table`.
        **rules
            Keywords of :meth:`table` or :meth:`measures`.
        """
        from IPython.display import display
        shown = self.measures(df, **rules) if measures else self.table(df, **rules)
        display(self.for_display(shown, digits=digits))

    def for_display(self, df: pd.DataFrame, *, digits=None) -> pd.DataFrame:
        """A checked table (from :meth:`table`, :meth:`measures` or :meth:`curve`) as shown:
        rounded, hidden values as ``[c]``, flag columns dropped.

        Parameters
        ----------
        df : DataFrame
            A checked table (its ``attrs["disclosure"]`` is kept).
        digits : int or dict, optional
            Passed to ``DataFrame.round`` first.
        """
        if "disclosure" not in df.attrs:
            raise ParameterError("for_display: expected a table from Disclosure.table, "
                                 ".measures or .curve")
        t = df.round(digits) if digits is not None else df
        out = display_table(t)
        out.attrs["disclosure"] = dict(df.attrs["disclosure"])
        return out

    def figure(self, value, spec: str = "", *counts) -> str:
        """A figure for text, ``format(value, spec)``, or ``[c]`` when any of the ``counts`` of
        people it rests on is small (public audience).

        Parameters
        ----------
        value : number
        spec : str, optional
            A format specification, e.g. ``".1%"``.
        *counts : int
            The counts of people the figure rests on.
        """
        if any(self.is_small(n) for n in counts):
            return SUPPRESSED_SYMBOL
        return format(value, spec)

    def combine(self, frame: pd.DataFrame, *sources: pd.DataFrame) -> pd.DataFrame:
        """Mark a table built by joining or reshaping checked tables as checked itself.

        Parameters
        ----------
        frame : DataFrame
            The result of ``join``, ``pivot`` and the like on ``sources`` (no new counts).
        *sources : DataFrame
            The checked tables it was built from (from :meth:`table`, :meth:`measures`,
            :meth:`curve` or :meth:`for_display` of this object).

        Returns
        -------
        DataFrame
            ``frame`` with a check merged from the sources: cells hidden summed, the smallest
            count shown the smallest of theirs, the count columns of all.

        Raises
        ------
        ParameterError
            No source, or a source that was not checked (or was checked under other rules).
        """
        if not sources:
            raise ParameterError("combine: name the checked tables the frame was built from")
        checks = []
        for i, src in enumerate(sources):
            check = getattr(src, "attrs", {}).get("disclosure")
            if not check or check.get("audience") != self.audience \
                    or check.get("min_cell") != self.min_cell:
                raise ParameterError(f"combine: source {i + 1} was not checked by this "
                                     f"Disclosure ({self!r})")
            checks.append(check)
        smallest = [c["smallest_count_shown"] for c in checks
                    if c.get("smallest_count_shown") is not None]
        frame.attrs["disclosure"] = {
            "audience": self.audience, "min_cell": self.min_cell, "kind": "combined",
            "count_columns": list(dict.fromkeys(col for c in checks
                                                for col in c.get("count_columns", []))),
            "cells_hidden": int(sum(c.get("cells_hidden", 0) for c in checks)),
            "smallest_count_shown": min(smallest) if smallest else None,
            "audit_ids": [a for c in checks
                          for a in [c.get("audit_id"), *(c.get("audit_ids") or [])] if a]}
        return frame

    def summary(self) -> pd.DataFrame:
        """One row per table or curve released so far (kind, rows, count columns, cells hidden,
        smallest non-zero count shown)."""
        return pd.DataFrame(self.log_, columns=["kind", "rows", "count_columns", "cells_hidden",
                                                "smallest_count_shown"])

    # -- the notebook guard -----------------------------------------------------------------

    def guard(self, shell=None) -> bool:
        """For a public audience, withhold every DataFrame displayed without a check.

        Also makes ``DataFrame.to_excel`` and ``to_csv`` write only checked tables, as shown
        (:func:`iomlib.sdc.export.install_export_guard`; export with
        :func:`iomlib.sdc.export.export_table`).

        Registers display formatters with IPython so that a ``DataFrame`` shown in the notebook
        that did not come from :meth:`table`, :meth:`measures`, :meth:`curve` or
        :meth:`for_display` is replaced by a notice (class ``iom-withheld``), never printed.
        A checked table's HTML output carries the check in its metadata (``iom_disclosure``:
        threshold, count columns, cells hidden, smallest non-zero count shown), so an executed
        notebook can be audited table by table.

        Parameters
        ----------
        shell : InteractiveShell, optional
            Default: the running IPython shell.

        Returns
        -------
        bool
            Whether a guard was installed (False outside IPython or for a restricted audience).
        """
        if not self.public:
            return False
        # files too: DataFrame.to_excel / to_csv write only checked tables, suppressed
        from iomlib.sdc.export import install_export_guard
        install_export_guard()
        shell = running_shell(shell)
        if shell is None:
            return False
        formatters = shell.display_formatter.formatters
        notice = ("Table withheld from this public report: it did not pass through disclosure "
                  "control.")

        def checked(obj) -> bool:
            return "disclosure" in getattr(obj, "attrs", {})

        def as_html(obj):
            if checked(obj):
                frame = obj if isinstance(obj, pd.DataFrame) else obj.to_frame()
                # the check travels with the output (cell metadata), for audits and tests
                return frame_html(frame), {"iom_disclosure": dict(obj.attrs["disclosure"])}
            return f"<p class='{WITHHELD_MARKER}'><strong>{html.escape(notice)}</strong></p>"

        def as_text(obj, p, cycle):
            p.text(repr(obj) if checked(obj) else f"[{WITHHELD_MARKER}] {notice}")

        for kind in (pd.DataFrame, pd.Series):
            formatters["text/html"].for_type(kind, as_html)
            formatters["text/plain"].for_type(kind, as_text)
        return True
