"""The web app's REST API through a test client: tokens, scenarios, edits, history, forecasts, jobs,
evidence, corpus, and that data is carried as data (no markup, no injection)."""

from __future__ import annotations

import json
import re
import signal
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx
    from fastapi.testclient import TestClient

import stakes
from stakes.scenario import schema
from stakes.scenario.evidence import paragraphs
from stakes.uncertainty import compare, monte_carlo
from stakes.web.app import Settings, create_app
from stakes.whatif import bundled_whatifs, whatifs_from_data
from tests.conftest import empty_postgres, shared_path

TOKEN = "t0k"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STATIC_JS = Path(stakes.__file__).parent / "web" / "static"
XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def make_client(path: Path, **settings) -> TestClient:
    return TestClient(create_app(Settings(db=str(path), token=TOKEN, **settings)))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app for the module, on a fresh SQLite file with the three bundled scenarios."""
    with make_client(tmp_path_factory.mktemp("api") / "s.sqlite") as opened:
        yield opened


@pytest.fixture
def fresh(tmp_path):
    """An app of its own, for tests that need an empty corpus or other settings."""
    with make_client(tmp_path / "s.sqlite") as opened:
        yield opened


_COPIES = iter(range(1, 10_000))


def copy_of(client: TestClient, name: str = "rafah-2024") -> str:
    """A private copy of a bundled scenario (without its what-ifs), by a new id, at version 1."""
    scenario_id = f"{name}-copy-{next(_COPIES)}"
    answer = client.post("/api/scenarios", headers=AUTH,
                         json={"id": scenario_id, "format": "yaml", "text": stakes.dumps(stakes.load(name))})
    assert answer.status_code == 201, answer.text
    return scenario_id


def get(client: TestClient, scenario_id: str) -> dict:
    answer = client.get(f"/api/scenarios/{scenario_id}", headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def scenario_of(document: dict) -> stakes.Scenario:
    return schema.from_data(document["scenario"], None, file="test")


def patch(client: TestClient, scenario_id: str, version: int, *edits: dict, **extra):
    return client.patch(f"/api/scenarios/{scenario_id}/cells", headers=AUTH,
                        json={"version": version, "edits": list(edits), **extra})


def stance(document: dict, actor: str, issue: str) -> dict:
    [found] = [a for a in document["scenario"]["actors"] if a["id"] == actor]
    return found["stances"][issue]


def wait_for(client: TestClient, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(f"/api/jobs/{job_id}", headers=AUTH)
        assert answer.status_code == 200, answer.text
        job = answer.json()
        assert 0 <= job["done"] <= job["total"]
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still running after {timeout} s: {job}"
        time.sleep(0.05)


# -- tokens ---------------------------------------------------------------------------------------


def _every_operation(client: TestClient):
    """(method, url) of every operation in the OpenAPI schema, path parameters filled in."""
    spec = client.get("/api/openapi.json").json()
    for path, operations in spec["paths"].items():
        url = path.replace("{scenario_id}", "rafah-2024").replace("{source_id}", "ref")
        url = re.sub(r"\{[^}]+\}", "x", url)
        for method in operations:
            yield method.upper(), url


def test_every_operation_but_health_needs_a_token(client):
    checked = 0
    for method, url in _every_operation(client):
        if url == "/api/health":
            continue
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dDBrOg=="},
                        {"Authorization": "Bearer "}):
            answer = client.request(method, url, headers=headers, json={"version": 1},
                                    params={"version": 1} if method == "DELETE" else None)
            assert answer.status_code == 401, (method, url, headers, answer.status_code, answer.text)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert "token" in answer.json()["detail"]
        checked += 1
    assert checked >= 25
    assert get(client, "rafah-2024")["version"] == 1  # the refused writes changed nothing


def test_a_missing_and_a_wrong_token_say_what_to_do(client):
    missing = client.get("/api/scenarios").json()["detail"]
    wrong = client.get("/api/scenarios", headers={"Authorization": "Bearer nope"}).json()["detail"]
    assert "needs a token" in missing and "not valid" in wrong
    assert "--create-token" in missing and "--create-token" in wrong


def test_health_is_always_open(client):
    answer = client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": stakes.__version__, "reads_open": False}


def test_the_servers_own_token_is_admin(client):
    assert client.get("/api/whoami", headers=AUTH).json() == {"name": "admin"}


def test_open_reads_let_anyone_read_but_not_write(tmp_path):
    with make_client(tmp_path / "s.sqlite", open_reads=True) as opened:
        assert opened.get("/api/health").json()["reads_open"] is True
        assert opened.get("/api/whoami").json() == {"name": "anonymous"}
        for url in ("/api/scenarios", "/api/scenarios/rafah-2024", "/api/scenarios/rafah-2024/history",
                    "/api/scenarios/rafah-2024/evidence", "/api/scenarios/rafah-2024/export?format=json",
                    "/api/models", "/api/articles", "/api/corpus/network"):
            assert opened.get(url).status_code == 200, url
        writes = [("POST", "/api/scenarios", {"title": "New"}),
                  ("PATCH", "/api/scenarios/rafah-2024/cells",
                   {"version": 1, "edits": [{"actor": "netanyahu", "quantity": "capability", "value": 70}]}),
                  ("PUT", "/api/scenarios/rafah-2024/whatifs", {"version": 1, "whatifs": []}),
                  ("PUT", "/api/scenarios/rafah-2024",
                   {"version": 1, "text": stakes.dumps(stakes.load("rafah-2024"))}),
                  ("POST", "/api/scenarios/rafah-2024/undo", {"version": 1}),
                  ("POST", "/api/scenarios/rafah-2024/sources/ref/article", {"text": "Some text."}),
                  ("POST", "/api/scenarios/read", {"articles": [{"text": "Some text."}]})]
        for method, url, body in writes:
            answer = opened.request(method, url, json=body)
            assert answer.status_code == 401, (method, url, answer.text)
            bad = opened.request(method, url, json=body, headers={"Authorization": "Bearer nope"})
            assert bad.status_code == 401, (method, url, bad.text)
        assert opened.delete("/api/scenarios/rafah-2024", params={"version": 1}).status_code == 401
        assert opened.get("/api/scenarios/rafah-2024", headers=AUTH).json()["version"] == 1


def test_a_stored_token_works_and_its_name_shows_in_the_history(client):
    token = client.app.state.store.create_token("alice")
    alice = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/whoami", headers=alice).json() == {"name": "alice"}
    scenario_id = copy_of(client)
    answer = client.patch(f"/api/scenarios/{scenario_id}/cells", headers=alice, json={
        "version": 1, "edits": [{"actor": "netanyahu", "quantity": "capability", "value": 75}]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["updated_by"] == "alice"
    latest = client.get(f"/api/scenarios/{scenario_id}/history", headers=alice).json()[0]
    assert latest["author"] == "alice" and latest["changes"] == ["netanyahu.capability: 80 → 75"]
    client.app.state.store.create_token("alice")  # a new token for alice retires the old one
    assert client.get("/api/whoami", headers=alice).status_code == 401


# -- creating, importing, exporting ----------------------------------------------------------------


def test_the_bundled_scenarios_are_listed(client):
    listed = {row["id"]: row for row in client.get("/api/scenarios", headers=AUTH).json()}
    assert {"rafah-2024", "eu-emissions", "ktab-soe-policy"} <= set(listed)
    rafah = listed["rafah-2024"]
    assert (rafah["actors"], rafah["issues"], rafah["as_of"], rafah["updated_by"]) == (12, 3, "2024-03-28", "stakes")
    document = get(client, "rafah-2024")
    assert scenario_of(document) == stakes.load("rafah-2024")
    assert [w["id"] for w in document["whatifs"]] == [w.id for w in bundled_whatifs("rafah-2024")]


def test_create_a_blank_scenario(client):
    answer = client.post("/api/scenarios", headers=AUTH, json={"title": "  Harbour fees  "})
    assert answer.status_code == 201, answer.text
    document = answer.json()
    assert document["id"].startswith("harbour-fees") and document["version"] == 1
    assert document["updated_by"] == "admin" and document["whatifs"] == []
    blank = scenario_of(document)
    assert blank.title == "Harbour fees" and len(blank.actors) == 1 and len(blank.issues) == 1
    history = client.get(f"/api/scenarios/{document['id']}/history", headers=AUTH).json()
    assert history[0]["summary"] == "created blank"


def test_a_blank_scenario_needs_a_title(client):
    for body in ({}, {"title": "   "}):
        answer = client.post("/api/scenarios", headers=AUTH, json=body)
        assert answer.status_code == 400 and "title" in answer.json()["detail"]


def test_import_yaml_json_and_a_new_title(client):
    rafah = stakes.load("rafah-2024")
    for fmt in ("yaml", "json"):
        answer = client.post("/api/scenarios", headers=AUTH,
                             json={"id": f"imported-{fmt}", "format": fmt, "text": stakes.dumps(rafah, fmt)})
        assert answer.status_code == 201, answer.text
        assert scenario_of(answer.json()) == rafah
    retitled = client.post("/api/scenarios", headers=AUTH,
                           json={"title": "Renamed", "text": stakes.dumps(rafah)}).json()
    assert retitled["id"] == "renamed" and retitled["scenario"]["title"] == "Renamed"


def test_import_csv_and_ktab_csv(client):
    for name, fmt in (("eu-emissions", "csv"), ("ktab-soe-policy", "ktab-csv"), ("rafah-2024", "csv")):
        text = stakes.dumps(stakes.load(name), fmt)
        answer = client.post("/api/scenarios", headers=AUTH,
                             json={"id": f"{name}-{fmt}", "format": fmt, "text": text})
        assert answer.status_code == 201, answer.text
        # a CSV has no title: the scenario takes the name of the upload
        assert scenario_of(answer.json()) == stakes.loads(text, fmt, file="uploaded file")
        summary = client.get(f"/api/scenarios/{name}-{fmt}/history", headers=AUTH).json()[0]["summary"]
        assert summary == f"imported ({fmt})"


def test_an_import_that_breaks_a_rule_is_422_with_the_problems(client):
    data = schema.to_data(stakes.load("eu-emissions"))
    data["actors"][0]["stances"]["emissions"]["salience"] = 4
    answer = client.post("/api/scenarios", headers=AUTH, json={"id": "broken", "format": "json",
                                                                "text": json.dumps(data)})
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert problems and "salience" in problems[0]["field"] and problems[0]["fix"]
    assert client.get("/api/scenarios/broken", headers=AUTH).status_code == 404
    garbage = client.post("/api/scenarios", headers=AUTH, json={"id": "garbage", "format": "csv", "text": "a,b\n1"})
    assert garbage.status_code == 422 and garbage.json()["problems"]


def test_an_id_already_taken_is_409(client):
    answer = client.post("/api/scenarios", headers=AUTH, json={"id": "rafah-2024", "title": "Again"})
    assert answer.status_code == 409 and "already stored" in answer.json()["detail"]
    assert get(client, "rafah-2024")["scenario"]["title"].startswith("Rafah")


def test_ids_are_restricted_to_a_safe_pattern(client):
    for bad in ("../etc", "a b", "a/b", "-x", "<script>", "x" * 101, ""):
        answer = client.post("/api/scenarios", headers=AUTH, json={"id": bad, "title": "Bad id"})
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["problems"][0]["field"] == "body.id"
    assert not any(row["title"] == "Bad id" for row in client.get("/api/scenarios", headers=AUTH).json())


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_yaml_and_json_give_back_the_stored_scenario(client, fmt):
    for name in stakes.bundled_scenarios():
        answer = client.get(f"/api/scenarios/{name}/export", headers=AUTH, params={"format": fmt})
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == f'attachment; filename="{name}.{fmt}"'
        media = {"yaml": "application/yaml", "json": "application/json"}[fmt]
        assert answer.headers["content-type"].startswith(media)
        assert stakes.loads(answer.text, fmt) == scenario_of(get(client, name)) == stakes.load(name)


@pytest.mark.parametrize("fmt,name", [("csv", "eu-emissions"), ("csv", "rafah-2024"),
                                      ("ktab-csv", "ktab-soe-policy")])
def test_export_csv_layouts_give_back_the_numbers(client, fmt, name):
    answer = client.get(f"/api/scenarios/{name}/export", headers=AUTH, params={"format": fmt})
    assert answer.status_code == 200, answer.text
    suffix = {"csv": "csv", "ktab-csv": "ktab.csv"}[fmt]
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}.{suffix}"'
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text == stakes.dumps(stakes.load(name), fmt)
    back, stored = stakes.loads(answer.text, fmt), stakes.load(name)
    assert [a.capability.value for a in back.actors] == [a.capability.value for a in stored.actors]

    def table(scenario: stakes.Scenario) -> list[list[tuple[float, float]]]:
        return [[(a.stances[i.id].position.value, a.stances[i.id].salience.value) for i in scenario.issues
                 if i.id in a.stances] for a in scenario.actors]

    assert table(back) == table(stored)
    # a scenario imported from that file exports to the same file again
    imported = client.post("/api/scenarios", headers=AUTH, json={"format": fmt, "text": answer.text,
                                                                   "title": f"{name} from {fmt}"}).json()
    again = client.get(f"/api/scenarios/{imported['id']}/export", headers=AUTH, params={"format": fmt})
    reread = stakes.loads(again.text, fmt)
    assert reread == replace(scenario_of(imported), title=reread.title)  # a CSV table has no title


def test_export_a_scenario_ktab_cannot_hold_is_422(client):
    answer = client.get("/api/scenarios/rafah-2024/export", headers=AUTH, params={"format": "ktab-csv"})
    assert answer.status_code == 422 and "KTAB" in answer.json()["detail"]
    unknown = client.get("/api/scenarios/rafah-2024/export", headers=AUTH, params={"format": "ktab-xml"})
    assert unknown.status_code == 422


def test_a_missing_scenario_is_404_everywhere(client):
    for method, url, body in (("GET", "/api/scenarios/nope", None), ("GET", "/api/scenarios/nope/history", None),
                              ("GET", "/api/scenarios/nope/export", None),
                              ("GET", "/api/scenarios/nope/evidence", None),
                              ("PUT", "/api/scenarios/nope/whatifs", {"version": 1, "whatifs": []}),
                              ("POST", "/api/scenarios/nope/undo", {"version": 1}),
                              ("POST", "/api/scenarios/nope/forecast", {"models": ["mean"]}),
                              ("POST", "/api/scenarios/nope/sensitivity", {"model": "mean"}),
                              ("POST", "/api/scenarios/nope/montecarlo", {"models": ["mean"], "draws": 10}),
                              ("PATCH", "/api/scenarios/nope/cells",
                               {"version": 1, "edits": [{"actor": "a", "quantity": "capability", "value": 1}]}),
                              ("PUT", "/api/scenarios/nope",
                               {"version": 1, "text": stakes.dumps(stakes.load("eu-emissions"))}),
                              ("DELETE", "/api/scenarios/nope?version=1", None),
                              ("GET", "/api/jobs/nope", None), ("GET", "/api/articles/nope", None)):
        answer = client.request(method, url, headers=AUTH, json=body)
        assert answer.status_code == 404, (method, url, answer.text)
        assert answer.json()["detail"]


def test_sql_in_an_id_is_just_an_unknown_id(client):
    for url in ("/api/scenarios/'%20OR%201=1--", "/api/scenarios/1%3B%20DROP%20TABLE%20scenarios",
                "/api/articles/'%20OR%20'1'='1", "/api/jobs/'%20OR%201=1--"):
        assert client.get(url, headers=AUTH).status_code == 404, url
    assert client.get("/api/corpus/events", headers=AUTH, params={"actor": "' OR 1=1--"}).json() == []
    assert len(client.get("/api/scenarios", headers=AUTH).json()) >= 3


def test_delete_needs_the_current_version(client):
    scenario_id = copy_of(client, "eu-emissions")
    stale = client.delete(f"/api/scenarios/{scenario_id}", headers=AUTH, params={"version": 7})
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    assert client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).status_code == 200
    gone = client.delete(f"/api/scenarios/{scenario_id}", headers=AUTH, params={"version": 1})
    assert gone.status_code == 204 and gone.content == b""
    assert client.get(f"/api/scenarios/{scenario_id}", headers=AUTH).status_code == 404


# -- editing: cells, whole scenario, history, undo, what-ifs ---------------------------------------


def test_patch_a_value(client):
    scenario_id = copy_of(client)
    answer = patch(client, scenario_id, 1, {"actor": "netanyahu", "issue": "rafah_operation",
                                            "quantity": "position", "value": 80}, summary="Netanyahu softer")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert (document["version"], document["updated_by"]) == (2, "admin")
    position = stance(document, "netanyahu", "rafah_operation")["position"]
    assert position["value"] == 80 and position["range"] == [75, 95] and position["source"] == "ref"
    assert get(client, scenario_id) == document
    latest = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()[0]
    assert latest["summary"] == "Netanyahu softer"
    assert latest["changes"] == ["netanyahu.rafah_operation.position: 85 → 80"]


def test_patch_a_range_a_basis_and_several_cells_at_once(client):
    scenario_id = copy_of(client)
    answer = patch(client, scenario_id, 1,
                   {"actor": "netanyahu", "issue": "rafah_operation", "quantity": "position", "low": 70, "high": 99},
                   {"actor": "hamas", "quantity": "capability", "basis": "  A new reading.  "},
                   {"actor": "gantz", "issue": "hostage_deal", "quantity": "salience", "low": None, "high": None})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    position = stance(document, "netanyahu", "rafah_operation")["position"]
    assert position["value"] == 85 and position["range"] == [70, 99]
    [hamas] = [a for a in document["scenario"]["actors"] if a["id"] == "hamas"]
    assert hamas["capability"]["basis"] == "A new reading."
    salience = stance(document, "gantz", "hostage_deal")["salience"]
    assert "range" not in salience  # both bounds null: the number is exact
    changes = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()[0]["changes"]
    assert "netanyahu.rafah_operation.position range: [75, 95] → [70, 99]" in changes
    assert "hamas.capability basis changed" in changes
    assert any(c.startswith("gantz.hostage_deal.salience range:") and c.endswith("→ exact") for c in changes)


def test_patch_one_bound_keeps_the_other(client):
    scenario_id = copy_of(client)
    answer = patch(client, scenario_id, 1, {"actor": "netanyahu", "quantity": "capability", "high": 95})
    assert answer.status_code == 200, answer.text
    [netanyahu] = [a for a in answer.json()["scenario"]["actors"] if a["id"] == "netanyahu"]
    assert netanyahu["capability"]["range"] == [70, 95]


def test_patch_removes_a_risk_with_a_null_value(client):
    scenario_id = copy_of(client)
    answer = patch(client, scenario_id, 1, {"actor": "netanyahu", "issue": "rafah_operation", "quantity": "risk",
                                            "value": None})
    assert answer.status_code == 200, answer.text
    assert "risk" not in stance(answer.json(), "netanyahu", "rafah_operation")
    changes = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()[0]["changes"]
    assert changes == ["netanyahu.rafah_operation.risk: 0.4 → none"]
    added = patch(client, scenario_id, 2, {"actor": "netanyahu", "issue": "rafah_operation", "quantity": "risk",
                                           "value": -0.3})
    assert added.status_code == 200 and stance(added.json(), "netanyahu", "rafah_operation")["risk"] == -0.3


def test_patch_refuses_a_null_value_for_anything_but_risk(client):
    scenario_id = copy_of(client)
    answer = patch(client, scenario_id, 1, {"actor": "netanyahu", "issue": "rafah_operation",
                                            "quantity": "position", "value": None})
    assert answer.status_code == 400 and "only a risk" in answer.json()["detail"]
    assert get(client, scenario_id)["version"] == 1


def test_patch_out_of_range_is_422_at_the_cell_and_saves_nothing(client):
    scenario_id = copy_of(client)
    before = get(client, scenario_id)
    answer = patch(client, scenario_id, 1, {"actor": "gallant", "issue": "hostage_deal",
                                            "quantity": "salience", "value": 1.5})
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] and body["problems"]
    cells = {(p["actor"], p["issue"], p["quantity"]) for p in body["problems"]}
    assert ("gallant", "hostage_deal", "salience") in cells
    problem = next(p for p in body["problems"] if p["quantity"] == "salience")
    assert problem["value"] == 1.5 and problem["fix"] and problem["rule"]
    assert get(client, scenario_id) == before
    assert len(client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()) == 1


def test_patch_a_capability_out_of_its_range_is_located_at_the_capability_cell(client):
    scenario_id = copy_of(client)
    answer = patch(client, scenario_id, 1, {"actor": "hamas", "quantity": "capability", "value": -5})
    assert answer.status_code == 422
    cells = {(p["actor"], p["issue"], p["quantity"]) for p in answer.json()["problems"]}
    assert ("hamas", None, "capability") in cells


def test_patch_names_an_unknown_actor_or_issue(client):
    scenario_id = copy_of(client)
    ghost = patch(client, scenario_id, 1, {"actor": "ghost", "quantity": "capability", "value": 5})
    assert ghost.status_code == 400 and "ghost" in ghost.json()["detail"] and "netanyahu" in ghost.json()["detail"]
    issue = patch(client, scenario_id, 1, {"actor": "netanyahu", "issue": "nope", "quantity": "position", "value": 5})
    assert issue.status_code == 400 and "nope" in issue.json()["detail"]
    missing = patch(client, scenario_id, 1, {"actor": "netanyahu", "quantity": "position", "value": 5})
    assert missing.status_code == 400
    both = patch(client, scenario_id, 1, {"actor": "netanyahu", "issue": "hostage_deal", "quantity": "capability",
                                          "value": 5})
    assert both.status_code == 400 and "capability" in both.json()["detail"]
    bad_quantity = patch(client, scenario_id, 1, {"actor": "netanyahu", "quantity": "power", "value": 5})
    assert bad_quantity.status_code == 422
    assert get(client, scenario_id)["version"] == 1


def test_patch_on_a_stale_version_is_409_with_who_saved(client):
    scenario_id = copy_of(client)
    token = client.app.state.store.create_token("bob")
    bob = {"Authorization": f"Bearer {token}"}
    first = client.patch(f"/api/scenarios/{scenario_id}/cells", headers=bob, json={
        "version": 1, "edits": [{"actor": "netanyahu", "quantity": "capability", "value": 75}]})
    assert first.status_code == 200
    saved = get(client, scenario_id)
    stale = patch(client, scenario_id, 1, {"actor": "netanyahu", "quantity": "capability", "value": 85})
    assert stale.status_code == 409
    body = stale.json()
    assert (body["current_version"], body["updated_by"]) == (2, "bob")
    assert "version 2" in body["detail"] and "bob" in body["detail"]
    assert get(client, scenario_id) == saved


def test_put_a_whole_scenario_adding_an_actor(client):
    scenario_id = copy_of(client)
    data = get(client, scenario_id)["scenario"]
    data["actors"].append({"id": "qatar", "name": "Qatar", "kind": "state", "capability": 20,
                           "stances": {"hostage_deal": {"position": 70, "salience": 0.8}}})
    answer = client.put(f"/api/scenarios/{scenario_id}", headers=AUTH, json={"version": 1, "scenario": data})
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 2
    assert [a["id"] for a in answer.json()["scenario"]["actors"]][-1] == "qatar"
    latest = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()[0]
    assert latest["changes"] == ["added actor qatar"] and latest["author"] == "admin"
    as_text = client.put(f"/api/scenarios/{scenario_id}", headers=AUTH,
                         json={"version": 2, "format": "json", "text": json.dumps(data), "summary": "same"})
    assert as_text.status_code == 200 and as_text.json()["version"] == 3


def test_put_an_invalid_scenario_locates_the_cell_and_keeps_the_stored_one(client):
    scenario_id = copy_of(client)
    data = get(client, scenario_id)["scenario"]
    data["actors"][1]["stances"]["rafah_operation"]["position"] = {"value": 150}
    answer = client.put(f"/api/scenarios/{scenario_id}", headers=AUTH, json={"version": 1, "scenario": data})
    assert answer.status_code == 422
    cells = {(p["actor"], p["issue"], p["quantity"]) for p in answer.json()["problems"]}
    assert (data["actors"][1]["id"], "rafah_operation", "position") in cells
    assert get(client, scenario_id)["version"] == 1


def test_put_needs_data_or_text_but_not_both(client):
    scenario_id = copy_of(client)
    data = get(client, scenario_id)["scenario"]
    neither = client.put(f"/api/scenarios/{scenario_id}", headers=AUTH, json={"version": 1})
    both = client.put(f"/api/scenarios/{scenario_id}", headers=AUTH,
                      json={"version": 1, "scenario": data, "text": json.dumps(data)})
    assert neither.status_code == 400 and both.status_code == 400
    stale = client.put(f"/api/scenarios/{scenario_id}", headers=AUTH, json={"version": 5, "scenario": data})
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    assert get(client, scenario_id)["version"] == 1


def test_history_is_newest_first_with_who_and_what(client):
    scenario_id = copy_of(client)
    token = client.app.state.store.create_token("carol")
    patch(client, scenario_id, 1, {"actor": "hamas", "quantity": "capability", "value": 40})
    client.patch(f"/api/scenarios/{scenario_id}/cells", headers={"Authorization": f"Bearer {token}"},
                 json={"version": 2, "edits": [{"actor": "egypt", "quantity": "capability", "value": 20}]})
    history = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()
    assert [(r["version"], r["author"]) for r in history] == [(3, "carol"), (2, "admin"), (1, "admin")]
    assert history[0]["changes"] == ["egypt.capability: 30 → 20"]
    assert history[1]["changes"] == ["hamas.capability: 50 → 40"]
    assert history[2]["summary"] == "imported (yaml)" and history[2]["changes"] == []
    assert history[0]["at"] >= history[1]["at"] >= history[2]["at"]


def test_undo_and_undo_the_undo(client):
    scenario_id = copy_of(client)
    original = get(client, scenario_id)["scenario"]
    changed = patch(client, scenario_id, 1, {"actor": "hamas", "quantity": "capability", "value": 40}).json()
    stale = client.post(f"/api/scenarios/{scenario_id}/undo", headers=AUTH, json={"version": 1})
    assert stale.status_code == 409
    undone = client.post(f"/api/scenarios/{scenario_id}/undo", headers=AUTH, json={"version": 2})
    assert undone.status_code == 200, undone.text
    assert undone.json()["version"] == 3 and undone.json()["scenario"] == original
    redone = client.post(f"/api/scenarios/{scenario_id}/undo", headers=AUTH, json={"version": 3}).json()
    assert redone["version"] == 4 and redone["scenario"] == changed["scenario"]
    history = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()
    assert [r["summary"] for r in history[:2]] == ["undo version 3", "undo version 2"]


def test_undo_at_the_first_version_says_there_is_nothing_to_undo(client):
    scenario_id = copy_of(client)
    answer = client.post(f"/api/scenarios/{scenario_id}/undo", headers=AUTH, json={"version": 1})
    assert answer.status_code == 400 and "nothing to undo" in answer.json()["detail"]


def test_put_what_ifs(client):
    scenario_id = copy_of(client)
    whatifs = [{"id": "us_pressure", "title": "US presses", "description": "More pressure.",
                "changes": ["us_admin.capability *= 1.2", "us_admin.rafah_operation.salience = 0.95"]},
               {"id": "no_far_right", "title": "Far right out", "changes": ["drop far_right"]}]
    answer = client.put(f"/api/scenarios/{scenario_id}/whatifs", headers=AUTH,
                        json={"version": 1, "whatifs": whatifs})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["version"] == 2
    assert [{k: v for k, v in w.items() if v is not None} for w in document["whatifs"]] == whatifs
    assert scenario_of(document) == stakes.load("rafah-2024")
    latest = client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()[0]
    assert latest["changes"] == ["what-ifs changed"]


def test_put_an_empty_list_of_what_ifs_removes_them(client):
    """Removing the last what-if is an ordinary edit (the request schema allows an empty list)."""
    scenario_id = copy_of(client)
    client.put(f"/api/scenarios/{scenario_id}/whatifs", headers=AUTH, json={
        "version": 1, "whatifs": [{"id": "a", "title": "A", "changes": ["drop far_right"]}]})
    cleared = client.put(f"/api/scenarios/{scenario_id}/whatifs", headers=AUTH, json={"version": 2, "whatifs": []})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["whatifs"] == [] and cleared.json()["version"] == 3


@pytest.mark.parametrize("change,status,named", [
    ("netanyahu.position ==", 422, "netanyahu.position =="),
    ("us_admin.capability *= lots", 422, "lots"),
    ("ghost.capability *= 2", 422, "ghost"),
    ("drop ghost", 422, "ghost"),
    ("netanyahu.rafah_operation.salience = 3", 422, "salience"),
])
def test_put_what_ifs_refuses_a_bad_change_and_names_it(client, change, status, named):
    scenario_id = copy_of(client)
    answer = client.put(f"/api/scenarios/{scenario_id}/whatifs", headers=AUTH, json={
        "version": 1, "whatifs": [{"id": "bad", "title": "Bad", "changes": ["hamas.capability *= 0.5", change]}]})
    assert answer.status_code in (400, 422), answer.text
    assert answer.status_code == status
    assert named in answer.json()["detail"]
    assert get(client, scenario_id)["version"] == 1


def test_put_what_ifs_checks_the_shape(client):
    scenario_id = copy_of(client)
    for whatif in ({"id": "a b", "title": "x", "changes": ["drop hamas"]},
                   {"id": "a", "title": "x", "changes": []},
                   {"id": "a", "title": "x", "changes": ["drop hamas"], "extra": 1}):
        answer = client.put(f"/api/scenarios/{scenario_id}/whatifs", headers=AUTH,
                            json={"version": 1, "whatifs": [whatif]})
        assert answer.status_code == 422, whatif
    stale = client.put(f"/api/scenarios/{scenario_id}/whatifs", headers=AUTH, json={
        "version": 9, "whatifs": [{"id": "a", "title": "x", "changes": ["drop hamas"]}]})
    assert stale.status_code == 409


# -- forecasts, sensitivity, jobs -----------------------------------------------------------------


def test_models_are_listed(client):
    models = client.get("/api/models", headers=AUTH).json()
    assert [m["name"] for m in models] == list(stakes.MODELS)
    assert all(m["title"] for m in models)
    assert {m["name"]: m["links_issues"] for m in models}["smp"] is True


def test_the_default_models_are_the_libraries_everywhere(client):
    from stakes.models import DEFAULT_MODELS, default_models

    models = client.get("/api/models", headers=AUTH).json()
    assert [m["name"] for m in models if m["default"]] == list(DEFAULT_MODELS)
    # per scenario, as the command line: veto joins where an issue has a decision rule
    for name in ("rafah-2024", "ktab-soe-policy"):
        expected = list(default_models(stakes.load(name)))
        assert get(client, name)["default_models"] == expected
        answer = client.post(f"/api/scenarios/{name}/forecast", headers=AUTH, json={})
        assert [f["model"] for f in answer.json()["forecasts"]] == expected
    assert "veto" in get(client, "rafah-2024")["default_models"]
    assert "veto" not in get(client, "ktab-soe-policy")["default_models"]
    script = (Path(stakes.__file__).parent / "web" / "static" / "js" / "views" / "forecast.js").read_text()
    assert "default_models" in script and "'bdm', 'mean'" not in script  # ticked from the API, not a list of its own


def test_forecast_mean_and_median_match_the_library(client):
    answer = client.post("/api/scenarios/rafah-2024/forecast", headers=AUTH, json={"models": ["mean", "median"]})
    assert answer.status_code == 200, answer.text
    scenario = scenario_of(get(client, "rafah-2024"))
    forecasts = answer.json()["forecasts"]
    assert [f["model"] for f in forecasts] == ["mean", "median"]
    for shown in forecasts:
        expected = stakes.forecast(scenario, shown["model"], seed=0)
        assert shown["outcomes"] == pytest.approx(expected.outcomes, abs=1e-9)
        assert set(shown["issues"]) == {i.id for i in scenario.issues}
        for issue_id, detail in shown["issues"].items():
            assert detail["outcome"] == pytest.approx(expected.outcomes[issue_id], abs=1e-9)
            assert detail["rounds"] >= 0 and detail["stop_reason"]


def test_forecast_bdm_has_trajectories_and_matches_the_library(client):
    answer = client.post("/api/scenarios/eu-emissions/forecast", headers=AUTH, json={"models": ["bdm"], "seed": 3})
    assert answer.status_code == 200, answer.text
    [shown] = answer.json()["forecasts"]
    expected = stakes.forecast(stakes.load("eu-emissions"), "bdm", seed=3)
    assert shown["outcomes"] == pytest.approx(expected.outcomes, abs=1e-9)
    detail = shown["issues"]["emissions"]
    assert detail["rounds"] == expected.issues["emissions"].rounds
    rounds = {step["round"] for step in detail["trajectory"]}
    assert rounds == set(range(detail["rounds"] + 1))  # the start, then every round
    assert {step["actor"] for step in detail["trajectory"]} == {a.id for a in stakes.load("eu-emissions").actors}
    assert detail["challenges"] and isinstance(detail["challenges"][0], dict)


def test_forecast_reports_what_the_decision_rule_made_of_each_issue(client):
    answer = client.post("/api/scenarios/rafah-2024/forecast", headers=AUTH, json={"models": ["mean", "bdm", "veto"]})
    assert answer.status_code == 200, answer.text
    shown = {f["model"]: f["issues"] for f in answer.json()["forecasts"]}
    assert all(detail["decision"] is None for detail in shown["mean"].values())  # mean applies no rule
    bdm = stakes.forecast(stakes.load("rafah-2024"), "bdm").issues["hostage_deal"]
    assert shown["bdm"]["hostage_deal"]["decision"] == {
        "rule": "veto", "deal": True, "blocking": [], "feasible": bdm.diagnostics["feasible"],
        "bargained": pytest.approx(float(bdm.diagnostics["bargained"][-1]))}
    assert shown["veto"]["rafah_operation"]["decision"]["rule"] == "single"
    assert shown["veto"]["northern_front"]["decision"]["rule"] == "bargaining"


def test_an_unknown_model_is_422_before_any_work(client):
    for url, body in (("/api/scenarios/rafah-2024/forecast", {"models": ["mean", "oracle"]}),
                      ("/api/scenarios/rafah-2024/sensitivity", {"model": "oracle"}),
                      ("/api/scenarios/rafah-2024/montecarlo", {"models": ["oracle"], "draws": 10}),
                      ("/api/scenarios/rafah-2024/compare",
                       {"models": ["oracle"], "draws": 10,
                        "whatifs": [{"id": "a", "title": "a", "changes": ["drop hamas"]}]})):
        answer = client.post(url, headers=AUTH, json=body)
        assert answer.status_code == 422, (url, answer.text)
        assert "oracle" in answer.json()["detail"]


def test_request_limits_are_422(client):
    for url, body in (("/api/scenarios/rafah-2024/montecarlo", {"models": ["mean"], "draws": 0}),
                      ("/api/scenarios/rafah-2024/montecarlo", {"models": ["mean"], "draws": 100_001}),
                      ("/api/scenarios/rafah-2024/montecarlo", {"models": [], "draws": 10}),
                      ("/api/scenarios/rafah-2024/forecast", {"models": ["mean"], "seed": -1}),
                      ("/api/scenarios/rafah-2024/sensitivity", {"model": "mean", "points": 1}),
                      ("/api/scenarios/rafah-2024/forecast", {"models": ["mean"], "extra": True})):
        assert client.post(url, headers=AUTH, json=body).status_code == 422, (url, body)


def test_sensitivity_rows_are_largest_swing_first(client):
    answer = client.post("/api/scenarios/rafah-2024/sensitivity", headers=AUTH, json={"model": "mean", "points": 3})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    assert rows and {"input", "issue", "low", "high", "outcome_low", "outcome_high", "swing",
                     "base_outcome"} <= set(rows[0])
    base = stakes.forecast(stakes.load("rafah-2024"), "mean").outcomes
    for issue_id in base:
        mine = [r for r in rows if r["issue"] == issue_id]
        assert mine, issue_id
        swings = [r["swing"] for r in mine]
        assert swings == sorted(swings, reverse=True)
        assert all(r["base_outcome"] == pytest.approx(base[issue_id]) for r in mine)
        assert all(r["low"] <= r["high"] for r in mine)


def test_monte_carlo_job_reports_p_deal_on_issues_with_a_veto_rule(client):
    answer = client.post("/api/scenarios/rafah-2024/montecarlo", headers=AUTH,
                         json={"models": ["mean", "veto"], "draws": 200, "seed": 5})
    job = wait_for(client, answer.json()["id"])
    assert job["status"] == "done", job
    expected = monte_carlo(stakes.load("rafah-2024"), ["mean", "veto"], 200, 5).probability("deal on hostage_deal")
    # only the veto model applies the rule; mean has no notion of a deal
    [row] = job["result"]["deals"]
    assert (row["issue"], row["model"]) == ("hostage_deal", "veto") and list(expected["model"]) == ["veto"]
    assert row["probability"] == pytest.approx(float(expected["probability"].iloc[0]), abs=1e-12)


def test_monte_carlo_job_runs_in_the_background_and_matches_the_library(client):
    answer = client.post("/api/scenarios/rafah-2024/montecarlo", headers=AUTH,
                         json={"models": ["mean"], "draws": 300, "seed": 11})
    assert answer.status_code == 202, answer.text
    started = answer.json()
    assert started["kind"] == "montecarlo" and started["total"] == 300 and started["status"] == "queued"
    job = wait_for(client, started["id"])
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == 300 and job["error"] is None
    summary = job["result"]["summary"]
    expected = monte_carlo(stakes.load("rafah-2024"), ["mean"], 300, 11).summary()
    assert len(summary) == len(expected) == 3
    for row in summary:
        [want] = expected[expected["issue"] == row["issue"]].to_dict(orient="records")
        assert row["model"] == "mean"
        for column in ("mean", "q05", "q50", "q95"):
            assert row[column] == pytest.approx(want[column], abs=1e-9), column
    histograms = job["result"]["histograms"]
    assert {(h["model"], h["issue"]) for h in histograms} == {("mean", r["issue"]) for r in summary}
    for histogram in histograms:
        assert sum(histogram["counts"]) == 300 and len(histogram["edges"]) == len(histogram["counts"]) + 1


def test_compare_job_with_a_bundled_what_if(client):
    whatif = get(client, "rafah-2024")["whatifs"][0]
    answer = client.post("/api/scenarios/rafah-2024/compare", headers=AUTH,
                         json={"models": ["median"], "draws": 100, "seed": 2, "whatifs": [whatif]})
    assert answer.status_code == 202, answer.text
    assert answer.json()["kind"] == "compare" and answer.json()["total"] == 200
    job = wait_for(client, answer.json()["id"])
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == 200
    rows = job["result"]["rows"]
    assert {r["variant"] for r in rows} == {"baseline", whatif["id"]}
    whatifs = whatifs_from_data([{k: v for k, v in whatif.items() if v is not None}])
    expected = compare(stakes.load("rafah-2024"), whatifs, ["median"], 100, 2).table()
    for row in rows:
        [want] = expected[(expected["variant"] == row["variant"]) & (expected["issue"] == row["issue"])].to_dict(
            orient="records")
        assert row["q50"] == pytest.approx(want["q50"], abs=1e-9)
        assert row["title"] == want["title"]


def test_compare_refuses_a_what_if_that_does_not_apply_before_starting(client):
    answer = client.post("/api/scenarios/rafah-2024/compare", headers=AUTH, json={
        "models": ["mean"], "draws": 10, "whatifs": [{"id": "ghost", "title": "Ghost", "changes": ["drop ghost"]}]})
    assert answer.status_code == 422 and "ghost" in answer.json()["detail"]


def test_an_unknown_job_is_404(client):
    answer = client.get("/api/jobs/0123456789abcdef", headers=AUTH)
    assert answer.status_code == 404 and "no job" in answer.json()["detail"]


# -- evidence, articles, corpus ---------------------------------------------------------------------


def test_an_empty_corpus_gives_empty_lists(fresh):
    for url in ("/api/articles", "/api/corpus/stances", "/api/corpus/events"):
        answer = fresh.get(url, headers=AUTH)
        assert answer.status_code == 200 and answer.json() == [], url
    assert fresh.get("/api/corpus/network", headers=AUTH).json() == {"nodes": [], "edges": []}
    assert fresh.get("/api/corpus/stances", headers=AUTH, params={"actor": "x", "issue": "y",
                                                                  "since": "2024-01-01"}).json() == []
    assert fresh.get("/api/corpus/events", headers=AUTH, params={"until": "not a date"}).status_code == 422


def test_evidence_lists_every_number_of_the_scenario(client):
    rows = client.get("/api/scenarios/rafah-2024/evidence", headers=AUTH).json()
    scenario = stakes.load("rafah-2024")
    expected = (sum(i.status_quo is not None for i in scenario.issues) + len(scenario.actors)
                + sum(len(i.outcomes) for i in scenario.issues)
                + sum(2 + (stance.risk is not None) for a in scenario.actors for stance in a.stances.values()))
    assert len(rows) == len({r["key"] for r in rows}) == expected
    [netanyahu] = [r for r in rows if r["key"] == "netanyahu.rafah_operation.position"]
    assert (netanyahu["actor"], netanyahu["issue"], netanyahu["quantity"]) == (
        "netanyahu", "rafah_operation", "position")
    assert (netanyahu["value"], netanyahu["low"], netanyahu["high"]) == (85, 75, 95)
    assert netanyahu["where"] == "paragraphs 1, 6, 14" and netanyahu["source"]["id"] == "ref"
    assert netanyahu["basis"].startswith("Reported to regard")
    observed = {"outcome"} if any(i.outcomes for i in scenario.issues) else set()
    assert {r["quantity"] for r in rows} == {"status_quo", "capability", "position", "salience", "risk", *observed}
    unlinked = client.get("/api/scenarios/eu-emissions/evidence", headers=AUTH).json()
    assert all(r["article_id"] is None and r["spans"] == [] for r in unlinked)


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """An app of its own with the reference article stored as source `ref` of rafah-2024."""
    text = shared_path("reference", "rafah-2024.txt").read_text(encoding="utf-8")
    with make_client(tmp_path_factory.mktemp("linked") / "s.sqlite") as opened:
        answer = opened.post("/api/scenarios/rafah-2024/sources/ref/article", headers=AUTH,
                             json={"text": text, "title": "Reference article", "url": "https://example.org/a",
                                   "published": "2024-03-28"})
        assert answer.status_code == 201, answer.text
        yield opened, answer.json()["article_id"], text


def test_numbers_citing_paragraphs_link_to_those_paragraphs(linked):
    client, article_id, text = linked
    rows = client.get("/api/scenarios/rafah-2024/evidence", headers=AUTH).json()
    found = paragraphs(text)
    assert len(found) == 16  # as the scenario's notes count them
    checked = 0
    for row in rows:
        if row["source"] is None or row["source"]["id"] != "ref":  # an estimate, or a source with no stored article
            assert row["article_id"] is None and row["spans"] == []
            continue
        assert row["article_id"] == article_id
        numbers = [int(n) for n in re.findall(r"\d+", row["where"])]
        assert [tuple(s) for s in row["spans"]] == [found[n - 1] for n in numbers], row["key"]
        if row["where"].startswith("paragraph "):
            [(start, end)] = row["spans"]
            assert text[start:end] in {line.strip() for line in text.splitlines()}  # one whole paragraph
            checked += 1
    assert checked >= 20


def test_an_article_comes_back_with_what_the_reading_found(linked):
    client, article_id, text = linked
    listed = client.get("/api/articles", headers=AUTH).json()
    assert listed == [{"id": article_id, "title": "Reference article", "published": "2024-03-28",
                       "publisher": None, "url": "https://example.org/a"}]
    article = client.get(f"/api/articles/{article_id}", headers=AUTH).json()
    assert article["text"] == text and article["title"] == "Reference article"
    assert article["mentions"], "the reading pipeline found no mentions"
    for key in ("mentions", "quotes", "events"):
        for mark in article[key]:
            assert 0 <= mark["start"] < mark["end"] <= len(text), (key, mark)
    assert all(mark["actor"] for mark in article["mentions"])
    again = client.post("/api/scenarios/rafah-2024/sources/ref/article", headers=AUTH, json={"text": text})
    assert again.status_code == 201 and again.json()["article_id"] == article_id
    assert len(client.get("/api/articles", headers=AUTH).json()) == 1


def test_events_and_network_agree_after_linking_the_article(linked):
    client, article_id, _ = linked
    events = client.get("/api/corpus/events", headers=AUTH).json()
    network = client.get("/api/corpus/network", headers=AUTH).json()
    assert events and all(e["article_id"] == article_id and e["date"] == "2024-03-28" for e in events)
    pairs = [(e["source"], e["target"]) for e in events if e["source"] and e["target"]]
    edges = {(e["source"], e["target"]): e for e in network["edges"]}
    assert sum(e["events"] for e in edges.values()) == len(pairs)
    for pair, edge in edges.items():
        assert edge["events"] == pairs.count(pair) == sum(edge["types"].values())
    nodes = {n["id"]: n["events"] for n in network["nodes"]}
    assert set(nodes) == {actor for pair in pairs for actor in pair}
    for actor, count in nodes.items():
        assert count == sum(e["events"] for (s, t), e in edges.items() if actor in (s, t))
    some = next(actor for actor, _ in pairs)
    mine = client.get("/api/corpus/events", headers=AUTH, params={"actor": some}).json()
    assert mine and all(some in (e["source"], e["target"]) for e in mine)
    assert client.get("/api/corpus/events", headers=AUTH, params={"since": "2025-01-01"}).json() == []
    stances = client.get("/api/corpus/stances", headers=AUTH).json()
    issues = {i.id for i in stakes.load("rafah-2024").issues}
    assert stances and all(s["issue"] in issues and s["article_id"] == article_id for s in stances)


def read_within(text: str, seconds: int = 5) -> None:
    """Fail (rather than hang the suite) when the reading pipeline does not finish ``text`` in time."""
    from stakes.reading.nlp import nlp_pipeline

    nlp = nlp_pipeline()  # loading the model is not part of the time

    def stop(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        nlp(text)
    except TimeoutError:
        pytest.fail(f"reading {text!r} did not finish in {seconds} s: the quote finder loops "
                    "(stakes/reading/quotes.py, QuoteFinder._verb_for)")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_an_article_quoting_words_nobody_says_is_read_and_stored(client):
    text = 'The plan "would change everything for the region" was dropped.'
    read_within(text)  # the request would never answer while the quote finder loops
    scenario_id = copy_of(client)
    answer = client.post(f"/api/scenarios/{scenario_id}/sources/ref/article", headers=AUTH, json={"text": text})
    assert answer.status_code == 201, answer.text
    assert client.get(f"/api/articles/{answer.json()['article_id']}", headers=AUTH).json()["text"] == text


def test_read_a_draft_scenario_from_articles(client):
    text = ("Prime Minister Benjamin Netanyahu said on Monday that Israel will launch the operation in Rafah. "
            "Hamas rejected the proposal for a temporary truce and demanded a full withdrawal from Gaza.\n"
            "Egypt warned Israel that an assault on Rafah would threaten the peace treaty.\n")
    read_within(text)
    answer = client.post("/api/scenarios/read", headers=AUTH, json={
        "title": "Drafted", "issues_from": "rafah-2024", "articles": [{"text": text, "title": "Draft source"}]})
    assert answer.status_code == 201, answer.text
    document = answer.json()
    assert document["version"] == 1 and document["scenario"]["title"] == "Drafted"
    assert {i["id"] for i in document["scenario"]["issues"]} <= {i.id for i in stakes.load("rafah-2024").issues}
    assert document["scenario"]["actors"]
    assert client.get(f"/api/scenarios/{document['id']}/history", headers=AUTH).json()[0]["summary"] == \
        "read from articles"
    missing = client.post("/api/scenarios/read", headers=AUTH,
                          json={"issues_from": "nope", "articles": [{"text": text}]})
    assert missing.status_code == 404


def test_linking_needs_a_known_source(client):
    answer = client.post("/api/scenarios/rafah-2024/sources/nope/article", headers=AUTH, json={"text": "Some text."})
    assert answer.status_code == 404 and "ref" in answer.json()["detail"]
    empty = client.post("/api/scenarios/rafah-2024/sources/ref/article", headers=AUTH, json={"text": ""})
    assert empty.status_code == 422


# -- data stays data: escaping and injection -------------------------------------------------------


def _hostile_scenario() -> dict:
    data = schema.to_data(stakes.load("rafah-2024"))
    data["title"] = f"Title {XSS[0]} {XSS[1]}"
    data["actors"][0]["name"] = XSS[0]
    data["actors"][1]["name"] = XSS[1]
    data["actors"][0]["capability"]["basis"] = f"Basis {XSS[1]} and {XSS[0]}"
    data["description"] = "&lt;b&gt; & <b>bold</b> ' \" `"
    return data


def test_hostile_text_is_returned_verbatim_as_data(client):
    data = _hostile_scenario()
    answer = client.post("/api/scenarios", headers=AUTH, json={"format": "json", "text": json.dumps(data)})
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    document = answer.json()
    scenario_id = document["id"]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,99}", scenario_id)
    for shown in (document, get(client, scenario_id)):
        assert shown["scenario"]["title"] == data["title"]
        assert shown["scenario"]["description"] == data["description"]
        assert shown["scenario"]["actors"][0]["name"] == XSS[0]
        assert shown["scenario"]["actors"][1]["name"] == XSS[1]
        assert shown["scenario"]["actors"][0]["capability"]["basis"] == data["actors"][0]["capability"]["basis"]
    listed = next(r for r in client.get("/api/scenarios", headers=AUTH).json() if r["id"] == scenario_id)
    assert listed["title"] == data["title"]
    edited = patch(client, scenario_id, 1, {"actor": data["actors"][2]["id"], "quantity": "capability",
                                            "basis": XSS[1]})
    assert edited.status_code == 200
    assert edited.json()["scenario"]["actors"][2]["capability"]["basis"] == XSS[1]
    evidence = client.get(f"/api/scenarios/{scenario_id}/evidence", headers=AUTH).json()
    assert XSS[1] in {r["basis"] for r in evidence}
    exported = client.get(f"/api/scenarios/{scenario_id}/export", headers=AUTH, params={"format": "yaml"})
    assert exported.headers["content-disposition"] == f'attachment; filename="{scenario_id}.yaml"'
    assert exported.headers["x-content-type-options"] == "nosniff"
    assert stakes.loads(exported.text).title == data["title"]


def test_hostile_article_text_is_returned_verbatim(client):
    scenario_id = copy_of(client)
    text = f"The envoy said {XSS[0]} today.\nAnother line {XSS[1]} follows.\n"
    read_within(text)
    answer = client.post(f"/api/scenarios/{scenario_id}/sources/ref/article", headers=AUTH,
                         json={"text": text, "title": XSS[1]})
    assert answer.status_code == 201, answer.text
    article = client.get(f"/api/articles/{answer.json()['article_id']}", headers=AUTH).json()
    assert article["text"] == text and article["title"] == XSS[1]


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    for url in ("/", "/api/docs"):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html"), url
        policy = answer.headers["content-security-policy"]
        directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
        assert directives["script-src"] == ["'self'"], policy
        assert "'unsafe-inline'" not in directives.get("default-src", []) and "'unsafe-eval'" not in policy
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        for tag in re.findall(r"<script\b[^>]*>", answer.text, flags=re.IGNORECASE):
            assert re.search(r"\bsrc=", tag), f"inline script in {url}: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", answer.text, flags=re.IGNORECASE), f"inline handler in {url}"
    assert client.get("/api/scenarios", headers=AUTH).headers["x-content-type-options"] == "nosniff"


def test_the_page_scripts_never_write_markup():
    scripts = sorted(STATIC_JS.rglob("*.js"))
    assert scripts
    banned = re.compile(r"\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write(?:ln)?)\b|\beval\s*\(|"
                        r"\bnew\s+Function\s*\(|\bsetTimeout\s*\(\s*['\"`]")
    found = [f"{path.relative_to(STATIC_JS)}:{k}: {line.strip()}"
             for path in scripts for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if banned.search(line)]
    assert found == []


def test_the_export_file_name_is_always_the_id(client):
    for bad in ("../etc", "a b", 'x";filename=evil', "a\\b"):
        answer = client.post("/api/scenarios", headers=AUTH, json={"id": bad, "title": "Bad"})
        assert answer.status_code == 422, bad
    # a path that is not an id never reaches the export
    assert client.get("/api/scenarios/..%2Fetc/export", headers=AUTH).status_code == 404
    titled = client.post("/api/scenarios", headers=AUTH, json={"title": '../../etc/passwd"; x=<y>'}).json()
    answer = client.get(f"/api/scenarios/{titled['id']}/export", headers=AUTH, params={"format": "json"})
    disposition = answer.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9][A-Za-z0-9_\-]*\.json"', disposition)
    assert answer.headers["content-disposition"] == f'attachment; filename="{titled["id"]}.json"'


# -- requests that must be refused, never crash the server (found by tests/test_web_schemathesis.py) --


@pytest.fixture(scope="module")
def unguarded(client):
    """The module's app, answering a server error as a 500 instead of raising it into the test."""
    return TestClient(client.app, raise_server_exceptions=False)


