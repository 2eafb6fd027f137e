"""iomlib.report.nothing: a notebook with nothing to show is listed, not failed."""
import json

from iomlib.report.nothing import NOTHING_TO_SHOW, is_nothing_at_all, mark_nothing_to_show


def test_mark_nothing_to_show_strips_the_error_and_sets_the_status(tmp_path):
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {"tags": ["papermill-error-cell-tag"]},
         "source": "An Exception was encountered"},
        {"cell_type": "code", "metadata": {"papermill": {"exception": True}}, "outputs": [
            {"output_type": "display_data", "data": {"text/markdown": "**Not shown.** why"}},
            {"output_type": "error", "ename": "NothingAtAll", "evalue": "why",
             "traceback": ["..."]}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path / "x.ipynb"
    p.write_text(json.dumps(nb))
    res = {"status": "failed"}
    mark_nothing_to_show(p, res, "why")
    assert res["status"] == NOTHING_TO_SHOW and res["message"] == "nothing to show: why"
    out = json.loads(p.read_text())
    assert len(out["cells"]) == 1
    assert [o["output_type"] for o in out["cells"][0]["outputs"]] == ["display_data"]
    assert is_nothing_at_all("NothingAtAll") and not is_nothing_at_all("ValueError")


def test_cells_after_the_stop_are_dropped(tmp_path):
    def md(text):
        return {"cell_type": "markdown", "metadata": {}, "source": text}
    nb = {"cells": [
        md("# Title"),
        {"cell_type": "code", "metadata": {"papermill": {"exception": False}}, "outputs": []},
        {"cell_type": "code", "metadata": {"papermill": {"exception": True}}, "outputs": [
            {"output_type": "error", "ename": "NothingAtAll", "evalue": "why",
             "traceback": ["..."]}]},
        md("## 1. Results\n\nThe estimate below shows that ..."),
        {"cell_type": "code", "metadata": {"papermill": {"exception": None}}, "outputs": []}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    p = tmp_path / "x.ipynb"
    p.write_text(json.dumps(nb))
    mark_nothing_to_show(p, {}, "why")
    out = json.loads(p.read_text())
    assert len(out["cells"]) == 3
    assert not any("Results" in "".join(c.get("source", "")) for c in out["cells"])
