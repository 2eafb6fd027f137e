"""The tidy shape every measure returns: one row per (measure, definition)."""
from __future__ import annotations

MEASURE_COLUMNS = ["measure", "value", "n", "numerator", "denominator", "ci_low", "ci_high",
                   "ci_method", "definition", "headline", "excluded", "excluded_reason"]


def measure_row(measure, value, *, n, definition, headline, numerator=None, denominator=None,
                ci_low=None, ci_high=None, ci_method=None, excluded=0, excluded_reason=None):
    """One row of a measure table (:data:`MEASURE_COLUMNS`).

    Parameters
    ----------
    measure : str
        Measure key, e.g. ``"active_cohort"``.
    value : float
        The figure.
    n : int
        Units behind it.
    definition : str
        What was counted, in words.
    headline : bool
        Whether this is the headline definition.
    numerator, denominator : int, optional
        For shares and counts.
    ci_low, ci_high : float, optional
        Interval bounds.
    ci_method : str, optional
        How the interval was computed.
    excluded : int
        Units left out.
    excluded_reason : str, optional
        Why.

    Returns
    -------
    dict
        Keyed by :data:`MEASURE_COLUMNS`.
    """
    return {"measure": measure, "value": value, "n": n, "numerator": numerator,
            "denominator": denominator, "ci_low": ci_low, "ci_high": ci_high,
            "ci_method": ci_method, "definition": definition, "headline": headline,
            "excluded": excluded, "excluded_reason": excluded_reason}
