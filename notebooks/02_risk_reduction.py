# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (iom-suite)
#     language: python
#     name: iom-suite
# ---

# %% [markdown]
# # 02 Risk reduction
#
# How nominals' reoffending-risk scores change around adoption, the two published headline
# reductions under their named definitions (with the alternatives beside them), Figure A
# (offending before and after adoption) and a check for regression to the mean.
#
# **The risk score** (the appendix's Annex B) is a recency- and severity-weighted sum of a
# person's offences over the previous 365 days (ONS Crime Severity Score weights by default;
# offences lose half their weight every 180 days). A force's own exported scores are used
# instead where they exist.
#
# **Read with care.** People are adopted when their offending peaks. Offending tends to fall
# back after a peak whether or not anyone intervenes (*regression to the mean*), and people in
# custody cannot offend. Falls after adoption therefore overstate what the scheme achieved;
# the comparison-group estimates (impact notebook) address this.
#
# **Disclosure control.** In a public report (`audience = "public"`) every figure resting on 1
# to `min_cell - 1` episodes is shown as `[c]` (with further cells hidden where totals would
# give it away), curve points on fewer than `min_cell` episodes or people are not drawn, and
# charts with one point per episode are left out. Restricted reports show every figure.

# %% tags=["parameters"]
data = None
as_of = "2020-01-31"
period_start = "2016-01-01"
cohort = "all"
config = None
min_cell = 10
audience = "restricted"

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import iomlib.measures.curves
import iomlib.measures.guards as guards
import iomlib.measures.reduction
import iomlib.notebook
from iomlib import plots
from iomlib.measures.empty import section

run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=cohort,
                            config=config, min_cell=min_cell, audience=audience)
cfg, ds, sdc = run.cfg, run.ds, run.sdc
MEASURE_COLUMNS = ["measure", "value", "n", "ci_low", "ci_high", "excluded", "headline",
                   "definition"]
INDIVIDUAL_LEVEL = ("*An individual-level chart (one point per episode) is omitted from "
                    "public reports; the table below gives the aggregated figures.*")
display(Markdown(run.describe() + " Episodes adopted in the period."))

# %% [markdown]
# ## Risk by month on the scheme
#
# Month 0 is the adoption date; the curves run from 12 months before to 24 months after. Each
# point is the mean risk score of the episodes in the group that month, with a 95% band.
#
# - **still observed**: before adoption, every episode; from adoption on, the episodes still on
#   the scheme that month (and not later than the as-of date). People leave this group when
#   they are removed — often *because* their risk fell — so its composition changes and late
#   months describe a selected group. Leaving is censoring, not success.
# - **observed through month 12**: a fixed group, the episodes that were still on the scheme
#   12 months after adoption (the population of the month-12 headline), followed throughout.
#
# The numbers under the axis are the episodes in each group at that month. In a public report
# a month resting on fewer than `min_cell` episodes or people is not drawn, and its number is
# shown as `[c]`.

# %%
with section("Risk by month"):
    guards.adoptions(ds, cfg.period_start, cfg.as_of, what="the risk curve")
    curve = iomlib.measures.curves.risk_by_month(ds, cfg, as_of=cfg.as_of,
                                                 since=cfg.period_start,
                                                 landmark=cfg.month12_months)
    ax = plots.risk_curve(sdc.curve(curve, n_col="n_at_risk", people_col="n_people"))

# %%
with section("Risk by month (table)"):
    guards.adoptions(ds, cfg.period_start, cfg.as_of, what="the risk table")
    key_months = [-12, -6, -1, 0, 6, 12, 18, 24]
    key = curve[curve["month"].isin(key_months)].pivot(
        index="month", columns="group", values=["mean", "n_at_risk", "n_people"])
    key.columns = [f"{value}: {group}" for value, group in key.columns]
    groups = list(dict.fromkeys(curve["group"]))
    counts = [f"{c}: {g}" for g in groups for c in ("n_at_risk", "n_people")]
    key[counts] = key[counts].astype("Int64")       # months a group does not reach: blank
    sdc.show(key, count_cols=counts,
             derived={f"mean: {g}": [f"n_at_risk: {g}", f"n_people: {g}"] for g in groups},
             digits=1)

