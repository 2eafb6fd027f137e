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

import iomlib.measures.cohort
import iomlib.measures.guards as guards
import iomlib.notebook
import iomlib.risk.matrix
from iomlib import plots
from iomlib.measures.empty import section
from iomlib.sdc.suppress import fold_hidden

run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=cohort,
                            config=config, min_cell=min_cell, audience=audience)
cfg, ds, sdc = run.cfg, run.ds, run.sdc
ds_all = run.data      # the matrix scores everyone known, whatever the cohort
version = cfg.matrix_version_on(cfg.as_of)
first, last = cfg.matrix_versions[0], cfg.matrix_versions[-1]
window_start = cfg.as_of - pd.Timedelta(days=cfg.matrix_window_days)
display(Markdown(f"Data: `{ds.source}`; everyone known ({sdc.count(len(ds_all.people), 'people')}"
                 f") scored on {cfg.as_of.date()}; version in force: **{version.name}** "
                 f"(threshold {version.threshold:g})."))

# %% [markdown]
# ## Score distribution and threshold
#
# Points of everyone with at least one point on the as-of date (people with no offence in the
# last 365 days score zero and are not drawn), under the version in force then. In a public
# report, bars of fewer than `min_cell` people are not drawn.

# %%
scores = iomlib.risk.matrix.select_on(ds_all, cfg.as_of, cfg)
with_points = int((scores["points"] > 0).sum())
crossing = int(scores["crosses"].sum())
# the counts are nested (scored > with points > at or above the threshold): their differences
# are published as counts too, so that a small difference is hidden with a complement
sdc.show(pd.DataFrame([{"scored": len(scores), "with points > 0": with_points,
                        "no points": len(scores) - with_points,
                        "at or above threshold": crossing,
                        "below threshold (with points)": with_points - crossing,
                        "threshold": version.threshold, "version": version.name}]),
         count_cols=["no points", "at or above threshold", "below threshold (with points)"],
         totals={"relations": {"with points > 0": ["at or above threshold",
                                                   "below threshold (with points)"],
                               "scored": ["with points > 0", "no points"]}})
for label, who in [("people scored by the matrix", scores),
                   ("people with matrix points", scores[scores["points"] > 0]),
                   ("people at or above the threshold", scores[scores["crosses"]])]:
    sdc.people(label, who["person_id"])   # for the run's cross-table audit
with section("Score distribution"):
    guards.with_points(scores, cfg.as_of)
    ax = plots.score_histogram(scores, score="points", threshold=version.threshold,
                               min_count=sdc.min_cell if sdc.public else 1,
                               title=f"Selection-matrix points on {cfg.as_of.date()} "
                                     f"(version {version.name}; n = "
                                     f"{sdc.count(with_points, 'people')} with points)")

# %% [markdown]
# ## Who is selected under each version
#
# Everyone with points under either version, scored with the first and the last version; `n`
# holds the totals. People above the diagonal of the chart gain points from the weapon
# weighting; "only" groups are the people whose selection depends on the version. The chart
# draws one point per person, so it is shown in restricted reports only.

# %%
comparison = iomlib.risk.matrix.compare_versions(ds_all, cfg.as_of, cfg)
groups = iomlib.measures.cohort.selection_groups(comparison, first.name, last.name)
cell_of = {"both": ("yes", "yes"), f"only {first.name}": ("yes", "no"),
           f"only {last.name}": ("no", "yes")}
people_hidden = set()
with section("Who is selected under each version"):
    guards.with_points(scores, cfg.as_of)
    yes_no = {False: "no", True: "yes"}
    crosstab = (pd.crosstab(groups[f"crosses_{first.name}"], groups[f"crosses_{last.name}"],
                            margins=True, margins_name="n")
                .rename(index=yes_no, columns=yes_no)
                .rename_axis(index=f"crosses {first.name}", columns=f"crosses {last.name}"))
    crosstab = sdc.table(crosstab, count_cols=[c for c in crosstab.columns if c != "n"],
                         totals={"column": "n", "row": "n"})
    display(sdc.for_display(crosstab))
    # the people counts of the selection groups are cells of this table: where it hides one,
    # the tables and charts below hide it too
    people_hidden = {g for g, (r, c) in cell_of.items()
                     if sdc.public and r in crosstab.index and f"{c}_suppressed" in crosstab
                     and bool(crosstab.loc[r, f"{c}_suppressed"])}
if sdc.public:
    display(Markdown("*The chart of each person's points under the two versions is omitted "
                     "from public reports: it shows individual people.*"))
else:
    with section("Points under the two versions"):
        guards.with_points(scores, cfg.as_of)
        ax = plots.versions_scatter(groups, x=f"points_{first.name}", y=f"points_{last.name}",
                                    hue="group", threshold_x=first.threshold,
                                    threshold_y=last.threshold,
                                    title=f"Points under the {first.name} and {last.name} "
                                          "versions",
                                    xlabel=f"{first.name} points", ylabel=f"{last.name} points")

