"""What the report runner checks and suppresses in a run's outputs before a public release.

:func:`audit_notebook` lists what makes an executed notebook unfit for a public audience (a
table that bypassed :class:`iomlib.sdc.policy.Disclosure`, or one checked under other rules);
:func:`suppress_headline` applies the threshold rule to the headline figures (``metrics.json``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from iomlib.sdc.policy import WITHHELD_MARKER
from iomlib.sdc.suppress import DEFAULT_MIN_CELL, _check_min_cell

_HEADLINE_COUNTS = ("n", "numerator", "denominator", "n_treated", "n_control", "n_people",
                    "n_people_managed", "n_people_comparison", "n_people_both",
                    "n_person_periods_managed", "n_person_periods_comparison")
_HEADLINE_DERIVED = ("value", "ci_low", "ci_high", "numerator", "denominator", "estimate")
# a small count that only some figures of an entry rest on: those figures go with it
_HEADLINE_DEPENDENT = {"n_departures": ("departure_rate_per_year", "expected_gone_comparison")}


def suppress_headline(metrics: Mapping, min_cell: int = DEFAULT_MIN_CELL,
                      count_keys: Iterable[str] = ()) -> dict:
    """Headline figures (``metrics.json``) for a public audience.

    Parameters
    ----------
    metrics : mapping
        ``{key: {"value", "n", "numerator", "denominator", "ci_low", "ci_high", ...,
        "alternatives": [...]}}`` as built by :func:`iomlib.measures.headline.headline_json`;
        other keys are copied unchanged.
    min_cell : int, default 10
    count_keys : iterable of str
        Keys whose ``value`` is itself a count of people (e.g. the cohort sizes).

    Returns
    -------
    dict
        A copy in which every entry (and alternative) with a count of people (``n``,
        ``numerator``, ``denominator``, ``n_treated``, ``n_control``, or the value of a count
        key) from 1 to ``min_cell - 1``, or whose denominator minus numerator is (the
        complement of a rate: 86% of 58 implies 8), has its value, interval, numerator and
        denominator set to ``None``, its small counts to ``None`` and ``"suppressed": True``.
        The alternatives of an entry hidden for its complement (its worst and best cases, on
        the same numerator) are suppressed with it. A small count that only some figures rest
        on (``n_departures``: the impact estimate's rate of leaving unrecorded) takes just
        those figures with it (set to ``None``, ``"n_departures_suppressed": True``).
    """
    min_cell = _check_min_cell(min_cell)
    count_keys = set(count_keys)

    def small(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < min_cell

    def number(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    def complement(e: Mapping) -> bool:
        num, den = e.get("numerator"), e.get("denominator")
        return number(num) and number(den) and 0 < den - num < min_cell

    def one(entry: Mapping, is_count: bool, force: bool = False) -> dict:
        e = dict(entry)
        for c, figures in _HEADLINE_DEPENDENT.items():
            if small(e.get(c)):
                for f in (c, *figures):
                    e[f] = None
                e[f"{c}_suppressed"] = True
        counts = [c for c in _HEADLINE_COUNTS if small(e.get(c))]
        if counts or force or complement(e) or (is_count and small(e.get("value"))):
            for c in _HEADLINE_DERIVED + tuple(counts):
                if c in e:
                    e[c] = None
            e["suppressed"] = True
        return e

    out = {}
    for key, entry in metrics.items():
        if isinstance(entry, Mapping) and "value" in entry:
            e = one(entry, key in count_keys)
            if isinstance(entry.get("alternatives"), list):
                # a rate hidden for its complement: its worst and best cases rest on the
                # same people (the same numerator), so they go with it
                force = complement(entry)
                e["alternatives"] = [one(a, key in count_keys, force) if isinstance(a, Mapping)
                                     else a for a in entry["alternatives"]]
            out[key] = e
        else:
            out[key] = entry
    return out


# --------------------------------------------------------------------------------------------
# auditing an executed notebook


def _output_html(out: Mapping) -> str:
    v = (out.get("data") or {}).get("text/html", "")
    return "".join(v) if isinstance(v, list) else str(v)


def _output_text(out: Mapping) -> str:
    v = (out.get("data") or {}).get("text/plain", "") or out.get("text", "")
    return "".join(v) if isinstance(v, list) else str(v)


def audit_notebook(nb: Mapping, min_cell: int = DEFAULT_MIN_CELL) -> list[str]:
    """Problems that make an executed notebook unfit for a public audience.

    Parameters
    ----------
    nb : mapping
        An executed notebook (``nbformat`` node or the parsed JSON).
    min_cell : int, default 10

    Returns
    -------
    list of str
        One line per problem, naming the cell (1-based position): a table withheld by the
        notebook guard (it bypassed :class:`Disclosure`), an HTML table without a disclosure
        check in its output metadata, a check made for another audience or a lower threshold,
        or a check that left a non-zero count below ``min_cell`` visible. Empty when fit.
    """
    min_cell = _check_min_cell(min_cell)
    problems = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        for out in cell.get("outputs", []) or []:
            text_html, text = _output_html(out), _output_text(out)
            if WITHHELD_MARKER in text_html or WITHHELD_MARKER in text:
                problems.append(f"cell {i}: a table was withheld: it did not pass through "
                                f"disclosure control")
                continue
            if "<table" not in text_html:
                continue
            meta = out.get("metadata") or {}
            check = (meta.get("text/html") or {}).get("iom_disclosure") \
                or meta.get("iom_disclosure")
            if not check:
                problems.append(f"cell {i}: a table without a disclosure check")
                continue
            if check.get("audience") != "public" or int(check.get("min_cell", 0)) < min_cell:
                problems.append(f"cell {i}: a table checked for audience "
                                f"{check.get('audience')!r} with min_cell "
                                f"{check.get('min_cell')}, expected public with {min_cell}")
            smallest = check.get("smallest_count_shown")
            if smallest is not None and 0 < float(smallest) < min_cell:
                problems.append(f"cell {i}: a table shows a count of {smallest:g} "
                                f"(columns {', '.join(check.get('count_columns') or [])})")
    return problems