# %% [markdown]
# ## Removed nominals: risk at adoption and at removal
#
# One point per episode removed in the period. Points under the dashed line had a lower score
# at removal than at adoption. The table splits them by removal reason: nominals removed for
# "reduced risk" were removed because their score had fallen.

# %%
removed = iomlib.measures.reduction.removed_episodes(ds, cfg.period_start, cfg.as_of, cfg)
with section("Removed nominals"):
    guards.removals(removed, cfg.period_start, cfg.as_of)
    if sdc.public:
        display(Markdown(INDIVIDUAL_LEVEL))
    else:
        ax = plots.paired_scatter(removed, x="risk_at_adoption", y="risk_at_removal",
                                  title=f"Risk at adoption and at removal (n = "
                                        f"{sdc.count(len(removed))} removed episodes)",
                                  xlabel="Risk score at adoption (points)",
                                  ylabel="Risk score at removal (points)")
    medians = ["median_risk_at_adoption", "median_risk_at_removal"]
    sdc.show(removed.groupby("removal_reason").agg(
        n=("episode_id", "size"), median_risk_at_adoption=("risk_at_adoption", "median"),
        median_risk_at_removal=("risk_at_removal", "median")),
        count_cols="n", totals="columns", derived=dict.fromkeys(medians, "n"), digits=1)

# %% [markdown]
# ## The headline reductions and their alternatives
#
# **Reduction for removed nominals** (headline): for each episode removed in the period,
# (risk at adoption − risk at removal) / risk at adoption; the headline is the mean of these.
# Beside it: the change in the mean score (ratio of means) and the median.
#
# **Reduction after 12 months** (headline): the same from adoption to 12 months later, over
# episodes still on the scheme then; beside it the intention-to-treat version over every
# episode adopted at least 12 months before the as-of date.
#
# Episodes with a zero score at adoption have no defined reduction; they are counted in
# `excluded`. `n` is the number of episodes each figure is based on.

# %%
HEADLINE_RULES = {"count_cols": ["n", "excluded"],
                  "derived": dict.fromkeys(["value", "ci_low", "ci_high"], "n"), "digits": 1}
removed_headline = iomlib.measures.reduction.removed_reduction(ds, cfg.period_start, cfg.as_of, cfg)
sdc.show(removed_headline[MEASURE_COLUMNS], **HEADLINE_RULES)
month12 = iomlib.measures.reduction.month12_reduction(ds, cfg.as_of, cfg, months=cfg.month12_months)
sdc.show(month12[MEASURE_COLUMNS], **HEADLINE_RULES)

# %% [markdown]
# ## Figure A: offending 12 months before and after adoption
#
# For each year of adoption, every episode's number of offences (*frequency*) and summed
# severity (ONS Crime Severity Score weights, weapon uplift included) in the 12 months before
# adoption and the 12 months after. Only adoption years whose 12-month follow-up is complete by
# the as-of date are shown. The paired test is the Wilcoxon signed-rank test; pairs with no
# change (often 0 before and 0 after) are dropped by that test, so their number is shown, with
# a sign test beside it. Custody after adoption lowers the "after" counts (incapacitation).
# In a public report the figures are hidden with the counts they would give away (`[c]`): the
# numbers with no change, a decrease or an increase add up to `n`; the sign test and the
# Wilcoxon statistic are hidden when one of them is, the Wilcoxon p-value (which rests on all
# `n` pairs and alone does not reveal them) only when `n` is small.

# %%
years = [y for y in range(cfg.period_start.year, cfg.as_of.year + 1)
         if pd.Timestamp(year=y, month=12, day=31) + pd.Timedelta(days=365) <= cfg.as_of]
