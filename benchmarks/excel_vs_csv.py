"""Benchmark: the same force as a folder of CSV files and as one Excel workbook.

Writes the embedded synthetic force both ways (``Dataset.write`` and one sheet per table),
then times, interleaved (the order alternates each repeat), ``iom validate`` and ``iom report``
on each (CPU seconds beside them: for ``iom report`` the runner process only, since the
kernels run under the pool's fork server, which the runner does not wait for). Prints one JSON
object with the medians, the Excel/CSV ratios and whether the issue-14
goal (Excel report within 1.2x of CSV) is met, with the date, commit and load averages.

Usage::

    .venv/bin/python benchmarks/excel_vs_csv.py [--repeats 3] [--skip-report]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import bin_path as _bin
from _bench import timed as _timed

REPO = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.2


def write_inputs(folder: Path) -> tuple[Path, Path]:
    """The embedded force as ``folder/csv/`` and ``folder/force.xlsx``."""
    import pandas as pd

    from iomlib.data.open import default_dataset
    ds = default_dataset()
    csv = folder / "csv"
    ds.write(csv, "csv")
    book = folder / "force.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name, df in ds.tables().items():
            df.to_excel(xw, sheet_name=name, index=False)
    return csv, book


def _pairs(label: str, cmd_for, inputs: dict, repeats: int) -> dict:
    times = {k: [] for k in inputs}
    cpus = {k: [] for k in inputs}
    for r in range(repeats):
        order = list(inputs) if r % 2 == 0 else list(inputs)[::-1]
        for k in order:
            wall, cpu = _timed(cmd_for(inputs[k], r))
            times[k].append(wall)
            cpus[k].append(cpu)
            print(f"{label} repeat {r + 1}: {k} {wall:.1f} s ({cpu:.1f} s CPU)", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    return {f"{label}_csv_seconds": round(med["csv"], 2),
            f"{label}_excel_seconds": round(med["excel"], 2),
            f"{label}_excel_over_csv": round(med["excel"] / med["csv"], 2),
            f"{label}_csv_cpu_seconds": round(cmed["csv"], 2),
            f"{label}_excel_cpu_seconds": round(cmed["excel"], 2),
            f"{label}_excel_over_csv_cpu": round(cmed["excel"] / cmed["csv"], 2),
            f"{label}_all": {k: [round(x, 2) for x in v] for k, v in times.items()}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-report", action="store_true", help="time iom validate only")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="iom-excel-") as tmp:
        csv, book = write_inputs(Path(tmp))
        inputs = {"csv": str(csv), "excel": str(book)}
        result = _pairs("validate", lambda src, r: [_bin("iom"), "validate", src], inputs,
                        args.repeats)
        if not args.skip_report:
            result.update(_pairs("report", lambda src, r: [
                _bin("iom"), "report", "--data", src, "--out", str(Path(tmp) / f"out{r}")],
                inputs, args.repeats))
            result["goal_excel_report_within_1_2x"] = result["report_excel_over_csv"] <= GOAL_RATIO
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                            capture_output=True, check=False).stdout.strip() or "unknown"
    result.update({"repeats": args.repeats, "date": time.strftime("%Y-%m-%d"), "commit": commit,
                   "load_average_before": [round(x, 2) for x in load_before],
                   "load_average_after": [round(x, 2) for x in os.getloadavg()]})
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
