"""provenance.row_hashes gives pandas' row hashes exactly (the tables' sha256 in provenance.json
must not change), also where it hashes text cell by cell."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iomlib.report.provenance import row_hashes

N = 12_000      # above the size at which identifiers are hashed cell by cell


def _frames():
    ids = pd.Series([f"P{i:06d}" for i in range(N)], dtype=object)
    few = pd.Series(np.array(["a", "b", "c"], dtype=object)[np.arange(N) % 3])
    holes = ids.where(np.arange(N) % 7 != 0, None)
    yield pd.DataFrame({"id": ids, "few": few, "holes": holes,
                        "day": pd.to_datetime("2019-01-01") + pd.to_timedelta(np.arange(N) % 40,
                                                                              unit="D"),
                        "n": pd.array(np.where(np.arange(N) % 5 == 0, None, np.arange(N)),
                                      dtype="Int64"),
                        "flag": np.arange(N) % 2 == 0, "x": np.arange(N) / 3})
    yield pd.DataFrame({"mixed": pd.Series([1, "a", 2.0, None] * 3, dtype=object),
                        "cat": pd.Categorical(["a", "b", "a", None] * 3),
                        "b": pd.array([True, None, False, True] * 3, dtype="boolean")})
    yield pd.DataFrame({"ints_as_objects": pd.Series(list(range(N)), dtype=object)})
    yield pd.DataFrame({"x": pd.Series([], dtype=object)})


@pytest.mark.parametrize("df", list(_frames()))
def test_row_hashes_equal_pandas(df):
    expected = pd.util.hash_pandas_object(df, index=False).to_numpy()
    got = row_hashes(df)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)
