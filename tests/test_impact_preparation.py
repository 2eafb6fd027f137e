"""Tests of ``iomlib.impact.preparation``: the panel cache and window sums."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from iomlib.config.settings import default_config
from iomlib.impact import preparation


class _Data:
    """Stands in for a dataset (the panel builder is replaced)."""


@pytest.fixture
def fake_build(monkeypatch):
    """Replace the panel builder by one that records its calls (weakly: it must not keep the
    configuration alive itself); start from an empty cache."""
    built = []

    def build(dataset, t, cfg):
        built.append((dataset, weakref.ref(cfg)))
        return object()
    monkeypatch.setattr(preparation, "build_panel", build)
    monkeypatch.setattr(preparation, "_PANELS", {})
    return built


def test_prepare_shares_one_panel(fake_build):
    ds, cfg = _Data(), default_config()
    p = preparation.prepare(ds, cfg, "2020-01-31")
    assert preparation.prepare(ds, cfg, "2020-01-31") is p
    assert preparation.prepare(ds, None, "2020-01-31") is p          # the default config
    assert preparation.prepare(ds, cfg, "2019-12-31") is not p
    assert preparation.prepare(_Data(), cfg, "2020-01-31") is not p
    assert len(fake_build) == 3


def test_prepare_recycled_config_id_gives_a_fresh_panel(fake_build, monkeypatch):
    """A new configuration that happens to get a dead one's id (simulated here by giving every
    object the same id) must not be answered with the dead configuration's panel."""
    monkeypatch.setattr(preparation, "id", lambda obj: 0, raising=False)
    ds = _Data()
    cfg_a = default_config().with_risk(window_days=180)
    pa = preparation.prepare(ds, cfg_a, "2020-01-31")
    cfg_b = default_config().with_risk(window_days=200)
    pb = preparation.prepare(ds, cfg_b, "2020-01-31")
    assert pb is not pa
    assert [c() for _, c in fake_build] == [cfg_a, cfg_b]
    assert fake_build[0][1]() is cfg_a and fake_build[1][1]() is cfg_b


def test_prepare_cache_keeps_its_configuration_alive(fake_build):
    """While a panel is cached under a configuration's id, that id cannot be recycled."""
    ds = _Data()
    cfg = default_config().with_risk(window_days=180)
    alive = weakref.ref(cfg)
    preparation.prepare(ds, cfg, "2020-01-31")
    del cfg
    gc.collect()
    assert alive() is not None


def test_prepare_cache_is_bounded(fake_build):
    ds, cfg = _Data(), default_config()
    for month in ("2019-09-30", "2019-10-31", "2019-11-30", "2019-12-31", "2020-01-31"):
        preparation.prepare(ds, cfg, month)
    assert len(preparation._PANELS) == 4


def test_window_sum_clips_to_the_panel():
    A = np.arange(12, dtype=float).reshape(2, 6)
    rows = np.array([0, 1, 1, 0])
    lo = np.array([-3, 2, 5, 4])
    hi = np.array([1, 3, 9, 3])
    np.testing.assert_array_equal(preparation.window_sum(A, rows, lo, hi),
                                  [0 + 1, 8 + 9, 11, 0])
