"""The index page's data-quality section (from ``metrics.json``'s ``data_quality``)."""
from __future__ import annotations

import html


def quality_section(dq: dict | None) -> str:
    """HTML of the data-quality section: rows read, used and set aside per table; the reasons.

    Parameters
    ----------
    dq : dict or None
        :func:`iomlib.data.quality.data_quality`; ``None`` gives an empty string.

    Returns
    -------
    str
    """
    if not dq:
        return ""
    esc = html.escape

    def n(v):
        return "" if v is None else f"{v:,}"
    rows = "".join(f"<tr><th scope='row'>{esc(t)}</th><td class='num'>{n(v['rows_read'])}</td>"
                   f"<td class='num'>{n(v['rows_used'])}</td>"
                   f"<td class='num'>{n(v['rows_set_aside'])}</td></tr>"
                   for t, v in dq["tables"].items())
    if dq["set_aside"]:
        items = "".join(f"<li><strong>{item['rows']:,}</strong> {esc(item['table'])} rows: "
                        f"{esc(item['reason'])} (rows {esc(item['row_numbers'])})</li>"
                        for item in dq["set_aside"])
        said = (f"<p><strong>{dq['rows_set_aside']:,} rows were set aside</strong> and are "
                f"left out of every figure:</p><ul>{items}</ul>")
    else:
        said = "<p>No row was set aside.</p>"
    notes = "".join(f"<li>{esc(x['table'])}: {esc(x['note'])}</li>" for x in dq["notes"])
    notes = f"<p>Kept, and noted:</p><ul>{notes}</ul>" if notes else ""
    return (f"<h2 id='data-quality'>Data quality</h2>{said}"
            "<table class='headline'><thead><tr><th>table</th><th>rows read</th>"
            f"<th>rows used</th><th>rows set aside</th></tr></thead><tbody>{rows}</tbody>"
            f"</table>{notes}<p class='muted'>{esc(dq['definition'])}.</p>")
