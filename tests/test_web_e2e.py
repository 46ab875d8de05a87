"""The web app as a user meets it: ``stakes serve`` runs for real and headless Chromium, driven by
Playwright, opens the bundled Rafah-2024 scenario, edits a number, runs a forecast, applies a what-if
and opens the sentence a number came from. Every step leaves a screenshot (in ``$STAKES_SCREENSHOTS``
when set, else the test's temporary folder). A page error, a console error or a blocked resource
(the content security policy would report it) fails the test. Skipped where Chromium is missing."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright import sync_api as playwright

from stakes.scenario import bundled_scenarios
from tests.conftest import SHARED, shared_path

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.usefixtures("needs_chromium")
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
    # scrolled to its end, the grid shows its last row whole, inside its box and inside the window
    box, last = page.evaluate("""() => {
      const wrap = document.querySelector('[data-testid=editor-table]').parentElement;
      wrap.scrollTop = wrap.scrollHeight;
      const rows = wrap.querySelectorAll('tbody tr');
      const r = (e) => { const b = e.getBoundingClientRect(); return [b.top, b.bottom]; };
      return [r(wrap), r(rows[rows.length - 1])];
    }""")
    assert box[0] <= last[0] and last[1] <= box[1] + 1, (box, last)
    assert box[1] <= page.viewport_size["height"], box
    page.screenshot(path=shots / "02b-editor-last-row.png")
    stored = _call(server, "GET", "/api/scenarios/rafah-2024")
    netanyahu = next(a for a in stored["scenario"]["actors"] if a["id"] == "netanyahu")
    assert netanyahu["stances"]["rafah_operation"]["position"]["value"] == 80

    page.get_by_test_id("tab-forecast").click()
    page.get_by_test_id("run-forecast").click()
    page.get_by_test_id("forecast-outcomes").wait_for(timeout=120_000)
    page.get_by_test_id("trajectory-rafah_operation").wait_for()
    # bdm applies the hostage deal's veto rule after bargaining; mean applies no rule
    rule = page.get_by_test_id("rule-bdm-hostage_deal").inner_text()
    assert rule.startswith("veto · ") and "bargained" in rule
    assert page.get_by_test_id("rule-mean-hostage_deal").count() == 0
    page.screenshot(path=shots / "03-forecast.png", full_page=True)
    # every actor's line has its own colour and style, and none looks like a model's outcome line
    for chart in page.locator("svg[data-testid^=trajectory-]").all():
        lines = chart.evaluate("""svg => [...svg.querySelectorAll('.series polyline')].map(l =>
            [l.getAttribute('stroke'), l.getAttribute('stroke-dasharray') || ''])""")
        references = set(chart.evaluate("svg => [...svg.querySelectorAll('.hline')].map(l => l.getAttribute('stroke'))"))
        assert len(lines) > 1 and len(set(map(tuple, lines))) == len(lines), lines
        assert not references & {stroke for stroke, _ in lines}, (references, lines)

    page.get_by_test_id("mc-draws").fill("100")
    page.get_by_test_id("run-montecarlo").click()
    page.get_by_test_id("mc-summary").wait_for(timeout=180_000)
    page.set_viewport_size({"width": 700, "height": 800})  # narrow histograms
    page.screenshot(path=shots / "03b-histograms-narrow.png", full_page=True)
    for chart in page.locator("svg[data-testid^=histogram-]").all():
        boxes = chart.evaluate("""svg => [...svg.querySelectorAll('.mark-label')].map(t => {
            const b = t.getBoundingClientRect(); return [b.left, b.right, b.top, b.bottom]; })""")
        for k, a in enumerate(boxes):
            for b in boxes[k + 1:]:
                apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
                assert apart, (chart.get_attribute("data-testid"), boxes)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_test_id("whatif-us_conditions_aid").check()
    page.get_by_test_id("compare-draws").fill("64")
    page.get_by_test_id("run-compare").click()
    table = page.get_by_test_id("compare-table")
    table.wait_for(timeout=180_000)
    assert "us_conditions_aid" in table.inner_text() or "conditional" in table.inner_text()
    page.screenshot(path=shots / "04-whatif.png", full_page=True)

    shared_path("reference", "rafah-2024.txt")  # the evidence step shows the reference article
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


def test_a_user_sets_who_must_agree_on_an_issue(page, server, shots):
    text = Path(bundled_scenarios()["rafah-2024"]).read_text(encoding="utf-8")
    created = _call(server, "POST", "/api/scenarios", {"id": "rules-e2e", "text": text, "format": "yaml"})
    page.reload()
    page.get_by_test_id("scenario-link-rules-e2e").click()
    form = page.get_by_test_id("issue-rule-form-hostage_deal")
    form.wait_for()
    # the stored rule shows: veto players ticked, what Hamas signs filled in
    assert page.get_by_test_id("issue-rule-hostage_deal").input_value() == "veto"
    assert page.get_by_test_id("issue-member-hostage_deal-hamas").is_checked()
    assert not page.get_by_test_id("issue-member-hostage_deal-egypt").is_checked()
    assert page.get_by_test_id("issue-accepts-low-hostage_deal-hamas").input_value() == "70"
    assert not page.get_by_test_id("issue-decider-hostage_deal").is_visible()

    # the northern front gets a veto rule: two veto players, one of which signs only part of the scale
    page.get_by_test_id("issue-rule-northern_front").select_option("veto")
    for actor in ("netanyahu", "hezbollah"):
        page.get_by_test_id(f"issue-member-northern_front-{actor}").check()
    assert not page.get_by_test_id("issue-accepts-low-northern_front-egypt").is_visible()
    page.get_by_test_id("issue-accepts-low-northern_front-hezbollah").fill("0")
    page.get_by_test_id("issue-accepts-high-northern_front-hezbollah").fill("40")
    page.get_by_test_id("issue-rule-basis-northern_front").fill("Either side can keep the exchange of fire going.")
    page.get_by_test_id("save-issue-northern_front").click()
    page.get_by_test_id("history").get_by_text("rule").first.wait_for()
    stored = _call(server, "GET", "/api/scenarios/rules-e2e")["scenario"]
    issue = next(i for i in stored["issues"] if i["id"] == "northern_front")
    assert issue["decision"] == {"rule": "veto", "veto_players": ["netanyahu", "hezbollah"],
                                 "accepts": {"hezbollah": [0, 40]},
                                 "basis": "Either side can keep the exchange of fire going."}
    page.get_by_test_id("issue-rule-form-northern_front").screenshot(path=shots / "09-who-must-agree.png")
    # the rule's box stays inside its issue's box, however long the actors' names
    inner, outer = (page.get_by_test_id(t).bounding_box() for t in ("issue-rule-form-northern_front", "issue-name-northern_front"))
    assert inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 24, (inner, outer)

    # one actor decides, but none is chosen: the server's problem shows under the decider field
    page.get_by_test_id("issue-rule-northern_front").select_option("single")
    page.get_by_test_id("save-issue-northern_front").click()
    problem = page.get_by_test_id("problem-issue-decider-northern_front")
    problem.wait_for()
    assert "decider" in problem.inner_text()
    refused = [p for p in page.problems if "status of 422" in p]  # the browser logs the refused save
    assert len(refused) == 1, page.problems
    page.problems.remove(refused[0])
    # a threshold that is not a number is caught before anything is sent
    page.get_by_test_id("issue-rule-northern_front").select_option("qualified_majority")
    page.get_by_test_id("issue-threshold-northern_front").fill("most")
    page.get_by_test_id("save-issue-northern_front").click()
    page.get_by_test_id("problem-issue-threshold-northern_front").wait_for()
    # back to plain bargaining with no basis: the rule is removed
    page.get_by_test_id("issue-rule-northern_front").select_option("bargaining")
    page.get_by_test_id("issue-rule-basis-northern_front").fill("")
    page.get_by_test_id("save-issue-northern_front").click()
    for _ in range(100):  # until the save lands
        stored = _call(server, "GET", "/api/scenarios/rules-e2e")["scenario"]
        if "decision" not in next(i for i in stored["issues"] if i["id"] == "northern_front"):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the rule was not removed")
    version = _call(server, "GET", "/api/scenarios/rules-e2e")["version"]
    assert created["version"] < version
    page.get_by_test_id("scenario-version").filter(has_text=re.compile(rf"^version {version}$")).wait_for()  # caught up

    # what happened: the scored outcome shows; a user changes it, and later observations are kept
    assert page.get_by_test_id("issue-outcome-rafah_operation").input_value() == "70"
    recorded = next(i for i in stored["issues"] if i["id"] == "northern_front")["outcomes"]
    page.get_by_test_id("issue-outcome-northern_front").fill("60")
    page.get_by_test_id("issue-outcome-low-northern_front").fill("50")
    page.get_by_test_id("issue-outcome-high-northern_front").fill("70")
    page.get_by_test_id("issue-outcome-date-northern_front").fill("")
    page.get_by_test_id("save-issue-northern_front").click()
    page.get_by_test_id("problem-issue-outcome-date-northern_front").wait_for()  # a date is needed
    page.get_by_test_id("issue-outcome-date-northern_front").fill("2024-09-30")
    page.get_by_test_id("issue-outcome-source-northern_front").select_option("ref")
    page.get_by_test_id("issue-outcome-basis-northern_front").fill("Fire across the border widened.")
    page.get_by_test_id("save-issue-northern_front").click()
    page.get_by_test_id("scenario-version").filter(has_text=re.compile(rf"^version {version + 1}$")).wait_for()
    stored = _call(server, "GET", "/api/scenarios/rules-e2e")["scenario"]
    outcomes = next(i for i in stored["issues"] if i["id"] == "northern_front")["outcomes"]
    assert outcomes[0] == {"value": 60, "range": [50, 70], "date": "2024-09-30", "source": "ref",
                           "basis": "Fire across the border widened."}
    assert outcomes[1:] == recorded[1:] and len(recorded) > 1


def test_a_user_cancels_a_long_run_and_leaving_the_page_cancels_another(page, server):
    def jobs():
        return {j["id"]: j["status"] for j in _call(server, "GET", "/api/jobs")}

    page.get_by_test_id("scenario-link-rafah-2024").click()
    page.get_by_test_id("tab-forecast").click()
    before = jobs()
    page.get_by_test_id("mc-draws").fill("100000")
    page.get_by_test_id("run-montecarlo").click()
    page.get_by_test_id("cancel-job").click()
    page.get_by_test_id("progress").wait_for(state="detached", timeout=60_000)
    assert page.get_by_test_id("mc-summary").count() == 0
    started = {k: v for k, v in jobs().items() if k not in before}
    assert list(started.values()) == ["cancelled"], started

    page.get_by_test_id("run-montecarlo").click()
    page.get_by_test_id("progress").wait_for()
    page.get_by_test_id("tab-editor").click()  # the view is left while the job runs
    page.get_by_test_id("editor-table").wait_for()
    for _ in range(100):
        left = {k: v for k, v in jobs().items() if k not in before and k not in started}
        if left and set(left.values()) == {"cancelled"}:
            break
        time.sleep(0.2)
    assert set(left.values()) == {"cancelled"}, left


def _signed_in(browser, server: str, token: str):
    """A page signed in with ``token`` that answers yes to every confirm(); its ``problems`` (console
    and page errors) must stay empty and ``confirmed`` lists what it was asked."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.problems, page.confirmed = [], []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (page.confirmed.append(d.message), d.accept()))
    page.goto(server + "/")
    page.get_by_test_id("token-input").fill(token)
    page.get_by_test_id("sign-in").click()
    page.get_by_test_id("scenarios-table").wait_for()
    return context, page


