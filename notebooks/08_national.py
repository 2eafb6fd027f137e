# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
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
# # National comparison: risk reduction by force
#
# This report compares forces **fairly**. Each force's mean reduction in risk after 12 months on
# the scheme (the headline definition: mean of per-episode % reductions, episodes still on the
# scheme at 12 months) is plotted against the number of episodes it rests on, inside a funnel of
# control limits around the national value (95% and 99.8%). A force inside the funnel differs from
# the national value by no more than chance would explain; small forces have wide limits.
# Forces are not ranked: a league table of ranks would turn chance differences into positions.
#
# The same caveat as every before/after figure applies: these reductions include regression to
# the mean and custody; the impact report gives the honest estimate.

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

import iomlib.measures.guards as guards
import iomlib.measures.national
import iomlib.notebook
from iomlib import plots

run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=cohort,
                            config=config, min_cell=min_cell, audience=audience)
cfg, ds, sdc = run.cfg, run.ds, run.sdc

# %%
table = iomlib.measures.national.force_month12(ds, cfg)
national = table[table["force"] == "England and Wales"].iloc[0]
forces = table[table["force"] != "England and Wales"]
pooled_sd = national["sd"]
guards.national_available(national, pooled_sd)
forces = iomlib.measures.national.classify(forces, national["value"], pooled_sd)
forces = forces.sort_values("force")
# a force's figures rest on its episodes; the national n (their sum) is published, so where one
# force is hidden another is hidden with it (secondary suppression)
forces = sdc.table(forces[["force", "n", "value", "ci_low", "ci_high", "funnel"]],
                   count_cols="n", totals="columns",
                   derived={c: "n" for c in ("value", "ci_low", "ci_high", "funnel")})
drawn = forces[forces["n"].notna() & forces["value"].notna()]
hidden = len(forces) - len(drawn)
limits = iomlib.measures.national.funnel_limits(
    national["value"], pooled_sd, int(drawn["n"].max() if len(drawn) else national["n"]))
display(Markdown(
    f"National: {national['value']:.1f}% (n = {sdc.count(national['n'], 'episodes')}, 95% CI "
    f"{national['ci_low']:.1f} to {national['ci_high']:.1f}); {len(forces)} "
    f"force{'' if len(forces) == 1 else 's'}"
    + (f", of which {hidden} with figures suppressed (fewer than {sdc.min_cell} episodes, or "
       "hidden so that another force's figures cannot be worked out from the national total)"
       if hidden else "") + "."))

# %% [markdown]
# ## Funnel plot
#
# Dots outside the dotted lines (99.8%) are the only differences worth a question; forces are
# labelled only when they fall outside the 95% limits.

# %%
ax = plots.funnel_plot(drawn, limits, centre=national["value"])

# %% [markdown]
# ## Every force, with its interval
#
# Sorted by name, not by value. n is the number of episodes that reached 12 months; the interval
# is a t interval for the mean of per-episode reductions. In a public report a force with
# fewer than `min_cell` episodes is listed with its figures suppressed (`[c]`), and is not drawn
# in the funnel plot.

# %%
sdc.for_display(forces, digits=1)
