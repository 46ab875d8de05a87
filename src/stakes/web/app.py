"""The web app: a REST API over the store, and the page that uses it (``stakes serve``)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stakes import __version__, limits
from stakes.corpus.scenarios import AlreadyExists, NotFound, ScenarioStore, VersionConflict
from stakes.corpus.store import Corpus, CorpusError
from stakes.errors import ModelError, ScenarioError, StakesError
from stakes.forecast import jsonable
from stakes.limits import LimitError, Limits
from stakes.models import DEFAULT_MODELS, MODELS, make_model
from stakes.web import schemas as s
from stakes.web.answers import Answers
from stakes.web.auth import reader, server_token
from stakes.web.guard import Guard
from stakes.web.jobs import JobFailed, JobLimits, Jobs, QueueFull
from stakes.web.routes import admin, analysis, evidence, scenarios

STATIC = Path(str(resources.files("stakes") / "web" / "static"))
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""The API docs page (Swagger UI) sets element styles itself; it still runs no inline script."""
SECURITY_HEADERS = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY"}
REQUEST_THREADS = 16
"""Threads answering requests at once (the rest wait their turn): enough to overlap database round
trips, few enough that requests do not crowd each other out of the interpreter."""
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": s.ErrorOut, "description": "the request cannot be carried out (the detail says why)"},
    401: {"model": s.ErrorOut, "description": "no valid token"},
    403: {"model": s.ErrorOut, "description": "only the server's own token may do this"},
    404: {"model": s.ErrorOut, "description": "no such scenario, article or job"},
    409: {"model": s.ConflictOut, "description": "someone saved in between, or the id is taken"},
    413: {"model": s.ErrorOut, "description": "the request is larger than a cap allows (the detail says how to "
                                              "raise it)"},
    422: {"model": s.InvalidOut, "description": "the request or the scenario breaks a rule"},
}


