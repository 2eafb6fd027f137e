"""Coverage study of the impact estimators on synthetic forces with a planted effect.

Each run simulates a force (``iomlib.data.synth.simulate`` with ``replace(SynthParams(), seed=s,
true_effect=e)``), fits every estimator of :mod:`iomlib.impact` as of 2020-01-31 with the
default configuration, and records the estimate and 95% interval of each on the scale of the
planted effect: the proportional reduction in the offending rate per day at liberty while
managed. Measures on other scales (the naive risk-score falls, JDL frequency) are compared with
the same number and flagged. Results: bias, empirical SD, RMSE, 95% interval coverage and mean
interval width per estimator and planted effect, written to ``docs/impact_coverage.md``.

Usage::

    .venv/bin/python benchmarks/impact_coverage.py                  # 30 seeds x (0, .2, .4)
    .venv/bin/python benchmarks/impact_coverage.py --seeds 3 --out /tmp/cov.md   # quick look
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# label, key of the row in the summaries, scale note, transform to the effect scale
ESTIMATORS = [
    ("naive: headline mean % risk reduction (12 months)", "naive_risk_reduction", "risk score",
     0.01),
    ("naive: fall in offending rate (12 months after vs before adoption)", "naive_rate_fall",
     "rate", 1.0),
    ("benchmark: naive minus eligible-not-selected (risk, pp)", "benchmark_risk_gap",
     "risk score", 0.01),
    ("benchmark-adjusted fall in offending rate", "eligible_benchmark", "rate, ITT", 1.0),
    ("event study (Callaway & Sant'Anna), rate", "event_study", "rate, ITT", 1.0),
    ("count model: Poisson, 1 - RR of adoption", "count_poisson", "rate, ITT", 1.0),
    ("count model: negative binomial, 1 - RR", "count_negbin", "rate, ITT", 1.0),
    ("count model: GEE, 1 - RR", "count_gee", "rate, ITT", 1.0),
    ("JDL matched comparison: 1 - frequency ratio", "jdl_frequency_ratio", "one-year frequency",
     1.0),
    ("MAIN: g-estimation, managed-rate effect", "g_estimate", "rate while managed", 1.0),
]

WHY = {
    "naive: headline mean % risk reduction (12 months)":
        "people are adopted at a peak of offending, so their risk score falls afterwards "
        "whatever the scheme does (regression to the mean, custody); it is also a risk-score "
        "measure, not a rate.",
    "naive: fall in offending rate (12 months after vs before adoption)":
        "the 12 months before adoption are the selection window, a peak by construction: the "
        "fall is mostly regression to the mean.",
    "benchmark: naive minus eligible-not-selected (risk, pp)":
        "the pseudo-entrants are not comparable: they were eligible but ranked lower (smaller "
        "peaks), many are never adopted because their offending fell (selection on the future), "
        "and the measure is on the risk-score scale.",
    "benchmark-adjusted fall in offending rate":
        "same comparison problem as the risk benchmark: the 'never adopted' group is defined "
        "by its later offending and its peaks are smaller.",
    "event study (Callaway & Sant'Anna), rate":
        "the controls' months are, by construction, months in which they were not being "
        "selected (not-yet-treated) or never selected, and the adopted people's own pre-period "
        "is depressed for the same reason (had they offended more earlier they would have been "
        "adopted earlier); parallel trends fail in both directions.",
    "count model: Poisson, 1 - RR of adoption":
        "an intention-to-treat contrast of adoption: diluted because comparison people are "
        "often adopted during the follow-up and adopted people are sometimes removed, so it "
        "estimates a smaller quantity than the managed-rate effect (roughly half of it here). "
        "With no effect it is unbiased and its interval is a valid test of 'no effect'; it is "
        "the same design as the main estimate without the correction for who was managed.",
    "count model: negative binomial, 1 - RR":
        "as the Poisson model (intention to treat, diluted); the negative binomial also "
        "reweights people towards low-rate individuals.",
    "count model: GEE, 1 - RR":
        "as the Poisson model (intention to treat, diluted).",
    "JDL matched comparison: 1 - frequency ratio":
        "the comparison pool (eligible, never adopted) is selected on its future: people whose "
        "offending stayed high were adopted later and left the pool; the matched group also "
        "includes people who had left the area. Counts, not rates at liberty.",
    "MAIN: g-estimation, managed-rate effect":
        "",
}


def one_run(task):
    seed, effect, people = task
    warnings.simplefilter("ignore")
    from iomlib.config.settings import default_config
    from iomlib.data.synth import SynthParams, simulate
    from iomlib.impact import (
        CountModels,
        EligibleBenchmark,
        EventStudy,
        JusticeDataLab,
        StructuralRate,
        prepare,
    )
    t0 = time.perf_counter()
    ds = simulate(replace(SynthParams(), seed=seed, true_effect=effect, n_people=people))
    cfg = default_config()
    P = prepare(ds, cfg)
    parts = []
    timings = {}
    for est in (StructuralRate(), EligibleBenchmark(reps=499),
                EventStudy(uniform_reps=0, outcomes=("count", "liberty")), CountModels(),
                JusticeDataLab()):
        t1 = time.perf_counter()
        try:
            est.fit(ds, cfg, panel=P)
            parts.append(est.summary)
        except Exception as exc:  # noqa: BLE001 - record any failure and keep going
            parts.append(pd.DataFrame([{"key": None, "measure": f"ERROR {type(est).__name__}",
                                        "estimate": np.nan, "method": repr(exc)}]))
        timings[type(est).__name__] = time.perf_counter() - t1
    s = pd.concat(parts, ignore_index=True)
    rows = []
    for label, key, _scale, mult in ESTIMATORS:
        r = s[s["key"] == key]
        if len(r) == 0:
            rows.append({"estimator": label, "estimate": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan})
            continue
        r = r.iloc[0]
        rows.append({"estimator": label, "estimate": _m(r["estimate"], mult),
                     "ci_low": _m(r["ci_low"], mult), "ci_high": _m(r["ci_high"], mult)})
    out = pd.DataFrame(rows)
    out["seed"], out["effect"], out["seconds"] = seed, effect, time.perf_counter() - t0
    out["main_seconds"] = timings.get("StructuralRate", np.nan)
    return out


def _m(x, mult):
    try:
        return float(x) * mult
    except (TypeError, ValueError):
        return np.nan


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    r = runs.copy()
    r["covered"] = (r["ci_low"] <= r["effect"]) & (r["effect"] <= r["ci_high"])
    r["has_ci"] = r["ci_low"].notna() & r["ci_high"].notna()
    r["width"] = r["ci_high"] - r["ci_low"]
    r["err"] = r["estimate"] - r["effect"]
    g = r.groupby(["estimator", "effect"], sort=False)
    out = g.agg(n=("estimate", lambda x: int(x.notna().sum())), mean=("estimate", "mean"),
                bias=("err", "mean"), sd=("estimate", "std"),
                rmse=("err", lambda x: float(np.sqrt(np.nanmean(x ** 2)))),
                coverage=("covered", "mean"), n_ci=("has_ci", "sum"),
                width=("width", "mean")).reset_index()
    out.loc[out["n_ci"] == 0, ["coverage", "width"]] = np.nan
    return out


def verdict(rows: pd.DataFrame) -> str:
    worst_bias = rows["bias"].abs().max()
    cov = rows["coverage"]
    if cov.isna().all():
        return "no interval" if worst_bias > 0.05 else "ok (no interval)"
    if worst_bias <= 0.05 and cov.min() >= 0.85:
        return "works"
    bits = []
    if worst_bias > 0.05:
        bits.append(f"biased (up to {worst_bias:+.2f})".replace("+", ""))
    if cov.min() < 0.85:
        bits.append(f"undercovers (as low as {cov.min():.0%})")
    return "FAILS: " + ", ".join(bits)


def write_markdown(summary: pd.DataFrame, runs: pd.DataFrame, args, elapsed: float,
                   path: Path):
    effects = sorted(summary["effect"].unique())
    lines = [
        "# Impact estimators: bias and 95% interval coverage on synthetic forces",
        "",
        "Generated by `benchmarks/impact_coverage.py` (do not edit by hand).",
        "",
        (f"- Runs: {len(runs['seed'].unique())} seeds x planted effects "
        f"{', '.join(f'{e:g}' for e in effects)}; {args.people} people per force; as-of date "
        "2020-01-31; default configuration."),
        (f"- Wall time {elapsed / 60:.1f} min with {args.processes} processes "
        f"(Python {platform.python_version()}); median time of the main estimator per force "
        f"{runs.groupby(['seed', 'effect'])['main_seconds'].first().median():.1f} s "
        "(after the shared person-month panel is built)."),
        ("- **Planted effect** (`SynthParams.true_effect`): the proportional reduction in the "
        "offending rate per day at liberty while managed (offences are thinned with this "
        "probability during an open episode). Every estimate is compared with it on that "
        "scale; measures on another scale are marked in the *scale* column and compared with "
        "the same number only to show how far they are from it."),
        ("- *bias* = mean estimate minus the planted effect; *coverage* = share of 95% intervals "
        "containing the planted effect; *width* = mean interval width. A verdict of *works* "
        "needs |bias| <= 0.05 and coverage >= 85% at every planted effect."),
        "",
    ]
    scale = {lab: sc for lab, _, sc, _ in ESTIMATORS}
    head = "| estimator | scale | " + " | ".join(
        f"e={e:g}: mean (bias) | cov. | width" for e in effects) + " | verdict |"
    sep = "|" + "---|" * (3 + 3 * len(effects))
    lines += ["## Results", "", head, sep]
    for lab, *_ in ESTIMATORS:
        rows = summary[summary["estimator"] == lab]
        if len(rows) == 0:
            continue
        cells = []
        for e in effects:
            r = rows[rows["effect"] == e]
            if len(r) == 0:
                cells += ["", "", ""]
                continue
            r = r.iloc[0]
            cells.append(f"{r['mean']:.3f} ({r['bias']:+.3f})")
            cells.append("-" if pd.isna(r["coverage"]) else f"{r['coverage']:.0%}")
            cells.append("-" if pd.isna(r["width"]) else f"{r['width']:.2f}")
        name = f"**{lab}**" if lab.startswith("MAIN") else lab
        lines.append(f"| {name} | {scale[lab]} | " + " | ".join(cells)
                     + f" | {verdict(rows)} |")
    n_runs = int(summary["n"].max())
    half = 196 * np.sqrt(0.95 * 0.05 / max(n_runs, 1))
    lines += ["", (f"With {n_runs} runs per planted effect a coverage estimate is uncertain by "
              f"about +/-{half:.0f} points (an exact 95% interval covers all {n_runs} runs "
              f"{0.95 ** n_runs:.0%} of the time), so "
              "the table below also compares the spread of the estimates across runs (SD) "
              "with the standard error the interval implies (width / 3.92): a ratio "
              "SE / SD near 1 means a well-calibrated interval, above 1 a conservative one."),
              "", "| estimator | " + " | ".join(f"e={e:g}: SD / RMSE / SE÷SD"
                                                 for e in effects) + " |",
              "|---|" + "---|" * len(effects)]
    for lab, *_ in ESTIMATORS:
        rows = summary[summary["estimator"] == lab]
        if len(rows) == 0:
            continue
        cells = []
        for e in effects:
            r = rows[rows["effect"] == e]
            if len(r) == 0:
                cells.append("")
                continue
            r = r.iloc[0]
            ratio = (r["width"] / 3.92 / r["sd"]) if r["sd"] > 0 else np.nan
            cells.append(f"{r['sd']:.3f} / {r['rmse']:.3f} / "
                         + ("-" if pd.isna(ratio) else f"{ratio:.2f}"))
        lines.append(f"| {lab} | " + " | ".join(cells) + " |")
    lines += ["", "## Where estimators fail, and why", ""]
    for lab, *_ in ESTIMATORS:
        rows = summary[summary["estimator"] == lab]
        v = verdict(rows)
        if v.startswith("works") or lab.startswith("MAIN"):
            continue
        lines.append(f"- **{lab}**: {v}. {WHY.get(lab, '')}")
    main = summary[summary["estimator"].str.startswith("MAIN")]
    lines += [
        "", "## The main estimator", "",
        ("`iom impact` and `impact_headline` report the g-estimate "
        "(`iomlib.impact.StructuralRate`): on each month end's risk set (everyone the panel "
        "could have adopted: eligible, not on the scheme, not in long custody, not removed in "
        "the last 3 months, offended in the last 3 months), offences in the next 12 months "
        "are modelled by a Poisson regression with days at liberty as exposure, pre-entry "
        "history covariates and person-clustered errors; offences committed while managed are "
        "counted 1/(1 - e) times and e is solved so that adopted and not-adopted people with "
        "the same history have the same rate. The interval inverts the clustered Wald test."),
        "",
        f"Verdict on this study: {verdict(main)}. " + _main_caveat(main),
        "",
        ("Limits that remain (also on real data): people who die or move away without a record "
        "stay in the comparison group while they still carry points (restricting to people who "
        "offended in the last 3 months removes most of them); adoption must depend only on "
        "recorded history - panel discretion based on intelligence the data do not hold would "
        "bias every estimator here; and the estimate is an average over the people the panel "
        "actually adopts."),
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def _main_caveat(main: pd.DataFrame) -> str:
    if len(main) == 0:
        return ""
    b = main["bias"]
    c = main["coverage"]
    ratio = (main["width"] / 3.92 / main["sd"]).mean()
    text = (f"Bias ranges from {b.min():+.3f} to {b.max():+.3f} and coverage from "
            f"{c.min():.0%} to {c.max():.0%} across the planted effects; intervals are wide "
            f"(mean width {main['width'].mean():.2f}), so a single force's estimate is "
            "imprecise even when unbiased.")
    if ratio > 1.15:
        text += (f" The intervals are **conservative**: the standard error they imply is on "
                 f"average {ratio:.1f} times the spread of the estimates across runs, so "
                 "coverage is above 95%. A likely reason: the person-clustered sandwich treats "
                 "people as independent, while adoption under a fixed team capacity makes them "
                 "compete for places (one person's adoption is another's non-adoption). The "
                 "price is wider intervals, not misleading ones.")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30, help="seeds per planted effect")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--effects", type=float, nargs="+", default=[0.0, 0.2, 0.4])
    ap.add_argument("--people", type=int, default=4000)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "docs" / "impact_coverage.md"))
    ap.add_argument("--raw", default=None, help="also write every run to this CSV")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    tasks = [(s, e, args.people) for e in args.effects
             for s in range(args.first_seed, args.first_seed + args.seeds)]
    t0 = time.perf_counter()
    frames = []
    with mp.get_context("spawn").Pool(args.processes) as pool:
        for k, df in enumerate(pool.imap_unordered(one_run, tasks), 1):
            frames.append(df)
            print(f"[{k}/{len(tasks)}] seed {df['seed'].iloc[0]} effect "
                  f"{df['effect'].iloc[0]:g}: {df['seconds'].iloc[0]:.0f} s; main "
                  f"{df.loc[df['estimator'].str.startswith('MAIN'), 'estimate'].iloc[0]:.3f}",
                  flush=True)
    runs = pd.concat(frames, ignore_index=True)
    elapsed = time.perf_counter() - t0
    if args.raw:
        runs.to_csv(args.raw, index=False)
    summary = summarise(runs)
    write_markdown(summary, runs, args, elapsed, Path(args.out))
    print(f"wrote {args.out} in {elapsed / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
