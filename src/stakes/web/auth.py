"""Who may read and write: bearer tokens checked against the store (or ``$STAKES_TOKEN``)."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

ADMIN = "admin"
"""The name history shows for changes made with the server's own token (``$STAKES_TOKEN``)."""


def _holder(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
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


def reader(request: Request) -> str | None:
    """Allow a read: with a valid token, or without one when the server opened reads."""
    holder = _holder(request)
    if holder is None and not request.app.state.settings.open_reads:
        raise _refuse(request)
    return holder


def writer(request: Request) -> str:
    """Allow a write: only with a valid token; the token's name is who made the change."""
    holder = _holder(request)
    if holder is None:
        raise _refuse(request)
    return holder
