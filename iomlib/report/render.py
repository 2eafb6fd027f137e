"""Rendering an executed notebook as a self-contained HTML page without code.

nbconvert's ``lab`` HTML exporter with inputs and prompts excluded and images embedded, three
preprocessors of ours (:class:`DropStderr`, :class:`TitleFromHeading`, :class:`ReadableHeaders`)
and the page template ``templates/iom_report.html.j2``, which extends nbconvert's and adds the
marking, the header, the failure banner and the contents at the top and the provenance slot at
the bottom.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from iomlib.report.contents import headings, toc_html
from iomlib.report.offline import external_resources, strip_external_scripts

#: Folder of the page template and its style sheet (package data).
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The page template, in :data:`TEMPLATES`.
TEMPLATE_FILE = "iom_report.html.j2"
#: Where the provenance block goes; the template's ``iom_provenance`` block holds it until the
#: run has ended and :func:`finish_report` replaces it.
PROVENANCE_SLOT = "<!--IOM-REPORT-PROVENANCE-->"
#: ``id`` of the contents heading the template adds (not one of the notebook's headings).
CONTENTS_ID = "iom-contents"

#: Provenance left off a public page: run timings and the notebook file (the reader has neither).
PUBLIC_HIDDEN = ("run_started", "run_ended", "notebook_started", "notebook_ended", "notebook")

_EXPORTER = None


def _preprocessors():
    """The preprocessor classes (nbconvert is imported only when a page is rendered)."""
    from nbconvert.preprocessors import Preprocessor

    class DropStderr(Preprocessor):
        """Drop stderr output, and code cells left without output.

        The number of stderr outputs dropped is left in ``resources["stderr_outputs"]``.
        """

        def preprocess(self, nb, resources):
            """Prune ``nb``.

            Parameters
            ----------
            nb : NotebookNode
            resources : dict

            Returns
            -------
            (NotebookNode, dict)
            """
            n_stderr = 0
            cells = []
            for cell in nb.cells:
                if cell.cell_type == "code":
                    outs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream"
                                    and o.get("name") == "stderr")]
                    n_stderr += len(cell.get("outputs", [])) - len(outs)
                    cell.outputs = outs
                    if not outs:
                        continue
                cells.append(cell)
            nb.cells = cells
            resources["stderr_outputs"] = n_stderr
            return nb, resources

    class TitleFromHeading(Preprocessor):
        """Set ``metadata.title`` (the page title) from the first level-1 markdown heading.

        A title the notebook sets itself is kept; without either, nbconvert uses the notebook's
        name. The title is left in ``resources["title"]``.
        """

        def preprocess(self, nb, resources):
            """Title ``nb``.

            Parameters
            ----------
            nb : NotebookNode
            resources : dict

            Returns
            -------
            (NotebookNode, dict)
            """
            title = nb.metadata.get("title") or _first_title(nb)
            if title:
                nb.metadata["title"] = title
            resources["title"] = title or resources.get("metadata", {}).get("name")
            return nb, resources

    return DropStderr, TitleFromHeading, _readable_headers_class(Preprocessor)


def _readable_headers_class(Preprocessor):
    """The :class:`ReadableHeaders` preprocessor class, on nbconvert's ``Preprocessor``."""

    class ReadableHeaders(Preprocessor):
        """Write the keys in displayed tables as words.

        A table cell that reads like a program's name (a header ``weapon_pct`` or
        ``offence_category``, a code ``reduced_risk``) is shown as ``weapon %``, ``offence
        category``, ``reduced risk``: a reader of the page never sees a snake_case key. Numbers,
        the ``[c]`` markers, prose and the notebook file itself are not changed.
        """

        def preprocess(self, nb, resources):
            """Rewrite the header cells of ``nb``'s HTML outputs.

            Parameters
            ----------
            nb : NotebookNode
            resources : dict

            Returns
            -------
            (NotebookNode, dict)
            """
            for cell in nb.cells:
                for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                    data = out.get("data", {})
                    if "text/html" in data:
                        html = data["text/html"]
                        html = html if isinstance(html, str) else "".join(html)
                        data["text/html"] = readable_headers(html)
            return nb, resources

    return ReadableHeaders


_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_CELL = re.compile(r"(<t[hd]\b[^>]*>)([^<]*)(</t[hd]>)")


