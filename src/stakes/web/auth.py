"""Who may read and write: bearer tokens checked against the store (or ``$STAKES_TOKEN``).

A token that is sent must be valid, whatever the request: a wrong or expired one is a 401 even where
reads are open (only a request without any token reads anonymously there). The server's own token
(its holder is ``admin``) also empties the trash and manages the team's tokens.

The checks run on the event loop: no token, a malformed header and the server's own token need no
thread; only a team token is looked up in the store, in a worker thread.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from stakes.errors import StakesError

ADMIN = "admin"
"""The name history shows for changes made with the server's own token (``$STAKES_TOKEN``)."""
MIN_SERVER_TOKEN = 16
"""The fewest characters of the server's own token: a short one can be guessed."""

bearer = HTTPBearer(auto_error=False, description="a token from `stakes serve --create-token NAME`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class Refused(Exception):
    """No valid token for a request that needs one; ``str()`` says what to do."""


def server_token(value: str | None, where: str = "$STAKES_TOKEN") -> str | None:
    """The server's own token from ``where`` (None when unset), refused when too short to be safe."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) < MIN_SERVER_TOKEN:
        raise StakesError(f"{where} has {len(value)} characters; the server's token needs at least "
                          f"{MIN_SERVER_TOKEN}; fix: use a long random one, e.g. "
                          "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return value


async def holder(app: Any, authorization: str | None) -> str | None:
    """Who an ``Authorization`` header's token belongs to; None when no token is sent; :class:`Refused`
    when one is sent but is not a valid bearer token."""
    if not authorization or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Refused("send the token as `Authorization: Bearer TOKEN`")
    admin = app.state.settings.token
    if admin and hmac.compare_digest(token.encode(), admin.encode()):
        return ADMIN
    name = await run_in_threadpool(app.state.store.token_holder, token)
    if name is None:
        raise Refused("the token sent is not valid (unknown, revoked or expired); ask for a new one "
                      "(`stakes serve --create-token NAME`)")
    return name


def missing() -> Refused:
    return Refused("this needs a token: send `Authorization: Bearer TOKEN` (create one with "
                   "`stakes serve --create-token NAME`)")


def refusal(reason: Refused) -> HTTPException:
    return HTTPException(401, str(reason), headers={"WWW-Authenticate": "Bearer"})


async def _checked(request: Request) -> str | None:
    """The holder of the request's token; checked once per request (the guard may have done it)."""
    state = request.scope.setdefault("state", {})
    if "token_holder" not in state:
        try:
            state["token_holder"] = await holder(request.app, request.headers.get("authorization"))
        except Refused as reason:
            raise refusal(reason) from None
    return state["token_holder"]


async def reader(request: Request, _: Credentials) -> str | None:
    """Allow a read: with a valid token, or without any when the server opened reads."""
    who = await _checked(request)
    if who is None and not request.app.state.settings.open_reads:
        raise refusal(missing())
    return who


async def writer(request: Request, _: Credentials) -> str:
    """Allow a write: only with a valid token; the token's name is who made the change."""
    who = await _checked(request)
    if who is None:
        raise refusal(missing())
    return who


async def admin(request: Request, _: Credentials) -> str:
    """Allow what only the server's own token may do (empty the trash, manage tokens)."""
    who = await writer(request, _)
    if who != ADMIN:
        raise HTTPException(403, f"only the server's own token ($STAKES_TOKEN) may do this, not {who!r}")
    return who
