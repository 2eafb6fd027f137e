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
# **Definitions** (see `domain-notes.md` §3):
#
# - *Unique nominals since D*: distinct people with a management episode that started between D
#   (`period_start`) and the as-of date. A person adopted twice counts once; the number of
#   episodes is shown beside it.
# - *Active cohort on T*: people with an open episode on the as-of date who are in the
#   community, on remand or serving a short sentence. People serving a long sentence are not
#   actively managed; they are shown separately.
#
# Every table shows the number of people or episodes it is based on (`n`).

# %% tags=["parameters"]
data = None
as_of = "2020-01-31"
period_start = "2016-01-01"
cohort = "all"
config = None
min_cell = 10
audience = "restricted"

# %%
from IPython.display import Markdown, display

import iomlib.cohort
import iomlib.config
import iomlib.data
from iomlib import plots

cfg = iomlib.config.load_config(config, {"headline": {"as_of": as_of,
                                                      "period_start": period_start}})
ds_all = iomlib.data.open_dataset(data, config=cfg)
ds = iomlib.cohort.restrict(ds_all, cohort)
plots.set_theme()
MEASURE_COLUMNS = ["measure", "value", "n", "headline", "definition"]
display(Markdown(f"Data: `{ds.source}`; cohort: **{cohort}**; period "
                 f"{cfg.period_start.date()} to {cfg.as_of.date()}."))

# %% [markdown]
# ## Unique nominals since the start of the period
#
# The headline row counts people; the second row counts episodes (re-adoptions count again).

# %%
unique = iomlib.cohort.unique_nominals(ds, cfg.period_start, cfg.as_of)
display(unique[MEASURE_COLUMNS])

# %% [markdown]
# ## The active cohort on the as-of date
#
# Everyone with an open episode on the as-of date, by where they were that day. The headline
# *active cohort* is everyone except those in long custody. A person with open episodes in two
# cohorts appears under both cohorts but once under "all".

# %%
active = iomlib.cohort.active_cohort(ds, cfg.as_of)
display(active[MEASURE_COLUMNS])
status = iomlib.cohort.status_counts(ds, cfg.as_of)
display(status.pivot(index="cohort", columns="status", values="n")
        [list(iomlib.cohort.STATUSES)].assign(n_open=lambda t: t.sum(axis=1)))

# %%
ax = plots.bar_counts(status[status["cohort"] != "all"], x="status", y="n", hue="cohort",
                      title=f"Open episodes on {cfg.as_of.date()} by status and cohort "
                            f"(n = {int(status.loc[status['cohort'] == 'all', 'n'].sum())} "
                            "people)",
                      xlabel="Status on the as-of date", ylabel="People (n)")

# %% [markdown]
# ## Adoptions and removals
#
# Episodes started (adopted) and ended (removed) in each month and each year of the period.
# Events after the as-of date are not counted. The last year may be partial.

# %%
monthly = iomlib.cohort.flows(ds, cfg.period_start, cfg.as_of, freq="M")
monthly_all = monthly.groupby(["period_start", "event"], as_index=False)["n"].sum()
ax = plots.counts_over_time(monthly_all, x="period_start", y="n", hue="event",
                            title="Adoptions and removals per month (episodes, n)",
                            ylabel="Episodes per month (n)", xlabel="Month")

# %%
yearly = iomlib.cohort.flows(ds, cfg.period_start, cfg.as_of, freq="Y")
display(yearly.pivot_table(index="period", columns=["event", "cohort"], values="n",
                           aggfunc="sum", margins=True, margins_name="all"))
yearly_all = yearly.groupby(["period", "event"], as_index=False)["n"].sum()
ax = plots.bar_counts(yearly_all, x="period", y="n", hue="event",
                      title="Adoptions and removals per year (episodes, n)",
                      xlabel="Year", ylabel="Episodes (n)")

# %% [markdown]
# ## Why nominals were removed
#
# Removals dated within the period, by the reason recorded. "Reduced risk" removals are the
# ones the headline *reduction for removed nominals* leans on: people are removed *because*
# their risk fell, so a fall among removed nominals is partly true by definition.

# %%
reasons = iomlib.cohort.removal_reasons(ds, cfg.period_start, cfg.as_of)
display(reasons.round(1))
ax = plots.bar_counts(reasons, x="removal_reason", y="n", horizontal=True,
                      title=f"Removal reasons, {cfg.period_start.date()} to {cfg.as_of.date()} "
                            f"(n = {int(reasons['total'].iloc[0])} removals)",
                      xlabel="Reason", ylabel="Episodes removed (n)")

# %% [markdown]
# ## Cohort size over time
#
# People on the scheme at each month end: *active* (the headline definition) by cohort, and
# all open episodes (including long custody) for the whole scheme.

# %%
size = iomlib.cohort.size_over_time(ds, cfg.period_start, cfg.as_of)
display(size[size["date"] == size["date"].max()])
ax = plots.counts_over_time(size, x="date", y="active", hue="cohort",
                            title="Active cohort at each month end (people, n)",
                            ylabel="Active people (n)", xlabel="Month end")
