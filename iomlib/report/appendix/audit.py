"""The appendix's disclosure audit: the same check as the pages' (``iomlib.sdc.audit``).

Every table of the document (figure data included) is presented to
:func:`iomlib.sdc.audit.audit_notebook` as a notebook output with the smallest count of people
it shows; a count from 1 to ``min_cell - 1`` is a problem.
"""
from __future__ import annotations

from iomlib.report.appendix.tables import Table


def _as_number(text: str):
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def shown_counts(table: Table) -> list[float]:
    """The counts of people a table shows (its count columns, suppressed cells left out).

    Parameters
    ----------
    table : Table
    """
    vals = []
    for r in table.rows:
        for i in table.counts:
            v = _as_number(r[i]) if i < len(r) else None
            if v is not None:
                vals.append(v)
    return vals


def small_counts(table: Table, min_cell: int) -> list[float]:
    """Counts shown from 1 to ``min_cell - 1``.

    Parameters
    ----------
    table : Table
    min_cell : int
    """
    return [v for v in shown_counts(table) if 0 < v < min_cell]


def as_notebook(doc, min_cell: int) -> dict:
    """The document's tables as the outputs of a notebook, for the sdc audit.

    Parameters
    ----------
    doc : Document
    min_cell : int
    """
    from iomlib.report.appendix.html import table_html
    cells = []
    for t in doc.tables():
        counts = [v for v in shown_counts(t) if v > 0]
        check = {"audience": "public", "min_cell": min_cell,
                 "smallest_count_shown": min(counts) if counts else None,
                 "count_columns": [t.columns[i] for i in t.counts]}
        cells.append({"cell_type": "code", "source": "", "outputs": [{
            "output_type": "display_data", "data": {"text/html": table_html(t)},
            "metadata": {"iom_disclosure": check}}]})
    return {"cells": cells}


def audit_appendix(doc, min_cell: int) -> list[str]:
    """Problems that make the appendix unfit for a public audience (empty when fit).

    Parameters
    ----------
    doc : Document
    min_cell : int

    Returns
    -------
    list of str
        :func:`iomlib.sdc.audit.audit_notebook`'s problems, the cell named by the table's
        number; and any published figure that is not marked suppressed although its n is small.
    """
    from iomlib.sdc.audit import audit_notebook
    tables = doc.tables()
    problems = []
    for line in audit_notebook(as_notebook(doc, min_cell), min_cell):
        head, _, rest = line.partition(":")
        try:
            t = tables[int(head.split()[-1]) - 1]
            problems.append(f"Table {t.number} ({t.caption}):{rest}")
        except (ValueError, IndexError):
            problems.append(line)
    return problems
