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
                         "savefig.bbox": "tight", "text.color": "0.1",
                         "axes.labelcolor": "0.1", "xtick.color": "0.15",
                         "ytick.color": "0.15"})
    register_display()


def register_display() -> bool:
    """In an IPython kernel, give every figure's image output its alt text and descriptions.

    A figure drawn by :mod:`iomlib.plots` carries :class:`iomlib.plots._describe.ChartInfo`
    entries; its PNG output then carries ``alt`` and ``iom_charts`` metadata (the report uses
    them for the image's alt text and the appendix's captions and data tables). A figure whose
    charts have nothing left to show after disclosure control is shown as one sentence
    (markdown) instead of an empty image.

    Returns
    -------
    bool
        Whether the hook was registered (False outside IPython or without a PNG formatter).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        return False
    ip = get_ipython()
    if ip is None:
        return False
    try:  # the inline backend registers its own PNG formatter when it is first imported
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:  # pragma: no cover
        pass
    from matplotlib.figure import Figure

    from iomlib.plots._describe import figure_empty, figure_metadata
    formatters = ip.display_formatter.formatters
    png = formatters["image/png"]
    try:
        base = png.lookup_by_type(Figure)
    except KeyError:
        return False
    base = getattr(base, "iom_base", base)

    def png_with_alt(fig):
        if figure_empty(fig):
            return None
        data = base(fig)
        meta = figure_metadata(fig)
        return (data, meta) if meta and data is not None else data

    def empty_sentence(fig):
        sentence = figure_empty(fig)
        return (sentence, {**(figure_metadata(fig) or {}), "iom_empty": True}) if sentence \
            else None

    png_with_alt.iom_base = base
    png.for_type(Figure, png_with_alt)
    formatters["text/markdown"].for_type(Figure, empty_sentence)
    return True


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
