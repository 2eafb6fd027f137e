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
# # 03 Domestic-violence IOM (DVIOM)
#
# The DVIOM scheme manages perpetrators of domestic abuse. This notebook shows the size of the
# DVIOM cohort and, for each nominal, their domestic-abuse offending 6 and 12 months before and
# after adoption: the number of offences, the harm they caused (summed severity), the number of
# distinct victims and the number of repeat victims (victims of two or more domestic-abuse
# offences by the same nominal in the window).
#
# **Small numbers.** The DVIOM cohort is small (a force manages about its "top 40"), so every
# figure shows n and percentages can move a lot with a handful of people. The same caveats as
# for the main cohort apply: people are adopted at a peak of offending (regression to the
# mean), custody removes the chance to offend, and a recorded offence depends on the victim
# reporting it.
#
# **Disclosure control.** In a public report (`audience = "public"`) every count of 1 to
# `min_cell - 1` people, episodes, offences or victims, and every mean, percentage or test
# resting on one, is shown as `[c]`, with further cells hidden where a `[c]` could otherwise be
# worked out from a total; suppressed values are not drawn. Restricted reports show every
# figure. Because the DVIOM cohort is small, expect more `[c]` here than elsewhere.
#
# With `cohort = "all"` the DVIOM cohort is analysed; another cohort name analyses the
# domestic-abuse offending of that cohort instead.

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
from IPython.display import Markdown, display

import iomlib.measures.cohort
import iomlib.measures.dv
import iomlib.measures.guards as guards
import iomlib.notebook
from iomlib import plots
from iomlib.measures.empty import section

dv_cohort = "DVIOM" if cohort == "all" else cohort
run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=dv_cohort,
                            config=config, min_cell=min_cell, audience=audience)
cfg, ds, sdc = run.cfg, run.ds, run.sdc
MEASURE_COLUMNS = ["measure", "value", "n", "headline", "definition"]
display(Markdown(run.describe()))
guards.cohort_present(ds, dv_cohort)


def joined(first, second):
    """Two tables checked by ``sdc`` side by side (their suppression rules differ)."""
    return sdc.combine(first.join(second), first, second)


# %% [markdown]
# ## Cohort size
#
# Unique nominals adopted in the period, the active cohort on the as-of date (same definitions
# as notebook 01), adoptions and removals per year, and the active cohort month by month. In a
# public report the number of open episodes is left out when it differs from the active cohort
# by fewer than `min_cell` (the difference would give away the number in long custody).

# %%
sdc.show(iomlib.measures.cohort.unique_nominals(ds, cfg.period_start, cfg.as_of)[MEASURE_COLUMNS],
         measures=True)
active = iomlib.measures.cohort.active_cohort(ds, cfg.as_of)
if sdc.is_small(active["n"].max() - active["n"].min()):
    active = active[active["headline"]]
sdc.show(active[MEASURE_COLUMNS], measures=True)
yearly = iomlib.measures.cohort.flows(ds, cfg.period_start, cfg.as_of, freq="Y")
yearly = yearly.pivot_table(index="period", columns="event", values="n", aggfunc="sum")
yearly.columns.name = None
sdc.show(yearly, count_cols=list(yearly.columns), totals="columns")
size = iomlib.measures.cohort.size_over_time(ds, cfg.period_start, cfg.as_of)
size = sdc.table(size.loc[size["cohort"] == "all", ["date", "active"]], count_cols="active")
with section("Active cohort over time"):
    guards.rows(size[size["active"].fillna(0) > 0],
                f"Nobody was in the {dv_cohort} cohort between {cfg.period_start.date()} and "
                f"{cfg.as_of.date()}, so its size over time cannot be drawn.")
    ax = plots.counts_over_time(size, x="date", y="active",
                                title=f"{dv_cohort}: active cohort at each month end "
                                      "(people, n)",
                                ylabel="Active people (n)", xlabel="Month end")

# %% [markdown]
# ## Domestic-abuse offending before and after adoption
#
# For each episode adopted in the period, domestic-abuse offences (offences flagged domestic)
# in the 6 or 12 months up to adoption and the same length of time after it. Only episodes
# whose follow-up ended by the as-of date are compared (`n`); the others are `excluded`. The
# paired Wilcoxon signed-rank test drops nominals with no change, so their number
# (`n_zero_differences`) is shown, with a sign test beside it. The nominals with no change, a
# decrease or an increase add up to `n`, so in a public report a small one of them hides
# another, and the sign test that would give them away; the Wilcoxon p-value is hidden only
# when `n` is small.

# %%
outcomes = iomlib.measures.dv.da_outcomes(ds, cfg, months=(6, 12), as_of=cfg.as_of,
                                 since=cfg.period_start, cohorts=dv_cohort)
CHANGES = ["n_zero_differences", "n_decreased", "n_increased"]
# the episodes adopted (published above) are those compared plus those excluded: one table, so
# that a small `excluded` also hides `n` (else adopted minus compared gives it away)
outcomes["adopted"] = outcomes["n"] + outcomes["excluded"]
per = iomlib.measures.dv.da_before_after(ds, cfg, months=(6, 12), as_of=cfg.as_of,
                                         since=cfg.period_start, cohorts=dv_cohort)
