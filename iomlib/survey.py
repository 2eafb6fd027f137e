"""IDVA survey measures: felt safer (k/n, Wilson interval), response rate, non-response bounds."""
from __future__ import annotations

import pandas as pd

from .measures import measure_row
from .stats import wilson_interval


def felt_safer(dataset, as_of=None, *, since=None) -> pd.DataFrame:
    """Share of respondents who felt safer, with a Wilson 95% interval.

    Headline: k = respondents answering "yes", n = respondents (responded on or before
    ``as_of``). Beside it: the response rate (respondents / survivors referred) and worst/best-case
    bounds treating every non-respondent as "not safer" / "safer".
    """
    s = dataset.idva_survey
    if as_of is not None:
        t = pd.Timestamp(as_of)
        s = s[s["referred_on"] <= t]
        resp = s["responded"] & (s["responded_on"] <= t)
    else:
        resp = s["responded"].astype(bool)
    if since is not None:
        keep = s["referred_on"] >= pd.Timestamp(since)
        s, resp = s[keep], resp[keep]
    referred = len(s)
    n = int(resp.sum())
    k = int((s.loc[resp, "felt_safer"] == "yes").sum())
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
