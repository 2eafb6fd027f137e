"""The run's front page (``index.html``) and its headline figures (``metrics.json``)."""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

from iomlib.errors import IomError
from iomlib.report.appendix.labels import humanise, label
from iomlib.report.audience import marking

#: The front page's style sheet (package data).
INDEX_CSS = Path(__file__).resolve().parent / "templates" / "index.css"


#: The notebook whose subject is the impact estimate (``iom report --notebooks 07``).
IMPACT_NOTEBOOK = "07_impact"
#: Why ``metrics.json`` and the index page have no impact estimate when that notebook is not
#: part of the run (in words, on both; the appendix reads it as the reason too).
IMPACT_NOT_IN_RUN = (f"the impact report ({IMPACT_NOTEBOOK}) is not part of this run; the "
                     f"estimate is made only in runs that include it (fitting it on a "
                     f"national dataset takes minutes)")


#: Numbers of the notebooks that publish the five headline figures (cohort sizes, risk
#: reductions, IDVA survey); the index page computes them when one of these is in the run.
HEADLINE_NOTEBOOKS = ("01", "02", "04")
#: What the index page and ``metrics.json`` say of a headline figure not computed.
HEADLINE_NOT_IN_RUN = ("not part of this run: the headline figures come from notebooks "
                       + ", ".join(HEADLINE_NOTEBOOKS) + " (cohort, risk reduction, IDVA "
                       "survey), and none of them was run")


def headlines_in_run(ctx: dict) -> bool:
    """Whether the run includes a notebook publishing the headline figures.

    Parameters
    ----------
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`; a context without a
        ``notebooks`` list counts as a run of every notebook.

    Returns
    -------
    bool
        True when a selected notebook's number (``01`` of ``01_cohort``) is one of
        :data:`HEADLINE_NOTEBOOKS`.
    """
    return _in_run(ctx, lambda name: name.split("_")[0] in HEADLINE_NOTEBOOKS)


def impact_in_run(ctx: dict) -> bool:
    """Whether the run includes the impact report (so its estimate belongs on the index).

    Parameters
    ----------
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`; a context without a
        ``notebooks`` list counts as a run of every notebook.

    Returns
    -------
    bool
    """
    return _in_run(ctx, lambda name: name == IMPACT_NOTEBOOK)


def _in_run(ctx: dict, wanted) -> bool:
    """Whether a selected notebook's name satisfies ``wanted`` (every notebook: no list)."""
    notebooks = ctx.get("notebooks")
    return notebooks is None or any(wanted(nb.name) for nb in notebooks)


def impact_metric(ds, config) -> dict:
    """``metrics["impact_managed_rate_reduction"]``: the honest impact estimate, or why not.

    Parameters
    ----------
    ds : Dataset
    config : Config

    Returns
    -------
    dict
        :func:`iomlib.impact.impact_headline` with ``value``, ``n`` (distinct people) and
        ``definition``; or ``value`` None with the reason in ``error`` (e.g. an as-of date too
        early for any follow-up).
    """
    try:
        from iomlib.impact import impact_headline
        est = impact_headline(ds, config)
    except IomError as exc:
        return {"value": None, "n": 0, "error": str(exc)}
    return impact_entry(est)


def impact_entry(est: dict) -> dict:
    """The ``metrics.json`` entry of an :func:`iomlib.impact.impact_headline` result.

    Parameters
    ----------
    est : dict

    Returns
    -------
    dict
        ``est`` with ``value`` (the estimate), ``n`` (distinct people: a person can be a
        comparison first and adopted later) and ``definition`` (the estimand).
    """
    return {"value": est["estimate"],
            "n": est.get("n_people", est["n_treated"] + est["n_control"]),
            "definition": est.get("estimand", ""), **est}


