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
# # 05 The selection matrix
#
# The selection matrix gives each known offender points for their offences in the last 365
# days (more for burglary and robbery, for example); people at or above the threshold are
# considered for management. In 2018 the matrix was changed to give weapon-enabled crime a
# numerical weight, which makes knife and weapon offenders more likely to reach the threshold.
#
# This notebook scores everyone on the as-of date, compares who would be selected under the
# 2016 and the 2018 versions, and describes the offending of each group. The matrix is a
# screening rule: the panel's discretion and the team's capacity decide who is actually adopted,
# so "crosses the threshold" is not the same as "managed". Point values come from the
# configuration (`matrix.versions`).

# %% tags=["parameters"]
data = None
as_of = "2020-01-31"
period_start = "2016-01-01"
cohort = "all"
config = None
min_cell = 10
audience = "restricted"

# %%
import pandas as pd
from IPython.display import Markdown, display

import iomlib.cohort
import iomlib.config
import iomlib.data
import iomlib.matrix
from iomlib import plots

cfg = iomlib.config.load_config(config, {"headline": {"as_of": as_of,
                                                      "period_start": period_start}})
ds_all = iomlib.data.open_dataset(data, config=cfg)
ds = iomlib.cohort.restrict(ds_all, cohort)
plots.set_theme()
version = cfg.matrix_version_on(cfg.as_of)
first, last = cfg.matrix_versions[0], cfg.matrix_versions[-1]
window_start = cfg.as_of - pd.Timedelta(days=cfg.matrix_window_days)
display(Markdown(f"Data: `{ds.source}`; everyone known ({len(ds_all.people)} people) scored "
                 f"on {cfg.as_of.date()}; version in force: **{version.name}** (threshold "
                 f"{version.threshold:g})."))

# %% [markdown]
# ## Score distribution and threshold
#
# Points of everyone with at least one point on the as-of date (people with no offence in the
# last 365 days score zero and are not drawn), under the version in force then.

# %%
scores = iomlib.matrix.select_on(ds_all, cfg.as_of, cfg)
display(pd.DataFrame([{"scored": len(scores), "with points > 0": int((scores["points"] > 0).sum()),
                       "at or above threshold": int(scores["crosses"].sum()),
                       "threshold": version.threshold, "version": version.name}]))
ax = plots.score_histogram(scores, score="points", threshold=version.threshold,
                           title=f"Selection-matrix points on {cfg.as_of.date()} "
                                 f"(version {version.name}; n = "
                                 f"{int((scores['points'] > 0).sum())} people with points)")

# %% [markdown]
# ## Who is selected under each version
#
# Everyone with points under either version, scored with the first and the last version. People
# above the diagonal gain points from the weapon weighting; "only" groups are the people whose
# selection depends on the version.

# %%
comparison = iomlib.matrix.compare_versions(ds_all, cfg.as_of, cfg)
groups = iomlib.cohort.selection_groups(comparison, first.name, last.name)
display(pd.crosstab(groups[f"crosses_{first.name}"], groups[f"crosses_{last.name}"],
                    margins=True, margins_name="n").rename_axis(
    index=f"crosses {first.name}", columns=f"crosses {last.name}"))
ax = plots.versions_scatter(groups, x=f"points_{first.name}", y=f"points_{last.name}",
                            hue="group", threshold_x=first.threshold,
                            threshold_y=last.threshold,
                            title=f"Points under the {first.name} and {last.name} versions",
                            xlabel=f"{first.name} points", ylabel=f"{last.name} points")

# %% [markdown]
# ## Offence types of each group
#
# Share of each group's offences in the matrix window (the 365 days up to the as-of date) by
# offence type, and the share that were weapon-enabled. `n` is the number of people in the
# group.

# %%
selected = groups[groups["group"] != "neither"]
mix = iomlib.cohort.offence_mix(ds_all, selected, window_start, cfg.as_of)
order = list(mix.groupby("offence_category")["n_offences"].sum().nlargest(9).index)
ax = plots.stacked_shares(mix, group="group", category="offence_category", value="n_offences",
                          n="group_people", order=order,
                          title="Offence types of people crossing the threshold, by version")
display(mix.groupby("group").agg(n=("group_people", "first"), offences=("n_offences", "sum"),
                                 weapon_offences=("weapon_offences", "sum"))
        .assign(weapon_pct=lambda t: (100 * t["weapon_offences"] / t["offences"]).round(1)))

# %% [markdown]
# ## The managed cohort by offence type
#
# For comparison: the offending, over the same window, of the people actually in the active
# cohort on the as-of date, by cohort.

# %%
status = iomlib.cohort.status_on(ds, cfg.as_of)
active = status.loc[status["active"], ["person_id", "cohort"]].rename(columns={"cohort": "group"})
mix_active = iomlib.cohort.offence_mix(ds_all, active, window_start, cfg.as_of)
ax = plots.stacked_shares(mix_active, group="group", category="offence_category",
                          value="n_offences", n="group_people", order=order,
                          title=f"Offence types of the active cohort on {cfg.as_of.date()}")
display(mix_active.pivot(index="offence_category", columns="group", values="n_offences")
        .fillna(0).astype(int).pipe(lambda t: pd.concat(
            [t, t.sum().to_frame("n (offences)").T])))
