"""Helpers shared by the report tests: tiny generated notebooks."""
from __future__ import annotations

from pathlib import Path

import nbformat

PARAMS_SRC = ('data = None\nas_of = "2020-01-31"\nperiod_start = "2016-01-01"\ncohort = "all"\n'
              'config = None\nmin_cell = 10\naudience = "restricted"')



def write_notebook(path: Path, cells: list[tuple[str, str]], params: str | None = PARAMS_SRC,
                   params_at: int = 1) -> Path:
    """Write a notebook from ``(kind, source)`` pairs; the parameters cell goes at ``params_at``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    made = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
            for kind, src in cells]
    if params is not None:
        p = nbformat.v4.new_code_cell(params)
        p.metadata["tags"] = ["parameters"]
        made.insert(params_at, p)
    nb.cells = made
    nbformat.write(nb, path)
    return path


ALPHA = [
    ("md", "# Alpha report\n\nIntroductory text for alpha."),
    ("code", ('import json\nprint("PARAMS-ECHO " + json.dumps({"as_of": as_of, "cohort": cohort, '
              '"min_cell": min_cell, "audience": audience}, sort_keys=True))')),
    ("md", "## Figures\n\nA figure follows."),
    ("code", ("import matplotlib\nimport matplotlib.pyplot as plt\n"
              "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([1, 2, 3], [2, 1, 3])\n"
              "ax.set_title('alpha figure')\nplt.show()")),
    ("code", "import sys\nprint('STDERR-NOISE', file=sys.stderr)\nSECRET_CODE_MARKER = 42"),
    ("md", "### Details\n\nSome detail."),
    ("md", "## Closing remarks\n\nThe end."),
]


BETA = [
    ("md", "# Beta report"),
    ("code", ("from iomlib.data.open import open_dataset\nds = open_dataset(data)\n"
              "print(f'PEOPLE-COUNT {len(ds.people)}')")),
    ("md", "## Table"),
    ("code", "import pandas as pd\npd.DataFrame({'cohort': [cohort], 'rows': [len(ds.episodes)]})"),
]



def make_good_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_notebook(folder / "01_alpha.ipynb", ALPHA)
    write_notebook(folder / "02_beta.ipynb", BETA)
    (folder / "README.ipynb").write_text("not an appendix notebook")  # not NN_*: ignored
    return folder
