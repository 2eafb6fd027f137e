"""One look for every figure of the appendix: palette, theme, shared constants.

Conventions of the plot modules
-------------------------------
- Every function takes a tidy DataFrame first and keyword-only options, draws on ``ax`` (a new
  figure when ``ax`` is None) and returns the Axes. None calls ``plt.show()``.
- Bad arguments raise ``TypeError`` / ``ValueError`` naming the argument and the value.
- :func:`set_theme` sets one look for every figure: seaborn ``whitegrid`` with the colour-blind
  safe ``"colorblind"`` palette (Okabe-Ito-like). Diverging Likert bars use an orange-grey-blue
  scale from the same palette.
- Titles and axis labels carry units; counts shown on a figure are labelled with ``n``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

from iomlib.sdc import SUPPRESSED_SYMBOL

PALETTE = "colorblind"
LIKERT_COLOURS = ("#d55e00", "#de8f05", "#bbbbbb", "#56b4e9", "#0173b2")
"""Strongly disagree .. strongly agree: vermillion, orange, grey, sky blue, blue."""
AT_RISK_GID = "at_risk"
"""``gid`` of the number-at-risk texts under a risk curve (for tests and styling)."""
#: Label of a value suppressed for disclosure control (the ONS marker, from :mod:`iomlib.sdc`).
SUPPRESSED_LABEL = SUPPRESSED_SYMBOL

_CONTEXTS = ("paper", "notebook", "talk", "poster")


def set_theme(context: str = "notebook") -> None:
    """Apply the suite's figure theme (seaborn whitegrid, colour-blind palette).

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}
        Seaborn scaling context.

    Raises
    ------
    ValueError
        ``context`` is not one of the four.
    """
    if context not in _CONTEXTS:
        raise ValueError(f"context={context!r}: expected 'paper', 'notebook', 'talk' or 'poster'")
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    plt.rcParams.update({"figure.figsize": (9, 5), "axes.titlesize": "medium",
                         "axes.titleweight": "bold", "figure.dpi": 100,
                         "savefig.bbox": "tight"})


def colours(n: int) -> list:
    """The first ``n`` colours of the theme palette (cycled beyond its 10 colours).

    Parameters
    ----------
    n : int
        How many colours.

    Returns
    -------
    list of (r, g, b) tuples
    """
    base = sns.color_palette(PALETTE)
    return [base[i % len(base)] for i in range(n)]
