"""Benchmark: a national (43-force) dataset, validated and reported on by ``08_national``.

Times, in one run:

* ``iom validate DATA`` (read + validate every table) as a command line;
* ``iom report --data DATA --notebooks 08`` (the runner loads and validates once, writes the
  snapshot, and the notebook reads it);
* read + validate in this process at three scale points (the first 11, 22 and all 43 forces,
  written to Parquet with DuckDB), to show how the cost grows with people and offences.

The dataset is ``iom synth --forces 43 --format parquet`` (300,003 people, 5.75 M offences),
made once into ``--data`` if that folder does not exist. Prints JSON lines; the goal (validate
+ 08_national under 60 s) is checked on the sum of the two command lines' wall times; their CPU
seconds (every process they waited for) and peak resident memory are printed beside them,
since on a shared machine the wall time is mostly waiting for a core. The last line adds
the date, commit and load averages (the machine is shared: see benchmarks/README.md).

Usage::

    .venv/bin/python benchmarks/national.py [--data /tmp/national] [--skip-scale]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from _bench import bin_path as _bin
from _bench import commit as _commit
from _bench import timed as _timed

REPO = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0


def _subset(data: Path, forces: list[str], out: Path) -> Path:
    """The people of ``forces`` and their rows of every table, as Parquet (DuckDB)."""
    import duckdb
    out.mkdir(parents=True, exist_ok=True)
    people = str(data / "people.parquet")
    with duckdb.connect() as con:
        con.execute("CREATE TEMP TABLE keep AS SELECT person_id FROM read_parquet(?) "
                    "WHERE force IN (SELECT unnest(?))", [people, forces])
        for f in sorted(data.glob("*.parquet")):
            con.execute(f"COPY (SELECT * FROM read_parquet('{f}') WHERE person_id IN "
                        f"(SELECT person_id FROM keep)) TO '{out / f.name}' (FORMAT parquet)")
    return out


def _peak_child_mb() -> int:
    """Peak resident memory (MB) of the largest child process waited for so far (Linux KB)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def scale_points(data: Path) -> list[dict]:
    """Read + validate at 11, 22 and 43 forces, in this process (median of one; see README)."""
    from iomlib.data.sources import load_dataset
    from iomlib.report.forces import forces_of
    forces = forces_of(str(data))
    rows = []
    with tempfile.TemporaryDirectory(prefix="iom-national-") as tmp:
        for k in (11, 22, len(forces)):
            folder = data if k == len(forces) else _subset(data, forces[:k], Path(tmp) / str(k))
            c0, t0 = time.process_time(), time.perf_counter()
            ds = load_dataset(folder)
            secs, cpu = time.perf_counter() - t0, time.process_time() - c0
            n_off = len(ds.offences)
            rows.append({"forces": k, "people": len(ds.people), "offences": n_off,
                         "episodes": len(ds.episodes), "load_validate_seconds": round(secs, 2),
                         "cpu_seconds": round(cpu, 2),
                         "cpu_microseconds_per_offence": round(1e6 * cpu / n_off, 2)})
            del ds
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "iom-national"))
    ap.add_argument("--skip-scale", action="store_true", help="no scale points")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "people.parquet").exists():
        print(json.dumps({"synth_seconds": round(_timed(
            [_bin("iom"), "synth", "--forces", "43", "--format", "parquet", "--out",
             str(data)])[0], 1)}), flush=True)
    validate, validate_cpu = _timed([_bin("iom"), "validate", str(data)])
    validate_mb = _peak_child_mb()
    with tempfile.TemporaryDirectory(prefix="iom-national-report-") as out:
        report, report_cpu = _timed([_bin("iom"), "report", "--data", str(data), "--notebooks",
                                     "08", "--out", out])
    row = {"validate_seconds": round(validate, 1), "report_08_seconds": round(report, 1),
           "validate_cpu_seconds": round(validate_cpu, 1),
           # the runner process only (load, validate, snapshot, index page): the notebook's
           # kernel runs under the pool's fork server, which the runner does not wait for
           "report_08_runner_cpu_seconds": round(report_cpu, 1),
           # peak resident memory of the largest process waited for (the validate command,
           # then the larger of it and the report's runner)
           "validate_peak_mb": validate_mb, "report_08_runner_peak_mb": _peak_child_mb(),
           "total_seconds": round(validate + report, 1),
           "goal_under_60s": validate + report < GOAL_SECONDS}
    print(json.dumps(row), flush=True)
    if not args.skip_scale:
        for r in scale_points(data):
            print(json.dumps(r), flush=True)
    print(json.dumps({"date": time.strftime("%Y-%m-%d"), "commit": _commit(),
                      "load_average": [round(x, 2) for x in os.getloadavg()]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
