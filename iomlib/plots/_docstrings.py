"""Docstring pieces shared by the plot functions, written once and filled in by a decorator.

Several plot functions take the same arguments (``ax``, ``title``, a tidy ``table``, a ``hue``
column) and treat suppressed values the same way. Their numpydoc text lives here, in
:data:`PIECES`; a plot function's docstring names a piece on a line of its own, in braces
(``{ax}``), and :func:`fill_doc` replaces that line with the piece, indented like the line::

    @fill_doc
    def bar_counts(table, *, x, ax=None):
        \"\"\"Bars of a count per category.

        Parameters
        ----------
        {data}
        x : str
            Column of the categories.
        {ax}

        {returns}
        \"\"\"

Only whole lines holding a known name in braces are replaced, so other braces in a docstring
(``{"paper", "talk"}``) are left alone; an unknown name is an error when the module is imported.
"""
from __future__ import annotations

import re

from iomlib.plots.theme import PALETTE, SUPPRESSED_LABEL

#: Shared numpydoc text, by name; each piece is dedented (the decorator indents it).
PIECES: dict[str, str] = {
    "data": (
        "table : DataFrame\n"
        "    Tidy data: one row per observation drawn (a bar, a point, a date), holding the\n"
        "    columns named by the other arguments."
    ),
    "xy": (
        "x, y : str\n"
        "    Columns drawn along the x and the y axis."
    ),
    "hue": (
        "hue : str, optional\n"
        "    Column splitting the rows into groups drawn in turn, one colour each (theme\n"
        "    palette, groups in order of appearance), named in the legend."
    ),
    "ax": (
        "ax : matplotlib.axes.Axes, optional\n"
        "    Where to draw; by default a new figure of a size suited to the plot."
    ),
    "title": (
        "title : str, optional\n"
        "    Figure title; by default one saying what is drawn."
    ),
    "xlabel": (
        "xlabel : str, optional\n"
        "    Label of the x axis; by default the column drawn along it (with units when known)."
    ),
    "ylabel": (
        "ylabel : str, optional\n"
        "    Label of the y axis; by default the column drawn along it (with units when known)."
    ),
    "palette": (
        f"Colours come from the suite's colour-blind safe theme palette (``{PALETTE!r}``, see\n"
        ":func:`iomlib.plots.theme.set_theme`), in order."
    ),
    "suppressed": (
        "A missing value (``NaN``, ``None`` or ``pd.NA``) is taken as suppressed for disclosure\n"
        "control (e.g. by :class:`iomlib.sdc.policy.Disclosure` for a public report): nothing\n"
        f"is drawn for it and a label that would show it reads ``{SUPPRESSED_LABEL}``."
    ),
    "returns": (
        "Returns\n"
        "-------\n"
        "matplotlib.axes.Axes\n"
        "    The Axes drawn on (``ax`` when given). The figure is not shown."
    ),
    "raises": (
        "Raises\n"
        "------\n"
        "TypeError, ValueError\n"
        "    A bad argument (not a table, a column it does not hold, an out-of-range option);\n"
        "    the message names the argument and its value."
    ),
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>[a-z_]+)\}[ \t]*$", re.MULTILINE)


def fill_docstring(doc: str, pieces: dict[str, str] | None = None) -> str:
    """Replace each line ``{name}`` of ``doc`` by the piece ``name``, indented like the line.

    Parameters
    ----------
    doc : str
        A docstring.
    pieces : dict, optional
        Pieces by name (default :data:`PIECES`).

    Returns
    -------
    str
        The docstring with the pieces filled in.

    Raises
    ------
    KeyError
        A placeholder names no piece.
    """
    pieces = PIECES if pieces is None else pieces

    def fill(match: re.Match) -> str:
        name, indent = match["name"], match["indent"]
        if name not in pieces:
            raise KeyError(f"{{{name}}}: no docstring piece of that name; pieces: "
                           f"{sorted(pieces)}")
        return "\n".join(indent + line if line else line
                         for line in pieces[name].splitlines())

    return _PLACEHOLDER.sub(fill, doc)


def fill_doc(func):
    """Decorator: fill the shared pieces into ``func.__doc__`` (see :func:`fill_docstring`).

    Parameters
    ----------
    func : callable
        A function whose docstring names pieces.

    Returns
    -------
    callable
        ``func`` itself, its docstring filled in.
    """
    if func.__doc__:
        func.__doc__ = fill_docstring(func.__doc__)
    return func
