"""The reviewer's annex and the other sections of the appendix that are not findings:
change since the last report, alternative definitions, glossary, methods in words,
limitations, the data-quality ledger and provenance."""
from __future__ import annotations

from iomlib.report.appendix import tables as fmt
from iomlib.report.appendix.compare import change
from iomlib.report.appendix.content import Bullets, Paragraph, Terms, _interval, _value
from iomlib.report.appendix.labels import humanise, measure
from iomlib.report.appendix.tables import Table
from iomlib.sdc import SUPPRESSED_SYMBOL

GLOSSARY = [
    ("Nominal", "a person managed by the Integrated Offender Management (IOM) scheme. A person "
     "can be adopted, removed and adopted again."),
    ("Episode", "one continuous period on the scheme, from adoption to removal (or still open)."),
    ("Adoption and removal", "entry to and exit from the managed cohort (selection and "
     "de-selection)."),
    ("Active cohort", "the people with an open episode on a given date who are in the "
     "community, on remand or on a short sentence."),
    ("Risk score", "a recency- and severity-weighted sum of a person's offences over the last "
     "year: each offence counts its severity weight, raised for a weapon, and halves in weight "
     "every six months. Shown in points."),
    ("Selection matrix points", "the points a person scores on the force's selection matrix "
     "over the last year of offending; crossing the threshold makes them eligible."),
    ("Crime Severity Score", "the Office for National Statistics' weights of offence types, "
     "based on the sentences they receive; used as the severity weights of the risk score."),
    ("DVIOM", "IOM for perpetrators of domestic abuse."),
    ("IDVA", "Independent Domestic Violence Advisor; IDVA services survey the survivors linked "
     "to managed perpetrators."),
    ("95% interval", "the range of values consistent with the data at the 95% level; a wide "
     "interval means an uncertain figure."),
    (SUPPRESSED_SYMBOL, "a value withheld for disclosure control because it "
     "rests on too few people (the marker used by the Office for National Statistics)."),
]

METHODS_TEXT = [
    "Unique nominals count distinct people with an episode starting in the period, not "
    "episodes.",
    "The active cohort counts people with an open episode on the as-of date who are in the "
    "community, on remand or on a short sentence.",
    "The reduction in risk for removed nominals is, for each episode removed in the period, the "
    "fall in the risk score from adoption to removal as a percentage of the score at adoption; "
    "the figure is the mean over episodes, with a t interval. Episodes with a zero score at "
    "adoption cannot give a percentage and are counted and set aside.",
    "The reduction after 12 months is the same comparison from adoption to 12 months later, "
    "over episodes that stayed on the scheme for 12 months.",
    "Felt safer is the share of IDVA survey respondents who said they felt safer, with a "
    "Wilson score interval; people who did not respond are counted and set aside.",
    "The honest estimate compares the offending rate per day at liberty of the people a panel "
    "adopted with that of people it could have adopted on the same day but did not, who had "
    "the same recorded history (g-estimation on risk sets at the panel's decision dates, a "
    "Poisson model with days at liberty as exposure). The effect may differ in each quarter of "
    "the first year on the scheme; the four are combined over the adopted people's managed "
    "days. Its 95% interval allows for the same person being compared on many dates.",
]

LIMITATIONS = [
    "The published figures are descriptive: none of them is an estimate of the scheme's effect.",
    "The honest estimate rests on the comparison people being like the managed people in every "
    "way that matters and is recorded; what is not recorded (for example, intelligence that "
    "led to adoption) can bias it.",
    "People who move away or die stop appearing in the records. The honest estimate allows for "
    "comparison people who may have left, at the rate of moves and deaths recorded among "
    "managed people (counting only the time in which a move could already have been "
    "recorded, since the record learns of a move late); moves recorded under another reason "
    "are missed, so where many people "
    "leave unrecorded it understates the effect (on a simulated force where 4% of people leave "
    "each year, the correction made up about half of the shortfall). Where a few people "
    "offend in intense bursts the shortfall is larger: on simulated forces whose offending came "
    "close to feeding on itself, the estimate was about 5 percentage points too low.",
    "The honest estimate is one number for the first year on the scheme. It allows the effect "
    "to change from one quarter of that year to the next (a scheme whose effect fades would "
    "otherwise be made to look less effective) but does not report the quarters, which rest "
    "on too few people to be read on their own.",
    "Offences are recorded crimes, so changes in policing or recording change the figures.",
    "Small numbers are suppressed in public reports, so some rows and charts show less detail.",
]


