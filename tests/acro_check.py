"""Run ACRO (the SACRO project's output checker) on microdata; run in a Python that has ``acro``.

``python acro_check.py jobs.json out.json``: each job is ``{"name", "csv", "index", "columns",
"values" (optional: a sum of magnitudes)}``; ``out.json`` gets, per job, ACRO's outcome for
every cell (``"ok"`` or the checks that failed), as ``{row: {column: outcome}}``. No code is
shared with iomlib.
"""
from __future__ import annotations

import json
import logging
import sys

import pandas as pd


def main(jobs_path: str, out_path: str) -> None:
    logging.disable(logging.INFO)
    from acro import ACRO
    acro = ACRO(suppress=False)
    out = {}
    for job in json.loads(open(jobs_path).read()):
        df = pd.read_csv(job["csv"])
        kw = {}
        if job.get("values"):
            kw = {"values": df[job["values"]], "aggfunc": "sum"}
        acro.crosstab(df[job["index"]], df[job["columns"]], **kw)
        key = acro.results.get_keys()[-1]
        outcome = acro.results.get(key).outcome
        out[job["name"]] = {str(r): {str(c): str(outcome.loc[r, c]).strip() for c in
                                     outcome.columns} for r in outcome.index}
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