with section("Figure A"):
    guards.years_followed(years)
    guards.adoptions(ds, f"{years[0]}-01-01", f"{years[-1]}-12-31", what="Figure A")
    fig_a = iomlib.measures.reduction.figure_a(ds, cfg, years=years, as_of=cfg.as_of)
    fig_a = sdc.table(fig_a, count_cols=["n_zero_differences", "n_decreased", "n_increased"],
                      totals={"column": "n"},
                      derived={"mean_before": "n", "mean_after": "n",
                               # the statistic and p together would give back the number of
                               # non-zero pairs (hence a hidden n_zero_differences); p alone not
                               "wilcoxon_statistic": ["n", "n_zero_differences"],
                               "wilcoxon_p": "n",
                               "sign_test_p": ["n_zero_differences", "n_decreased",
                                               "n_increased"]})
    display(sdc.for_display(fig_a, digits={"mean_before": 2, "mean_after": 2,
                                           "wilcoxon_statistic": 1}))
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    units = ["Offences per nominal (mean)", "Summed severity per nominal (mean, CSS points)"]
    for ax, outcome, unit in zip(axes, ["frequency", "severity"], units):
        plots.before_after(fig_a[fig_a["outcome"] == outcome], group="year",
                           labels=("12 months before", "12 months after"), ax=ax,
                           title=f"Figure A: {outcome}", xlabel="Year of adoption", ylabel=unit)

# %% [markdown]
# ## Does the reduction depend on the starting risk? (regression to the mean)
#
# Each point is an episode that reached 12 months on the scheme (the month-12 headline's
# episodes): its risk at adoption against its % reduction by month 12; the squares are the mean
# reduction within five equal-sized bands of starting risk. A public report draws only the
# band means, and only when every band holds at least `min_cell` episodes; its table leaves out
# the lowest and highest score of each band (each is one person's score).
#
# **What it means:** if the scheme worked alike for everyone, the % reduction would not depend
# on how high the score was at adoption; when the highest starting scores show the largest falls
# (a clearly positive rank correlation), much of the "reduction" is what regression to the mean
# produces on its own, so these before/after figures should not be read as the effect of IOM.

# %%
reached = iomlib.measures.reduction.month12_episodes(ds, cfg.as_of, cfg, months=cfg.month12_months)
reached = reached[reached["reached"]]
with section("Regression to the mean"):
    guards.month12_reached(reached, cfg.as_of, cfg.month12_months)
    guards.scored_at_adoption(reached)
    bands = iomlib.measures.curves.reduction_by_baseline(
        reached, baseline="risk_at_adoption", reduction="reduction_pct", bins=5)
    if sdc.public:
        bands = bands.drop(columns=["baseline_low", "baseline_high"])
    bands = sdc.table(bands, count_cols="n", totals="columns",
                      derived=dict.fromkeys([c for c in bands.columns
                                             if c not in ("bin", "n")], "n"))
    rho = iomlib.measures.curves.rank_correlation(reached, x="risk_at_adoption",
                                                  y="reduction_pct")
    rho_removed = iomlib.measures.curves.rank_correlation(removed, x="risk_at_adoption",
                                                         y="reduction_pct")
    band_means_only = sdc.public and bands["n"].notna().all() and len(bands) > 0
    if sdc.public and not band_means_only:
        display(Markdown(INDIVIDUAL_LEVEL))
    else:
        ax = plots.reduction_vs_baseline(reached, baseline="risk_at_adoption",
                                         reduction="reduction_pct", bins=bands,
                                         points=not sdc.public,
                                         rho=None if sdc.is_small(rho["n"]) else rho["rho"],
                                         title=f"% reduction by month 12 against risk at "
                                               f"adoption (n = {sdc.count(rho['n'])} "
                                               "episodes)")
    display(sdc.for_display(bands, digits=1))
    sdc.show(pd.DataFrame([{"episodes": "reached month 12", **rho},
                           {"episodes": "removed in the period", **rho_removed}]),
             count_cols=["n", "excluded"], derived={"rho": "n", "p": "n"}, digits={"rho": 3})
