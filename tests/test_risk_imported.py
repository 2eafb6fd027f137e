"""Sparse imported risk scores (issue #12): a score holds until the next one, for at most
``risk.imported_valid_days``; after that the computed score is used."""
from dataclasses import replace

import pandas as pd
import pytest

from iomlib.config.settings import load_config
from iomlib.errors import ConfigError
from iomlib.risk.engine import score


def _imported(rows):
    return pd.DataFrame({"person_id": pd.Series([r[0] for r in rows], dtype=object),
                         "score_date": pd.to_datetime([r[1] for r in rows]).astype(
                             "datetime64[ns]"),
                         "score": [float(r[2]) for r in rows]})


def test_an_imported_score_lapses_after_the_valid_days(small_dataset, counts_config):
    ds = replace(small_dataset, risk_scores=_imported([("P1", "2017-01-01", 50)]))
    pairs = pd.DataFrame({"person_id": ["P1"] * 3,
                          "date": pd.to_datetime(["2017-06-30", "2018-01-01", "2018-01-02"])})
    out = score(ds, pairs, counts_config.with_risk(imported_valid_days=365))
    # 2018-01-01 is 365 days after the score (still held); 2018-01-02 is not
    assert out["score_source"].tolist() == ["imported", "imported", "computed"]
    assert out["score"].iloc[:2].tolist() == [50.0, 50.0]
    short = score(ds, pairs, counts_config.with_risk(imported_valid_days=30))
    assert short["score_source"].tolist() == ["computed"] * 3


def test_imported_valid_days_is_configurable_and_checked():
    assert load_config().risk.imported_valid_days == 365
    assert load_config(overrides={"risk": {"imported_valid_days": 90}}
                       ).risk.imported_valid_days == 90
    with pytest.raises(ConfigError, match="imported_valid_days"):
        load_config(overrides={"risk": {"imported_valid_days": 0}})