def test_delete_with_a_version_the_database_cannot_hold_is_refused(unguarded):
    for version in (2**63, -(2**63) - 1, 10**40):
        answer = unguarded.delete("/api/scenarios/ktab-soe-policy", headers=AUTH, params={"version": version})
        assert answer.status_code in (409, 422), (version, answer.status_code, answer.text)
    assert get(unguarded, "ktab-soe-policy")["version"] == 1


def test_the_export_schema_describes_the_files_it_sends(client):
    import jsonschema
    import yaml

    spec = client.get("/api/openapi.json").json()
    content = spec["paths"]["/api/scenarios/{scenario_id}/export"]["get"]["responses"]["200"]["content"]
    for fmt, parse in (("json", json.loads), ("yaml", yaml.safe_load), ("csv", str), ("ktab-csv", str)):
        answer = client.get("/api/scenarios/ktab-soe-policy/export", headers=AUTH, params={"format": fmt})
        media = answer.headers["content-type"].split(";")[0]
        assert media in content, (fmt, media)
        jsonschema.validate(parse(answer.text), content[media]["schema"])


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_cell_edit_with_a_number_json_cannot_hold_is_422(unguarded, number):
    scenario_id = copy_of(unguarded)
    for edit in (f'"value": {number}', f'"low": {number}, "high": 90'):
        body = f'{{"version": 1, "edits": [{{"actor": "netanyahu", "quantity": "capability", {edit}}}]}}'
        answer = unguarded.patch(f"/api/scenarios/{scenario_id}/cells", content=body,
                                 headers={**AUTH, "Content-Type": "application/json"})
        assert answer.status_code == 422, (edit, answer.status_code, answer.text)
        assert answer.json()["detail"]
    assert get(unguarded, scenario_id)["version"] == 1


