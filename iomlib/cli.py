"""The ``iom`` command (also ``python -m iomlib``): one entry point for everything.

Every expected failure (bad data, bad configuration, bad parameter) prints a clear message on
standard error and exits with status 2; no traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from iomlib.errors import IomError


def _config(args):
    from iomlib.config.settings import load_config
    overrides = {}
    if getattr(args, "as_of", None):
        overrides.setdefault("headline", {})["as_of"] = args.as_of
    if getattr(args, "since", None):
        overrides.setdefault("headline", {})["period_start"] = args.since
    return load_config(getattr(args, "config", None), overrides or None)


def _period_notes(ds, cfg, args, *, period: bool = True) -> None:
    """Say on stderr when the run's dates miss the data (:mod:`iomlib.data.coverage`)."""
    from iomlib.data.coverage import coverage_notes
    given = [k for k, a in (("as_of", "as_of"), ("period_start", "since"))
             if getattr(args, a, None)]
    start = cfg.period_start if period else None
    for line in coverage_notes(ds, cfg.as_of, start, given=given, options="cli"):
        print(f"iom {args.command}: note: {line}", file=sys.stderr)


def cmd_validate(args) -> int:
    from iomlib.data.sources import load_dataset
    from iomlib.errors import DataValidationError
    try:
        ds = load_dataset(args.path, strict=not args.lenient,
                          dayfirst=getattr(args, "dayfirst", False))
    except DataValidationError as e:
        print(str(e), file=sys.stderr)     # one line per table and column, examples, the fix
        return 2
    print(f"{args.path}: valid")
    print(ds.ledger.to_string(index=False))
    return 0


def cmd_synth(args) -> int:
    from dataclasses import replace

    from iomlib.data.synth import SynthParams, simulate
    if args.out is None:
        raise IomError("iom synth: --out DIR is required")
    changes = {"seed": args.seed}
    if args.true_effect is not None:
        if not 0 <= args.true_effect < 1:
            raise IomError(f"--true-effect {args.true_effect}: expected a fraction in [0, 1)")
        changes["true_effect"] = args.true_effect
    if args.people is not None:
        changes["n_people"] = args.people
    t0 = time.perf_counter()
    if args.forces:
        from iomlib.data.synth import simulate_national
        ds = simulate_national(args.forces, args.people or 300_000, args.seed,
                               true_effect=changes.get("true_effect", 0.20))
    else:
        ds = simulate(replace(SynthParams(), **changes))
    files = ds.write(args.out, args.format)
    print(f"wrote {len(files)} tables to {args.out} in {time.perf_counter() - t0:.1f} s "
          f"({len(ds.people)} people, {len(ds.episodes)} episodes, {len(ds.offences)} offences)")
    return 0


def cmd_headline(args) -> int:
    from iomlib.data.open import open_dataset
    from iomlib.measures.headline import headline_json, headline_table
    cfg = _config(args)
    ds = open_dataset(args.data, config=cfg)
    _period_notes(ds, cfg, args)
    table = headline_table(ds, config=cfg)
    if args.json:
        print(json.dumps(headline_json(table), indent=2))
    else:
        cols = ["measure", "value", "n", "ci_low", "ci_high", "definition"]
        print(table[cols].to_string(index=False))
    return 0


def add_impact_arguments(parser) -> None:
    """Arguments of ``iom impact``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``impact`` subparser.
    """
    parser.add_argument("--data", default=None,
                        help="dataset (default: embedded synthetic data)")
    parser.add_argument("--as-of", default=None, help="as-of date (default 2020-01-31)")
    parser.add_argument("--config", default=None, help="YAML configuration file")
    parser.add_argument("--json", action="store_true", help="print JSON")


def cmd_impact(args) -> int:
    """Run ``iom impact``: print the main estimate (JSON with ``--json``).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed :func:`add_impact_arguments`.

    Returns
    -------
    int
        Exit status (0).
    """
    from iomlib.data.open import open_dataset
    from iomlib.impact.summary import run_impact
    cfg = _config(args)
    ds = open_dataset(getattr(args, "data", None), config=cfg)
    _period_notes(ds, cfg, args, period=False)     # the estimate uses as_of only
    print(run_impact(ds, cfg, as_json=getattr(args, "json", False)))
    sys.stdout.flush()
    return 0


def cmd_report(args) -> int:
    from iomlib.report.runner import main_report
    return main_report(args)


def _wants(command: str, argv) -> bool:
    """Whether ``command`` is the subcommand of ``argv`` (or argv is unknown)."""
    if argv is None:
        return True
    return command in argv or "-h" in argv or "--help" in argv


def build_parser(argv=None) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="iom", description="iom-suite: IOM performance analysis")
    sub = ap.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check a dataset against the data model")
    v.add_argument("path", help="folder of CSV/Parquet, .xlsx workbook or SQLAlchemy URL")
    v.add_argument("--lenient", action="store_true",
                   help="accept row-level problems (rows excluded, shown in the ledger)")
    v.add_argument("--dayfirst", action="store_true",
                   help="also read day-first dates DD/MM/YYYY (British extracts)")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("synth", help="write the calibrated synthetic force")
    s.add_argument("--seed", type=int, default=20160101)
    s.add_argument("--out", help="output folder")
    s.add_argument("--format", choices=["csv", "parquet"], default="csv")
    s.add_argument("--true-effect", type=float, default=None,
                   help="fractional reduction in offending while managed (default 0.20)")
    s.add_argument("--people", type=int, default=None, help="number of known offenders")
    s.add_argument("--forces", type=int, default=None,
                   help="write a national dataset of this many forces (people.force); "
                        "--people is then the national total (default 300000)")
    s.set_defaults(func=cmd_synth)

    h = sub.add_parser("headline", help="print the headline figures")
    h.add_argument("--data", default=None, help="dataset (default: embedded synthetic data)")
    h.add_argument("--as-of", default=None, help="as-of date (default 2020-01-31)")
    h.add_argument("--since", default=None, help="period start (default 2016-01-01)")
    h.add_argument("--config", default=None, help="YAML configuration file")
    h.add_argument("--json", action="store_true", help="print JSON")
    h.set_defaults(func=cmd_headline)

    i = sub.add_parser("impact", help="estimate the effect of being managed on offending")
    add_impact_arguments(i)
    i.set_defaults(func=cmd_impact)

    r = sub.add_parser("report", help="run the notebooks and publish the HTML appendix")
    if _wants("report", argv):
        from iomlib.report.runner import add_report_arguments
        add_report_arguments(r)
    r.set_defaults(func=cmd_report)
    return ap


def main(argv=None) -> int:
    from_command_line = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    ap = build_parser(argv)
    args = ap.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except IomError as e:
        print(f"iom {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except KeyboardInterrupt:
        print(f"iom {args.command}: interrupted", file=sys.stderr)
        if from_command_line:
            # the run has already cleaned up and marked itself failed; leave now, so that a
            # second interrupt during interpreter shutdown (worker threads joining) cannot turn
            # the documented exit status 130 into death by SIGINT
            import os
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130
