"""The appendix as one content model: sections of paragraphs, lists, tables and figures.

:func:`build_document` turns what the run computed into a :class:`Document`; the HTML and PDF
writers only lay it out, so both say the same thing with the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from iomlib.report.appendix import tables as fmt
from iomlib.report.appendix.figures import Figure
from iomlib.report.appendix.labels import measure, method
from iomlib.report.appendix.tables import Table
from iomlib.sdc import SUPPRESSED_SYMBOL


@dataclass
class Paragraph:
    """A paragraph of plain text (``strong`` for a lead-in in bold)."""

    text: str
    strong: str = ""


@dataclass
class Bullets:
    """A list (``ordered`` for a numbered one)."""

    items: list
    ordered: bool = False


@dataclass
class Terms:
    """A glossary: ``(term, meaning)`` pairs."""

    items: list


@dataclass
class Section:
    """A numbered section of the document."""

    id: str
    title: str
    blocks: list = field(default_factory=list)
    heading: str = ""


@dataclass
class Document:
    """The whole appendix.

    Attributes
    ----------
    title, subtitle : str
    marking : str
        The protective marking (empty when none).
    sections : list of Section
    """

    title: str
    subtitle: str
    marking: str
    sections: list = field(default_factory=list)

    def tables(self) -> list[Table]:
        """Every table, figure data tables included, in document order."""
        out = []
        for s in self.sections:
            for b in s.blocks:
                if isinstance(b, Table):
                    out.append(b)
                elif isinstance(b, Figure):
                    out.extend(b.data)
        return out

    def figures(self) -> list[Figure]:
        """Every figure, in document order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def number(self) -> None:
        """Number the sections (annexes keep their letters), then the tables and figures in
        order (data tables after the main tables)."""
        k = 0
        for s in self.sections:
            if s.title.startswith("Annex"):
                s.heading = s.title
            else:
                k += 1
                s.heading = f"{k}. {s.title}"
        main = [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
        for i, t in enumerate(main, start=1):
            t.number = i
        k = len(main)
        for i, f in enumerate(self.figures(), start=1):
            f.number = i
            for t in f.data:
                k += 1
                t.number = k


def _value(key: str, e: dict) -> str:
    m = measure(key)
    sup = bool(e.get("suppressed"))
    if m.unit == "people":
        return fmt.count(e.get("value"), sup)
    scale = 100.0 if m.unit == "proportion" else 1.0
    v = e.get("value")
    return fmt.number(None if v is None else float(v) * scale, m.decimals, "%", sup)


def _interval(key: str, e: dict) -> str:
    m = measure(key)
    scale = 100.0 if m.unit == "proportion" else 1.0
    lo, hi = e.get("ci_low"), e.get("ci_high")
    if lo is None and hi is None and m.unit == "people":
        return fmt.DASH
    return fmt.interval(None if lo is None else float(lo) * scale,
                        None if hi is None else float(hi) * scale, m.decimals, "%",
                        bool(e.get("suppressed")))


def headline_rows(metrics: dict) -> list[list[str]]:
    """One row per published figure: measure, value, n, interval, method, definition.

    Parameters
    ----------
    metrics : dict
        ``metrics.json``.
    """
    from iomlib.measures.headline import HEADLINE_KEYS
    rows = []
    for key in HEADLINE_KEYS:
        e = metrics.get(key)
        if not isinstance(e, dict):
            continue
        sup = bool(e.get("suppressed"))
        rows.append([measure(key).label, _value(key, e), fmt.count(e.get("n"), sup and
                                                                    e.get("n") is None),
                     _interval(key, e), method(e.get("ci_method")),
                     str(e.get("definition") or fmt.DASH)])
    return rows


def headline_table(metrics: dict) -> Table:
    """The five published figures under their definitions (Table 1).

    Parameters
    ----------
    metrics : dict
    """
    return Table(caption=f"Published figures, as of {metrics.get('as_of', fmt.DASH)}",
                 columns=["Measure", "Value", "Number (n)", "95% interval", "Interval method",
                          "Definition"],
                 rows=headline_rows(metrics), numeric=[False, True, True, True, False, False],
                 counts=[2])


def impact_sentence(imp: dict | None) -> tuple[str, str]:
    """The honest estimate in one sentence, and what it means.

    Parameters
    ----------
    imp : dict or None
        ``metrics["impact_managed_rate_reduction"]``.

    Returns
    -------
    (str, str)
        The estimate with its interval and n; its reading ("consistent with no effect" when
        the interval spans zero), and how it allows for people who left without a record.
    """
    if not imp or imp.get("value") is None:
        why = "it was suppressed for disclosure control" if imp and imp.get("suppressed") \
            else (imp or {}).get("error") or "it could not be computed for this period"
        return (f"The effect of management on offending was not estimated: {why}.", "")
    key = "impact_managed_rate_reduction"
    lo, hi = imp.get("ci_low"), imp.get("ci_high")
    n = imp.get("n_people", imp.get("n"))
    text = (f"While managed, people offended at a rate {_value(key, imp)} lower than the "
            f"comparison predicts (95% interval {_interval(key, imp)}; "
            f"{fmt.count(n, n is None)} people).")
    if lo is not None and hi is not None and float(lo) <= 0 <= float(hi):
        reading = ("The interval includes zero, so the data are consistent with no effect: "
                   "they neither show that management reduces offending nor rule it out.")
    elif lo is not None and float(lo) > 0:
        reading = "The whole interval is above zero: the data point to a real reduction."
    elif hi is not None and float(hi) < 0:
        reading = "The whole interval is below zero: offending rose while managed."
    else:
        reading = "One end of the interval is open, so the size of the effect is uncertain."
    return text, reading + _departure_sentence(imp)


def _departure_sentence(imp: dict) -> str:
    """How the estimate allows for people who left without a record (empty if it does not)."""
    rate = imp.get("departure_rate_per_year")
    if imp.get("n_departures_suppressed"):
        at = ("the rate of moves and deaths recorded among managed people (withheld: too few "
              "to publish)")
    elif not rate:
        return ""
    elif imp.get("departure_rate_source") == "recorded":
        at = (f"the rate of moves and deaths recorded among managed people "
              f"({100 * float(rate):.1f}% a year)")
    else:
        at = f"a rate set by the analyst ({100 * float(rate):.1f}% a year)"
    return (f" It allows for comparison people who may have moved away or died without a "
            f"record, at {at}; moves recorded under another reason are missed, so if anything "
            "it understates the effect.")


CAVEATS = [
    ("Regression to the mean",
     "people are adopted when their offending peaks, and peaks fall back on their own, so a "
     "fall in risk scores after adoption is expected even if the scheme did nothing."),
    ("Selection on the outcome",
     "the reduction for removed nominals looks only at people removed, and removal is decided "
     "largely because their score fell; that figure is partly true by definition."),
    ("Respondents, not survivors",
     "the felt-safer figure counts the survivors who answered the IDVA survey, not all "
     "survivors; those who answered may differ from those who did not."),
]


def findings_blocks(metrics: dict, min_cell: int) -> list:
    """Key findings in plain English, then the published figures (Table 1).

    Parameters
    ----------
    metrics : dict
    min_cell : int
        The publication threshold (for the ``[c]`` sentence).
    """
    est, reading = impact_sentence(metrics.get("impact_managed_rate_reduction"))
    items = []
    for key in ("unique_nominals", "active_cohort", "removed_mean_reduction_pct",
                "month12_mean_reduction_pct", "idva_felt_safer_pct"):
        e = metrics.get(key)
        if not isinstance(e, dict):
            continue
        n = "" if measure(key).unit == "people" else \
            f" (n = {fmt.count(e.get('n'), e.get('n') is None and e.get('suppressed'))})"
        items.append(f"{measure(key).short}: {_value(key, e)}{n}.")
    blocks = [Paragraph(est + " " + reading, strong="Honest estimate."),
              Paragraph("The figures below describe the scheme; they do not measure its effect. "
                        "The reductions in risk scores in particular overstate what "
                        "management achieves, for the reasons listed under Caveats.",
                        strong="The published figures."),
              Bullets(items),
              Paragraph("why the published figures overstate what the scheme achieves:",
                        strong="Caveats:"),
              Bullets([f"{a}: {b}" for a, b in CAVEATS])]
    if any(isinstance(v, dict) and v.get("suppressed") for v in metrics.values()):
        blocks.append(Paragraph(f"{SUPPRESSED_SYMBOL} marks a figure withheld because it rests "
                                f"on fewer than {min_cell} people."))
    return blocks