def test_open_reads_open_get_requests_only(tmp_path):
    """docs/web.md: "with --open-reads, GET requests are open"; runs that cost CPU still need a token."""
    whatif = {"id": "a", "title": "A", "changes": ["drop far_right"]}
    with make_client(tmp_path / "s.sqlite", open_reads=True) as opened:
        for url, body in (("/api/scenarios/rafah-2024/forecast", {"models": ["mean"]}),
                          ("/api/scenarios/rafah-2024/sensitivity", {"model": "mean"}),
                          ("/api/scenarios/rafah-2024/montecarlo", {"models": ["mean"], "draws": 1}),
                          ("/api/scenarios/rafah-2024/compare",
                           {"models": ["mean"], "draws": 1, "whatifs": [whatif]})):
            answer = opened.post(url, json=body)
            assert answer.status_code == 401, (url, answer.status_code)


@pytest.fixture
def postgres_client():
    """An app on the PostgreSQL of $STAKES_TEST_POSTGRES (emptied first), answering errors as 500s."""
    url = empty_postgres()
    app = create_app(Settings(db=url, token=TOKEN))
    yield TestClient(app, raise_server_exceptions=False)
    app.state.jobs.shutdown()
    app.state.corpus.close()


def test_on_postgresql_values_it_cannot_store_are_refused_not_a_crash(postgres_client):
    client = postgres_client
    assert get(client, "rafah-2024")["version"] == 1
    for method, url, body in (("GET", "/api/scenarios/a%00b", None),
                              ("GET", "/api/scenarios/a%00b/history", None),
                              ("GET", "/api/articles/a%00b", None),
                              ("GET", "/api/corpus/events?actor=a%00b", None),
                              ("GET", "/api/corpus/stances?issue=a%00b", None),
                              ("POST", "/api/scenarios", {"title": "a\u0000b"}),
                              ("DELETE", "/api/scenarios/rafah-2024?version=2147483648", None),
                              ("DELETE", "/api/scenarios/rafah-2024?version=-2147483649", None)):
        answer = client.request(method, url, headers=AUTH, json=body)
        assert answer.status_code in (400, 404, 409, 422), (method, url, answer.status_code, answer.text)
    assert get(client, "rafah-2024")["version"] == 1
