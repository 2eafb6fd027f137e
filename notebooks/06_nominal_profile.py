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
# # 06 Nominal profile
#
# **Restricted audiences only.** This notebook shows one person's record: their offences,
# custody spells, time on the scheme and monthly risk score. It contains personal data and must
# never be part of a public report. With `audience = "public"` it stops at the next cell.
# Identifiers (the person's, and those of their episodes) are shown as keyed, stable
# pseudonyms unless the run is told to show them (`show_identifiers = True`).
#
# The risk score each month end is the suite's recency- and severity-weighted score over the
# previous 365 days (defined in the appendix's Annex B), or the force's own imported score
# where one exists.
# Only what was known on the as-of date is shown.

# %% tags=["parameters"]
data = None
as_of = "2020-01-31"
period_start = "2016-01-01"
cohort = "all"
config = None
min_cell = 10
audience = "restricted"
person_id = None
show_identifiers = False

# %%
from iomlib.errors import ParameterError

if audience == "public":
    raise ParameterError("06_nominal_profile shows one person's record and is for restricted "
                         "audiences only; it cannot be run with audience='public'")

# %%
from IPython.display import Markdown, display

import iomlib.measures.cohort
import iomlib.measures.curves
import iomlib.measures.guards as guards
import iomlib.notebook
from iomlib import plots

run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=cohort,
                            config=config, min_cell=min_cell, audience=audience,
                            show_identifiers=show_identifiers)
cfg, ds, sdc = run.cfg, run.ds, run.sdc
if person_id is None:
    guards.profile_available(ds, cfg.period_start, cfg.as_of)
pid = person_id if person_id is not None else iomlib.measures.cohort.first_nominal(
    ds, since=cfg.period_start, as_of=cfg.as_of)
history = iomlib.measures.curves.nominal_history(run.data, pid, cfg, end=cfg.as_of)
shown_id = sdc.identifier(pid, "person_id")      # a pseudonym unless show_identifiers
display(Markdown(f"Nominal **{shown_id}**; data `{ds.source}`; record shown from "
                 f"{history['risk']['month_end'].min().date()} to {cfg.as_of.date()}."))

# %% [markdown]
# ## Timeline
#
# The line is the risk score at each month end. Shaded spans are episodes on the scheme
# (labelled with the cohort); grey bars along the bottom are custody spells; marks along the
# bottom are offences (triangles: weapon-enabled). Days in custody remove the chance to offend,
# so a fall in the score during custody is not evidence of change.

# %%
ax = plots.nominal_timeline(history["risk"], offences=history["offences"],
                            custody=history["custody"], episodes=history["episodes"],
                            person_id=shown_id)

# %% [markdown]
# ## Episodes, custody and offences

# %%
display(Markdown(f"Episodes on the scheme: n = {sdc.count(len(history['episodes']))}"))
sdc.show(history["episodes"])
display(Markdown(f"Custody spells: n = {sdc.count(len(history['custody']))}"))
sdc.show(history["custody"])
offences_by_type = (history["offences"].groupby("offence_category")
                    .agg(n=("weight", "size"), weapon=("weapon", "sum"),
                         summed_severity=("weight", "sum")).reset_index())
display(Markdown(f"Offences by type: n = {sdc.count(len(history['offences']))} offences"))
sdc.show(offences_by_type, digits=1)
