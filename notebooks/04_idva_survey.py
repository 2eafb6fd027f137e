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
# **Definitions** (the appendix's Annex B): *felt safer* = k respondents answering "yes" out of
# n respondents, with a Wilson 95% interval. The *response rate* is respondents / survivors
# referred. Because survivors who did not answer may differ from those who did, the worst case
# (no non-respondent felt safer) and the best case (every non-respondent did) are shown beside
# the headline. Responses dated after the as-of date are not counted.
#
# **Disclosure control.** In a public report (`audience = "public"`) every count of 1 to
# `min_cell - 1` survivors, and every percentage or interval resting on one, is shown as
# `[c]` (with further cells hidden where a `[c]` could be worked out from a total); suppressed
# values are not drawn. Restricted reports show every figure.
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

import iomlib.measures.guards as guards
import iomlib.measures.survey
import iomlib.notebook
from iomlib import plots
from iomlib.measures.empty import section

run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort="all",
                            config=config, min_cell=min_cell, audience=audience)
cfg, ds, sdc = run.cfg, run.data, run.sdc
guards.survey(ds, cfg.as_of)
display(Markdown(f"Data: `{ds.source}`; referrals and responses up to {cfg.as_of.date()}; "
                 f"audience: **{sdc.audience}**."))

# %% [markdown]
# ## Felt safer, response rate and non-response bounds

# %%
safer = iomlib.measures.survey.felt_safer(ds, cfg.as_of)
safer = sdc.measures(safer[["measure", "value", "numerator", "denominator", "n", "ci_low",
                            "ci_high", "headline", "definition"]],
                     count_cols=("n", "numerator", "denominator"),
                     together="measure")   # a rate, its worst and best cases: one numerator
display(sdc.for_display(safer, digits=1))
with section("Felt safer (chart)"):
    guards.survey_respondents(ds, cfg.as_of)
    ax = plots.proportions(safer.assign(label=safer["definition"].str.split(":").str[0]),
                           label="label", value="value", k="numerator", n="denominator",
                           title="IDVA survey: felt safer and response rate (95% Wilson "
                                 "intervals)",
                           xlabel="% (with 95% interval)")

# %% [markdown]
# ## Agreement items
#
# Each bar shows how the respondents who answered the item spread over the five answers,
# centred on "neither": disagreement to the left, agreement to the right. Answer codes are not
# averaged (they are ordered categories, not measurements). The table gives the counts, the
# respondents who answered the item (`n`), and the number (`agreed`) and share (`agreed_pct`)
# who agreed or strongly agreed, with a Wilson 95% interval. In a public report an item with a
# suppressed answer is not drawn; a second chart then shows the share who agreed, where the
# agreeing answers are not small.

# %%
with section("Agreement items"):
    guards.survey_respondents(ds, cfg.as_of)
    LABELS = list(iomlib.measures.survey.LIKERT_LABELS.values())
    AGREE = [iomlib.measures.survey.LIKERT_LABELS[level] for level in (4, 5)]
    likert = iomlib.measures.survey.likert_table(ds, cfg.as_of)
    agree = iomlib.measures.survey.likert_agree(ds, cfg.as_of).set_index("text")
    answers = likert.pivot(index="text", columns="label", values="n")[LABELS]
    answers.columns.name = None
    answers = answers.assign(n=answers.sum(axis=1), agreed=agree["k"], agreed_pct=agree["pct"],
                             ci_low=agree["ci_low"], ci_high=agree["ci_high"])
    answers = sdc.table(answers, count_cols=LABELS, totals={"column": "n"},
                        derived={"agreed": AGREE, "agreed_pct": [*AGREE, "n"],
                                 "ci_low": [*AGREE, "n"], "ci_high": [*AGREE, "n"]})
    display(sdc.for_display(answers, digits=1))
    level_of = {label: level for level, label in iomlib.measures.survey.LIKERT_LABELS.items()}
    ax = plots.likert_diverging(
        answers[LABELS].rename_axis("text").reset_index()
        .melt(id_vars="text", var_name="label", value_name="n")
        .assign(level=lambda t: t["label"].map(level_of),
                n_item=lambda t: t["text"].map(answers["n"])),
        item="text", item_label=None, total="n_item",
        title="IDVA survey items: distribution of answers")
    if answers[LABELS].isna().any().any():
        # the items that cannot be drawn whole: their share who agreed, where it can be shown
        ax = plots.proportions(answers.rename_axis("text").reset_index(), label="text",
                               value="agreed_pct", k="agreed", n="n",
                               title="Agreed or strongly agreed (95% Wilson intervals)",
                               xlabel="% of respondents answering the item")

# %% [markdown]
# ## By year of referral
#
# Felt safer among respondents, by the year the survivor was referred. Years with few
# respondents have wide intervals; differences between years are not tested here. The yearly
# counts add up to the totals above, so in a public report a small year hides another.

# %%
with section("By year of referral"):
    guards.survey_respondents(ds, cfg.as_of)
    by_year = iomlib.measures.survey.felt_safer_by_year(ds, cfg.as_of)
    few = len(by_year) and by_year["n"].min() < min_cell
    # those who did not feel safer, and the non-respondents, are counts too (the complement rule)
    by_year = by_year.assign(not_safer=by_year["n"] - by_year["k"],
                             no_response=by_year["referred"] - by_year["n"])
    by_year = sdc.table(by_year, count_cols=["referred", "n", "k", "not_safer", "no_response"],
                        # the overall referred and respondents are published; k and the rest only
                        # where the complement rule lets the headline figure be shown
                        totals={"columns": (["referred", "n", "no_response", "k", "not_safer"]
                                            if safer["value"].notna().iloc[0]
                                            else ["referred", "n", "no_response"]),
                                "relations": {"n": ["k", "not_safer"],
                                              "referred": ["n", "no_response"]}},
                        derived={"pct": ["n", "k", "not_safer"], "ci_low": ["n", "k", "not_safer"],
                                 "ci_high": ["n", "k", "not_safer"],
                                 "response_rate_pct": ["referred", "n", "no_response"]})
    display(sdc.for_display(by_year, digits=1))
    ax = plots.proportions(by_year.assign(year=by_year["year"].astype(str)), label="year",
                           value="pct", k="k", n="n",
                           title="Felt safer by year of referral (95% Wilson intervals)",
                           xlabel="% of respondents who felt safer")
    if few:
        display(Markdown(f"**Caution:** at least one year has fewer than {min_cell} "
                         "respondents."))
