"""The run's data: when they are loaded, and the check of ``person_id`` against them."""
from __future__ import annotations

import difflib

from iomlib.errors import ParameterError
from iomlib.report.params import valid_parameters_text


def load_data(ctx: dict):
    """Load and validate the data and check ``person_id`` against them.

    Parameters
    ----------
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`.

    Returns
    -------
    Dataset

    Raises
    ------
    IomError
        The data cannot be read or are invalid, or ``person_id`` is not in them.
    """
    from iomlib.data.open import open_dataset
    params = ctx["parameters"]
    ds = open_dataset(params["data"], config=ctx["config"])
    pid = params.get("person_id")
    if pid is not None:
        ids = ds.people["person_id"].astype(str)
        if pid not in set(ids):
            close = difflib.get_close_matches(pid, ids.tolist(), n=3, cutoff=0.8)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise ParameterError(f"parameter person_id: {pid!r} is not in the people table of "
                                 f"{ds.source}{hint}\n" + valid_parameters_text())
    return ds


def needs_data_first(params: dict) -> bool:
    """Whether the data must be loaded and checked before any notebook starts.

    Always, except for the embedded synthetic data without ``person_id``: nothing about it can
    be invalid, so the notebooks start at once and the headline figures are computed while
    they run.

    Parameters
    ----------
    params : dict
        Checked parameters.

    Returns
    -------
    bool
    """
    return params.get("data") is not None or params.get("person_id") is not None