@dataclass(frozen=True)
class Settings:
    """How the app runs: its database, the server's own token, whether reads are open, the limits of
    its jobs (:class:`~stakes.web.jobs.JobLimits`; their ``caps`` are this server's), and the caps on
    requests (None: those of the environment, :func:`stakes.limits.current`)."""

    db: str | None = None
    token: str | None = None
    open_reads: bool = False
    jobs: JobLimits = JobLimits()
    inline_actors: int = 60
    """A forecast of a scenario with more actors than this runs as a job."""
    seed_bundled: bool = True
    limits: Limits | None = None

    def job_limits(self) -> JobLimits:
        """The jobs' limits, with the caps on requests that hold in this server."""
        return replace(self.jobs, caps=self.limits)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings`` (default: the corpus database of the CLI, ``$STAKES_TOKEN``, reads closed)."""
    settings = settings or Settings(token=server_token(os.environ.get("STAKES_TOKEN")))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        app.state.jobs.start()
        yield
        app.state.jobs.shutdown()
        app.state.corpus.close()

    app = FastAPI(title="stakes", version=__version__, lifespan=lifespan, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None, responses=ERRORS,
                  description="Scenarios of a negotiation, forecasts of where it goes, and the evidence "
                              "behind every number. Send `Authorization: Bearer TOKEN`.")
    corpus = Corpus.open(settings.db)
    app.state.settings, app.state.corpus = settings, corpus
    app.state.store = ScenarioStore(corpus.engine)
    app.state.answers = Answers()
    app.state.jobs = Jobs(corpus.engine, settings.job_limits())
    if settings.seed_bundled:
        app.state.store.seed_bundled()
    app.add_middleware(Guard, caps=settings.limits or limits.current())
    for router in (scenarios.router, analysis.router, evidence.router, admin.router):
        app.include_router(router)
    _add_server_routes(app)
    _add_error_handlers(app)
    _add_pages(app)
    return app


def _add_server_routes(app: FastAPI) -> None:
    @app.get("/api/health", response_model=s.Health, tags=["server"])
    async def health(request: Request) -> dict[str, Any]:
        """Always open: the server runs, its version, and whether reads need a token (answered on the
        event loop, never queued behind requests waiting for a thread)."""
        return {"status": "ok", "version": __version__, "reads_open": request.app.state.settings.open_reads}

    @app.get("/api/whoami", response_model=s.Who, tags=["server"])
    def whoami(who: Annotated[str | None, Depends(reader)]) -> dict[str, str]:
        """The name of the token sent (``anonymous`` when reads are open and none is sent)."""
        return {"name": who or "anonymous"}

    @app.get("/api/models", response_model=list[s.ModelInfo], tags=["server"])
    def models(_: Annotated[str | None, Depends(reader)]) -> list[dict[str, Any]]:
        """The bargaining models a forecast can use; ``default`` marks those run when none is named."""
        out = []
        for name in MODELS:
            model = make_model(name)
            doc = (type(model).__doc__ or name).strip().splitlines()[0]
            out.append({"name": name, "title": doc, "links_issues": bool(getattr(model, "links_issues", False)),
                        "default": name in DEFAULT_MODELS})
        return out


def _add_error_handlers(app: FastAPI) -> None:
    def problem(p: Any, cell: tuple[str | None, str | None, str | None]) -> dict[str, Any]:
        value = p.value if isinstance(p.value, (str, int, float, bool)) or p.value is None else repr(p.value)
        value = jsonable(value)  # a non-finite number is shown as null
        return {"field": p.field, "rule": p.rule, "fix": p.fix, "value": value, "line": p.line,
                "actor": cell[0], "issue": cell[1], "quantity": cell[2]}

    @app.exception_handler(ScenarioError)
    async def invalid(_: Request, exc: ScenarioError) -> JSONResponse:
        cells = getattr(exc, "cells", [(None, None, None)] * len(exc.problems))
        return JSONResponse({"detail": str(exc), "problems": [problem(p, c) for p, c in zip(exc.problems, cells)]},
                            status_code=422)

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": ".".join(str(part) for part in e.get("loc", ())), "rule": e.get("msg", ""),
                     "fix": "see the API schema at /api/docs", "value": None, "line": None, "actor": None,
                     "issue": None, "quantity": None} for e in exc.errors()]
        head = problems[0] if problems else {"field": "request", "rule": "malformed"}
        return JSONResponse({"detail": f"{head['field']}: {head['rule']} (see /api/docs)", "problems": problems},
                            status_code=422)

    @app.exception_handler(VersionConflict)
    async def conflict(_: Request, exc: VersionConflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "current_version": exc.current, "updated_by": exc.updated_by},
                            status_code=409)

    @app.exception_handler(AlreadyExists)
    async def exists(_: Request, exc: AlreadyExists) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(NotFound)
    async def missing(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ModelError)
    async def model_error(_: Request, exc: ModelError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "problems": []}, status_code=422)

    @app.exception_handler(CorpusError)
    async def store_error(_: Request, exc: CorpusError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=500)

    @app.exception_handler(DataError)
    async def unstorable(_: Request, exc: DataError) -> JSONResponse:
        return JSONResponse({"detail": f"the database cannot store a value of this request ({exc.orig}); "
                                       "check for NUL characters or numbers out of range", "problems": []},
                            status_code=422)

    @app.exception_handler(QueueFull)
    async def busy(_: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=429, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(JobFailed)
    async def job_failed(_: Request, exc: JobFailed) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "problems": []}, status_code=exc.status)

    @app.exception_handler(LimitError)
    async def too_large(_: Request, exc: LimitError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "problems": []}, status_code=exc.status)

    @app.exception_handler(StakesError)
    async def refused(_: Request, exc: StakesError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)


class SecurityHeaders:
    """ASGI middleware: the headers every answer carries (the content security policy, no sniffing,
    no referrer, no framing); plain ASGI, so it adds no task or stream per request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (DOCS_CSP if scope["path"].startswith("/api/docs") else CSP).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in SECURITY_HEADERS]
                message = {**message, "headers": [*headers, (b"content-security-policy", policy),
                                                  *SECURITY_HEADERS.items()]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _add_pages(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    from swagger_ui_bundle import swagger_ui_path

    app.mount("/api/docs/assets", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
