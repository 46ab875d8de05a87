"""Who may read and write: bearer tokens checked against the store (or ``$STAKES_TOKEN``)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ADMIN = "admin"
"""The name history shows for changes made with the server's own token (``$STAKES_TOKEN``)."""


bearer = HTTPBearer(auto_error=False, description="a token from `stakes serve --create-token NAME`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _holder(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        return None
    admin = request.app.state.settings.token
    if admin and hmac.compare_digest(token.encode(), admin.encode()):
        return ADMIN
    return request.app.state.store.token_holder(token)


def _refuse(request: Request) -> HTTPException:
    sent = bool(request.headers.get("authorization"))
    detail = ("the token sent is not valid; create one with `stakes serve --create-token NAME`" if sent else
              "this needs a token: send `Authorization: Bearer TOKEN` (create one with "
              "`stakes serve --create-token NAME`)")
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def reader(request: Request, credentials: Credentials) -> str | None:
    """Allow a read: with a valid token, or without one when the server opened reads."""
    holder = _holder(request, credentials)
    if holder is None and not request.app.state.settings.open_reads:
        raise _refuse(request)
    return holder


def writer(request: Request, credentials: Credentials) -> str:
    """Allow a write: only with a valid token; the token's name is who made the change."""
    holder = _holder(request, credentials)
    if holder is None:
        raise _refuse(request)
    return holder
