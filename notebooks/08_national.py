# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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
import iomlib.cohort
import iomlib.config
import iomlib.data
import iomlib.national
from iomlib import plots

plots.set_theme()
cfg = iomlib.config.load_config(config, {"headline": {"as_of": as_of,
                                                      "period_start": period_start}})
ds = iomlib.cohort.restrict(iomlib.data.open_dataset(data, config=cfg), cohort)

# %%
table = iomlib.national.force_month12(ds, cfg)
national = table[table["force"] == "England and Wales"].iloc[0]
forces = table[table["force"] != "England and Wales"]
pooled_sd = national["sd"]
forces = iomlib.national.classify(forces, national["value"], pooled_sd)
if audience == "public":
    forces = forces[forces["n"] >= min_cell]
limits = iomlib.national.funnel_limits(national["value"], pooled_sd, int(forces["n"].max()))
print(f"National: {national['value']:.1f}% (n = {int(national['n'])} episodes, "
      f"95% CI {national['ci_low']:.1f} to {national['ci_high']:.1f}); {len(forces)} forces.")

# %% [markdown]
# ## Funnel plot
#
# Dots outside the dotted lines (99.8%) are the only differences worth a question; forces are
# labelled only when they fall outside the 95% limits.

# %%
plots.funnel_plot(forces, limits, centre=national["value"])

# %% [markdown]
# ## Every force, with its interval
#
# Sorted by name, not by value. n is the number of episodes that reached 12 months; the interval
# is a t interval for the mean of per-episode reductions.

# %%
forces.sort_values("force")[["force", "n", "value", "ci_low", "ci_high", "funnel"]].round(1)