def readable_header(text: str) -> str:
    """``"weapon_pct"`` -> ``"weapon %"``; text that is not a snake_case key is returned as is.

    Parameters
    ----------
    text : str
        The text of one header cell.

    Returns
    -------
    str
    """
    key = text.strip()
    if not _SNAKE.match(key):
        return text
    words = ["%" if w == "pct" else w for w in key.split("_")]
    return " ".join(words)


def readable_headers(html: str) -> str:
    """Apply :func:`readable_header` to every ``<th>`` and ``<td>`` cell of an HTML fragment.

    Parameters
    ----------
    html : str

    Returns
    -------
    str
    """
    return _CELL.sub(lambda m: m.group(1) + readable_header(m.group(2)) + m.group(3), html)


def _first_title(nb) -> str | None:
    """Text of the first level-1 heading of the markdown cells, as nbconvert renders it."""
    from nbconvert.filters.markdown import markdown2html_mistune
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for level, _, text in headings(markdown2html_mistune(cell.source)):
                if level == 1:
                    return text
    return None


def contents(cells_html: str) -> str:
    """The page's table of contents (a Jinja filter of the template).

    Parameters
    ----------
    cells_html : str
        The rendered cells.

    Returns
    -------
    str
        :func:`~iomlib.report.contents.toc_html` of their headings, with the provenance
        section last.
    """
    return toc_html(headings(cells_html), extra=[("provenance", "Provenance")])


def exporter():
    """The HTML exporter (made once per process; compiling the templates takes a while).

    Returns
    -------
    nbconvert.HTMLExporter
    """
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        _EXPORTER = HTMLExporter(
            template_name="lab", exclude_input=True, exclude_input_prompt=True,
            exclude_output_prompt=True, embed_images=True,
            extra_template_paths=[str(TEMPLATES)], template_file=TEMPLATE_FILE,
            filters={"iom_contents": contents})
        for pp in _preprocessors():
            _EXPORTER.register_preprocessor(pp, enabled=True)
    return _EXPORTER


def render_report(ipynb: str | Path, out_html: str | Path, *, run_id: str = "",
                  failed: str | None = None, marking: str = "",
                  nothing: str | None = None) -> dict:
    """Render an executed notebook to a self-contained HTML report without code.

    Parameters
    ----------
    ipynb : str or Path
        The executed notebook.
    out_html : str or Path
        Where to write the page. Its bottom holds the slot that :func:`finish_report` fills
        with the provenance block.
    run_id : str
        Shown in the page header.
    failed : str, optional
        A reason shown in a banner at the top when the notebook failed.
    marking : str
        The protective marking shown above the header (none when empty).
    nothing : str, optional
        Why the notebook has nothing to show on these data (not a failure), shown in a note
        at the top.

    Returns
    -------
    dict
        ``title``, ``headings`` (count), ``figures`` (embedded images), ``stderr_outputs``
        (dropped) and ``external`` (remaining references to other hosts; should be empty).
    """
    import nbformat
    ipynb, out_html = Path(ipynb), Path(out_html)
    nb = nbformat.read(ipynb, as_version=4)
    iom = {"name": ipynb.stem, "run_id": run_id, "marking": marking, "failed": failed,
           "nothing": nothing}
    body, resources = exporter().from_notebook_node(
        nb, resources={"metadata": {"name": ipynb.stem}, "iom": iom})
    body = strip_external_scripts(body)
    heads = [h for h in headings(body) if h[1] != CONTENTS_ID]
    out_html.write_text(body, encoding="utf-8")
    return {"title": resources.get("title") or ipynb.stem, "headings": len(heads),
            "stderr_outputs": resources.get("stderr_outputs", 0),
            "figures": len(re.findall(r"<img\b[^>]*src=[\"']data:image/", body)),
            "external": external_resources(body)}


def finish_report(out_html: str | Path, provenance: dict) -> None:
    """Put the provenance block at the bottom of a rendered report (written atomically).

    Parameters
    ----------
    out_html : str or Path
        A page written by :func:`render_report`.
    provenance : dict
        See :func:`iomlib.report.provenance.provenance_html`. For a public audience (its
        ``parameters``), the keys of :data:`PUBLIC_HIDDEN` are left out.
    """
    from iomlib.report.provenance import provenance_html
    if (provenance.get("parameters") or {}).get("audience") == "public":
        provenance = {k: v for k, v in provenance.items() if k not in PUBLIC_HIDDEN}
    out_html = Path(out_html)
    text = out_html.read_text(encoding="utf-8")
    text = text.replace(PROVENANCE_SLOT, provenance_html(provenance), 1)
    tmp = out_html.with_name(f".{out_html.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out_html)
