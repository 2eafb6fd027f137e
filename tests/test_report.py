"""Tests of the report runner ``iom report`` (iomlib.report.runner, iomlib.report.provenance).

The runs use tiny notebooks generated here (not the appendix notebooks, which are tested by
``test_real_notebooks`` when they exist) and a small synthetic dataset written as CSV.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from report_helpers import PARAMS_SRC, make_good_dir, write_notebook

from iomlib.cli import main
from iomlib.report import runner as report
from iomlib.report.notebooks import NOTEBOOK_GLOB
from iomlib.report.offline import external_resources

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


# --------------------------------------------------------------------------------------------
# helpers


FAIL = [
    ("md", "# Failing report"),
    ("code", "x = 1"),
    ("code", "raise ValueError('boom from the test notebook')"),
    ("code", "print('never reached')"),
]


def run_cli(*argv) -> tuple[int, str, str]:
    """Run ``iom`` in a subprocess (stderr is not a terminal: plain log lines)."""
    proc = subprocess.run([sys.executable, "-m", "iomlib", *map(str, argv)], check=False,
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    return proc.returncode, proc.stdout, proc.stderr


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(text: str) -> list[tuple[str, dict]]:
    p = _Tags()
    p.feed(text)
    return p.tags


def fetched_external(text: str) -> list[str]:
    """src=/href= URLs to other hosts on script, link, img, iframe, source tags."""
    bad = []
    for tag, a in tags_of(text):
        for attr in ("src", "href"):
            url = (a.get(attr) or "").strip()
            if tag in ("script", "link", "img", "iframe", "source", "embed") and \
                    re.match(r"(?:https?:)?//", url):
                bad.append(f"<{tag} {attr}={url}>")
    return bad


# --------------------------------------------------------------------------------------------
# fixtures: a tiny dataset, one good run, one failing run on top of it


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    from iomlib.data.synth import SynthParams, simulate
    ds = simulate(replace(SynthParams(), n_people=300, capacity_2016=20, capacity_2020=25))
    out = tmp_path_factory.mktemp("data") / "extract"
    ds.write(out, "csv")
    return out


@pytest.fixture(scope="module")
def good_run(tmp_path_factory, tiny_data):
    base = tmp_path_factory.mktemp("good")
    nb_dir = make_good_dir(base / "notebooks")
    out = base / "reports"
    rc, stdout, stderr = run_cli("report", "--notebook-dir", nb_dir, "--out", out, "--jobs", 2,
                                 "--data", tiny_data, "-p", "cohort=IOM", "-p", "min_cell=5")
    return {"rc": rc, "stdout": stdout, "stderr": stderr, "out": out, "nb_dir": nb_dir,
            "data": tiny_data}


@pytest.fixture(scope="module")
def failed_run(good_run):
    nb_dir = good_run["out"].parent / "notebooks_fail"
    make_good_dir(nb_dir)
    write_notebook(nb_dir / "03_fail.ipynb", FAIL)
    latest_before = os.readlink(good_run["out"] / "latest")
    runs_before = set((good_run["out"] / "runs").iterdir())
    rc, stdout, stderr = run_cli("report", "--notebook-dir", nb_dir, "--out", good_run["out"],
                                 "--jobs", 2, "--data", good_run["data"])
    new = set((good_run["out"] / "runs").iterdir()) - runs_before
    return {"rc": rc, "stdout": stdout, "stderr": stderr, "latest_before": latest_before,
            "new_runs": sorted(new), "out": good_run["out"]}


# --------------------------------------------------------------------------------------------
# the good run


def test_run_publishes_folder_and_latest(good_run):
    assert good_run["rc"] == 0, good_run["stderr"]
    out = good_run["out"]
    runs = list((out / "runs").iterdir())
    assert len(runs) == 1
    latest = out / "latest"
    assert latest.is_symlink()
    assert not os.path.isabs(os.readlink(latest))  # relative: the folder can be moved
    assert latest.resolve() == runs[0].resolve()
    for name in ("index.html", "metrics.json", "provenance.json", "01_alpha.html",
                 "01_alpha.ipynb", "02_beta.html", "02_beta.ipynb"):
        assert (latest / name).is_file(), name
    assert not (latest / "FAILED").exists()
    assert not (latest / "README.html").exists()
    assert "published" in good_run["stdout"]
    # plain log lines when stderr is not a terminal, one per notebook start and end
    assert "01_alpha: started" in good_run["stderr"]
    assert "02_beta: done in" in good_run["stderr"]
    assert "\x1b[" not in good_run["stderr"]


def test_executed_notebooks_received_the_parameters(good_run):
    nb = nbformat.read(good_run["out"] / "latest" / "01_alpha.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    src = injected[0].source
    assert 'cohort = "IOM"' in src and "min_cell = 5" in src
    assert str(good_run["data"].resolve()) in src  # absolute path: notebooks run elsewhere
    text = json.dumps(nb.cells[3].outputs)  # md, params, injected, echo
    assert '\\"cohort\\": \\"IOM\\"' in text
    beta = nbformat.read(good_run["out"] / "latest" / "02_beta.ipynb", as_version=4)
    assert "PEOPLE-COUNT 300" in json.dumps([c.get("outputs", []) for c in beta.cells])


def test_html_has_no_code_and_no_errors_and_embeds_figures(good_run):
    page = (good_run["out"] / "latest" / "01_alpha.html").read_text()
    html = page[page.index("<body"):]  # the inline CSS in <head> names every class
    # no code: no input editor, no prompts, no source text of code cells
    for marker in ("jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt",
                   "highlight hl-ipython3", "SECRET_CODE_MARKER", "plt.subplots",
                   "import matplotlib", "In&nbsp;["):
        assert marker not in html, marker
    assert not re.search(r'class="[^"]*jp-CodeCell[^"]*"[^>]*>\s*<div class="jp-Cell-inputWrapper',
                         html)
    # no error outputs and no stderr noise
    assert "jp-OutputArea-error" not in html and "Traceback" not in html
    assert "STDERR-NOISE" not in html
    # outputs are there: the parameter echo and the figure as a data URI
    assert "PARAMS-ECHO" in html
    assert re.search(r'<img\b[^>]*src="data:image/png;base64,', html)
    # the page title comes from the first heading
    assert "<title>Alpha report</title>" in page
    beta = (good_run["out"] / "latest" / "02_beta.html").read_text()
    assert "<table" in beta and "PEOPLE-COUNT 300" in beta


def test_html_is_self_contained(good_run):
    latest = good_run["out"] / "latest"
    for page in ("index.html", "01_alpha.html", "02_beta.html"):
        text = (latest / page).read_text()
        assert fetched_external(text) == [], page
        assert external_resources(text) == [], page
        assert "cdnjs" not in text and "unpkg" not in text and "require.js" not in text
        assert "mathjax" not in text.lower() or "MathJax.js" not in text


def test_toc_at_top_and_provenance_at_bottom(good_run):
    html = (good_run["out"] / "latest" / "01_alpha.html").read_text()
    toc = html.index('class="iom-toc"')
    first_cell = html.index('class="jp-Cell')
    assert toc < first_cell
    nav = html[toc:html.index("</nav>", toc)]
    # sections listed (not the page title), each link points at an existing id
    assert "Alpha report" not in nav
    for text in ("Figures", "Details", "Closing remarks", "Provenance"):
        assert f">{text}</a>" in nav
    for target in re.findall(r'href="#([^"]+)"', nav):
        assert f'id="{target}"' in html, target
    foot = html[html.index('class="iom-provenance"'):]
    assert html.index('class="iom-provenance"') > html.rindex('class="jp-Cell')
    for needle in ("Parameters", "cohort", "IOM", "Package versions", "pandas", "numpy",
                   "statsmodels", "matplotlib", "seaborn", "papermill", "iomlib",
                   "Run started", "Run ended", "people.csv", "Git commit"):
        assert needle in foot, needle
    digest = hashlib.sha256((good_run["data"] / "people.csv").read_bytes()).hexdigest()
    assert digest in foot


def test_index_and_metrics_agree_with_headline(good_run):
    from iomlib.config.settings import load_config
    from iomlib.data.open import open_dataset
    from iomlib.measures.headline import HEADLINE_KEYS, headline_json, headline_table
    latest = good_run["out"] / "latest"
    cfg = load_config(None, {"report": {"min_cell": 5}})
    ds = open_dataset(str(good_run["data"]), config=cfg)
    expected = headline_json(headline_table(ds, config=cfg, cohorts="IOM"))
    metrics = json.loads((latest / "metrics.json").read_text())
    run = metrics.pop("run")
    impact = metrics.pop("impact_managed_rate_reduction")
    quality = metrics.pop("data_quality")       # the ledger, rows set aside (issue #12)
    assert quality["rows_set_aside"] == sum(t["rows_set_aside"]
                                            for t in quality["tables"].values())
    assert metrics == json.loads(json.dumps(expected))
    if impact.get("value") is not None:  # the honest estimate agrees with the library
        from iomlib.impact import impact_headline
        lib = impact_headline(ds, cfg)
        assert impact["value"] == lib["estimate"] and impact["ci_low"] == lib["ci_low"]
    else:
        assert impact["error"]
    assert run["status"] == "ok" and run["parameters"]["cohort"] == "IOM"
    assert run["notebooks"] == {"01_alpha": "ok", "02_beta": "ok"}
    index = (latest / "index.html").read_text()
    for key in HEADLINE_KEYS:
        row = re.search(rf"<tr data-measure='{key}'>(.*?)</tr>", index, re.DOTALL)
        assert row, key
        e = expected[key]
        if e["n"] is not None:
            assert f"<td class='num'>{e['n']}</td>" in row.group(1), key
        if e["value"] is not None:
            shown = f"{e['value']:.1f}%" if key.endswith("_pct") else f"{e['value']:,}"
            assert shown in row.group(1), key
    # links to every report, all resolving to files in the run folder
    hrefs = [a.get("href") for t, a in tags_of(index) if t == "a"]
    assert "01_alpha.html" in hrefs and "02_beta.html" in hrefs
    for h in hrefs:
        if not h.startswith(("#", "http")):
            assert (latest / h).exists(), h


def test_provenance_json(good_run):
    prov = json.loads((good_run["out"] / "latest" / "provenance.json").read_text())
    assert prov["status"] == "ok"
    assert prov["parameters"]["min_cell"] == 5
    assert set(prov["data"]["file_hashes"]) >= {"people.csv", "episodes.csv", "offences.csv"}
    assert prov["data"]["tables"]["people"]["rows"] == 300
    assert {n["name"] for n in prov["notebooks"]} == {"01_alpha", "02_beta"}
    for n in prov["notebooks"]:
        assert n["status"] == "ok" and n["seconds"] > 0 and len(n["source_sha256"]) == 64
    assert prov["started"] <= prov["ended"]
    assert prov["packages"]["papermill"]


# --------------------------------------------------------------------------------------------
# a failing notebook


def test_failing_notebook_exits_1_and_names_notebook_and_cell(failed_run):
    assert failed_run["rc"] == report.EXIT_NOTEBOOK_FAILED == 1
    err = failed_run["stderr"]
    assert "03_fail" in err
    assert "cell 4" in err  # markdown, parameters, x = 1, raise
    assert "ValueError" in err and "boom from the test notebook" in err


def test_failing_run_keeps_partial_output_and_latest(failed_run):
    out = failed_run["out"]
    assert os.readlink(out / "latest") == failed_run["latest_before"]
    assert len(failed_run["new_runs"]) == 1
    run = failed_run["new_runs"][0]
    failed = (run / "FAILED").read_text()
    assert "03_fail" in failed and "ValueError" in failed
    assert (run / "03_fail.ipynb").exists() and (run / "03_fail.html").exists()
    assert (run / "01_alpha.html").exists()  # the other notebooks still ran
    assert "FAILED" in (run / "index.html").read_text()
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["run"]["status"] == "failed"
    assert metrics["run"]["notebooks"]["03_fail"] == "failed"
    html = (run / "03_fail.html").read_text()
    assert "This notebook failed" in html
    prov = json.loads((run / "provenance.json").read_text())
    fail = next(n for n in prov["notebooks"] if n["name"] == "03_fail")
    assert fail["error"]["ename"] == "ValueError"
    assert "not changed" in failed_run["stderr"]


def test_failing_cell_number_is_position_in_source_notebook(failed_run):
    # FAIL has: markdown, parameters, "x = 1", raise -> the raise is cell 4 of the source
    prov = json.loads((failed_run["new_runs"][0] / "provenance.json").read_text())
    fail = next(n for n in prov["notebooks"] if n["name"] == "03_fail")
    assert fail["error"]["cell"] == 4
    assert fail["error"]["source"].startswith("raise ValueError")


# --------------------------------------------------------------------------------------------
# parameters are rejected before anything runs


@pytest.fixture
def nb_dir(tmp_path) -> Path:
    return make_good_dir(tmp_path / "notebooks")


@pytest.mark.parametrize("argv, expect", [
    (["-p", "as_off=2020-01-31"], "did you mean 'as_of'"),
    (["-p", "as_of=2020-13-45"], "as_of"),
    (["-p", "as_of=31/01/2020"], "YYYY-MM-DD"),
    (["-p", "period_start=2021-01-01"], "after as_of"),
    (["-p", "cohort=GANG"], "cohort"),
    (["-p", "cohort=IOMM"], "did you mean 'IOM'"),
    (["-p", "audience=everyone"], "audience"),
    (["-p", "min_cell=0"], "min_cell"),
    (["-p", "min_cell=ten"], "min_cell"),
    (["-p", "min_cell=2.5"], "min_cell"),
    (["--data", "/no/such/extract"], "does not exist"),
    (["-p", "config=/no/such/config.yaml"], "config"),
    (["-p", "noequals"], "key=value"),
    (["-p", "person_id=P000001", "-p", "audience=public"], "restricted"),
    (["-p", "show_identifiers=true", "-p", "audience=public"], "never shown to a public"),
    (["-p", "show_identifiers=perhaps"], "not true or false"),
])
def test_bad_parameters_rejected_before_anything_runs(nb_dir, tmp_path, capsys, argv, expect):
    out = tmp_path / "reports"
    rc = main(["report", "--notebook-dir", str(nb_dir), "--out", str(out), *argv])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert expect in err
    assert "valid parameters" in err and "as_of" in err and "min_cell" in err
    assert not out.exists()  # no run folder, nothing published


def test_bad_parameters_file(nb_dir, tmp_path, capsys):
    pfile = tmp_path / "params.yaml"
    pfile.write_text("cohrot: IOM\nas_of: 2020-01-31\n")
    rc = main(["report", "--notebook-dir", str(nb_dir), "--out", str(tmp_path / "r"),
               "--params", str(pfile)])
    err = capsys.readouterr().err
    assert rc == 2 and "did you mean 'cohort'" in err and "parameters file" in err
    assert not (tmp_path / "r").exists()
    pfile.write_text("- just\n- a list\n")
    assert main(["report", "--notebook-dir", str(nb_dir), "--params", str(pfile)]) == 2
    assert "mapping" in capsys.readouterr().err


def test_unknown_notebook_selection(nb_dir, tmp_path, capsys):
    rc = main(["report", "--notebook-dir", str(nb_dir), "--out", str(tmp_path / "r"),
               "--notebooks", "01,99"])
    err = capsys.readouterr().err
    assert rc == 2 and "'99'" in err and "01_alpha" in err
    assert not (tmp_path / "r").exists()


def test_missing_notebook_folder(tmp_path, capsys):
    assert main(["report", "--notebook-dir", str(tmp_path / "none")]) == 2
    assert "no notebooks" in capsys.readouterr().err


def test_person_id_must_exist(tmp_path, capsys, tiny_data):
    d = tmp_path / "nb"
    d.mkdir()
    write_notebook(d / "06_profile.ipynb", [("md", "# Profile")],
                   params=PARAMS_SRC + "\nperson_id = None")
    rc = main(["report", "--notebook-dir", str(d), "--out", str(tmp_path / "r"), "--data",
               str(tiny_data), "-p", "person_id=NOBODY"])
    err = capsys.readouterr().err
    assert rc == 2 and "NOBODY" in err and "people table" in err
    assert not (tmp_path / "r").exists()


def test_data_validation_error_exits_2_before_running(tmp_path, capsys, nb_dir):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "people.csv").write_text("nonsense\n1\n")
    rc = main(["report", "--notebook-dir", str(nb_dir), "--out", str(tmp_path / "r"),
               "--data", str(bad)])
    assert rc == 2
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------------------------
# units


def test_stock_nbconvert_html_would_fail_the_offline_check(good_run):
    """Control: nbconvert's own HTML references CDNs, which the checks above would catch."""
    from nbconvert import HTMLExporter
    nb = nbformat.read(good_run["out"] / "latest" / "01_alpha.ipynb", as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert external_resources(body)
    assert fetched_external(body)


# --------------------------------------------------------------------------------------------
# a real browser, offline


class _Chromium:
    """Headless Chromium driven over the DevTools protocol, with the network switched off."""

    FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--disable-default-apps", "--disable-extensions", "--remote-debugging-port=0",
             # belt and braces: any request that escapes offline emulation hits a dead proxy
             "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>")

    def __init__(self, exe: str):
        import websocket
        self._ws_mod = websocket
        self.profile = tempfile.mkdtemp(prefix="iom-chromium-")
        self.proc = subprocess.Popen([exe, *self.FLAGS, f"--user-data-dir={self.profile}",
                                      "about:blank"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                    timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Network.emulateNetworkConditions", offline=True, latency=0,
                  downloadThroughput=-1, uploadThroughput=-1)

    def send(self, method, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result")
            self.events.append(m)

    def problems(self, path: Path) -> list[str]:
        """Open ``path``; return failed or external requests and console errors."""
        self.events = []
        self.send("Page.navigate", url=path.resolve().as_uri())
        deadline = time.time() + 30
        while time.time() < deadline:
            m = json.loads(self.ws.recv())
            self.events.append(m)
            if m.get("method") == "Page.loadEventFired":
                break
        else:
            return [f"{path.name}: did not load in 30 s"]
        self.ws.settimeout(1.0)
        try:
            while True:
                self.events.append(json.loads(self.ws.recv()))
        except self._ws_mod.WebSocketTimeoutException:
            pass
        self.ws.settimeout(30)
        out, urls = [], {}
        for e in self.events:
            meth, prm = e.get("method"), e.get("params", {})
            if meth == "Network.requestWillBeSent":
                url = prm["request"]["url"]
                urls[prm["requestId"]] = url
                if not url.startswith(("file:", "data:", "about:")):
                    out.append(f"request to {url}")
            elif meth == "Network.loadingFailed":
                out.append(f"failed request {urls.get(prm['requestId'])}: {prm.get('errorText')}")
            elif meth == "Runtime.exceptionThrown":
                out.append(f"exception: {prm['exceptionDetails'].get('text')}")
            elif meth == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"):
                out.append(f"console.{prm['type']}: {prm.get('args')}")
            elif meth == "Log.entryAdded" and prm["entry"]["level"] == "error":
                out.append(f"log error: {prm['entry'].get('text')}")
        return out

    def close(self):
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001, S110  (closing anyway)
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def _browser_unavailable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found (apt-get install chromium); real-browser check skipped"
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "websocket-client is not installed; real-browser check skipped"
    return None


@pytest.fixture(scope="module")
def maybe_browser():
    """A headless Chromium, or None when it cannot be used."""
    if _browser_unavailable():
        yield None
        return
    b = _Chromium(CHROMIUM)
    yield b
    b.close()


@pytest.fixture(scope="module")
def browser(maybe_browser):
    if maybe_browser is None:
        pytest.skip(_browser_unavailable())
    return maybe_browser


@pytest.mark.slow
def test_reports_open_offline_in_a_real_browser(good_run, browser, tmp_path):
    # control: the checker does see a CDN script and a console error
    bad = tmp_path / "bad.html"
    bad.write_text('<html><head><script src="https://cdn.example.org/x.js"></script></head>'
                   '<body><script>console.error("bad")</script></body></html>')
    found = browser.problems(bad)
    assert any("cdn.example.org" in f for f in found) and any("console" in f for f in found)
    latest = good_run["out"] / "latest"
    pages = ["index.html"] + sorted(p.name for p in latest.glob("*.html")
                                    if p.name != "index.html")
    assert len(pages) == 4  # index, two notebook pages and the appendix
    for page in pages:
        assert browser.problems(latest / page) == [], page


# --------------------------------------------------------------------------------------------
# the appendix notebooks themselves


@pytest.mark.slow
def test_real_notebooks(tmp_path, maybe_browser):
    nbs = sorted((REPO / "notebooks").glob(NOTEBOOK_GLOB))
    if not nbs:
        pytest.skip("no notebooks/NN_*.ipynb in the repository yet")
    out = tmp_path / "reports"
    rc, _, stderr = run_cli("report", "--out", out)
    assert rc == 0, stderr
    latest = out / "latest"
    for nb in nbs:
        html = (latest / f"{nb.stem}.html").read_text()
        assert external_resources(html) == [], nb.stem
        body = html[html.index("<body"):]
        assert "jp-OutputArea-error" not in body, nb.stem
        assert "jp-InputPrompt" not in body and "jp-InputArea-editor" not in body, nb.stem
    assert json.loads((latest / "metrics.json").read_text())["run"]["status"] == "ok"
    if maybe_browser is not None:
        for page in ["index.html"] + [f"{nb.stem}.html" for nb in nbs]:
            assert maybe_browser.problems(latest / page) == [], page


def test_cell_timeout_names_the_cell(tmp_path):
    d = tmp_path / "nb"
    d.mkdir()
    write_notebook(d / "01_slow.ipynb", [("md", "# Slow"), ("code", "x = 1"),
                                         ("code", "import time\ntime.sleep(120)")])
    rc, _, err = run_cli("report", "--notebook-dir", d, "--out", tmp_path / "r", "--jobs", 1,
                         "--timeout", 3)
    assert rc == 1
    assert "01_slow: cell 4" in err and "Timeout" in err
    assert not (tmp_path / "r" / "latest").exists()
    assert len(list((tmp_path / "r" / "runs").glob("*/FAILED"))) == 1


def test_terminated_run_is_marked_failed_and_not_published(tmp_path):
    import signal
    d = tmp_path / "nb"
    d.mkdir()
    write_notebook(d / "01_slow.ipynb", [("md", "# Slow"),
                                         ("code", "import time\ntime.sleep(120)")])
    out = tmp_path / "r"
    proc = subprocess.Popen([sys.executable, "-m", "iomlib", "report", "--notebook-dir", str(d),
                             "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not list(out.glob("runs/*/01_slow.ipynb")) and time.time() < deadline:
        time.sleep(0.2)  # wait until the notebook is running
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    (run,) = list((out / "runs").iterdir())
    assert "interrupted" in (run / "FAILED").read_text()
    assert not (out / "latest").exists()


# ------------------------------------------------------------------------------------------
# national data: one force, every force; public runs


def test_all_forces_publishes_one_report_per_force(tmp_path, nb_dir):
    from iomlib.data.open import open_dataset
    from iomlib.data.synth import simulate_national
    from iomlib.measures.headline import headline_json, headline_table
    from iomlib.report.forces import force_slug
    ds = simulate_national(2, 1200, seed=7, jobs=1)
    data = tmp_path / "national"
    ds.write(data, "parquet")
    out = tmp_path / "reports"
    rc, _, err = run_cli("report", "--data", data, "--all-forces", "--out", out,
                         "--notebook-dir", nb_dir, "--jobs", "2")
    assert rc == 0, err
    forces = sorted(ds.people["force"].unique())
    assert len(forces) == 2
    for force in forces:
        latest = out / "forces" / force_slug(force) / "latest"
        assert (latest / "index.html").is_file() and (latest / "01_alpha.html").is_file()
        metrics = json.loads((latest / "metrics.json").read_text())
        # each force's figures are that force's, not the nation's
        expected = headline_json(headline_table(open_dataset(str(data), force=force)))
        assert metrics["unique_nominals"]["value"] == expected["unique_nominals"]["value"]
    total = sum(json.loads((out / "forces" / force_slug(f) / "latest" / "metrics.json")
                           .read_text())["unique_nominals"]["value"] for f in forces)
    assert total == headline_json(headline_table(ds))["unique_nominals"]["value"]


def test_unknown_force_is_rejected(tmp_path, nb_dir):
    from iomlib.data.synth import simulate_national
    data = tmp_path / "national"
    simulate_national(2, 1000, seed=8, jobs=1).write(data, "parquet")
    rc, _, err = run_cli("report", "--data", data, "--force", "Narnia", "--out",
                         tmp_path / "r", "--notebook-dir", nb_dir)
    assert rc == 2 and "Narnia" in err and "forces present" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_public_run_skips_restricted_notebooks_and_shows_the_marking(tmp_path, nb_dir,
                                                                     tiny_data):
    write_notebook(nb_dir / "03_profile.ipynb", [("code", "x = 1")],
                   params=PARAMS_SRC + "\nperson_id = None\n")
    (nb_dir / "02_beta.ipynb").unlink()        # shows an unchecked table (see the next test)
    out = tmp_path / "reports"
    rc, _, err = run_cli("report", "--data", tiny_data, "--out", out, "--notebook-dir", nb_dir,
                         "-p", "audience=public")
    assert rc == 0, err
    assert "03_profile skipped" in err
    latest = out / "latest"
    assert not (latest / "03_profile.html").exists()
    for page in ("index.html", "01_alpha.html"):
        assert "OFFICIAL — PUBLIC" in (latest / page).read_text()


SAFE_TABLE = [
    ("md", "# Safe table"),
    ("code", ("import pandas as pd\nimport iomlib.notebook\n"
              "run = iomlib.notebook.start(data, as_of=as_of, period_start=period_start, "
              "cohort=cohort, config=config, min_cell=min_cell, audience=audience)\n"
              "t = pd.DataFrame({'reason': ['moved', 'died'], 'n': [40, 3]})\n"
              "run.sdc.show(t, count_cols='n', totals='none')")),
]


def test_public_run_publishes_nothing_that_bypassed_disclosure_control(tmp_path, nb_dir,
                                                                       tiny_data):
    """02_beta displays a raw DataFrame without calling iomlib.notebook.start (so no guard):
    the runner's audit finds a table without a disclosure check and the run fails unpublished;
    a notebook showing a table through run.sdc passes, with the small cell hidden."""
    out = tmp_path / "reports"
    rc, _, err = run_cli("report", "--data", tiny_data, "--out", out, "--notebook-dir", nb_dir,
                         "-p", "audience=public")
    assert rc == 1, err
    assert "02_beta: disclosure audit failed" in err and "without a disclosure check" in err
    assert not (out / "latest").exists()              # nothing published
    (nb_dir / "02_beta.ipynb").unlink()
    write_notebook(nb_dir / "02_safe.ipynb", SAFE_TABLE)
    rc, _, err = run_cli("report", "--data", tiny_data, "--out", out, "--notebook-dir", nb_dir,
                         "-p", "audience=public")
    assert rc == 0, err
    page = (out / "latest" / "02_safe.html").read_text()
    assert "[c]" in page and ">40<" in page and ">3<" not in page


PSEUDONYM_ECHO = [
    ("md", "# Pseudonym"),
    ("code", ("from iomlib.sdc.policy import Disclosure\n"
              "print('PSEUDO ' + Disclosure(audience).identifier('P000001'))")),
]


def test_restricted_pseudonyms_are_stable_from_run_to_run(tmp_path, monkeypatch):
    from iomlib.sdc.pseudonyms import KEY_ENV, KEY_FILE_ENV
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    d = tmp_path / "nb"
    d.mkdir()
    write_notebook(d / "01_echo.ipynb", PSEUDONYM_ECHO)
    out = tmp_path / "reports"
    seen = []
    for _ in range(2):
        rc, _, err = run_cli("report", "--notebook-dir", d, "--out", out)
        assert rc == 0, err
        seen += re.findall(r"PSEUDO (N-[0-9a-f]{10})", (out / "latest" / "01_echo.html")
                           .read_text())
    assert len(seen) == 2 and seen[0] == seen[1]
    key = out / ".pseudonym-key"
    assert (key.stat().st_mode & 0o777) == 0o600
    key.unlink()                                   # a new key: unrelated pseudonyms
    rc, _, err = run_cli("report", "--notebook-dir", d, "--out", out)
    assert rc == 0, err
    again = re.findall(r"PSEUDO (N-[0-9a-f]{10})", (out / "latest" / "01_echo.html").read_text())
    assert again and again[0] != seen[0]