def change_blocks(metrics: dict, previous: dict | None) -> list:
    """The change-since-last-report table, or one sentence when there is nothing to compare.

    Parameters
    ----------
    metrics, previous : dict
        This run's and the previous good run's ``metrics.json`` (None when there is none).
    """
    from iomlib.measures.headline import HEADLINE_KEYS
    if previous is None:
        return [Paragraph("This is the first report in this series (no earlier good report "
                          "for this audience in the reports folder), so there is nothing to "
                          "compare with yet.")]
    then, now = previous.get("as_of", fmt.DASH), metrics.get("as_of", fmt.DASH)
    rows = []
    for key in (*HEADLINE_KEYS, "impact_managed_rate_reduction"):
        e, p = metrics.get(key), previous.get(key)
        if not isinstance(e, dict):
            continue
        prev, diff, kind = change(key, e, p if isinstance(p, dict) else None)
        m = measure(key)
        prev_txt = (_value(key, p) if isinstance(p, dict) else fmt.DASH)
        if diff is None:
            diff_txt = fmt.DASH
        elif kind == "count":
            diff_txt = f"{diff:+,.0f}"
        else:
            diff_txt = f"{diff:+.{m.decimals}f} percentage points"
        rows.append([m.short, prev_txt, _value(key, e), diff_txt])
    note = (f"Previous report: as of {then}. This report: as of {now}. A change in a "
            "percentage is given in percentage points.")
    return [Paragraph(f"Each figure as of {then} (previous report) and as of {now} (this "
                      "report)."),
            Table(caption=f"Change since the last report: as of {then} to as of {now}",
                  columns=["Measure", f"As of {then}", f"As of {now}", "Change"], rows=rows,
                  numeric=[False, True, True, True], notes=[note])]


def alternatives_table(metrics: dict) -> Table:
    """Every alternative definition of each published figure.

    Parameters
    ----------
    metrics : dict
    """
    from iomlib.measures.headline import HEADLINE_KEYS
    rows = []
    for key in HEADLINE_KEYS:
        e = metrics.get(key)
        if not isinstance(e, dict):
            continue
        for alt in e.get("alternatives") or []:
            if not isinstance(alt, dict):
                continue
            sup = bool(alt.get("suppressed"))
            rows.append([measure(key).short, str(alt.get("definition") or fmt.DASH),
                         _value(key, alt), fmt.count(alt.get("n"), sup and alt.get("n") is None),
                         _interval(key, alt)])
    return Table(caption="Alternative definitions of the published figures",
                 columns=["Measure", "Definition", "Value", "Number (n)", "95% interval"],
                 rows=rows, numeric=[False, False, True, True, True], counts=[3])


def ledger_table(ledger, tables: dict, public: bool, min_cell: int) -> Table:
    """The data-quality ledger: rows read, used and set aside per table, and why.

    Parameters
    ----------
    ledger : DataFrame or None
        ``Dataset.ledger``.
    tables : dict
        ``{table: rows}`` of the data as used (for tables with no ledger line).
    public : bool
        Counts of set-aside rows below ``min_cell`` are shown as ``[c]``.
    min_cell : int
    """
    def num(v):
        small = public and not fmt.missing(v) and 0 < float(v) < min_cell
        return fmt.count(v, small)
    rows, seen = [], set()
    if ledger is not None and len(ledger):
        for r in ledger.itertuples(index=False):
            seen.add(r.table)
            reason = "all rows" if r.reason == "total" else str(r.reason)
            rows.append([str(r.table).replace("_", " "), reason, num(r.rows_read),
                         num(r.rows_used), num(r.rows_excluded)])
    for name, n in tables.items():
        if name not in seen:
            rows.append([name.replace("_", " "), "all rows (none set aside)", num(n), num(n),
                         "0"])
    return Table(caption="Data-quality ledger: rows read, used and set aside, per table",
                 columns=["Table", "Reason", "Rows read", "Rows used", "Rows set aside"],
                 rows=rows, numeric=[False, False, True, True, True])


def provenance_table(metrics: dict, packages: dict, data_source: str) -> Table:
    """Data source, as-of date, parameters and versions (no timings, no file links).

    Parameters
    ----------
    metrics : dict
    packages : dict
        Package versions.
    data_source : str
    """
    run = metrics.get("run") or {}
    params = run.get("parameters") or {}
    rows = [["Data source", str(data_source or fmt.DASH)],
            ["As-of date", str(metrics.get("as_of", fmt.DASH))],
            ["Report software", f"iomlib {packages.get('iomlib') or fmt.DASH}"],
            ["Software revision", str(run.get("git_commit") or fmt.DASH)[:12]]]
    for k, v in params.items():
        if k in {"data", "config"} and v:
            v = str(v).rsplit("/", 1)[-1]
        rows.append([f"Parameter: {humanise(k)}", fmt.DASH if v in (None, "") else str(v)])
    return Table(caption="Provenance: data, as-of date, parameters and software",
                 columns=["Item", "Value"], rows=rows)


def glossary_blocks() -> list:
    """The glossary."""
    return [Terms(GLOSSARY)]


def methods_blocks() -> list:
    """Definitions and methods in words, then the limitations."""
    return [Bullets(METHODS_TEXT)]


def limitation_blocks() -> list:
    """The limitations."""
    return [Bullets(LIMITATIONS)]

