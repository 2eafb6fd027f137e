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
# # 04 IDVA survey
#
# Independent Domestic Violence Advisors (IDVAs) survey the survivors linked to managed
# domestic-abuse perpetrators. This notebook reports how many said they felt safer, how many
# answered at all, and the two agreement items (the risk to them reduced; their quality of
# life).
#
# **Definitions** (`domain-notes.md` §3): *felt safer* = k respondents answering "yes" out of
# n respondents, with a Wilson 95% interval. The *response rate* is respondents / survivors
# referred. Because survivors who did not answer may differ from those who did, the worst case
# (no non-respondent felt safer) and the best case (every non-respondent did) are shown beside
# the headline. Responses dated after the as-of date are not counted.
#
# These are perceptions, not a measure of re-victimisation. The survey covers survivors linked
# to DVIOM nominals, so the `cohort` parameter does not apply here.

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

import iomlib.config
import iomlib.data
import iomlib.survey
from iomlib import plots

cfg = iomlib.config.load_config(config, {"headline": {"as_of": as_of,
                                                      "period_start": period_start}})
ds = iomlib.data.open_dataset(data, config=cfg)
plots.set_theme()
display(Markdown(f"Data: `{ds.source}`; referrals and responses up to {cfg.as_of.date()}."))

# %% [markdown]
# ## Felt safer, response rate and non-response bounds

# %%
safer = iomlib.survey.felt_safer(ds, cfg.as_of)
display(safer[["measure", "value", "numerator", "denominator", "n", "ci_low", "ci_high",
               "headline", "definition"]].round(1))
ax = plots.proportions(safer.assign(label=safer["definition"].str.split(":").str[0]),
                       label="label", value="value", k="numerator", n="denominator",
                       title="IDVA survey: felt safer and response rate (95% Wilson intervals)",
                       xlabel="% (with 95% interval)")

# %% [markdown]
# ## Agreement items
#
# Each bar shows how the respondents who answered the item spread over the five answers,
# centred on "neither": disagreement to the left, agreement to the right. Answer codes are not
# averaged (they are ordered categories, not measurements). The second table gives the share
# who agreed or strongly agreed, with a Wilson 95% interval.

# %%
likert = iomlib.survey.likert_table(ds, cfg.as_of)
ax = plots.likert_diverging(likert, title="IDVA survey items: distribution of answers")
display(likert.pivot(index="text", columns="label", values="n")
        [list(iomlib.survey.LIKERT_LABELS.values())]
        .assign(n=lambda t: t.sum(axis=1)))
display(iomlib.survey.likert_agree(ds, cfg.as_of).round(1))

# %% [markdown]
# ## By year of referral
#
# Felt safer among respondents, by the year the survivor was referred. Years with few
# respondents have wide intervals; differences between years are not tested here.

# %%
by_year = iomlib.survey.felt_safer_by_year(ds, cfg.as_of)
display(by_year.round(1))
ax = plots.proportions(by_year.assign(year=by_year["year"].astype(str)), label="year",
                       value="pct", k="k", n="n",
                       title="Felt safer by year of referral (95% Wilson intervals)",
                       xlabel="% of respondents who felt safer")
if len(by_year) and by_year["n"].min() < min_cell:
    display(Markdown(f"**Caution:** at least one year has fewer than {min_cell} respondents."))