def headline_metrics(ds, ctx: dict, *, impact: dict | None = None) -> dict:
    """The headline figures for the run's data and parameters.

    Parameters
    ----------
    ds : Dataset
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`.
    impact : dict, optional
        The impact entry when it is already known (:func:`impact_entry` of the estimate
        notebook 07 recorded, or a placeholder the runner fills in later): not computed here.

    Returns
    -------
    dict
        :func:`iomlib.measures.headline.headline_json` of
        :func:`iomlib.measures.headline.headline_table` with the run's configuration (as-of
        date, period start) and cohort (``"all"``: every cohort) when a notebook publishing
        them is part of the run (:func:`headlines_in_run`; otherwise each figure's ``value``
        is None, ``not_in_run`` True and ``definition`` :data:`HEADLINE_NOT_IN_RUN`), the
        ``as_of`` date, and the honest impact
        estimate (:func:`impact_metric`) when the impact report is part of the run
        (:func:`impact_in_run`; otherwise its ``value`` is None, ``not_in_run`` True and
        ``error`` says why, :data:`IMPACT_NOT_IN_RUN`); suppressed for a public audience.
    """
    from iomlib.measures.headline import HEADLINE_KEYS, headline_json, headline_table
    cohort = ctx["parameters"]["cohort"]
    if headlines_in_run(ctx):
        metrics = headline_json(headline_table(ds, config=ctx["config"],
                                               cohorts=None if cohort == "all" else cohort))
    else:   # e.g. a national comparison (08) alone: not computed, and said so
        metrics = {key: {"value": None, "n": None, "not_in_run": True,
                         "definition": HEADLINE_NOT_IN_RUN} for key in HEADLINE_KEYS}
        metrics["as_of"] = ctx["config"].as_of.date().isoformat()
    metrics["impact_managed_rate_reduction"] = (
        impact if impact is not None else impact_metric(ds, ctx["config"]) if impact_in_run(ctx)
        else {"value": None, "n": None, "not_in_run": True, "error": IMPACT_NOT_IN_RUN})
    if ctx["parameters"]["audience"] == "public":
        from iomlib.measures.headline import COUNT_KEYS
        from iomlib.sdc import suppress_headline
        metrics = suppress_headline(metrics, ctx["parameters"]["min_cell"], COUNT_KEYS)
    return metrics


def _fmt_value(key: str, entry: dict, min_cell: int) -> str:
    """A headline value for the index page; public runs arrive already suppressed
    (:func:`iomlib.sdc.suppress_headline`)."""
    v = entry.get("value")
    if entry.get("not_in_run"):
        return "not part of this run"
    if entry.get("suppressed"):
        return f"[c] (fewer than {min_cell} people)"
    if v is None:
        return "&ndash;"
    if key.endswith("_pct"):
        return f"{v:.1f}%"
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def _n_text(entry: dict) -> str:
    """A headline's n with thousands separators; a dash when missing."""
    n = entry.get("n")
    return "&ndash;" if n is None else f"{int(n):,}"


def _headline_rows(metrics: dict, min_cell: int) -> list[str]:
    from iomlib.measures.headline import HEADLINE_KEYS
    esc = html.escape
    rows = []
    for key in HEADLINE_KEYS:
        e = metrics.get(key)
        if not isinstance(e, dict):
            continue
        ci = ""
        if e.get("ci_low") is not None and e.get("ci_high") is not None:
            unit = "%" if key.endswith("_pct") else ""
            ci = f"{e['ci_low']:,.1f}{unit} to {e['ci_high']:,.1f}{unit}"
        rows.append(
            f"<tr data-measure='{esc(key)}'><th scope='row'>{esc(label(key))}</th>"
            f"<td class='num'>{_fmt_value(key, e, min_cell)}</td>"
            f"<td class='num'>{_n_text(e)}</td>"
            f"<td class='ci'>{esc(ci)}</td>"
            f"<td>{esc(str(e.get('definition') or ''))}</td></tr>")
    imp = metrics.get("impact_managed_rate_reduction")
    if isinstance(imp, dict) and imp.get("value") is None and imp.get("error") \
            and not imp.get("suppressed"):
        rows.append(_impact_missing_row(imp))
    if isinstance(imp, dict) and imp.get("value") is not None:
        rows.append(
            "<tr data-measure='impact_managed_rate_reduction'><th scope='row'>"
            f"{esc(label('impact_managed_rate_reduction'))} (honest estimate)</th>"
            f"<td class='num'>{100 * imp['value']:.1f}%</td>"
            f"<td class='num'>{esc(_impact_people(imp))}</td>"
            f"<td class='ci'>{esc(interval_text(imp.get('ci_low'), imp.get('ci_high')))}</td>"
            f"<td>{esc(str(imp.get('definition') or ''))}; {esc(str(imp.get('method')))}"
            f"{'. ' + esc(str(imp['robustness'])) if imp.get('robustness') else ''}</td>"
            "</tr>")
    return rows


