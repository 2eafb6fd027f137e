"""IDVA survey measures: felt safer (k/n, Wilson interval), response rate, non-response bounds."""
from __future__ import annotations

import pandas as pd

from iomlib.measures.rows import measure_row
from iomlib.measures.stats import wilson_interval


def felt_safer(dataset, as_of=None, *, since=None) -> pd.DataFrame:
    """Share of respondents who felt safer, with a Wilson 95% interval.

    Headline: k = respondents answering "yes", n = respondents (responded on or before
    ``as_of``). Beside it: the response rate (respondents / survivors referred) and worst/best-case
    bounds treating every non-respondent as "not safer" / "safer".

    A survivor counts as a respondent to the question only with a felt-safer answer: a missing
    ``responded`` flag, or a response with the felt-safer answer left empty, is a non-response
    (never a "no"); see :func:`felt_safer_answers`.

    Parameters
    ----------
    dataset : Dataset
        The data (``idva_survey``).
    as_of : date, optional
        Survivors referred on or before this date; responses dated after it do not count.
        Default: every survivor and response.
    since : date, optional
        Survivors referred on or after this date.

    Returns
    -------
    DataFrame
        Measure rows (:func:`iomlib.measures.rows.measure_row`): the headline, the response
        rate, the worst case and the best case.
    """
    s, answered, yes = felt_safer_answers(dataset, as_of, since=since)
    referred = len(s)
    n = int(answered.sum())
    k = int(yes.sum())
    rows = []
    lo, hi = wilson_interval(k, n)
    rows.append(measure_row("idva_felt_safer_pct", 100 * k / n if n else float("nan"), n=n,
                            numerator=k, denominator=n, ci_low=lo * 100, ci_high=hi * 100,
                            ci_method="wilson", headline=True,
                            definition="respondents who felt safer ('yes') / respondents",
                            excluded=referred - n, excluded_reason="did not respond"))
    lo, hi = wilson_interval(n, referred)
    rows.append(measure_row("idva_response_rate_pct", 100 * n / referred if referred else
                            float("nan"), n=referred, numerator=n, denominator=referred,
                            ci_low=lo * 100, ci_high=hi * 100, ci_method="wilson",
                            headline=False, definition="respondents / survivors referred (RR1)"))
    lo, hi = wilson_interval(k, referred)
    rows.append(measure_row("idva_felt_safer_pct", 100 * k / referred if referred else
                            float("nan"), n=referred, numerator=k, denominator=referred,
                            ci_low=lo * 100, ci_high=hi * 100, ci_method="wilson",
                            headline=False,
                            definition="worst case: every non-respondent did not feel safer"))
    kb = k + (referred - n)
    lo, hi = wilson_interval(kb, referred)
    rows.append(measure_row("idva_felt_safer_pct", 100 * kb / referred if referred else
                            float("nan"), n=referred, numerator=kb, denominator=referred,
                            ci_low=lo * 100, ci_high=hi * 100, ci_method="wilson",
                            headline=False,
                            definition="best case: every non-respondent felt safer"))
    return pd.DataFrame(rows)


# --- additions for the appendix notebooks (issue 3) ------------------------------------------

LIKERT_LABELS = {1: "strongly disagree", 2: "disagree", 3: "neither", 4: "agree",
                 5: "strongly agree"}
LIKERT_ITEM_TEXT = {"risk_reduced": "risk reduced", "quality_of_life": "quality of life"}
"""Short display names of the Likert items (the questionnaire wording is the force's own)."""


def _respondents(dataset, as_of=None, *, since=None) -> tuple[pd.DataFrame, pd.Series]:
    """Survivors referred (on or before ``as_of``, on or after ``since``) and who responded.

    A response counts when ``responded`` is true and, with ``as_of``, dated on or before it; a
    missing ``responded`` flag is a non-response.
    """
    s = dataset.idva_survey
    if as_of is not None:
        s = s[s["referred_on"] <= pd.Timestamp(as_of)]
    if since is not None:
        s = s[s["referred_on"] >= pd.Timestamp(since)]
    resp = s["responded"].astype("boolean").fillna(False).astype(bool)
    if as_of is not None:
        resp = resp & (s["responded_on"] <= pd.Timestamp(as_of)).to_numpy()
    return s, resp


