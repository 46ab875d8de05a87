"""The web app as a user meets it: ``stakes serve`` runs for real and headless Chromium, driven by
Playwright, opens the bundled Rafah-2024 scenario, edits a number, runs a forecast, applies a what-if
and opens the sentence a number came from. Every step leaves a screenshot (in ``$STAKES_SCREENSHOTS``
when set, else the test's temporary folder). A page error, a console error or a blocked resource
(the content security policy would report it) fails the test. Skipped where Chromium is missing."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SHARED

CHROMIUM = shutil.which("chromium")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs a chromium binary (Debian package `chromium`)")
TOKEN = "e2e-token-of-enough-length"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
HOSTILE = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(base: str, method: str, path: str, body: object = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
    return json.loads(text) if text else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``stakes serve`` on a free port with a fresh SQLite store; yields its base URL."""
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "stakes", "serve", "--port", str(port), "--db", str(folder / "store.sqlite")],
        env={**os.environ, "STAKES_TOKEN": TOKEN}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"stakes serve exited: {(folder / 'server.log').read_text()}")
                time.sleep(0.1)
        else:
            pytest.fail("stakes serve did not answer within 30 s")
        reference = SHARED / "reference" / "rafah-2024.txt"
        if reference.exists():  # the article behind the bundled scenario's source `ref` (not shipped)
            _call(base, "POST", "/api/scenarios/rafah-2024/sources/ref/article",
                  {"text": reference.read_text(encoding="utf-8"), "title": "Reference article"})
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("STAKES_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A signed-in page; console errors and page errors are collected and must stay empty."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(server + "/")
    page.get_by_test_id("token-input").fill(TOKEN)
    page.get_by_test_id("sign-in").click()
    page.get_by_test_id("scenarios-table").wait_for()
    yield page
    context.close()
    assert not page.problems, page.problems


def test_a_user_edits_forecasts_compares_and_follows_the_evidence(page, server, shots):
    page.screenshot(path=shots / "01-scenarios.png", full_page=True)
    page.get_by_test_id("scenario-link-rafah-2024").click()
    cell = page.get_by_test_id("cell-netanyahu-rafah_operation-position")
    cell.wait_for()
    version = page.get_by_test_id("scenario-version").inner_text()
    cell.click()
    page.get_by_test_id("cell-input").fill("80")
    page.get_by_test_id("cell-input").press("Enter")
    page.get_by_test_id("history").get_by_text("netanyahu.rafah_operation.position: 85 → 80").wait_for()
    assert page.get_by_test_id("scenario-version").inner_text() != version
    assert "80" in cell.inner_text()
    page.screenshot(path=shots / "02-editor.png", full_page=True)
    stored = _call(server, "GET", "/api/scenarios/rafah-2024")
    netanyahu = next(a for a in stored["scenario"]["actors"] if a["id"] == "netanyahu")
    assert netanyahu["stances"]["rafah_operation"]["position"]["value"] == 80

    page.get_by_test_id("tab-forecast").click()
    page.get_by_test_id("run-forecast").click()
    page.get_by_test_id("forecast-outcomes").wait_for(timeout=120_000)
    page.get_by_test_id("trajectory-rafah_operation").wait_for()
    page.screenshot(path=shots / "03-forecast.png", full_page=True)

    page.get_by_test_id("whatif-us_conditions_aid").check()
    page.get_by_test_id("compare-draws").fill("64")
    page.get_by_test_id("run-compare").click()
    table = page.get_by_test_id("compare-table")
    table.wait_for(timeout=180_000)
    assert "us_conditions_aid" in table.inner_text() or "conditional" in table.inner_text()
    page.screenshot(path=shots / "04-whatif.png", full_page=True)

    if not (SHARED / "reference" / "rafah-2024.txt").exists():
        pytest.skip("the evidence step needs the reference article in ../shared")
    page.get_by_test_id("tab-evidence").click()
    row = page.get_by_test_id("evidence-row-hamas.hostage_deal.position")
    row.wait_for()
    page.screenshot(path=shots / "05-evidence.png", full_page=True)
    page.get_by_test_id("evidence-link-hamas.hostage_deal.position").click()
    highlight = page.get_by_test_id("evidence-highlight").first
    highlight.wait_for()
    evidence = _call(server, "GET", "/api/scenarios/rafah-2024/evidence")
    cited = next(e for e in evidence if e["key"] == "hamas.hostage_deal.position")
    article = _call(server, "GET", f"/api/articles/{cited['article_id']}")
    start, end = cited["spans"][0]
    assert highlight.inner_text().strip() in article["text"][start:end]
    assert "Hamas" in highlight.inner_text()
    assert highlight.is_visible()
    page.screenshot(path=shots / "06-article.png", full_page=False)


def test_hostile_text_shows_as_text_and_never_runs(page, server, shots):
    created = _call(server, "POST", "/api/scenarios", {"title": f"{SCRIPT} {HOSTILE}"})
    scenario = created["scenario"]
    scenario["actors"][0]["name"] = f"Actor {HOSTILE}"
    scenario["actors"][0]["capability"] = {"value": 50, "basis": f"Because {SCRIPT}"}
    _call(server, "PUT", f"/api/scenarios/{created['id']}", {"version": created["version"], "scenario": scenario})
    page.reload()
    page.get_by_test_id(f"scenario-link-{created['id']}").wait_for()
    assert SCRIPT in page.get_by_test_id(f"scenario-row-{created['id']}").inner_text()
    page.get_by_test_id(f"scenario-link-{created['id']}").click()
    page.get_by_test_id("editor-table").wait_for()
    assert HOSTILE in page.get_by_test_id("editor-table").inner_text()
    page.get_by_test_id("tab-evidence").click()
    page.get_by_test_id("evidence-table").wait_for()
    assert SCRIPT in page.get_by_test_id("evidence-table").inner_text()
    page.screenshot(path=shots / "07-hostile.png", full_page=True)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0 and page.locator("main script").count() == 0


def test_the_api_reference_renders_from_the_app_alone(browser, server, shots):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems, requests = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/api/docs")
    page.locator(".opblock-summary-path", has_text="/api/scenarios/{scenario_id}/cells").first.wait_for()
    page.screenshot(path=shots / "08-api-docs.png")
    context.close()
    assert not problems, problems
    assert requests and all(url.startswith(server) for url in requests)  # nothing from a CDN
