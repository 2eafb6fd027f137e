"""National datasets: one force's subset, and one report per force."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pandas as pd

from iomlib.errors import ParameterError


def force_slug(name: str) -> str:
    """A folder name for a force (``"Avon and Somerset"`` -> ``"avon-and-somerset"``).

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        Nothing usable is left of the name.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    if not slug:
        raise ParameterError(f"--force {name!r}: not a usable force name")
    return slug


def force_subset(data, force: str, scratch: Path) -> Path:
    """Write one force's validated tables (read lazily from Parquet) to a scratch folder.

    Parameters
    ----------
    data : str or None
        The national dataset (the ``data`` parameter).
    force : str
        A value of ``people.force``.
    scratch : Path
        A temporary folder.

    Returns
    -------
    Path
        ``scratch/<force slug>``, holding the force's tables as Parquet.
    """
    from iomlib.data.open import open_dataset
    if data is None:
        raise ParameterError("--force/--all-forces need --data: a national dataset with a "
                             "'force' column in people (iom synth --forces 43 --format parquet)")
    ds = open_dataset(data, force=force)
    folder = scratch / force_slug(force)
    ds.write(folder, "parquet")
    return folder


def forces_of(data) -> list[str]:
    """The forces of a national dataset, without loading it (DuckDB reads ``people.parquet``).

    Parameters
    ----------
    data : str or None
        The national dataset (the ``data`` parameter).

    Returns
    -------
    list of str
        Distinct non-empty values of ``people.force``, sorted.

    Raises
    ------
    ParameterError
        No dataset, or one without forces.
    """
    from iomlib.data.sources import read_tables
    if data is None:
        raise ParameterError("--all-forces needs --data: a national dataset")
    path = Path(data)
    people = path / "people.parquet"
    if people.is_file():
        import duckdb
        with duckdb.connect() as con:
            rows = con.execute("SELECT DISTINCT force FROM read_parquet(?) WHERE force IS NOT "
                               "NULL ORDER BY 1", [str(people)]).fetchall()
        forces = [r[0] for r in rows]
    else:
        tables, _ = read_tables(data)
        forces = sorted(set(tables["people"].get("force", pd.Series(dtype=str)).dropna())
                        - {""})
    if not forces:
        raise ParameterError(f"--all-forces: {data} has no 'force' values in people")
    return forces


def report_all_forces(args) -> list[str]:
    """One ``iom report --force NAME`` subprocess per force, ``--jobs`` forces at a time.

    Parameters
    ----------
    args : argparse.Namespace
        The ``iom report`` arguments (``--all-forces`` given).

    Returns
    -------
    list of str
        The forces whose run failed.
    """
    import subprocess
    from concurrent.futures import ThreadPoolExecutor
    forces = forces_of(args.data)
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    base = [sys.executable, "-m", "iomlib", "report", "--data", str(args.data), "--out",
            str(args.out), "--jobs", "1", "--timeout", str(args.timeout)]
    if args.params:
        base += ["--params", str(args.params)]
    for item in args.param or []:
        base += ["-p", item]
    if args.notebooks:
        base += ["--notebooks", args.notebooks]
    if args.notebook_dir:
        base += ["--notebook-dir", str(args.notebook_dir)]

    def one(force):
        r = subprocess.run(base + ["--force", force], capture_output=True, text=True)
        tail = (r.stderr.strip().splitlines() or [""])[-1]
        print(f"iom report: {force}: {'ok' if r.returncode == 0 else 'FAILED'} {tail}",
              file=sys.stderr, flush=True)
        return force, r.returncode

    with ThreadPoolExecutor(max(1, jobs)) as ex:
        results = list(ex.map(one, forces))
    failed = [f for f, rc in results if rc != 0]
    print(f"iom report: {len(forces) - len(failed)} of {len(forces)} forces published under "
          f"{Path(args.out) / 'forces'}" + (f"; failed: {', '.join(failed)}" if failed else ""),
          file=sys.stderr)
    return failed