def _impact_missing_row(imp: dict) -> str:
    """The impact row of the index when there is no estimate: the reason, in words."""
    esc = html.escape
    what = "Not part of this run" if imp.get("not_in_run") else "Not estimated"
    return ("<tr data-measure='impact_managed_rate_reduction' class='not-computed'>"
            f"<th scope='row'>{esc(label('impact_managed_rate_reduction'))} (honest estimate)"
            f"</th><td class='num'>{what}</td><td class='num'>&ndash;</td>"
            f"<td class='ci'>&ndash;</td><td>{esc(what)}: {esc(str(imp['error']))}.</td></tr>")


def interval_text(low, high) -> str:
    """A 95% interval of a proportional effect in words; an unbounded end is said, not printed.

    Parameters
    ----------
    low, high : float or None
        The interval's ends as fractions; None (or not finite) where the interval is open.

    Returns
    -------
    str
        e.g. ``"-5.1% to 30.0%"``, ``"above -5.1% (no upper bound)"`` or ``"no bound found"``.
    """
    def finite(v):
        return v is not None and math.isfinite(float(v))
    if finite(low) and finite(high):
        return f"{100 * low:.1f}% to {100 * high:.1f}%"
    if finite(low):
        return f"above {100 * low:.1f}% (no upper bound)"
    if finite(high):
        return f"below {100 * high:.1f}% (no lower bound)"
    return "no bound found"


def _impact_people(imp: dict) -> str:
    """People behind the impact estimate: distinct people, then each arm (they overlap)."""
    def num(v):
        return "[c]" if v is None else f"{int(v):,}"
    if "n_people" not in imp:
        return f"{num(imp.get('n_treated'))} managed / {num(imp.get('n_control'))} comparison"
    return (f"{num(imp.get('n_people'))} people: {num(imp.get('n_treated'))} managed, "
            f"{num(imp.get('n_control'))} comparison ({num(imp.get('n_people_both'))} in both: "
            "compared first, adopted later)")


def _report_items(reports: list[dict], public: bool = False) -> list[str]:
    esc = html.escape
    links = []
    for r in reports:
        status = r["status"]
        mark = {"ok": "", "failed": " <strong class='bad'>FAILED</strong>"}.get(
            status, f" <em>({esc(status)})</em>")
        target = f"{r['name']}.html"
        title = esc(r.get("title") or r["name"])
        link = (f"<a href='{esc(target)}'>{title}</a>" if r.get("has_html")
                else title)
        secs = (f" <span class='muted'>{r['seconds']:.1f} s</span>"
                if r.get("seconds") and not public else "")
        nb = f" <a class='muted' href='{esc(r['name'])}.ipynb'>notebook</a>" \
            if r.get("has_ipynb") and not public else ""
        msg = f"<br><span class='bad'>{esc(r['message'])}</span>" if r.get("message") else ""
        links.append(f"<li>{link}{mark}{secs}{nb}{msg}</li>")
    return links


