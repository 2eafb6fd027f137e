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
# **The risk score** (`domain-notes.md` §2) is a recency- and severity-weighted sum of a
# person's offences over the previous 365 days (ONS Crime Severity Score weights by default;
# offences lose half their weight every 180 days). A force's own exported scores are used
# instead where they exist.
#
# **Read with care.** People are adopted when their offending peaks. Offending tends to fall
# back after a peak whether or not anyone intervenes (*regression to the mean*), and people in
# custody cannot offend. Falls after adoption therefore overstate what the scheme achieved;
# the comparison-group estimates (impact notebook) address this.

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

import iomlib.cohort
import iomlib.config
import iomlib.curves
import iomlib.data
import iomlib.reduction
from iomlib import plots

cfg = iomlib.config.load_config(config, {"headline": {"as_of": as_of,
                                                      "period_start": period_start}})
ds_all = iomlib.data.open_dataset(data, config=cfg)
ds = iomlib.cohort.restrict(ds_all, cohort)
plots.set_theme()
min_n = min_cell if audience == "public" else 1   # hide curve points on fewer episodes
MEASURE_COLUMNS = ["measure", "value", "n", "ci_low", "ci_high", "excluded", "headline",
                   "definition"]
display(Markdown(f"Data: `{ds.source}`; cohort: **{cohort}**; episodes adopted "
                 f"{cfg.period_start.date()} to {cfg.as_of.date()}."))

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
# The numbers under the axis are the episodes in each group at that month.

# %%
curve = iomlib.curves.risk_by_month(ds, cfg, as_of=cfg.as_of, since=cfg.period_start,
                                    landmark=cfg.month12_months)
ax = plots.risk_curve(curve, min_n=min_n)

# %%
key_months = [-12, -6, -1, 0, 6, 12, 18, 24]
display(curve[curve["month"].isin(key_months)].pivot(
    index="month", columns="group", values=["mean", "n_at_risk"]).round(1))

# %% [markdown]
# ## Removed nominals: risk at adoption and at removal
#
# One point per episode removed in the period. Points under the dashed line had a lower score
# at removal than at adoption. The table splits them by removal reason: nominals removed for
# "reduced risk" were removed because their score had fallen.

# %%
removed = iomlib.reduction.removed_episodes(ds, cfg.period_start, cfg.as_of, cfg)
ax = plots.paired_scatter(removed, x="risk_at_adoption", y="risk_at_removal",
                          title=f"Risk at adoption and at removal (n = {len(removed)} "
                                "removed episodes)",
                          xlabel="Risk score at adoption (points)",
                          ylabel="Risk score at removal (points)")
display(removed.groupby("removal_reason").agg(
    n=("episode_id", "size"), median_risk_at_adoption=("risk_at_adoption", "median"),
    median_risk_at_removal=("risk_at_removal", "median")).round(1))

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
removed_headline = iomlib.reduction.removed_reduction(ds, cfg.period_start, cfg.as_of, cfg)
display(removed_headline[MEASURE_COLUMNS].round(1))
month12 = iomlib.reduction.month12_reduction(ds, cfg.as_of, cfg, months=cfg.month12_months)
display(month12[MEASURE_COLUMNS].round(1))

# %% [markdown]
# ## Figure A: offending 12 months before and after adoption
#
# For each year of adoption, every episode's number of offences (*frequency*) and summed
# severity (ONS Crime Severity Score weights, weapon uplift included) in the 12 months before
# adoption and the 12 months after. Only adoption years whose 12-month follow-up is complete by
# the as-of date are shown. The paired test is the Wilcoxon signed-rank test; pairs with no
# change (often 0 before and 0 after) are dropped by that test, so their number is shown, with
# a sign test beside it. Custody after adoption lowers the "after" counts (incapacitation).

# %%
years = [y for y in range(cfg.period_start.year, cfg.as_of.year + 1)
         if pd.Timestamp(year=y, month=12, day=31) + pd.Timedelta(days=365) <= cfg.as_of]
fig_a = iomlib.reduction.figure_a(ds, cfg, years=years, as_of=cfg.as_of)
display(fig_a.round({"mean_before": 2, "mean_after": 2, "wilcoxon_statistic": 1}))
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
# reduction within five equal-sized bands of starting risk.
#
# **What it means:** if the scheme worked alike for everyone, the % reduction would not depend
# on how high the score was at adoption; when the highest starting scores show the largest falls
# (a clearly positive rank correlation), much of the "reduction" is what regression to the mean
# produces on its own, so these before/after figures should not be read as the effect of IOM.

# %%
reached = iomlib.reduction.month12_episodes(ds, cfg.as_of, cfg, months=cfg.month12_months)
reached = reached[reached["reached"]]
bands = iomlib.curves.reduction_by_baseline(reached, baseline="risk_at_adoption",
                                            reduction="reduction_pct", bins=5)
rho = iomlib.curves.rank_correlation(reached, x="risk_at_adoption", y="reduction_pct")
rho_removed = iomlib.curves.rank_correlation(removed, x="risk_at_adoption", y="reduction_pct")
ax = plots.reduction_vs_baseline(reached, baseline="risk_at_adoption",
                                 reduction="reduction_pct", bins=bands, rho=rho["rho"],
                                 title=f"% reduction by month 12 against risk at adoption "
                                       f"(n = {rho['n']} episodes)")
display(bands.round(1))
display(pd.DataFrame([{"episodes": "reached month 12", **rho},
                      {"episodes": "removed in the period", **rho_removed}]).round({"rho": 3}))
