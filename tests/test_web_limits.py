"""A server a team can rely on: limits checked before work, the token before the body, cheap reads,
formula-safe CSV, tokens that expire and can be revoked, unique ids under concurrency, a trash."""

from __future__ import annotations

import asyncio
import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import stakes
from stakes import limits
from stakes.cli import app as cli
from stakes.errors import ModelError, StakesError
from stakes.scenario import schema
from stakes.web.app import Settings, create_app
from tests.conftest import empty_postgres

TOKEN = "a-server-token-long-enough"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
runner = CliRunner()


def make_app(path: Path, **settings):
    return create_app(Settings(db=str(path), token=TOKEN, **settings))


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path_factory.mktemp("limits") / "s.sqlite")) as opened:
        yield opened


# -- the token before the body, and the body's size while it streams ----------------------------


def asgi(app, method: str, path: str, headers: dict[str, str], chunks: list[bytes]) -> tuple[int, dict, int]:
    """Send a request straight to the ASGI app, its body in ``chunks`` without a length unless one is
    in ``headers``; the status, the JSON answer, and how many body bytes the app took."""
    taken = 0
    pending = list(chunks)

    async def receive():
        nonlocal taken
        if pending:
            chunk = pending.pop(0)
            taken += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), taken


MEGABYTE = b"x" * 1_000_000


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dDBrOg=="])
def test_a_big_post_without_a_valid_token_is_401_before_any_of_its_body_is_read(client, authorization):
    headers = {"content-type": "application/json", "content-length": str(20 * len(MEGABYTE))}
    if authorization:
        headers["authorization"] = authorization
    for path in ("/api/scenarios", "/api/scenarios/rafah-2024/forecast", "/api/scenarios/read"):
        status, answer, taken = asgi(client.app, "POST", path, headers, [MEGABYTE] * 20)
        assert (status, taken) == (401, 0), (path, status, answer)
        assert "token" in answer["detail"]


def test_a_body_declared_larger_than_the_cap_is_413_unread(tmp_path):
    app = make_app(tmp_path / "s.sqlite", limits=limits.Limits(body_bytes=1_000_000))
    headers = {**{k.lower(): v for k, v in AUTH.items()}, "content-type": "application/json",
               "content-length": str(5 * len(MEGABYTE))}
    status, answer, taken = asgi(app, "POST", "/api/scenarios", headers, [MEGABYTE] * 5)
    assert (status, taken) == (413, 0)
    assert "cap of 1000000 bytes" in answer["detail"] and "STAKES_MAX_BODY_BYTES" in answer["detail"]


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(tmp_path):
    app = make_app(tmp_path / "s.sqlite", limits=limits.Limits(body_bytes=1_000_000))
    headers = {**{k.lower(): v for k, v in AUTH.items()}, "content-type": "application/json",
               "transfer-encoding": "chunked"}
    chunk = b"x" * 100_000
    status, answer, taken = asgi(app, "POST", "/api/scenarios", headers, [chunk] * 300)
    assert status == 413 and "--max-body-bytes" in answer["detail"]
    assert taken <= 1_000_000 + len(chunk)  # not the 30 MB sent


def test_a_chunked_body_within_the_cap_is_read_whole(tmp_path):
    app = make_app(tmp_path / "s.sqlite", limits=limits.Limits(body_bytes=1_000_000))
    body = json.dumps({"id": "chunked", "format": "yaml", "text": stakes.dumps(stakes.load("eu-emissions"))}).encode()
    headers = {**{k.lower(): v for k, v in AUTH.items()}, "content-type": "application/json"}
    chunks = [body[i:i + 1000] for i in range(0, len(body), 1000)]
    status, answer, taken = asgi(app, "POST", "/api/scenarios", headers, chunks)
    assert (status, answer["id"], taken) == (201, "chunked", len(body))


# -- caps on what a scenario, an article and a run may be: one validation, two front doors ---------


def _many_actors(count: int) -> dict:
    data = schema.to_data(stakes.load("eu-emissions"))
    first = data["actors"][0]
    data["actors"] = [{**first, "id": f"actor_{i}", "name": f"Actor {i}"} for i in range(count)]
    for issue in data["issues"]:
        issue.pop("decision", None)  # its voters are the actors replaced here
    return data


