"""Compare two reports' ``metrics.json``, ignoring what changes from run to run.

``python tools/compare_metrics.py BEFORE.json AFTER.json`` prints every figure that differs and
exits 1 if any does, 0 if the two agree. Ignored: the run's id, start and end times and git
commit (``run.run_id``, ``run.started``, ``run.ended``, ``run.git_commit``). Everything else,
every headline figure with its n, interval and definition, the impact estimate, the parameters
and each notebook's status, must be equal; numbers are compared exactly.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

IGNORED = {("run", "run_id"), ("run", "started"), ("run", "ended"), ("run", "git_commit")}


def differences(before, after, path: tuple = ()) -> list[str]:
    """Return one line per difference between two parsed ``metrics.json`` documents.

    Parameters
    ----------
    before, after : object
        The parsed JSON documents (or parts of them, when called recursively).
    path : tuple of str
        Where in the document ``before`` and ``after`` sit (used for messages and for the
        ignored keys).

    Returns
    -------
    list of str
        ``"<dotted path>: <before> != <after>"`` lines; empty when the documents agree.
    """
    if path in IGNORED:
        return []
    where = ".".join(str(p) for p in path) or "(top)"
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            if key not in after:
                out.append(f"{where}.{key}: only before")
            elif key not in before:
                out.append(f"{where}.{key}: only after")
            else:
                out += differences(before[key], after[key], (*path, key))
        return out
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return [f"{where}: {len(before)} items != {len(after)} items"]
        out = []
        for i, (b, a) in enumerate(zip(before, after)):
            out += differences(b, a, (*path, i))
        return out
    return [] if before == after else [f"{where}: {before!r} != {after!r}"]


def main(argv: list[str] | None = None) -> int:
    """Command line: compare two files, print the differences, exit 1 if there are any."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python tools/compare_metrics.py BEFORE.json AFTER.json", file=sys.stderr)
        return 2
    docs = [json.loads(Path(a).read_text()) for a in args]
    diff = differences(*docs)
    for line in diff:
        print(line)
    print(f"{len(diff)} difference(s) (ignoring {', '.join('.'.join(k) for k in sorted(IGNORED))})")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())
