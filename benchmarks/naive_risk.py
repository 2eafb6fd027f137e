"""The straightforward reference: a per-person, per-month pandas loop (kept for benchmarks only).

It follows the risk-score definition literally and shares no code with ``iomlib.risk.engine``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def naive_panel(offences: pd.DataFrame, person_ids, months, severity: dict, *, window_days=365,
                half_life_days=180.0, weapon_uplift=0.5) -> np.ndarray:
    out = np.zeros((len(person_ids), len(months)))
    by_person = dict(tuple(offences.groupby("person_id")))
    for i, pid in enumerate(person_ids):
        o = by_person.get(pid)
        if o is None:
            continue
        for j, t in enumerate(months):
            age = (t - o["offence_date"]).dt.days
            inside = (age >= 0) & (age < window_days)
            if not inside.any():
                continue
            sel = o[inside]
            w = sel["offence_category"].map(severity) * (1 + weapon_uplift * sel["weapon"])
            out[i, j] = float((w * 0.5 ** (age[inside] / half_life_days)).sum())
    return out
