"""The disk cache of the embedded synthetic force (iomlib.data.synth_cache)."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from iomlib.data import synth_cache
from iomlib.data.synth import SynthParams, simulate

SMALL = replace(SynthParams(), n_people=300)


def _same(a, b):
    for name in ("people", "episodes", "offences", "custody", "idva_survey", "risk_scores",
                 "ledger"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is None and y is None, name
        else:
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=name)
    assert a.source == b.source and a.file_hashes == b.file_hashes


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(synth_cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_cached_force_is_exactly_the_simulated_one(cache):
    first = synth_cache.simulate_cached(SMALL)
    entries = list(cache.glob("synth-*"))
    assert len(entries) == 1 and (entries[0] / "meta.json").exists()
    again = synth_cache.simulate_cached(SMALL)          # read from the cache
    _same(again, simulate(SMALL))
    _same(first, again)


def test_other_parameters_are_another_entry(cache):
    synth_cache.simulate_cached(SMALL)
    other = replace(SMALL, seed=SMALL.seed + 1)
    assert synth_cache.cache_key(other) != synth_cache.cache_key(SMALL)
    _same(synth_cache.simulate_cached(other), simulate(other))
    assert len(list(cache.glob("synth-*"))) == 2


def test_the_key_follows_the_code(cache, monkeypatch):
    before = synth_cache.cache_key(SMALL)
    monkeypatch.setattr(synth_cache, "_code_digest", lambda: "changed code")
    assert synth_cache.cache_key(SMALL) != before


@pytest.mark.parametrize("damage", ["truncated table", "bad meta", "missing table"])
def test_a_damaged_entry_is_simulated_again(cache, damage):
    synth_cache.simulate_cached(SMALL)
    entry = next(cache.glob("synth-*"))
    if damage == "truncated table":
        (entry / "offences.parquet").write_bytes(b"PAR1 not really")
    elif damage == "bad meta":
        (entry / "meta.json").write_text("{not json")
    else:
        (entry / "people.parquet").unlink()
    _same(synth_cache.simulate_cached(SMALL), simulate(SMALL))
    assert synth_cache.read(next(cache.glob("synth-*"))) is not None   # written again


def test_turned_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(synth_cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert synth_cache.cache_dir() is None
    _same(synth_cache.simulate_cached(SMALL), simulate(SMALL))
    assert not any(tmp_path.iterdir())


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(synth_cache.CACHE_ENV, str(blocker / "cache"))
    _same(synth_cache.simulate_cached(SMALL), simulate(SMALL))