def test_a_5000_actor_scenario_is_refused_naming_actors_times_issues_in_the_api_and_the_cli(client, tmp_path):
    text = json.dumps(_many_actors(5000))
    answer = client.post("/api/scenarios", headers=AUTH, json={"id": "big", "format": "json", "text": text})
    assert answer.status_code == 422, answer.text[:300]
    detail = answer.json()["detail"]
    assert "5000 actors × 1 issue = 5000 cells" in detail and "cap of 2500" in detail
    assert "STAKES_MAX_CELLS=5000" in detail and "--max-cells 5000" in detail and "line" not in detail
    assert answer.json()["problems"][0]["field"] == "actors"

    path = tmp_path / "big.json"
    path.write_text(text)
    validated = runner.invoke(cli, ["validate", str(path)], env={"COLUMNS": "400"})
    assert validated.exit_code != 0
    assert "5000 actors × 1 issue = 5000 cells, more than the cap of 2500" in validated.output
    raised = runner.invoke(cli, ["validate", str(path)], env={"COLUMNS": "400", "STAKES_MAX_CELLS": "5000"})
    assert raised.exit_code == 0, raised.output


def test_the_cell_cap_is_the_servers_setting(tmp_path):
    with TestClient(make_app(tmp_path / "s.sqlite", limits=limits.Limits(cells=5))) as small:
        answer = small.post("/api/scenarios", headers=AUTH,
                            json={"format": "yaml", "text": stakes.dumps(stakes.load("eu-emissions"))})
        assert answer.status_code == 422 and "10 actors × 1 issue = 10 cells, more than the cap of 5" in answer.text
        edit = {"version": 1, "edits": [{"actor": "netanyahu", "quantity": "capability", "value": 70}]}
        assert small.patch("/api/scenarios/rafah-2024/cells", headers=AUTH, json=edit).status_code == 422


def test_a_long_description_is_refused_with_the_cap_in_the_api_and_the_cli(client, tmp_path):
    data = schema.to_data(stakes.load("eu-emissions"))
    data["description"] = "word " * 10_000
    answer = client.post("/api/scenarios", headers=AUTH, json={"format": "json", "text": json.dumps(data)})
    assert answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert problem["field"] == "description"
    assert "50000 characters, more than the cap of 20000" in problem["rule"]
    assert "STAKES_MAX_TEXT_CHARS=50000" in problem["fix"]
    stored = client.get("/api/scenarios/eu-emissions", headers=AUTH).json()
    stored["scenario"]["actors"][0]["capability"] = {"value": 5, "basis": "b" * 30_000}
    put = client.put("/api/scenarios/eu-emissions", headers=AUTH, json={"version": 1, "scenario": stored["scenario"]})
    assert put.status_code == 422 and put.json()["problems"][0]["field"] == "actors[0].capability.basis"

    path = tmp_path / "long.json"
    path.write_text(json.dumps(data))
    validated = runner.invoke(cli, ["validate", str(path)], env={"COLUMNS": "400"})
    assert validated.exit_code != 0 and "description: 50000 characters, more than the cap of 20000" in validated.output


def test_too_many_articles_or_too_long_an_article_is_413_before_any_reading(client):
    article = {"text": "The minister said the talks would resume."}
    many = client.post("/api/scenarios/read", headers=AUTH, json={"articles": [article] * 11})
    assert many.status_code == 413
    assert "11 articles in one request, more than the cap of 10" in many.json()["detail"]
    long = {"text": "word " * 20_001}
    one = client.post("/api/scenarios/read", headers=AUTH, json={"articles": [long]})
    assert one.status_code == 413 and "100005 characters, more than the cap of 100000" in one.json()["detail"]
    linked = client.post("/api/scenarios/rafah-2024/sources/ref/article", headers=AUTH, json=long)
    assert linked.status_code == 413 and "STAKES_MAX_ARTICLE_CHARS" in linked.json()["detail"]
    assert client.get("/api/articles", headers=AUTH).json() == []  # nothing was stored


def test_an_article_over_the_cap_is_refused_by_stakes_read_too(tmp_path):
    pytest.importorskip("spacy")
    path = tmp_path / "long.txt"
    path.write_text("word " * 20_001)
    result = runner.invoke(cli, ["read", str(path), "-o", str(tmp_path / "draft.yaml")], env={"COLUMNS": "400"})
    assert result.exit_code != 0
    assert "characters, more than the cap of 100000 for one article" in str(result.exception or result.output)


