"""The appendix notebooks: where they are, which are selected, the order they run in."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iomlib.errors import IomError, ParameterError
from iomlib.report.params import notebook_parameters

#: Notebooks taking part in the appendix.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


@dataclass(frozen=True)
class Notebook:
    """One appendix notebook: its path and the parameters its ``parameters`` cell declares."""

    path: Path
    declared: dict | None

    @property
    def name(self) -> str:
        """The file name without ``.ipynb`` (``01_cohort``)."""
        return self.path.stem


def default_notebook_dir() -> Path:
    """``./notebooks`` if it exists, else the ``notebooks`` folder beside the package."""
    here = Path("notebooks")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "notebooks"


def discover_notebooks(folder: str | Path, select: str | None = None) -> list[Notebook]:
    """Find the appendix notebooks (``NN_*.ipynb``) in ``folder``, optionally a selection.

    Parameters
    ----------
    folder : str or Path
    select : str, optional
        Comma-separated numbers (``01,03``), names (``01_cohort``) or name parts (``cohort``).

    Returns
    -------
    list of Notebook
        In file-name order.

    Raises
    ------
    IomError
        The folder holds no notebooks.
    ParameterError
        A selected notebook does not exist.
    """
    folder = Path(folder)
    paths = sorted(folder.glob(NOTEBOOK_GLOB)) if folder.is_dir() else []
    if not paths:
        raise IomError(f"no notebooks matching {NOTEBOOK_GLOB} in {folder.resolve()}; use "
                       f"--notebook-dir")
    if select:
        chosen: list[Path] = []
        bad = []
        for token in (t.strip() for t in select.split(",")):
            if not token:
                continue
            hits = [p for p in paths if token in (p.stem, p.stem[:2], p.stem[3:], p.name)]
            if not hits:
                bad.append(token)
            chosen += [h for h in hits if h not in chosen]
        if bad:
            raise ParameterError(f"--notebooks: no notebook {', '.join(map(repr, bad))} in "
                                 f"{folder}; available: {', '.join(p.stem for p in paths)}")
        paths = sorted(chosen)
    return [Notebook(p, notebook_parameters(p)) for p in paths]


def run_order(notebooks: list[Notebook], previous: dict) -> list[Notebook]:
    """Longest first, so that the last notebook to finish is a short one.

    Durations of the previous run are used where known; notebooks without one go first,
    largest file first (a rough proxy for the amount of work).

    Parameters
    ----------
    notebooks : list of Notebook
    previous : dict
        ``{name: seconds}`` of the previous run.

    Returns
    -------
    list of Notebook
    """
    unknown = sorted((nb for nb in notebooks if nb.name not in previous),
                     key=lambda nb: -nb.path.stat().st_size)
    known = sorted((nb for nb in notebooks if nb.name in previous),
                   key=lambda nb: -previous[nb.name])
    return unknown + known
