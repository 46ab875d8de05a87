"""The trash (deleted scenarios, restorable until an admin empties it) and the team's tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from stakes.web import schemas as s
from stakes.web.auth import admin, reader, writer
from stakes.web.routes.scenarios import answer, store

router = APIRouter(tags=["trash and tokens"])
Reader = Annotated[str | None, Depends(reader)]
Writer = Annotated[str, Depends(writer)]
Admin = Annotated[str, Depends(admin)]


@router.get("/api/trash", response_model=list[s.TrashedScenario])
def trash(request: Request, _: Reader) -> list[dict[str, Any]]:
    """Deleted scenarios, with who deleted each and when; each keeps its history until the trash is emptied."""
    return store(request).trash()


@router.post("/api/trash/{scenario_id}/restore", response_model=s.ScenarioDocument)
def restore(scenario_id: str, request: Request, _: Writer) -> Response:
    """Take a scenario out of the trash as it was (same version, same history)."""
    return answer(request, store(request).restore(scenario_id))


@router.delete("/api/trash", response_model=s.Emptied)
def empty_trash(request: Request, _: Admin) -> dict[str, Any]:
    """Delete every scenario in the trash for good, with its history (the server's own token only)."""
    return {"deleted": store(request).empty_trash()}


@router.delete("/api/trash/{scenario_id}", response_model=s.Emptied)
def purge(scenario_id: str, request: Request, _: Admin) -> dict[str, Any]:
    """Delete one scenario in the trash for good, with its history (the server's own token only)."""
    return {"deleted": store(request).empty_trash([scenario_id])}


@router.get("/api/tokens", response_model=list[s.TokenOut])
def tokens(request: Request, _: Admin) -> list[dict[str, Any]]:
    """The team's tokens: name, created, expires (never the token itself)."""
    return store(request).tokens()


@router.post("/api/tokens", status_code=201, response_model=s.NewToken)
def create_token(body: s.CreateToken, request: Request, _: Admin) -> dict[str, Any]:
    """A new token for ``name`` (replacing the one it had), shown only in this answer."""
    expires = timedelta(days=body.expires_days) if body.expires_days is not None else None
    token = store(request).create_token(body.name, expires)
    [row] = [row for row in store(request).tokens() if row["name"] == body.name]
    return {**row, "token": token}


@router.delete("/api/tokens/{name}", status_code=204, response_class=Response)
def revoke_token(name: str, request: Request, _: Admin) -> Response:
    """Revoke a token: requests carrying it are refused from now on."""
    store(request).revoke_token(name)
    return Response(status_code=204)