def test_draws_times_actors_over_the_cap_is_refused_in_the_api_and_the_cli(client):
    answer = client.post("/api/scenarios/ktab-soe-policy/montecarlo", headers=AUTH,
                         json={"models": ["mean"], "draws": 100_000})
    assert answer.status_code == 422
    assert "100000 draws × 26 actors = 2600000, more than the cap of 2000000" in answer.json()["detail"]
    whatif = {"id": "a", "title": "A", "changes": ["drop actor_1"]}
    compared = client.post("/api/scenarios/rafah-2024/compare", headers=AUTH,
                           json={"models": ["mean"], "draws": 100_000, "whatifs": [whatif]})
    assert compared.status_code in (400, 422)
    result = runner.invoke(cli, ["montecarlo", "ktab-soe-policy", "-m", "mean", "--draws", "100000"],
                           env={"COLUMNS": "400"})
    assert result.exit_code != 0
    assert "100000 draws × 26 actors = 2600000, more than the cap of 2000000" in str(result.exception)


def test_caps_come_from_the_environment_and_bad_values_are_one_line_errors():
    assert limits.Limits.from_env({"STAKES_MAX_CELLS": "10_000"}).cells == 10_000
    assert limits.Limits.from_env({}).cells == limits.Limits().cells
    with pytest.raises(StakesError, match=r"\$STAKES_MAX_ARTICLES = 'many' is not a whole number"):
        limits.Limits.from_env({"STAKES_MAX_ARTICLES": "many"})
    with pytest.raises(StakesError, match="at least 1"):
        limits.Limits(cells=0)
    with pytest.raises(StakesError, match="the most the reading pipeline reads at once"):
        limits.Limits.from_env({"STAKES_MAX_ARTICLE_CHARS": "2000000"})


def test_a_capability_the_models_cannot_compute_with_is_refused_when_saved(client):
    data = client.get("/api/scenarios/eu-emissions", headers=AUTH).json()
    version = data["version"]
    data["scenario"]["actors"][0]["capability"] = 1e308
    answer = client.put("/api/scenarios/eu-emissions", headers=AUTH, json={"version": version,
                                                                          "scenario": data["scenario"]})
    assert answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert problem["quantity"] == "capability" and "beyond ±1e+15" in problem["rule"] and "rescale" in problem["fix"]
    assert client.get("/api/scenarios/eu-emissions", headers=AUTH).json()["version"] == version


def test_a_run_without_finite_results_fails_instead_of_reporting_done():
    import pandas as pd

    from stakes.web.work import _finite

    _finite(pd.DataFrame({"model": ["mean"], "mean": [50.0], "q05": [40.0]}), ["mean", "q05"])
    with pytest.raises(ModelError, match="no finite result"):
        _finite(pd.DataFrame({"model": ["mean"], "mean": [float("inf")], "q05": [40.0]}), ["mean", "q05"])


# -- cheap reads ---------------------------------------------------------------------------------


def test_list_get_and_evidence_do_not_parse_unchanged_scenarios(tmp_path, monkeypatch):
    from stakes.scenario import io

    path = tmp_path / "s.sqlite"
    with TestClient(make_app(path)):
        pass  # a first server stored the bundled scenarios
    with TestClient(make_app(path)) as second:
        parses = []
        real = io.loads
        monkeypatch.setattr(io, "loads", lambda *a, **k: parses.append(1) or real(*a, **k))
        for _ in range(5):
            assert second.get("/api/scenarios", headers=AUTH).status_code == 200
        assert parses == []
        for _ in range(3):
            assert second.get("/api/scenarios/rafah-2024", headers=AUTH).status_code == 200
            assert second.get("/api/scenarios/rafah-2024/evidence", headers=AUTH).status_code == 200
        assert len(parses) == 1


# -- tokens --------------------------------------------------------------------------------------


def test_a_wrong_token_is_401_even_where_reads_are_open(tmp_path):
    with TestClient(make_app(tmp_path / "s.sqlite", open_reads=True)) as opened:
        assert opened.get("/api/scenarios").status_code == 200
        for url in ("/api/scenarios", "/api/scenarios/rafah-2024", "/api/whoami", "/api/trash"):
            answer = opened.get(url, headers={"Authorization": "Bearer wrong-token"})
            assert answer.status_code == 401, url
            assert "not valid" in answer.json()["detail"]


def test_an_expired_or_revoked_token_is_401(client):
    from datetime import timedelta

    store = client.app.state.store
    token = store.create_token("dora", expires=timedelta(days=1))
    dora = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/whoami", headers=dora).json() == {"name": "dora"}
    store.revoke_token("dora")
    assert client.get("/api/whoami", headers=dora).status_code == 401


