""""Nothing to show": how a measure, a plot or a whole notebook says what it cannot show.

A force's extract is older, sparser and odder than the synthetic force: no removals yet, no
DVIOM cohort, an empty survey, no episode that has reached 12 months, a single offence category,
a cohort smaller than ``min_cell``. The library does not return NaNs for the notebook to trip
over: a measure or plot that has nothing to show raises :class:`NothingToShow`, whose message is
one plain sentence saying what is missing and why. The notebooks run each section inside
:func:`section`, which prints that sentence (and closes any half-drawn chart) and lets the rest
of the notebook go on.

A notebook that has nothing at all to show calls :func:`stop`: it prints the reason and raises
:class:`NothingAtAll`, which the report runner records as "nothing to show" (not a failure): the
notebook is listed on the index page with the reason and the run still publishes.
"""
from __future__ import annotations

from contextlib import contextmanager

__all__ = ["NothingAtAll", "NothingToShow", "explain", "require", "section", "stop"]


class NothingToShow(Exception):
    """A section has nothing to show; ``str(exc)`` is one plain sentence saying why."""


class NothingAtAll(NothingToShow):
    """A whole notebook has nothing to show (raised by :func:`stop`)."""


def require(condition, reason: str) -> None:
    """Raise :class:`NothingToShow` with ``reason`` unless ``condition`` holds.

    Parameters
    ----------
    condition : bool
        What must hold for the section to have something to show.
    reason : str
        One plain sentence: what cannot be shown and why.
    """
    if not condition:
        raise NothingToShow(reason)


def explain(reason: str, what: str | None = None) -> None:
    """Display ``reason`` as a short Markdown note (in a notebook) or print it.

    Parameters
    ----------
    reason : str
        The sentence.
    what : str, optional
        The section's name, shown in bold before the sentence.
    """
    text = f"**{what}: not shown.** {reason}" if what else f"**Not shown.** {reason}"
    try:
        from IPython.display import Markdown, display
        display(Markdown(text))
    except ImportError:  # pragma: no cover  (IPython ships with the notebooks' kernel)
        print(text)


@contextmanager
def section(what: str | None = None):
    """Run a notebook section; if it raises :class:`NothingToShow`, say why and go on.

    Charts opened inside the section before it gave up are closed, so that no empty chart is
    published. :class:`NothingAtAll` is not caught (the notebook stops).

    Parameters
    ----------
    what : str, optional
        The section's name (e.g. ``"Figure A"``), used in the note.
    """
    import matplotlib.pyplot as plt
    before = set(plt.get_fignums())
    try:
        yield
    except NothingAtAll:
        raise
    except NothingToShow as exc:
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
        explain(str(exc), what)


def stop(reason: str) -> None:
    """End a notebook that has nothing at all to show: print ``reason``, raise
    :class:`NothingAtAll` (the report runner lists the notebook with the reason).

    Parameters
    ----------
    reason : str
        One plain sentence.
    """
    explain(reason)
    raise NothingAtAll(reason)
