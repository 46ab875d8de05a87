"""``stakes serve --create-token``: a token printed once, stored only as a digest, usable by the app."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient
from typer.testing import CliRunner

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
