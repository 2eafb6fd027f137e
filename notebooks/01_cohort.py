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
# # 01 The managed cohort
#
# Who has been managed by the Integrated Offender Management (IOM) scheme, who is managed now,
# and how the cohort has changed: adoptions (people taken onto the scheme), removals and their
# reasons, and the size of the cohort month by month.
#
# **Definitions** (the appendix's Annex B gives them in full):
#
# - *Unique nominals since D*: distinct people with a management episode that started between D
#   (`period_start`) and the as-of date. A person adopted twice counts once; the number of
#   episodes is shown beside it.
# - *Active cohort on T*: people with an open episode on the as-of date who are in the
#   community, on remand or serving a short sentence. People serving a long sentence are not
#   actively managed; they are shown separately.
#
# Every table shows the number of people or episodes it is based on (`n`).
#
# **Disclosure control.** In a public report (`audience = "public"`) every count of 1 to
# `min_cell - 1` people or episodes, and every figure resting on one, is shown as `[c]`; where
# a table's totals are published, further cells are hidden so that a `[c]` cannot be worked out
# by subtraction. Suppressed points are not drawn in the figures. Restricted reports show every
# figure.

# %% tags=["parameters"]
data = None
as_of = "2020-01-31"
period_start = "2016-01-01"
cohort = "all"
config = None
min_cell = 10
audience = "restricted"

# %%
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import iomlib.measures.cohort
import iomlib.measures.guards as guards
import iomlib.notebook
from iomlib import plots
from iomlib.measures.empty import section

run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=cohort,
                            config=config, min_cell=min_cell, audience=audience)
cfg, ds, sdc = run.cfg, run.ds, run.sdc
MEASURE_COLUMNS = ["measure", "value", "n", "headline", "definition"]
display(Markdown(run.describe()))

# %% [markdown]
# ## Unique nominals since the start of the period
#
# The headline row counts people; the second row counts episodes (re-adoptions count again).

# %%
unique = iomlib.measures.cohort.unique_nominals(ds, cfg.period_start, cfg.as_of)
sdc.show(unique[MEASURE_COLUMNS], measures=True)

# %% [markdown]
# ## The active cohort on the as-of date
#
# Everyone with an open episode on the as-of date, by where they were that day. The headline
# *active cohort* (`active`) is everyone in the community, on remand or serving a short
# sentence; people in long custody are shown beside it. The row `all` is the whole scheme: a
# person with open episodes in two cohorts appears under both cohorts but once under "all", so
# the `all` row is treated as the total of the cohort rows when deciding which cells to
# suppress. The number of open episodes is `active` plus `long custody`.

# %%
status = iomlib.measures.cohort.status_counts(ds, cfg.as_of)
ACTIVE = list(dict.fromkeys(status.loc[status["active"], "status"]))
LONG = [s for s in iomlib.measures.cohort.STATUSES if s not in ACTIVE]
wide = status.pivot(index="cohort", columns="status", values="n")
wide.columns.name = None
wide["active"] = wide[ACTIVE].sum(axis=1)
in_community = sdc.table(wide[ACTIVE + ["active"]], count_cols=ACTIVE,
                         totals={"column": "active", "row": "all"})
in_custody = sdc.table(wide[LONG], count_cols=LONG, totals={"row": "all"})
by_status = sdc.combine(in_community.join(in_custody), in_community, in_custody)
display(sdc.for_display(by_status))
active = iomlib.measures.cohort.active_cohort(ds, cfg.as_of)
definition = dict(zip(active["headline"], active["definition"]))
n_open = by_status.loc["all", ["active", *LONG]].sum(min_count=len(LONG) + 1, skipna=False)


def count_text(n, unit=""):
    """A count from a checked table for the text: "[c]" where it was suppressed."""
    return sdc.count(n, unit) if pd.notna(n) else f"[c] {unit}".rstrip()


display(Markdown(
    f"**Active cohort** ({definition[True]}): "
    f"{count_text(by_status.at['all', 'active'], 'people')}. "
    f"**Open episodes** ({definition[False]}): {count_text(n_open, 'people')}."))

# %%
plotted = (by_status.drop(index="all")[ACTIVE + LONG].rename_axis("cohort").reset_index()
           .melt(id_vars="cohort", var_name="status", value_name="n"))
with section("Open episodes by status"):
    guards.open_episodes(status, cfg.as_of)
    ax = plots.bar_counts(plotted, x="status", y="n", hue="cohort",
                          title=f"Open episodes on {cfg.as_of.date()} by status and cohort "
                                f"(n = {count_text(n_open, 'people')})",
                          xlabel="Status on the as-of date", ylabel="People (n)")

# %% [markdown]
# ## Adoptions and removals
#
# Episodes started (adopted) and ended (removed) in each month and each year of the period.
# Events after the as-of date are not counted. The last year may be partial. The monthly counts
# add up to the yearly totals below, so they are suppressed as parts of those totals.