done = per[per["complete"]]
by_window = outcomes.groupby("months")[["excluded", "adopted"]].first()
# the episodes compared over a longer window are a subset of those over a shorter one: when
# the difference is small, the longer window's count is hidden too
n_by = outcomes.groupby("months")["n"].first().sort_index()
narrow = [k2 for k1, k2 in zip(n_by.index, n_by.index[1:]) if 0 < n_by[k1] - n_by[k2] < min_cell]
outcomes = sdc.table(
    sdc.sums(outcomes, {f"total_{side}": (lambda row, side=side: done.loc[
        done["months"] == row["months"], f"{row['outcome']}_{side}"])
        for side in ("before", "after")},
        derived={"mean_before": "total_before", "mean_after": "total_after"}),
    count_cols=["excluded", *CHANGES],
    totals={"relations": {"n": CHANGES, "adopted": ["n", "excluded"]}},
    hide={"n": outcomes["months"].isin(narrow).to_numpy()},
    # p alone rests on all n pairs and does not give the changes back (see 02)
    derived={"wilcoxon_p": "n", "sign_test_p": CHANGES, "mean_before": "n",
             "mean_after": "n"})
# the sets behind these counts go to the run's restricted ledger, for the cross-table audit
for k, w in per.groupby("months"):
    sdc.people("DVIOM episodes adopted in the period", w["episode_id"])
    sdc.people(f"episodes compared over {k} months", w.loc[w["complete"], "episode_id"],
               shown=bool(outcomes.loc[outcomes["months"] == k, "n"].notna().all()))
display(sdc.for_display(
    outcomes[["months", "label", "n", "excluded", "total_before", "total_after",
              "mean_before", "mean_after", *CHANGES, "wilcoxon_p", "sign_test_p",
              *[c for c in outcomes.columns
                if c.endswith("_suppressed") and c != "adopted_suppressed"]]],
    digits={"total_before": 1, "total_after": 1, "mean_before": 2, "mean_after": 2}))

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 5))
for ax, outcome, unit in zip(axes, ["offences", "harm", "victims"],
                             ["Domestic-abuse offences per nominal (mean)",
                              "Harm per nominal (mean summed severity, CSS points)",
                              "Distinct victims per nominal (mean)"]):
    plots.before_after(outcomes[outcomes["outcome"] == outcome], group="months",
                       labels=("before adoption", "after adoption"), ax=ax,
                       title=iomlib.measures.dv.OUTCOME_LABELS[outcome].split(" (")[0].capitalize(),
                       xlabel="Window (months either side of adoption)", ylabel=unit)

# %% [markdown]
# ## Repeat victimisation
#
# Of the victims of a nominal's domestic-abuse offences in a window, the share who were
# victimised two or more times in that window (Wilson 95% interval); `victims_once` are the
# others. Victims are counted per episode. A victim who stops reporting looks the same in these
# data as a victim who is no longer harmed.

# %%
repeat = iomlib.measures.dv.repeat_victimisation(ds, cfg, months=(6, 12), as_of=cfg.as_of,
                                        since=cfg.period_start, cohorts=dv_cohort)
repeat["victims_once"] = repeat["victims"] - repeat["repeat_victims"]
repeat = joined(
    sdc.table(repeat[["months", "side", "victims", "repeat_victims", "victims_once", "pct",
                      "ci_low", "ci_high", "ci_method"]],
              count_cols=["repeat_victims", "victims_once"], totals={"column": "victims"},
              derived=dict.fromkeys(["pct", "ci_low", "ci_high"],
                                    ("victims", "repeat_victims", "victims_once"))),
    sdc.table(repeat[["months", "episodes"]].join(by_window, on="months")
              [["episodes", "excluded", "adopted"]], count_cols=["excluded"],
              totals={"relations": {"adopted": ["episodes", "excluded"]}},
              hide={"episodes": repeat["months"].isin(narrow).to_numpy()})
    .drop(columns=["excluded", "adopted", "excluded_suppressed", "adopted_suppressed"],
          errors="ignore"))
display(sdc.for_display(repeat, digits=1))
ax = plots.proportions(repeat.assign(window=repeat["months"].astype(str) + " months "
                                     + repeat["side"]),
                       label="window", value="pct", k="repeat_victims", n="victims",
                       title="Repeat victims as % of victims (95% Wilson interval)",
                       xlabel="% of victims with 2+ domestic-abuse offences in the window")

# %% [markdown]
# ## Small-number check

# %%
smallest = outcomes["n"].min() if len(outcomes) else 0
if sdc.public and (len(outcomes) == 0 or outcomes["n"].isna().any()):
    display(Markdown(f"**Caution:** at least one comparison above is suppressed: it rests on "
                     f"fewer than {min_cell} episodes, or its count would give away a smaller "
                     f"group (such as the episodes excluded)."))
elif smallest < max(min_cell, 30):
    display(Markdown(
        f"**Caution:** the smallest comparison above rests on n = {sdc.count(smallest)} "
        "episodes. With so few nominals a handful of people can move the means and "
        "percentages a long way; treat the p-values as indicative only."
        + (f" Groups under {min_cell} must not be published." if smallest < min_cell else "")))
else:
    display(Markdown(f"Every comparison above rests on at least n = {sdc.count(smallest)} "
                     "episodes."))