def felt_safer_answers(dataset, as_of=None, *, since=None
                       ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Survivors referred, who answered the felt-safer question, and who answered "yes".

    The one rule behind :func:`felt_safer` and :func:`felt_safer_by_year`: a survivor answered
    when they responded (on or before ``as_of``; a missing ``responded`` flag is a
    non-response) and their ``felt_safer`` answer is not empty. An empty answer is a
    non-response, not a "no".

    Parameters
    ----------
    dataset : Dataset
        The data (``idva_survey``).
    as_of : date, optional
        Survivors referred on or before this date; responses dated after it do not count.
    since : date, optional
        Survivors referred on or after this date.

    Returns
    -------
    survey : DataFrame
        The survivors referred (rows of ``idva_survey``).
    answered, yes : Series of bool
        Aligned with ``survey``: answered the question; answered "yes".
    """
    s, resp = _respondents(dataset, as_of, since=since)
    answered = resp & s["felt_safer"].notna()
    return s, answered, answered & (s["felt_safer"] == "yes")


def likert_table(dataset, as_of=None, *, since=None, items=None) -> pd.DataFrame:
    """Distribution of the Likert items among respondents (never averaged: ordinal codes).

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date, optional
        Survivors referred on or before this date; responses dated after it do not count.
    since : date, optional
        Survivors referred on or after this date.
    items : list of str, optional
        Likert items (default: every item of :data:`iomlib.data.schema.LIKERT_ITEMS`).

    Returns
    -------
    DataFrame
        item, text, level (1-5), label, n (respondents at that level), n_item (respondents who
        answered the item), pct (n / n_item x 100); every level of every item, zeros included.
    """
    from iomlib.data.schema import LIKERT_ITEMS
    from iomlib.errors import ParameterError
    items = list(LIKERT_ITEMS if items is None else items)
    bad = [i for i in items if i not in LIKERT_ITEMS]
    if bad:
        raise ParameterError(f"items={items!r}: unknown item(s) {bad}; valid: "
                             f"{list(LIKERT_ITEMS)}")
    s, resp = _respondents(dataset, as_of, since=since)
    r = s[resp]
    rows = []
    for item in items:
        v = pd.to_numeric(r[item], errors="coerce").dropna().astype(int)
        counts = v.value_counts()
        n_item = len(v)
        for level, label in LIKERT_LABELS.items():
            k = int(counts.get(level, 0))
            rows.append({"item": item, "text": LIKERT_ITEM_TEXT.get(item, item), "level": level,
                         "label": label, "n": k, "n_item": n_item,
                         "pct": 100 * k / n_item if n_item else float("nan")})
    return pd.DataFrame(rows)


def likert_agree(dataset, as_of=None, *, since=None, items=None) -> pd.DataFrame:
    """Top-two box: respondents who agree or strongly agree (4-5), k/n with a Wilson interval.

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date, optional
        Survivors referred on or before this date; responses dated after it do not count.
    since : date, optional
        Survivors referred on or after this date.
    items : list of str, optional
        Likert items (default: every item of :data:`iomlib.data.schema.LIKERT_ITEMS`).

    Returns
    -------
    DataFrame
        item, text, k, n, pct, ci_low, ci_high, ci_method.
    """
    lt = likert_table(dataset, as_of, since=since, items=items)
    rows = []
    for item, g in lt.groupby("item", sort=False):
        k = int(g.loc[g["level"] >= 4, "n"].sum())
        n = int(g["n_item"].iloc[0])
        lo, hi = wilson_interval(k, n)
        rows.append({"item": item, "text": g["text"].iloc[0], "k": k, "n": n,
                     "pct": 100 * k / n if n else float("nan"), "ci_low": 100 * lo,
                     "ci_high": 100 * hi, "ci_method": "wilson"})
    return pd.DataFrame(rows)


def felt_safer_by_year(dataset, as_of=None, *, since=None) -> pd.DataFrame:
    """Felt safer by year of referral: k/n respondents with a Wilson 95% interval.

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date, optional
        Survivors referred on or before this date; responses dated after it do not count.
    since : date, optional
        Survivors referred on or after this date.

    Returns
    -------
    DataFrame
        year, referred, n (respondents), k (felt safer), pct, ci_low, ci_high,
        response_rate_pct. Summing ``k`` and ``n`` over years gives the headline of
        :func:`felt_safer` with the same ``as_of`` and ``since``.
    """
    s, answered, yes = felt_safer_answers(dataset, as_of, since=since)
    d = pd.DataFrame({"year": s["referred_on"].dt.year, "resp": answered, "yes": yes})
    rows = []
    for year, g in d.groupby("year"):
        referred, n, k = len(g), int(g["resp"].sum()), int(g["yes"].sum())
        lo, hi = wilson_interval(k, n)
        rows.append({"year": int(year), "referred": referred, "n": n, "k": k,
                     "pct": 100 * k / n if n else float("nan"), "ci_low": 100 * lo,
                     "ci_high": 100 * hi, "ci_method": "wilson",
                     "response_rate_pct": 100 * n / referred if referred else float("nan")})
    return pd.DataFrame(rows, columns=["year", "referred", "n", "k", "pct", "ci_low", "ci_high",
                                       "ci_method", "response_rate_pct"])