# %%
monthly = iomlib.measures.cohort.flows(ds, cfg.period_start, cfg.as_of, freq="M")
monthly_flows = monthly
monthly = (monthly.groupby(["period_start", "event"])["n"].sum().unstack("event")
           .reset_index().assign(year=lambda t: t["period_start"].dt.year))
monthly.columns.name = None
with section("Adoptions and removals per month"):
    guards.flows_in_period(monthly_flows, cfg.period_start, cfg.as_of)
    monthly = sdc.table(monthly, count_cols=["adopted", "removed"], totals="columns", by="year")
    ax = plots.counts_over_time(monthly.melt(id_vars="period_start",
                                             value_vars=["adopted", "removed"],
                                             var_name="event", value_name="n"),
                                x="period_start", y="n", hue="event",
                                title="Adoptions and removals per month (episodes, n)",
                                ylabel="Episodes per month (n)", xlabel="Month")

# %% [markdown]
# One table per event: the episodes adopted (or removed) each year by cohort, with the total
# over cohorts (`all cohorts`) and over years (`all years`).

# %%
yearly = iomlib.measures.cohort.flows(ds, cfg.period_start, cfg.as_of, freq="Y")
with section("Adoptions and removals per year"):
    guards.flows_in_period(yearly, cfg.period_start, cfg.as_of)
    cohorts = list(dict.fromkeys(yearly["cohort"]))
    parts = []
    for event, part in yearly.groupby("event", sort=False):
        t = part.pivot_table(index="period", columns="cohort", values="n", aggfunc="sum")[cohorts]
        t.loc["all years"] = t.sum()
        t["all cohorts"] = t.sum(axis=1)
        parts.append(t.reset_index().assign(event=event))
    by_year = pd.concat(parts, ignore_index=True)[["event", "period", *cohorts, "all cohorts"]]
    by_year.columns.name = None
    by_year = sdc.table(by_year, count_cols=cohorts, by="event",
                        totals={"column": "all cohorts", "row": ("period", "all years")})
    display(sdc.for_display(by_year))
    ax = plots.bar_counts(by_year[by_year["period"] != "all years"], x="period", y="all cohorts",
                          hue="event", title="Adoptions and removals per year (episodes, n)",
                          xlabel="Year", ylabel="Episodes (n)")

# %% [markdown]
# ## Why nominals were removed
#
# Removals dated within the period, by the reason recorded, with the share of all removals
# (`pct`). "Reduced risk" removals are the ones the headline *reduction for removed nominals*
# leans on: people are removed *because* their risk fell, so a fall among removed nominals is
# partly true by definition.

# %%
reasons = iomlib.measures.cohort.removal_reasons(ds, cfg.period_start, cfg.as_of)
removals = int(reasons["n"].sum())
reasons = pd.concat([reasons[["removal_reason", "n", "pct"]],
                     pd.DataFrame([{"removal_reason": "all reasons", "n": removals,
                                    "pct": 100.0 if removals else np.nan}])],
                    ignore_index=True)
reasons = sdc.table(reasons, count_cols="n", totals={"row": ("removal_reason", "all reasons")},
                    derived={"pct": "n"})
display(sdc.for_display(reasons, digits=1))
with section("Removal reasons"):
    guards.removals_counted(removals, cfg.period_start, cfg.as_of)
    ax = plots.bar_counts(reasons[reasons["removal_reason"] != "all reasons"],
                          x="removal_reason", y="n", horizontal=True,
                          title=f"Removal reasons, {cfg.period_start.date()} to "
                                f"{cfg.as_of.date()} (n = {sdc.count(removals)} removals)",
                          xlabel="Reason", ylabel="Episodes removed (n)")

# %% [markdown]
# ## Cohort size over time
#
# People actively managed (the headline definition) at each month end, by cohort and for the
# whole scheme (`all`, which again is treated as the total of the cohorts). The figures on the
# as-of date are those of the table of the active cohort above, and are suppressed alike.

# %%
size = iomlib.measures.cohort.size_over_time(ds, cfg.period_start, cfg.as_of)
size = size.pivot(index="date", columns="cohort", values="active")
size.columns.name = None
lines = list(size.columns)
if size.index.max() == cfg.as_of:      # hide here what the table of the active cohort hides
    shown_then = by_status["active"].reindex(lines).notna().to_numpy()
    size.loc[cfg.as_of] = size.loc[cfg.as_of].where(shown_then)
size = sdc.table(size, count_cols=[c for c in lines if c != "all"], totals={"column": "all"})
ax = plots.counts_over_time(size[lines].reset_index().melt(id_vars="date", var_name="cohort",
                                                          value_name="active"),
                            x="date", y="active", hue="cohort",
                            title="Active cohort at each month end (people, n)",
                            ylabel="Active people (n)", xlabel="Month end")
