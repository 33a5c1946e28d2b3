"""JupyterLab in a real browser: notebook 04 run in headless Chromium, the explorer used as a
researcher would, and a rendered report opened offline.

Playwright drives the system Chromium (the Debian package ``chromium``; ``.ci/run``
installs it when missing). Without a Chromium or without Playwright the tests skip and
say why. ``make test-browser`` runs this module alone.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("CYBERDISCOURSE_CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

if CHROMIUM is None:
    pytest.skip(
        "no Chromium on this machine: install the Debian package 'chromium' "
        "(.ci/run does) to run the browser test",
        allow_module_level=True,
    )
if sync_playwright is None:
    pytest.skip("playwright is not installed: pip install -e '.[dev]'", allow_module_level=True)

NOTEBOOK = "04_concept_timeline.ipynb"
TIMEOUT_MS = 240_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def built_seeds(tmp_path_factory):
    """A built copy of the seed data, and a folder for the figures the notebook writes."""
    from cyberdiscourse.corpus import build

    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    build(root / "data")
    return root


@pytest.fixture(scope="module")
def lab(built_seeds):
    """JupyterLab on 127.0.0.1 with a copy of notebook 04; yields (url, token, folder)."""
    folder = built_seeds / "lab"
    folder.mkdir()
    shutil.copy(REPO / "notebooks" / NOTEBOOK, folder / NOTEBOOK)
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "CYBERDISCOURSE_DATA_DIR": str(built_seeds / "data"),
        "CYBERDISCOURSE_FIGURES_DIR": str(built_seeds / "figures"),
        "JUPYTER_CONFIG_DIR": str(built_seeds / "jupyter-config"),  # no user settings
        "JUPYTER_RUNTIME_DIR": str(built_seeds / "jupyter-runtime"),
    }
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    log = (built_seeds / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
            "--LabServerApp.extra_labextensions_path=[]", *as_root,
        ],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                    json.load(r)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "JupyterLab did not start:\n" + (built_seeds / "lab.log").read_text()
                    )
                time.sleep(0.5)
        yield url, token, folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def test_notebook_04_runs_in_jupyterlab_and_the_explorer_answers(lab, browser, tmp_path):
    url, token, folder = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_function(  # the kernel is up
        "(() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;"
        " return s.session && s.session.kernel && s.session.kernel.status === 'idle'; })()"
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    box = page.wait_for_selector("input[placeholder*='then Enter']")
    # every cell done: no cell shows [*] any more
    page.wait_for_function(
        "![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))"
    )
    errors = page.query_selector_all(".jp-OutputArea-output[data-mime-type*='error']")
    assert not errors, [e.inner_text()[:500] for e in errors]
    static = page.query_selector_all(".cd-static-explorer details")
    assert len(static) == 23

    box.click()
    box.fill("Cyber sovereignty, 数据安全")
    box.press("Enter")  # the explorer updates on Enter, not on each keystroke
    page.wait_for_selector("text=lines 1–10 of 48")
    explorer = page.query_selector(".widget-vbox")
    text = explorer.inner_text()
    assert "20 mentions in 6 of the 6 works" in text and "28 mentions in 5 of the 6 works" in text
    chart = explorer.query_selector("img")  # the timeline drawn into the widget's output
    assert chart is not None and chart.evaluate("img => img.naturalWidth") > 300
    page.get_by_role("button", name="next ▶").click()
    page.wait_for_selector("text=lines 11–20 of 48")

    box.click()
    box.fill("量子纠缠")
    box.press("Enter")
    page.wait_for_selector("text=No match for 量子纠缠")
    page.screenshot(path=str(tmp_path / "explorer.png"), full_page=False)
    page.close()


def test_a_rendered_report_shows_the_static_explorer_offline(built_seeds, browser, tmp_path):
    from cyberdiscourse.report import make_reports

    (html,) = make_reports(
        reports_dir=tmp_path / "reports",
        parameters={
            "data_dir": str(built_seeds / "data"),
            "figures_dir": str(tmp_path / "figures"),
        },
        only=["04"],
    )
    context = browser.new_context(offline=True)
    requested = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    page.goto(html.resolve().as_uri())
    sections = page.query_selector_all(".cd-static-explorer details")
    assert len(sections) == 23
    first = sections[0]
    first.query_selector("summary").click()
    image = first.query_selector("img")
    assert image.is_visible() and image.evaluate("img => img.naturalWidth") > 300
    assert "lines 1–10 of 20" in first.inner_text()
    assert all(u.startswith(("file:", "data:")) for u in requested), requested
    context.close()
