"""One table of what a reviewer reads for each measure: its label, unit and decimals.

Nothing else in the appendix turns a measure key into words; a key missing here is shown by a
generic label built from its words (never the key itself).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """How one measure is shown.

    Attributes
    ----------
    label : str
        Its name in plain English.
    unit : str
        ``"people"``, ``"%"`` or ``"proportion"`` (a fraction shown as a percentage).
    decimals : int
        Fixed decimals of the value.
    short : str
        A short name for chart-free lists and the change table.
    """

    label: str
    unit: str
    decimals: int
    short: str


#: Every headline measure of ``metrics.json``, in the order they are published.
MEASURES: dict[str, Measure] = {
    "unique_nominals": Measure("Unique nominals: distinct people adopted in the period",
                               "people", 0, "Unique nominals"),
    "active_cohort": Measure("Active cohort: people managed on the as-of date", "people", 0,
                             "Active cohort"),
    "removed_mean_reduction_pct": Measure(
        "Reduction in risk score between adoption and removal (mean per episode)", "%", 1,
        "Reduction in risk, removed episodes"),
    "month12_mean_reduction_pct": Measure(
        "Reduction in risk score after 12 months on the scheme (mean per episode)", "%", 1,
        "Reduction in risk after 12 months"),
    "idva_felt_safer_pct": Measure("IDVA survey: respondents who felt safer", "%", 1,
                                   "Felt safer (IDVA survey)"),
    "impact_managed_rate_reduction": Measure(
        "Estimated reduction in the offending rate per day at liberty while managed, over the "
        "first 12 months after adoption, among the people adopted", "proportion", 1,
        "Estimated effect on offending"),
}

#: Fields of a measure entry, as column labels.
FIELDS = {
    "value": "Value", "n": "Number (n)", "numerator": "Numerator", "denominator":
    "Denominator", "ci": "95% interval", "ci_method": "Interval method", "definition":
    "Definition", "excluded": "Excluded", "excluded_reason": "Why excluded",
}

#: Interval methods in words.
METHODS = {"wilson": "Wilson score interval", "t interval": "t interval for a mean",
           None: "none (a count)"}


def measure(key: str) -> Measure:
    """The :class:`Measure` of ``key``; an unknown key gets a label made from its words.

    Parameters
    ----------
    key : str
        A measure key of ``metrics.json``.
    """
    if key in MEASURES:
        return MEASURES[key]
    words = key.replace("_pct", "").replace("_", " ").strip()
    unit = "%" if key.endswith("_pct") else ""
    text = words[:1].upper() + words[1:]
    return Measure(text, unit, 1 if unit else 0, text)


def label(key: str) -> str:
    """The reviewer's label of a measure key.

    Parameters
    ----------
    key : str
    """
    return measure(key).label


def method(name) -> str:
    """An interval method in words.

    Parameters
    ----------
    name : str or None
    """
    return METHODS.get(name, str(name) if name else METHODS[None])


def humanise(name: str) -> str:
    """A column or parameter name in words (``n_at_risk`` -> ``N at risk``).

    Parameters
    ----------
    name : str
    """
    special = {"n": "Number (n)", "ci_low": "95% interval, lower", "ci_high":
               "95% interval, upper", "pct": "Percentage", "n_at_risk": "Number at risk",
               "as_of": "As-of date", "period_start": "Period start", "min_cell":
               "Smallest count published", "person_id": "Person shown", "cohort": "Cohort",
               "audience": "Audience", "data": "Data", "config": "Configuration file",
               "seed": "Random seed", "event_time": "Months since first managed month"}
    if name in special:
        return special[name]
    if name in MEASURES:
        return MEASURES[name].short
    text = str(name).replace("_pct", " (%)").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