# %% [markdown]
# ## Offence types of each group
#
# Share of each group's offences in the matrix window (the 365 days up to the as-of date) by
# offence type, and the share that were weapon-enabled. `n` is the number of people in the
# group.
#
# In a public report an offence count is hidden when it is below `min_cell`, when fewer than
# `min_cell` people committed the offences, or when the group has fewer than `min_cell` people;
# because each group's total is published, a second count of the group is then hidden as well.
# Hidden counts are drawn within "all other" (their sum is the published total less the counts
# shown), and a group whose total, or every count, is hidden is not drawn.

# %%
TOTAL = iomlib.measures.cohort.MIX_TOTAL


def checked_mix(mix):
    """The offence counts of each group, with its total, through disclosure control: a count
    rests on the people who committed the offences and on the group's people."""
    return sdc.table(iomlib.measures.cohort.offence_mix_with_totals(mix),
                     count_cols=["n_offences", "n_people", "group_people"], by="group",
                     totals={"row": ("offence_category", TOTAL)},
                     derived={"n_offences": ["n_people", "group_people"]})


def shares_frame(checked, hidden_people=()):
    """The stacked bars: visible counts, the hidden ones together (in "all other"), and each
    group's size in its label."""
    shares, dropped = fold_hidden(checked, group="group", category="offence_category",
                                  value="n_offences", total=TOTAL)
    size = checked.groupby("group", sort=False)["group_people"].first()
    labels = {g: f"{g}\n(n = {'[c]' if g in hidden_people else sdc.count(size[g])})"
              for g in shares["group"].unique()}
    return shares.assign(group=shares["group"].map(labels)), dropped


def dropped_note(dropped):
    if dropped:
        display(Markdown(f"*Not drawn (too few people or offences to publish): "
                         f"{', '.join(map(str, dropped))}.*"))


selected = groups[groups["group"] != "neither"]
mix = iomlib.measures.cohort.offence_mix(ds_all, selected, window_start, cfg.as_of)
order = list(mix.groupby("offence_category")["n_offences"].sum().nlargest(9).index)
mix_checked = checked_mix(mix)
with section("Offence types of each group (chart)"):
    guards.categories(order)
    shares, dropped = shares_frame(mix_checked, people_hidden)
    ax = plots.stacked_shares(shares, group="group", category="offence_category",
                              value="n_offences", order=order,
                              title="Offence types of people crossing the threshold, by "
                                    "version")
    dropped_note(dropped)
summary = (mix.groupby("group").agg(n=("group_people", "first"), offences=("n_offences", "sum"),
                                    weapon_offences=("weapon_offences", "sum"))
           .assign(weapon_pct=lambda t: 100 * t["weapon_offences"] / t["offences"]))
summary = sdc.table(summary, count_cols=["n", "offences", "weapon_offences"],
                    derived={"offences": "n", "weapon_offences": "n",
                             "weapon_pct": ["n", "offences", "weapon_offences"]})
if sdc.public:      # group sizes hidden in the table of who is selected stay hidden here
    hide = summary.index.isin(list(people_hidden))
    summary["n"] = summary["n"].astype("Int64").mask(hide)
    summary["n_suppressed"] = summary["n_suppressed"] | hide
display(sdc.for_display(summary, digits=1))

# %% [markdown]
# ## The managed cohort by offence type
#
# For comparison: the offending, over the same window, of the people actually in the active
# cohort on the as-of date, by cohort (the same disclosure rules as above).

# %%
status = iomlib.measures.cohort.status_on(ds, cfg.as_of)
active = status.loc[status["active"], ["person_id", "cohort"]].rename(columns={"cohort": "group"})
mix_active = iomlib.measures.cohort.offence_mix(ds_all, active, window_start, cfg.as_of)
active_checked = checked_mix(mix_active)
order_active = order or list(
    mix_active.groupby("offence_category")["n_offences"].sum().nlargest(9).index)
with section("The managed cohort by offence type (chart)"):
    guards.categories(order_active)
    shares_active, dropped = shares_frame(active_checked)
    ax = plots.stacked_shares(shares_active, group="group", category="offence_category",
                              value="n_offences", order=order_active,
                              title=f"Offence types of the active cohort on {cfg.as_of.date()}")
    dropped_note(dropped)
shown = sdc.for_display(active_checked)     # hidden counts as [c]
by_type = (shown.pivot(index="offence_category", columns="group", values="n_offences")
           .reindex([c for c in shown["offence_category"].unique() if c != TOTAL] + [TOTAL]))
by_type = by_type.astype(object).where(by_type.notna(), 0)   # no offence of the type: a zero
by_type = by_type.map(lambda v: int(v) if isinstance(v, float) else v)
display(sdc.combine(by_type, shown))        # a reshaped view of a checked table
