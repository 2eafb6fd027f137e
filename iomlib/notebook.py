"""What every report notebook does after its parameters cell.

The appendix notebooks share one parameters cell (``data``, ``as_of``, ``period_start``,
``cohort``, ``config``, ``min_cell``, ``audience``) and, after it, one call::

    run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, cohort=cohort,
                                config=config, min_cell=min_cell, audience=audience)

which builds the run's configuration, opens and validates the data, restricts them to the
cohort, sets the plot theme and sets up disclosure control (for a public audience, every
``DataFrame`` displayed without passing through ``run.sdc`` is withheld). Analysts can make the
same call in their own notebooks.
"""
from __future__ import annotations

from dataclasses import dataclass

from iomlib import tables
from iomlib.config.params import RunParameters
from iomlib.config.settings import Config, run_config
from iomlib.data.dataset import Dataset
from iomlib.sdc.policy import Disclosure


@dataclass(frozen=True)
class Run:
    """The set-up of one notebook run.

    Attributes
    ----------
    cfg : Config
        The configuration with the run's dates and disclosure settings.
    data : Dataset
        Every record, all cohorts.
    ds : Dataset
        ``data`` restricted to ``cohort`` (see :func:`iomlib.measures.cohort.restrict`).
    cohort : str
    sdc : Disclosure
        The disclosure rules every table and plotted series goes through.
    params : RunParameters or None
        The run's validated parameters (configuration defaults filled in).
    """

    cfg: Config
    data: Dataset
    ds: Dataset
    cohort: str
    sdc: Disclosure
    params: RunParameters | None = None

    def describe(self) -> str:
        """A one-line Markdown description: data source, cohort and period."""
        return (f"Data: `{self.ds.source}`; cohort: **{self.cohort}**; period "
                f"{self.cfg.period_start.date()} to {self.cfg.as_of.date()}; audience: "
                f"**{self.sdc.audience}**.")


def start(data=None, *, as_of=None, period_start=None, cohort: str = "all", config=None,
          min_cell=None, audience=None, show_identifiers: bool = False,
          theme: bool = True, guard: bool = True, allow_small_min_cell: bool = False) -> Run:
    """Set up a report notebook (or an analyst's own).

    Parameters
    ----------
    data : str, Path or None
        Folder, workbook or SQLAlchemy URL; ``None`` = the embedded synthetic data.
    as_of, period_start : str, optional
        The run's dates (``YYYY-MM-DD``); ``None`` keeps the configuration's.
    cohort : {"all", "IOM", "DVIOM", "KNIFE"}, default "all"
    config : str or Path, optional
        A YAML configuration file.
    min_cell : int, optional
        Suppression threshold; ``None`` keeps the configuration's (default 10).
    audience : {"public", "restricted"}, optional
        ``None`` keeps the configuration's (default restricted).
    show_identifiers : bool, default False
        Restricted audiences only: show real identifiers instead of keyed pseudonyms.
    theme : bool, default True
        Apply :func:`iomlib.plots.set_theme`.
    guard : bool, default True
        For a public audience, withhold unchecked tables (:meth:`Disclosure.guard`).
    allow_small_min_cell : bool, default False
        Public audience: allow ``min_cell`` below 10 (stated on the banner).

    Returns
    -------
    Run

    Raises
    ------
    IomError
        Bad configuration, parameters or data (each names what is wrong); parameters are
        checked by :class:`~iomlib.config.params.RunParameters`.
    """
    from iomlib.measures.cohort import restrict
    params = RunParameters.for_run(data=data, as_of=as_of, period_start=period_start,
                                   cohort=cohort, config=config, min_cell=min_cell,
                                   audience=audience, show_identifiers=show_identifiers,
                                   allow_small_min_cell=allow_small_min_cell)
    cfg = run_config(params)
    sdc = Disclosure(params.audience, params.min_cell, show_identifiers=params.show_identifiers,
                     allow_small_min_cell=params.allow_small_min_cell)
    tables.install()            # no 0, 1, 2 ... row numbers in the tables' HTML
    if guard:
        sdc.guard()
    # under ``iom report``: the run's validated snapshot (read and validated once per run)
    from iomlib.report.snapshot import open_for_run
    everything = open_for_run(params.data, cfg)
    ds = restrict(everything, params.cohort)
    if theme:
        from iomlib.plots.theme import set_theme
        set_theme()
    return Run(cfg=cfg, data=everything, ds=ds, cohort=params.cohort, sdc=sdc, params=params)