def _banner(run: dict) -> str:
    params = run["parameters"]
    if run["status"] != "ok":
        return ("<div class='failed' role='alert'><strong>This run failed</strong>; "
                "reports/latest still points to the previous good run.</div>")
    return (f"<p class='marking' role='note'><strong>{html.escape(marking(params))}</strong></p>"
            if params.get("audience") else "")


def _run_table(run: dict, public: bool = False) -> str:
    esc = html.escape
    git = run.get("git")
    git_txt = (esc(git["commit"][:12]) + (" (uncommitted changes)" if git.get("dirty") else "")
               if git else "not available")
    ptable = "".join(f"<tr><th scope='row'>{esc(humanise(k))}</th><td>"
                     f"{esc(v if isinstance(v, str) else json.dumps(v))}</td></tr>"
                     for k, v in run["parameters"].items())
    times = "" if public else (
        f"<tr><th scope='row'>started</th><td>{esc(run['started'])}</td></tr>\n"
        f"<tr><th scope='row'>ended</th><td>{esc(run.get('ended') or '')}</td></tr>\n")
    pk = ", ".join(f"{esc(k)} {esc(str(v))}" for k, v in run.get("packages", {}).items() if v)
    return f"""<table>
<tr><th scope='row'>run</th><td><code>{esc(run['run_id'])}</code> ({esc(run['status'])})</td></tr>
{times}<tr><th scope='row'>git commit</th><td><code>{git_txt}</code></td></tr>
<tr><th scope='row'>packages</th><td>{pk}</td></tr>
</table>
<h3>Parameters</h3>
<table><caption>Parameters of this run</caption>{ptable}</table>"""


_PROVENANCE_LINK = ('<p class="muted">Full provenance: <a href="provenance.json">provenance.json'
                    '</a>.</p>')


def index_html(metrics: dict, reports: list[dict], run: dict) -> str:
    """The run's front page: headline figures, links to every report, run details.

    Parameters
    ----------
    metrics : dict
        As returned by :func:`iomlib.measures.headline.headline_json`.
    reports : list of dict
        Per notebook: ``name``, ``title``, ``status``, ``seconds``, ``message``.
    run : dict
        ``run_id``, ``status``, ``started``, ``ended``, ``parameters``, ``data_source``,
        ``git`` and ``packages``.

    Returns
    -------
    str
        A self-contained HTML page (inline CSS, no scripts).
    """
    from iomlib.report.quality import quality_section
    esc = html.escape
    params = run["parameters"]
    public = params.get("audience") == "public"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>IOM performance appendix &ndash; {esc(metrics.get('as_of', ''))}</title>
<style>
{INDEX_CSS.read_text(encoding="utf-8")}</style></head>
<body>
<main>
<h1>IOM performance appendix</h1>
<p>As of <strong>{esc(str(metrics.get('as_of', '')))}</strong>; period from
{esc(str(params.get('period_start')))}; cohort {esc(str(params.get('cohort')))};
audience {esc(str(params.get('audience')))}; data: <code>{esc(run['data_source'])}</code>.</p>
{_banner(run)}
<!--IOM-APPENDIX-->
<h2 id="headline">Headline figures</h2>
<table class="headline"><caption>Headline figures, as of {esc(str(metrics.get('as_of', '')))}
</caption><thead><tr><th scope="col">Measure</th><th scope="col">Value</th>
<th scope="col">Number (n)</th><th scope="col">95% interval</th><th scope="col">Definition</th>
</tr></thead><tbody>
{''.join(_headline_rows(metrics, params['min_cell']))}
</tbody></table>
<p class="muted">Every figure with its numerator, denominator and alternative definitions:
<a href="metrics.json">metrics.json</a>.</p>
{quality_section(metrics.get("data_quality"))}
<h2 id="reports">Analysts' pages</h2>
<ol class="reports">
{''.join(_report_items(reports, public))}
</ol>
<h2 id="run">Run</h2>
{_run_table(run, public)}
{'' if public else _PROVENANCE_LINK}
</main>
</body></html>
"""
