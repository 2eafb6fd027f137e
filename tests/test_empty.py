"""iomlib.measures.empty: sections that say what they cannot show."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from iomlib.measures import empty  # noqa: E402


def test_section_prints_the_reason_closes_its_charts_and_goes_on(capsys, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    with empty.section("Figure A"):
        plt.subplots()
        empty.require(False, "No year has a complete follow-up.")
        raise AssertionError("not reached")
    assert shown == ["**Figure A: not shown.** No year has a complete follow-up."]
    assert plt.get_fignums() == []


def test_section_lets_other_errors_and_nothing_at_all_through(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda obj: None)
    with pytest.raises(ZeroDivisionError):
        with empty.section():
            raise ZeroDivisionError
    with pytest.raises(empty.NothingAtAll, match="no DVIOM"):
        with empty.section():
            empty.stop("The data have no DVIOM episodes.")


def test_require_passes_when_the_condition_holds():
    assert empty.require(True, "never") is None
