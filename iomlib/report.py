"""The report runner (``iom report``): headline figures now; notebooks join in the appendix issue."""
from __future__ import annotations

import datetime as _dt
import html
import json
import os
from pathlib import Path


def add_report_arguments(ap) -> None:
    ap.add_argument("--data", default=None, help="dataset (default: embedded synthetic data)")
    ap.add_argument("--out", default="reports", help="reports folder (default: reports)")
    ap.add_argument("--as-of", default=None, help="as-of date (default 2020-01-31)")
    ap.add_argument("--config", default=None, help="YAML configuration file")


def _publish(out: Path, run_dir: Path) -> None:
    latest = out / "latest"
    tmp = out / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_dir.relative_to(out))
    os.replace(tmp, latest)


def main_report(args) -> int:
    from .cli import _config
    from .data import open_dataset
    from .headline import headline_json, headline_table
    cfg = _config(args)
    ds = open_dataset(args.data, config=cfg)
    metrics = headline_json(headline_table(ds, config=cfg))
    out = Path(args.out)
    stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    run_dir = out / "runs" / stamp
    run_dir.mkdir(parents=True)
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v['value']}</td><td>{v['n']}</td>"
                   f"<td>{html.escape(str(v['definition']))}</td></tr>"
                   for k, v in metrics.items() if isinstance(v, dict))
    (run_dir / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>IOM headline figures</title>"
        "</head><body><h1>IOM performance: headline figures</h1>"
        f"<p>As of {metrics['as_of']}; data: {html.escape(ds.source)}</p><table>"
        "<tr><th>measure</th><th>value</th><th>n</th><th>definition</th></tr>"
        f"{rows}</table></body></html>")
    _publish(out, run_dir)
    print(f"published {run_dir} -> {out / 'latest'}")
    return 0
