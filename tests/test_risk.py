"""The risk engine: hand-computed example, brute-force oracle, properties, imported scores."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iomlib.config.settings import default_config
from iomlib.data.synth import CATEGORIES
from iomlib.errors import ConfigError
from iomlib.risk.engine import (
    compute_scores,
    month_ends,
    offence_weights,
    risk_matrix,
    risk_panel,
    score,
)

T = pd.Timestamp("2019-06-30")
BASE = pd.Timestamp("2016-01-01")


def _offences(rows) -> pd.DataFrame:
    """rows: (person_id, date, category, weapon)."""
    return pd.DataFrame({
        "person_id": pd.Series([r[0] for r in rows], dtype=object),
        "offence_date": pd.Series(pd.to_datetime([r[1] for r in rows]), dtype="datetime64[ns]"),
        "offence_category": pd.Series([r[2] for r in rows], dtype=object),
        "weapon": pd.Series([bool(r[3]) for r in rows], dtype=bool),
    })


def _pairs(rows, col="date") -> pd.DataFrame:
    return pd.DataFrame({"person_id": pd.Series([r[0] for r in rows], dtype=object),
                         col: pd.Series(pd.to_datetime([r[1] for r in rows]),
                                        dtype="datetime64[ns]")})


def brute_force(offences, pairs, cfg, date_col="date") -> np.ndarray:
    """The definition in the risk.py docstring, one pair and one offence at a time."""
    W, H, u = cfg.risk.window_days, cfg.risk.half_life_days, cfg.risk.weapon_uplift
    out = []
    for pid, t in zip(pairs["person_id"], pd.to_datetime(pairs[date_col])):
        total = 0.0
        for q, d, c, w in zip(offences["person_id"], offences["offence_date"],
                              offences["offence_category"], offences["weapon"]):
            age = (t - d).days
            if q == pid and 0 <= age < W:
                total += cfg.risk.severity[c] * (1 + u * bool(w)) * 0.5 ** (age / H)
        out.append(total)
    return np.array(out)


# ------------------------------------------------------------------------------------------
# hand-computed example (default ONS weights: burglary 465.38, robbery 799.63, vehicle 128.43,
# shoplifting 11.86; window 365 days, half-life 180 days, weapon uplift 0.5)

HAND_OFFENCES = _offences([
    ("A", "2019-05-31", "burglary", False),     # 30 days before t
    ("A", "2018-12-12", "robbery", True),       # 200 days before t, weapon
    ("A", "2018-06-30", "robbery", True),       # exactly 365 days before t: excluded
    ("A", "2018-07-01", "vehicle", False),      # 364 days before t: included
    ("A", "2019-06-30", "shoplifting", False),  # on t itself: included, no decay
    ("A", "2019-07-01", "burglary", False),     # after t: excluded
    ("B", "2019-05-31", "burglary", False),     # somebody else
])
# 465.38 * 0.5**(30/180)           = 414.6064
# 799.63 * 1.5 * 0.5**(200/180)    = 555.2679
# 128.43 * 0.5**(364/180)          =  31.6167
# 11.86  * 1                       =  11.86
HAND_EXPECTED = (465.38 * 0.5 ** (30 / 180) + 799.63 * 1.5 * 0.5 ** (200 / 180)
                 + 128.43 * 0.5 ** (364 / 180) + 11.86)


def test_hand_computed_example():
    assert HAND_EXPECTED == pytest.approx(1013.3511, abs=1e-4)
    got = compute_scores(HAND_OFFENCES, _pairs([("A", T)]))
    assert got[0] == pytest.approx(HAND_EXPECTED, rel=1e-12)


def test_hand_example_pieces():
    """Each offence on its own contributes exactly its term (or nothing)."""
    terms = [465.38 * 0.5 ** (30 / 180), 799.63 * 1.5 * 0.5 ** (200 / 180), 0.0,
             128.43 * 0.5 ** (364 / 180), 11.86, 0.0]
    for i, term in enumerate(terms):
        got = compute_scores(HAND_OFFENCES.iloc[[i]], _pairs([("A", T)]))[0]
        assert got == pytest.approx(term, rel=1e-12, abs=1e-12), i


def test_hand_example_on_risk_matrix_and_risk_panel(small_dataset):
    months = pd.DatetimeIndex([pd.Timestamp("2019-05-31"), T])
    m = risk_matrix(HAND_OFFENCES, ["A", "B", "Z"], months)
    assert m.shape == (3, 2)
    assert m[0, 1] == pytest.approx(HAND_EXPECTED, rel=1e-12)
    assert m[1, 1] == pytest.approx(465.38 * 0.5 ** (30 / 180), rel=1e-12)
    assert m[1, 0] == pytest.approx(465.38, rel=1e-12)  # on the offence day itself
    assert m[2].tolist() == [0.0, 0.0]
    ds = replace(small_dataset, offences=HAND_OFFENCES.assign(
        offence_id=[f"X{i}" for i in range(len(HAND_OFFENCES))]))
    panel = risk_panel(ds, "2019-06-01", "2019-06-30", people=["A"])
    assert panel["score"].iloc[0] == pytest.approx(HAND_EXPECTED, rel=1e-12)


def test_order_of_pairs_and_duplicates():
    pairs = _pairs([("B", T), ("A", T), ("Z", T), ("A", T), ("A", "2019-07-01")])
    got = compute_scores(HAND_OFFENCES, pairs)
    assert got[1] == got[3] == pytest.approx(HAND_EXPECTED, rel=1e-12)
    assert got[0] == pytest.approx(465.38 * 0.5 ** (30 / 180), rel=1e-12)
    assert got[2] == 0.0
    assert got[4] == pytest.approx(brute_force(HAND_OFFENCES, pairs.iloc[[4]],
                                               default_config())[0], rel=1e-12)


def test_weights_follow_the_configured_table():
    off = _offences([("A", T, "robbery", True), ("A", T, "shoplifting", False)])
    assert offence_weights(off).tolist() == pytest.approx([799.63 * 1.5, 11.86])
    g = default_config().with_risk(severity_table="gravity", weapon_uplift=1.0)
    assert offence_weights(off, g).tolist() == [10.0, 1.0]


def test_unknown_category_is_a_config_error():
    off = _offences([("A", T, "arson", False)])
    with pytest.raises(ConfigError, match="arson"):
        compute_scores(off, _pairs([("A", T)]))


def test_window_over_half_life_limit():
    cfg = default_config().with_risk(window_days=3650, half_life_days=1)
    with pytest.raises(ConfigError, match="half_life"):
        compute_scores(HAND_OFFENCES, _pairs([("A", T)]), cfg)


def test_counts_table_gives_plain_number_of_offences(counts_config):
    off = HAND_OFFENCES
    pairs = _pairs([("A", T), ("B", T), ("A", "2018-06-30"), ("A", "2020-06-30"),
                    ("A", "2019-07-01")])
    got = compute_scores(off, pairs, counts_config)
    # A at t: 30d, 200d, 364d, 0d (the 365d one is out); B: 1; A on 2018-06-30: only the
    # offence of that day; A on 2020-06-30: the offence of 2019-07-01 (365 days, 2020 is leap:
    # 2019-07-01 -> 2020-06-30 is 365 days, so excluded) -> 0; A on 2019-07-01: 30d..., the
    # 364d one is now 365 days old -> 4 (31d, 201d, 1d, 0d)
    np.testing.assert_allclose(got, [4, 1, 1, 0, 4], rtol=1e-9)
    panel = risk_matrix(off, ["A"], month_ends("2019-06-01", "2019-06-30"), counts_config)
    np.testing.assert_allclose(panel, [[4]], rtol=1e-9)


def test_no_offences_or_no_pairs():
    empty = HAND_OFFENCES.iloc[:0]
    assert compute_scores(empty, _pairs([("A", T)])).tolist() == [0.0]
    assert compute_scores(HAND_OFFENCES, _pairs([("A", T)]).iloc[:0]).shape == (0,)
    assert risk_matrix(empty, ["A", "B"], month_ends("2019-01-01", "2019-03-31")).shape == (2, 3)


def test_risk_matrix_rejects_unsorted_dates():
    with pytest.raises(ValueError, match="increasing"):
        risk_matrix(HAND_OFFENCES, ["A"], pd.DatetimeIndex(["2019-06-30", "2019-05-31"]))


def test_month_ends():
    m = month_ends("2019-11-15", "2020-02-01")
    assert list(m.strftime("%Y-%m-%d")) == ["2019-11-30", "2019-12-31", "2020-01-31",
                                            "2020-02-29"]


def test_no_cancellation_across_people():
    cfg = default_config().with_risk(half_life_days=2)  # W/H = 182.5, allowed (< 400)
    epoch = pd.Timestamp("1970-01-01")
    bin_start = epoch + pd.Timedelta(days=((T - epoch).days // 365) * 365)
    late = bin_start + pd.Timedelta(days=364)
    off = _offences([("A", late, "robbery", True), ("B", bin_start, "criminal_damage", False)])
    pairs = _pairs([("B", bin_start), ("A", late)])
    np.testing.assert_allclose(compute_scores(off, pairs, cfg), brute_force(off, pairs, cfg),
                               rtol=1e-9)


def test_compute_scores_agrees_with_risk_matrix_for_a_short_half_life(tiny_synth):
    cfg = default_config().with_risk(half_life_days=5)
    ids = tiny_synth.people["person_id"].iloc[:200]
    months = month_ends("2016-01-01", "2018-12-31")
    grid = risk_matrix(tiny_synth.offences, ids, months, cfg)
    pairs = pd.DataFrame({"person_id": np.repeat(ids.to_numpy(), len(months)),
                          "date": np.tile(months.values, len(ids))})
    got = compute_scores(tiny_synth.offences, pairs, cfg)
    np.testing.assert_allclose(got, grid.ravel(), rtol=1e-6, atol=1e-12)


# ------------------------------------------------------------------------------------------
# risk_matrix against the brute-force definition on random small grids


def _random_grid_case(seed: int):
    """Offences with ties, offences exactly on window edges, weapons, people without offences."""
    rng = np.random.default_rng(seed)
    months = month_ends("2016-01-01", "2018-12-31")
    W = int(rng.choice([30, 90, 365]))
    ids = [f"Q{i}" for i in range(12)]              # Q10, Q11: no offences
    rows = []
    for _ in range(60):
        p = ids[int(rng.integers(0, 10))]
        d = BASE + pd.Timedelta(days=int(rng.integers(-400, 1100)))
        rows.append((p, d, CATEGORIES[int(rng.integers(0, len(CATEGORIES)))],
                     bool(rng.random() < 0.3)))
    for _ in range(20):                             # on a window edge of some grid date
        p, m = ids[int(rng.integers(0, 10))], months[int(rng.integers(0, len(months)))]
        age = int(rng.choice([0, W - 1, W, W + 1]))
        rows.append((p, m - pd.Timedelta(days=age), "burglary", bool(rng.random() < 0.5)))
    rows += rows[:10]                               # ties: the same offence twice
    off = _offences(rows)
    cfg = default_config().with_risk(window_days=W, weapon_uplift=float(rng.choice([0.5, 2.0])),
                                     half_life_days=float(rng.choice([5.0, 180.0, 1e6])))
    return off.sample(frac=1.0, random_state=seed).reset_index(drop=True), ids, months, cfg


@pytest.mark.parametrize("seed", range(8))
def test_risk_matrix_matches_brute_force_on_random_grids(seed):
    off, ids, months, cfg = _random_grid_case(seed)
    got = risk_matrix(off, ids, months, cfg)
    pairs = _pairs([(p, m) for p in ids for m in months])
    ref = brute_force(off, pairs, cfg).reshape(len(ids), len(months))
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=0)
    assert (got[-2:] == 0).all()                    # people with no offences
    assert ((got == 0) == (ref == 0)).all()         # an empty window is exactly zero
    cat = off.assign(person_id=pd.Categorical(off["person_id"], categories=ids[::-1] + ["X"]),
                     offence_category=off["offence_category"].astype("category"))
    np.testing.assert_allclose(risk_matrix(cat, ids, months, cfg), got, rtol=1e-12, atol=0)


def test_risk_matrix_with_many_exponent_spans():
    """A half-life of one day over three years of month ends: the grid is cut into spans."""
    off, ids, months, _ = _random_grid_case(3)
    cfg = default_config().with_risk(window_days=365, half_life_days=1.0)
    got = risk_matrix(off, ids, months, cfg)
    pairs = _pairs([(p, m) for p in ids for m in months])
    ref = brute_force(off, pairs, cfg).reshape(len(ids), len(months))
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=0)
    assert ((got == 0) == (ref == 0)).all()


@pytest.mark.parametrize("seed", range(6))
def test_compiled_and_numpy_grids_agree(seed, monkeypatch):
    """The Numba kernel and the NumPy scatter give the same grid (shuffled offences, people
    off the grid, ties, no decay), and both match the brute-force definition."""
    from iomlib.risk.grid import _compiled
    off, ids, months, cfg = _random_grid_case(seed)
    if seed % 2:
        cfg = cfg.with_risk(half_life_days=1e12)    # no decay to within rounding
    grid_ids = ids[1:]                              # Q0's offences are not on the grid
    compiled = risk_matrix(off, grid_ids, months, cfg)
    monkeypatch.setenv("IOM_NO_NUMBA", "1")
    assert _compiled() is None
    numpy_grid = risk_matrix(off, grid_ids, months, cfg)
    np.testing.assert_allclose(compiled, numpy_grid, rtol=1e-9, atol=0)
    pairs = _pairs([(p, m) for p in grid_ids for m in months])
    ref = brute_force(off, pairs, cfg).reshape(len(grid_ids), len(months))
    np.testing.assert_allclose(compiled, ref, rtol=1e-9, atol=0)
    assert ((compiled == 0) == (ref == 0)).all()


def test_grid_uses_numba_when_installed():
    pytest.importorskip("numba")
    from iomlib.risk.grid import _compiled
    assert _compiled() is not None


def test_risk_matrix_single_date_and_dates_before_every_offence():
    off = _offences([("A", "2019-06-30", "burglary", False), ("A", "2019-07-02", "robbery", True)])
    cfg = default_config()
    got = risk_matrix(off, ["A", "B"], pd.DatetimeIndex(["2019-06-30"]), cfg)
    np.testing.assert_allclose(got, [[cfg.risk.severity["burglary"]], [0.0]], rtol=1e-12)
    assert (risk_matrix(off, ["A"], pd.DatetimeIndex(["2019-01-31", "2019-02-28"]), cfg)
            == 0).all()


# ------------------------------------------------------------------------------------------
# brute-force oracle and properties (hypothesis)

offence_rows = st.lists(st.tuples(st.sampled_from(["A", "B", "C"]),
                                  st.integers(0, 1500),
                                  st.sampled_from(CATEGORIES),
                                  st.booleans()), max_size=30)
pair_rows = st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(-100, 1700)),
                     min_size=1, max_size=15)


@st.composite
def risk_configs(draw, max_ratio=4.0):
    W = draw(st.integers(1, 800))
    ratio = draw(st.floats(0.05, max_ratio))  # window / half-life (see the xfail above)
    table = draw(st.sampled_from(["ons_css", "counts", "gravity"]))
    uplift = draw(st.sampled_from([0.0, 0.5, 2.0]))
    return default_config().with_risk(window_days=W, half_life_days=W / ratio,
                                      severity_table=table, weapon_uplift=uplift)


def _off_from(rows):
    return _offences([(p, BASE + pd.Timedelta(days=d), c, w) for p, d, c, w in rows])


def _pairs_from(rows, col="date"):
    return _pairs([(p, BASE + pd.Timedelta(days=d)) for p, d in rows], col)


@given(offence_rows, pair_rows, risk_configs())
def test_compute_scores_matches_brute_force(orows, prows, cfg):
    off, pairs = _off_from(orows), _pairs_from(prows)
    np.testing.assert_allclose(compute_scores(off, pairs, cfg), brute_force(off, pairs, cfg),
                               rtol=1e-7, atol=1e-9)


@given(offence_rows, risk_configs(max_ratio=300.0), st.integers(-60, 1560))
def test_risk_matrix_matches_brute_force(orows, cfg, start):
    off = _off_from(orows)
    months = month_ends(BASE + pd.Timedelta(days=start), BASE + pd.Timedelta(days=start + 200))
    ids = ["A", "B", "C", "D"]
    got = risk_matrix(off, ids, months, cfg)
    pairs = _pairs([(p, m) for p in ids for m in months])
    np.testing.assert_allclose(got.ravel(), brute_force(off, pairs, cfg), rtol=1e-7, atol=1e-9)


@given(offence_rows, st.integers(0, 1500))
def test_zero_without_offences_in_the_window(orows, t):
    cfg = default_config()
    tt = BASE + pd.Timedelta(days=t)
    off = _off_from(orows)
    age = (tt - off["offence_date"]).dt.days
    outside = off[(off["person_id"] == "A") & ((age < 0) | (age >= cfg.risk.window_days))]
    others = off[off["person_id"] != "A"]
    got = compute_scores(pd.concat([outside, others], ignore_index=True), _pairs([("A", tt)]))
    assert got[0] == 0.0


@given(offence_rows, st.integers(0, 1500), st.integers(0, 364), st.sampled_from(CATEGORIES),
       st.booleans(), risk_configs())
def test_adding_an_offence_inside_the_window_never_decreases(orows, t, age, cat, weapon, cfg):
    age = min(age, cfg.risk.window_days - 1)
    tt = BASE + pd.Timedelta(days=t)
    off = _off_from(orows)
    new = _offences([("A", tt - pd.Timedelta(days=age), cat, weapon)])
    pairs = _pairs([("A", tt), ("B", tt)])
    before = compute_scores(off, pairs, cfg)
    after = compute_scores(pd.concat([off, new], ignore_index=True), pairs, cfg)
    assert after[0] >= before[0]
    term = cfg.risk.severity[cat] * (1 + cfg.risk.weapon_uplift * weapon) * 0.5 ** (
        age / cfg.risk.half_life_days)
    assert after[0] - before[0] == pytest.approx(term, rel=1e-7, abs=1e-9)
    assert after[1] == pytest.approx(before[1], rel=1e-12, abs=1e-12)  # B unaffected


@given(offence_rows, pair_rows, st.randoms(use_true_random=False))
def test_unchanged_by_row_order(orows, prows, rnd):
    cfg = default_config()
    off, pairs = _off_from(orows), _pairs_from(prows)
    ref = compute_scores(off, pairs, cfg)
    o_perm = list(range(len(off)))
    p_perm = list(range(len(pairs)))
    rnd.shuffle(o_perm)
    rnd.shuffle(p_perm)
    got_o = compute_scores(off.iloc[o_perm].reset_index(drop=True), pairs, cfg)
    np.testing.assert_allclose(got_o, ref, rtol=1e-12, atol=1e-12)
    got_p = compute_scores(off, pairs.iloc[p_perm], cfg)
    np.testing.assert_allclose(got_p, ref[p_perm], rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------------
# imported scores


def _imported(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": pd.Series([r[0] for r in rows], dtype=object),
        "score_date": pd.Series(pd.to_datetime([r[1] for r in rows]), dtype="datetime64[ns]"),
        "score": pd.Series([float(r[2]) for r in rows], dtype="float64"),
    })


def test_imported_scores_take_precedence_from_their_date_on(small_dataset, counts_config):
    ds = replace(small_dataset, risk_scores=_imported([("P1", "2017-01-01", 50),
                                                      ("P1", "2018-01-01", 70),
                                                      ("P4", "2030-01-01", 9)]))
    pairs = _pairs([("P1", "2016-12-31"), ("P1", "2017-01-01"), ("P1", "2017-06-30"),
                    ("P1", "2018-06-01"), ("P2", "2017-06-30"), ("P4", "2019-12-31")])
    pairs.index = [10, 11, 12, 13, 14, 15]
    out = score(ds, pairs, counts_config)
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert list(out.columns) == ["person_id", "date", "score", "score_source"]
    assert out["score_source"].tolist() == ["computed", "imported", "imported", "imported",
                                            "computed", "computed"]
    assert out["score"].iloc[1:4].tolist() == [50.0, 50.0, 70.0]
    # the computed ones: P1 on 2016-12-31 had 2 offences in the window (2016-03-31,
    # 2016-10-15), P2 on 2017-06-30 had 2 (2016-08-01, 2017-02-01), P4 on 2019-12-31 had 2
    np.testing.assert_allclose(out["score"].iloc[[0, 4, 5]], [2, 2, 2], rtol=1e-9)


def test_imported_scores_ignored_when_not_preferred(small_dataset, counts_config):
    ds = replace(small_dataset, risk_scores=_imported([("P1", "2017-01-01", 50)]))
    cfg = counts_config.with_risk(prefer_imported=False)
    pairs = _pairs([("P1", "2017-06-30")])
    out = score(ds, pairs, cfg)
    assert out["score_source"].tolist() == ["computed"]
    assert out["score"].iloc[0] == pytest.approx(1.0)  # 2016-10-15 only


def test_risk_panel_uses_imported_scores(small_dataset, counts_config):
    ds = replace(small_dataset, risk_scores=_imported([("P2", "2017-03-15", 12.5)]))
    panel = risk_panel(ds, "2017-01-01", "2017-04-30", counts_config)
    p2 = panel[panel["person_id"] == "P2"].set_index("month_end")
    assert p2["score_source"].tolist() == ["computed", "computed", "imported", "imported"]
    assert p2["score"].iloc[2:].tolist() == [12.5, 12.5]
    assert (panel.loc[panel["person_id"] != "P2", "score_source"] == "computed").all()


def test_imported_scores_with_second_resolution_pair_dates(small_dataset, counts_config):
    ds = replace(small_dataset, risk_scores=_imported([("P1", "2017-01-01", 50)]))
    pairs = _pairs([("P1", "2017-06-30")])
    pairs["date"] = pairs["date"].astype("datetime64[s]")
    out = score(ds, pairs, counts_config)
    assert out["score"].tolist() == [50.0]


# ------------------------------------------------------------------------------------------
# risk_panel


def test_risk_panel_shape_and_agreement_with_score(small_dataset):
    panel = risk_panel(small_dataset, "2016-01-15", "2019-12-31")
    n_people, n_months = len(small_dataset.people), 48
    assert len(panel) == n_people * n_months
    assert list(panel.columns) == ["person_id", "month_end", "score", "score_source"]
    assert panel.groupby("person_id").size().eq(n_months).all()
    assert set(panel["month_end"]) == set(month_ends("2016-01-01", "2019-12-31"))
    assert (panel["month_end"] == panel["month_end"] + pd.offsets.MonthEnd(0)).all()
    ref = score(small_dataset, panel[["person_id", "month_end"]], date_col="month_end")
    np.testing.assert_allclose(panel["score"], ref["score"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(panel["score"],
                               brute_force(small_dataset.offences, panel, default_config(),
                                           "month_end"), rtol=1e-9, atol=1e-9)
    assert (panel["score_source"] == "computed").all()


def test_risk_panel_people_subset(small_dataset):
    panel = risk_panel(small_dataset, "2019-01-01", "2019-03-31", people=["P3", "nobody"])
    assert panel["person_id"].tolist() == ["P3"] * 3 + ["nobody"] * 3
    assert (panel.loc[panel["person_id"] == "nobody", "score"] == 0).all()


def test_risk_panel_agrees_with_score_on_synthetic_data(tiny_synth):
    people = tiny_synth.people["person_id"].iloc[:150]
    panel = risk_panel(tiny_synth, "2015-01-01", "2019-12-31", people=people)
    ref = compute_scores(tiny_synth.offences, panel, date_col="month_end")
    np.testing.assert_allclose(panel["score"], ref, rtol=1e-9, atol=1e-9)
    assert panel["score"].gt(0).any()


@pytest.mark.parametrize("make", [
    pd.Series,                                                # datetime64[ns] Series
    pd.DatetimeIndex,
    lambda d: np.asarray(d, dtype="datetime64[ns]"),
    lambda d: pd.Series(d).dt.strftime("%Y-%m-%d %H:%M"),     # text: parsed
    list,                                                     # Timestamps
])
def test_day_numbers_agree_for_dates_given_in_any_form(make):
    from iomlib.risk.engine import day_numbers
    d = pd.DatetimeIndex([pd.Timestamp(x) for x in
                          ("1969-12-31 23:00", "1970-01-01", "2016-02-29 12:30", "2020-01-31")])
    got = day_numbers(make(d), np.datetime64("1970-01-01", "D"))
    assert got.dtype == np.int64 and list(got) == [-1, 0, 16860, 18292]
