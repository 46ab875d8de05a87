"""The first thing every request meets: the caps in force, the token, and the body's size, checked
before the body is read.

A plain ASGI middleware, so it sees the request before FastAPI reads any of the body. For a request
that may carry a body (anything but GET, HEAD, OPTIONS) to the API, the token is checked first: a
missing or wrong one is answered 401 with the body unread. A declared ``Content-Length`` above the
cap is answered 413 at once; a body without one (chunked) is counted as it streams in, and the
request fails with 413 as soon as it passes the cap, so the server never holds more than the cap
plus one chunk. The caps of the app (:class:`stakes.limits.Limits`) are made current for the
request, so scenario validation inside it applies them.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stakes import limits
from stakes.web.auth import Refused, holder, missing

OPEN = {"/api/health"}
"""API paths that need no token."""
READS = {"GET", "HEAD", "OPTIONS"}


class Guard:
    """ASGI middleware: caps, token before body, body size while streaming."""

    def __init__(self, app: ASGIApp, caps: limits.Limits):
        self.app = app
        self.caps = caps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with limits.using(self.caps):
            if scope["method"] not in READS and scope["path"].startswith("/api/") and scope["path"] not in OPEN:
                refused = await self._token(scope)
                if refused is not None:
                    await _answer(scope, receive, send, 401, str(refused), {"WWW-Authenticate": "Bearer"})
                    return
            declared = _content_length(scope)
            if declared is not None and declared > self.caps.body_bytes:
                await _answer(scope, receive, send, 413, _too_large(self.caps, declared))
                return
            await self.app(scope, self._counting(receive), send)

    async def _token(self, scope: Scope) -> Refused | None:
        """Why the request's token is refused, or None when it is valid (its holder kept for the routes)."""
        app = scope["app"]
        header = _header(scope, b"authorization")
        try:
            who = await holder(app, header)
        except Refused as reason:
            return reason
        if who is None:
            return missing()
        scope.setdefault("state", {})["token_holder"] = who
        return None

    def _counting(self, receive: Receive) -> Receive:
        cap = self.caps.body_bytes
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise HTTPException(413, _too_large(self.caps, None))
            return message

        return counted


def _too_large(caps: limits.Limits, size: int | None) -> str:
    needed = size if size is not None else 2 * caps.body_bytes
    return (f"the request body is {'of ' + str(size) + ' bytes, ' if size is not None else ''}larger than the cap of "
            f"{caps.body_bytes} bytes; fix: send less, or {limits.how_to_raise('body_bytes', needed)}")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _answer(scope: Scope, receive: Receive, send: Send, status: int, detail: str,
                  headers: dict[str, Any] | None = None) -> None:
    """Answer without reading the body; the connection closes after, so the unread body is dropped."""
    response = JSONResponse({"detail": detail}, status_code=status, headers={**(headers or {}), "Connection": "close"})
    await response(scope, receive, send)
