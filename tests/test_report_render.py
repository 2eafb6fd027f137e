"""Tests of iomlib.report.render: the page template and the preprocessors."""
from __future__ import annotations

import nbformat

from iomlib.report import render


def _notebook(path, title=None):
    nb = nbformat.v4.new_notebook()
    if title:
        nb.metadata["title"] = title
    stderr = nbformat.v4.new_output("stream", name="stderr", text="noise")
    stdout = nbformat.v4.new_output("stream", name="stdout", text="VISIBLE-OUTPUT")
    nb.cells = [nbformat.v4.new_markdown_cell("# Alpha *report*\n\nIntro."),
                nbformat.v4.new_code_cell("SECRET_CODE = 1", outputs=[stderr, stdout]),
                nbformat.v4.new_code_cell("only_noise()", outputs=[stderr]),
                nbformat.v4.new_markdown_cell("## Part one\n\n### Detail")]
    nbformat.write(nb, path)
    return path


def test_page_has_banner_header_contents_and_provenance_slot(tmp_path):
    out = tmp_path / "01_alpha.html"
    got = render.render_report(_notebook(tmp_path / "01_alpha.ipynb"), out, run_id="R1",
                               failed="cell 3 raised <ValueError>", marking="OFFICIAL")
    assert got["title"] == "Alpha report" and got["headings"] == 3
    assert got["stderr_outputs"] == 2 and got["external"] == [] and got["figures"] == 0
    page = out.read_text()
    assert "<title>Alpha report</title>" in page
    top = page[page.index("<main>"):page.index("Intro.")]
    assert top.index("OFFICIAL") < top.index("All reports") < top.index("This notebook failed")
    assert "run R1" in top and "&lt;ValueError&gt;" in top
    assert top.index("This notebook failed") < top.index('id="iom-contents"')
    assert '<a href="#Part-one">Part one</a>' in top and "#provenance" in top
    assert "VISIBLE-OUTPUT" in page and "SECRET_CODE" not in page and "noise" not in page
    assert page.count(render.PROVENANCE_SLOT) == 1
    assert page.index(render.PROVENANCE_SLOT) > page.index("Detail")


def test_a_title_the_notebook_sets_is_kept_and_provenance_fills_the_slot(tmp_path):
    out = tmp_path / "02_x.html"
    got = render.render_report(_notebook(tmp_path / "02_x.ipynb", title="Own title"), out)
    assert got["title"] == "Own title" and "<title>Own title</title>" in out.read_text()
    assert "This notebook failed" not in out.read_text()
    render.finish_report(out, {"run_id": "R2", "parameters": {}, "packages": {}, "git": None,
                               "config": None})
    page = out.read_text()
    assert render.PROVENANCE_SLOT not in page and 'id="provenance"' in page


def test_public_page_provenance_has_no_timings_or_notebook_file(tmp_path):
    from iomlib.report.render import PROVENANCE_SLOT, finish_report
    prov = {"run_id": "r1", "status": "ok", "run_started": "2026-01-01T00:00:00",
            "run_ended": "2026-01-01T00:01:00", "notebook_started": "2026-01-01T00:00:05",
            "notebook_ended": "2026-01-01T00:00:50",
            "notebook": {"path": "notebooks/01_cohort.ipynb", "sha256": "ab"},
            "parameters": {"audience": "public", "min_cell": 10}}
    for audience, shown in (("public", False), ("restricted", True)):
        page = tmp_path / f"{audience}.html"
        page.write_text(f"<html><body>{PROVENANCE_SLOT}</body></html>")
        finish_report(page, {**prov, "parameters": {"audience": audience}})
        text = page.read_text()
        assert ("2026-01-01T00:00:05" in text) is shown and (".ipynb" in text) is shown
        assert "r1" in text


def test_table_keys_read_as_words(tmp_path):
    import pandas as pd
    table = pd.DataFrame({"weapon_pct": [7.1], "n": [215], "note": ["as_is_value"]},
                         index=pd.Index(["both"], name="offence_category"))
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("display_data", data={"text/html": table.to_html(),
                                                        "text/plain": "t"})
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("x", outputs=[out])]
    nbformat.write(nb, tmp_path / "t.ipynb")
    render.render_report(tmp_path / "t.ipynb", tmp_path / "t.html")
    page = (tmp_path / "t.html").read_text()
    assert ">weapon %</th>" in page and ">offence category</th>" in page
    assert "weapon_pct" not in page and "offence_category" not in page
    assert ">as is value</td>" in page and "as_is_value" not in page   # codes as words too
    assert render.readable_header("n (offences)") == "n (offences)"
    assert render.readable_header("Already Words") == "Already Words"


def test_nothing_to_show_is_a_note_not_a_failure(tmp_path):
    out = tmp_path / "07_impact.html"
    render.render_report(_notebook(tmp_path / "07_impact.ipynb"), out, run_id="R1",
                         nothing="the risk sets need both adopted and <not-adopted> people")
    page = out.read_text()
    top = page[page.index("<main>"):page.index("Intro.")]
    assert "Nothing to show on these data." in top and "&lt;not-adopted&gt;" in top
    assert "This notebook failed" not in page and "output below is partial" not in page
