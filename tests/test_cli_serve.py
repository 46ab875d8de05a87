"""``stakes serve --create-token``: a token printed once, stored only as a digest, usable by the app."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import stakes
from stakes.cli import app
from stakes.web import Settings, create_app

runner = CliRunner()


def test_create_token_prints_a_token_the_app_accepts_and_stores_only_its_digest(tmp_path):
    db = tmp_path / "store.sqlite"
    result = runner.invoke(app, ["serve", "--db", str(db), "--create-token", "alice"], catch_exceptions=False)
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select name, digest from api_tokens").fetchall()
    assert [name for name, _ in stored] == ["alice"] and token not in repr(stored)
    client = TestClient(create_app(Settings(db=str(db))))
    assert client.get("/api/whoami").status_code == 401
    assert client.get("/api/whoami", headers={"Authorization": f"Bearer {token}"}).json() == {"name": "alice"}


def test_a_new_token_for_the_same_name_replaces_the_old_one(tmp_path):
    db = str(tmp_path / "store.sqlite")
    first = runner.invoke(app, ["serve", "--db", db, "--create-token", "bob"]).stdout.strip().splitlines()[-1]
    second = runner.invoke(app, ["serve", "--db", db, "--create-token", "bob"]).stdout.strip().splitlines()[-1]
    client = TestClient(create_app(Settings(db=db)))
    assert client.get("/api/whoami", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/whoami", headers={"Authorization": f"Bearer {second}"}).json() == {"name": "bob"}


def test_a_token_name_that_cannot_be_stored_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "s.sqlite"), "--create-token", "a b<script>"])
    assert result.exit_code != 0
    assert "not a usable token name" in str(result.exception)


def test_the_cli_sees_what_the_web_app_saved_and_the_app_sees_what_the_cli_imported(tmp_path):
    db = str(tmp_path / "store.sqlite")
    assert runner.invoke(app, ["store", "import", "tests/data/harbour.yaml", "--db", db, "--author", "carol"]
                         ).exit_code == 0
    client = TestClient(create_app(Settings(db=db, token="t")))
    auth = {"Authorization": "Bearer t"}
    listed = client.get("/api/scenarios", headers=auth).json()
    assert [row["id"] for row in listed] == ["harbour"]  # a store with scenarios is not seeded
    edit = {"version": 1, "edits": [{"actor": "council", "quantity": "capability", "value": 65}]}
    assert client.patch("/api/scenarios/harbour/cells", headers=auth, json=edit).status_code == 200

    exported = runner.invoke(app, ["store", "export", "harbour", "--db", db])
    assert stakes.loads(exported.stdout).actor("council").capability.value == 65
    history = runner.invoke(app, ["store", "history", "harbour", "--db", db], env={"COLUMNS": "200"}).stdout
    assert "council.capability" in history and "carol" in history and "admin" in history
    listing = runner.invoke(app, ["store", "list", "--db", db], env={"COLUMNS": "200"}).stdout
    assert "harbour" in listing and "Harbour fees" in listing

    written = tmp_path / "harbour.csv"
    assert runner.invoke(app, ["store", "export", "harbour", "--db", db, "-o", str(written)]).exit_code == 0
    assert 65 in [a.capability.value for a in stakes.load(written).actors]  # the CSV layout names actors by name


def test_store_commands_name_what_is_missing_or_taken(tmp_path):
    db = str(tmp_path / "store.sqlite")
    missing = runner.invoke(app, ["store", "export", "nope", "--db", db])
    assert missing.exit_code != 0 and "no scenario 'nope'" in str(missing.exception)
    runner.invoke(app, ["store", "import", "rafah-2024", "--db", db])
    taken = runner.invoke(app, ["store", "import", "rafah-2024", "--db", db])
    assert taken.exit_code != 0 and "already stored" in str(taken.exception)


def test_tokens_expire_are_listed_and_revoked_from_the_command_line(tmp_path):
    db = str(tmp_path / "store.sqlite")
    created = runner.invoke(app, ["serve", "--db", db, "--create-token", "bob", "--expires", "30d"],
                            env={"COLUMNS": "200"})
    assert created.exit_code == 0 and "valid until" in created.stderr
    token = created.stdout.strip().splitlines()[-1]
    runner.invoke(app, ["serve", "--db", db, "--create-token", "carol"])
    listed = runner.invoke(app, ["serve", "--db", db, "--list-tokens"], env={"COLUMNS": "200"}).stdout
    assert "bob" in listed and "carol" in listed and "never" in listed and token not in listed
    client = TestClient(create_app(Settings(db=db)))
    assert client.get("/api/whoami", headers={"Authorization": f"Bearer {token}"}).json() == {"name": "bob"}
    assert runner.invoke(app, ["serve", "--db", db, "--revoke-token", "bob"]).exit_code == 0
    assert client.get("/api/whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = runner.invoke(app, ["serve", "--db", db, "--revoke-token", "bob"])
    assert again.exit_code != 0 and "no token named 'bob' (tokens: carol)" in str(again.exception)
    bad = runner.invoke(app, ["serve", "--db", db, "--create-token", "dan", "--expires", "soon"])
    assert bad.exit_code != 0 and "30d" in str(bad.exception)