def test_the_server_token_manages_the_teams_tokens_and_nobody_else_does(client):
    created = client.post("/api/tokens", headers=AUTH, json={"name": "erin", "expires_days": 30})
    assert created.status_code == 201
    erin = {"Authorization": f"Bearer {created.json()['token']}"}
    assert created.json()["expires_at"] is not None and not created.json()["expired"]
    assert client.get("/api/whoami", headers=erin).json() == {"name": "erin"}
    listed = client.get("/api/tokens", headers=AUTH).json()
    assert "erin" in [row["name"] for row in listed] and all("token" not in row for row in listed)
    for method, url in (("GET", "/api/tokens"), ("DELETE", "/api/tokens/erin"), ("DELETE", "/api/trash")):
        assert client.request(method, url, headers=erin).status_code == 403
    assert client.post("/api/tokens", headers=erin, json={"name": "mallory"}).status_code == 403
    assert client.delete("/api/tokens/erin", headers=AUTH).status_code == 204
    assert client.get("/api/whoami", headers=erin).status_code == 401
    assert client.delete("/api/tokens/erin", headers=AUTH).status_code == 404


def test_a_short_server_token_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("STAKES_TOKEN", "short")
    monkeypatch.setenv("STAKES_CORPUS", str(tmp_path / "s.sqlite"))
    with pytest.raises(StakesError, match="at least 16"):
        create_app()
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code != 0
    message = str(result.exception)
    assert "$STAKES_TOKEN has 5 characters" in message and "at least 16" in message and "\n" not in message


# -- trash ---------------------------------------------------------------------------------------


def test_delete_moves_to_a_trash_to_restore_from_until_the_admin_empties_it(client):
    store = client.app.state.store
    writer = {"Authorization": f"Bearer {store.create_token('frank')}"}
    created = client.post("/api/scenarios", headers=writer, json={"title": "To be deleted"}).json()
    scenario_id = created["id"]
    assert client.delete(f"/api/scenarios/{scenario_id}", headers=writer, params={"version": 1}).status_code == 204
    assert scenario_id not in [row["id"] for row in client.get("/api/scenarios", headers=AUTH).json()]
    assert client.get(f"/api/scenarios/{scenario_id}", headers=AUTH).status_code == 404
    [trashed] = [row for row in client.get("/api/trash", headers=AUTH).json() if row["id"] == scenario_id]
    assert trashed["deleted_by"] == "frank" and trashed["version"] == 1
    assert len(client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).json()) == 1

    restored = client.post(f"/api/trash/{scenario_id}/restore", headers=writer)
    assert restored.status_code == 200 and restored.json()["version"] == 1
    assert client.get(f"/api/scenarios/{scenario_id}", headers=AUTH).status_code == 200

    client.delete(f"/api/scenarios/{scenario_id}", headers=writer, params={"version": 1})
    assert client.delete(f"/api/trash/{scenario_id}", headers=writer).status_code == 403
    emptied = client.delete("/api/trash", headers=AUTH)
    assert emptied.status_code == 200 and scenario_id in emptied.json()["deleted"]
    assert client.get(f"/api/scenarios/{scenario_id}/history", headers=AUTH).status_code == 404
    assert client.post(f"/api/trash/{scenario_id}/restore", headers=writer).status_code == 404


def test_the_trash_from_the_command_line(tmp_path):
    db = str(tmp_path / "s.sqlite")
    runner.invoke(cli, ["store", "import", "eu-emissions", "--db", db])
    with TestClient(create_app(Settings(db=db, token=TOKEN))) as app:
        app.delete("/api/scenarios/eu-emissions", headers=AUTH, params={"version": 1})
    listed = runner.invoke(cli, ["store", "trash", "--db", db], env={"COLUMNS": "200"})
    assert "eu-emissions" in listed.stdout and "admin" in listed.stdout
    dry = runner.invoke(cli, ["store", "empty-trash", "--db", db], env={"COLUMNS": "200"})
    assert "would delete for good: eu-emissions" in dry.stdout
    assert runner.invoke(cli, ["store", "restore", "eu-emissions", "--db", db]).exit_code == 0
    assert "the trash is empty" in runner.invoke(cli, ["store", "trash", "--db", db]).stdout
    with TestClient(create_app(Settings(db=db, token=TOKEN))) as app:
        app.delete("/api/scenarios/eu-emissions", headers=AUTH, params={"version": 1})
    gone = runner.invoke(cli, ["store", "empty-trash", "--yes", "--db", db], env={"COLUMNS": "200"})
    assert "deleted for good: eu-emissions" in gone.stdout
    assert "eu-emissions" not in runner.invoke(cli, ["store", "list", "--db", db], env={"COLUMNS": "200"}).stdout