def test_a_deleted_scenario_is_restored_from_the_trash_and_only_the_admin_empties_it(browser, server, shots):
    title = f"Trash {SCRIPT} {HOSTILE}"
    for scenario_id in ("trash-kept", "trash-gone"):
        _call(server, "POST", "/api/scenarios", {"id": scenario_id, "title": title})
    bob = _call(server, "POST", "/api/tokens", {"name": "bob"})["token"]
    context, page = _signed_in(browser, server, TOKEN)
    try:
        for scenario_id in ("trash-kept", "trash-gone"):
            page.get_by_test_id(f"delete-{scenario_id}").click()
            page.get_by_test_id(f"scenario-row-{scenario_id}").wait_for(state="detached")
        page.get_by_test_id("nav-trash").click()
        row = page.get_by_test_id("trash-row-trash-kept")
        row.wait_for()
        assert SCRIPT in row.inner_text() and HOSTILE in row.inner_text() and "admin" in row.inner_text()
        assert page.get_by_test_id("trash-row-trash-gone").is_visible()
        page.screenshot(path=shots / "09-trash.png", full_page=True)

        page.get_by_test_id("restore-trash-kept").click()
        row.wait_for(state="detached")
        assert [r["id"] for r in _call(server, "GET", "/api/trash")] == ["trash-gone"]
        page.get_by_test_id("nav-scenarios").click()
        page.get_by_test_id("scenario-row-trash-kept").wait_for()

        other_context, other = _signed_in(browser, server, bob)  # a team member restores, but never empties
        try:
            other.get_by_test_id("nav-trash").click()
            other.get_by_test_id("trash-row-trash-gone").wait_for()
            assert other.get_by_test_id("empty-trash").count() == 0
            assert not other.problems, other.problems
        finally:
            other_context.close()

        page.get_by_test_id("nav-trash").click()
        page.get_by_test_id("empty-trash").click()
        page.get_by_text("The trash is empty.").wait_for()
        assert _call(server, "GET", "/api/trash") == []
        assert any("for good" in message for message in page.confirmed)
        assert page.evaluate("window.__pwned") is None and page.locator("img[src=x]").count() == 0
        assert not page.problems, page.problems
    finally:
        context.close()


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