# -- ids chosen by the server, under concurrency, against a real server ---------------------------


@contextmanager
def serving(app) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.05)
            assert thread.is_alive(), "the server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_forty_concurrent_creates_without_an_id_all_get_distinct_ids(backend, tmp_path):
    db = str(tmp_path / "s.sqlite") if backend == "sqlite" else empty_postgres()
    app = create_app(Settings(db=db, token=TOKEN, seed_bundled=False))
    answers: list[httpx.Response] = []
    start = threading.Barrier(40)

    def create(base: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            start.wait()
            answers.append(http.post("/api/scenarios", headers=AUTH, json={"title": "Same title"}))

    try:
        with serving(app) as base:
            threads = [threading.Thread(target=create, args=(base,)) for _ in range(40)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        app.state.corpus.close()
    assert sorted(a.status_code for a in answers) == [201] * 40, [a.text for a in answers if a.status_code != 201]
    ids = {a.json()["id"] for a in answers}
    assert len(ids) == 40 and all(i.startswith("same-title") for i in ids)


# -- CSV cells that would start a formula ---------------------------------------------------------


HOSTILE = "=HYPERLINK(\"http://example.invalid\",\"click\")"


def _hostile() -> stakes.Scenario:
    data = schema.to_data(stakes.load("eu-emissions"))
    data["actors"][0]["name"] = HOSTILE
    data["actors"][1]["name"] = "@SUM(A1)"
    data["actors"][2]["name"] = "-2+3+cmd"
    data["issues"][0]["scale"] = [-100, 100]
    data["actors"][3]["stances"][data["issues"][0]["id"]]["position"] = -50
    return schema.from_data(data)


def _cells(text: str) -> list[str]:
    import csv
    import io

    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_csv_exports_escape_cells_that_would_start_a_formula_and_keep_numbers(client):
    created = client.post("/api/scenarios", headers=AUTH,
                          json={"id": "hostile", "format": "yaml", "text": stakes.dumps(_hostile())})
    assert created.status_code == 201, created.text
    for fmt in ("csv", "ktab-csv"):
        cells = _cells(client.get("/api/scenarios/hostile/export", headers=AUTH, params={"format": fmt}).text)
        assert not [c for c in cells if c[:1] in "=+@\t\r" or (c[:1] == "-" and not _number(c))], (fmt, cells)
        assert "-50" in cells or "-50.0" in cells or fmt == "ktab-csv"  # numbers stay numbers
    table = client.get("/api/scenarios/hostile/export", headers=AUTH, params={"format": "csv"}).text
    assert "'" + HOSTILE.replace('"', '""') in table
    assert stakes.loads(table, "csv").actors[0].name == HOSTILE  # read back unchanged


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_stakes_convert_and_the_cli_tables_escape_formula_cells(tmp_path):
    source = tmp_path / "hostile.yaml"
    stakes.save(_hostile(), source)
    target = tmp_path / "hostile.csv"
    result = runner.invoke(cli, ["convert", str(source), str(target)])
    assert result.exit_code == 0, result.output
    cells = _cells(target.read_text())
    assert "'" + HOSTILE in cells and "'@SUM(A1)" in cells and "'-2+3+cmd" in cells and "-50" in cells
    assert stakes.load(target).actors[0].name == HOSTILE

    forecast = runner.invoke(cli, ["forecast", str(source), "-m", "mean", "--format", "csv"])
    assert forecast.exit_code == 0
    assert not [c for c in _cells(forecast.stdout) if c[:1] in "=@" or (c[:1] in "+-" and not _number(c))]


def test_escape_cell_touches_text_that_would_start_a_formula_only():
    from stakes.csvsafe import escape_cell, unescape_cell

    for text in ("=1+1", "+1+cmd", "-cmd", "@SUM(A1)", "\tx", "\rx"):
        assert escape_cell(text) == "'" + text and unescape_cell(escape_cell(text)) == text
    for value in (-5, -5.5, "-5", "+3.2", "1e-3", "plain", "a=b", ""):
        assert escape_cell(value) == value
    assert unescape_cell("'quoted") == "'quoted" and escape_cell("'quoted") == "'quoted"
    for text in ("'=x", "''-5", "'-5"):  # apostrophes of the text's own are kept
        assert unescape_cell(escape_cell(text)) == text
