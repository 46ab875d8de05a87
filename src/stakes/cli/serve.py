"""``stakes serve``: the web app for a team, on the same store as the CLI; its tokens and its caps."""

from __future__ import annotations

import errno
import os
import re
import socket
from datetime import timedelta
from types import FrameType
from typing import Annotated

import typer
from rich.table import Table

from stakes.cli.app import app, console, errors
from stakes.cli.corpus import DbOption
from stakes.cli.text import safe
from stakes.errors import StakesError


def check_port(host: str, port: int) -> None:
    """Fail in one line if nothing can listen on ``host:port`` (taken, not this machine's, no permission)."""
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise StakesError(f"cannot listen on {where}: unknown host ({exc.strerror}); give an address such as "
                          "127.0.0.1 or 0.0.0.0 with --host") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                reason = "the port is in use by another program; stop it or choose another --port"
            elif exc.errno == errno.EACCES:
                reason = "no permission to use this port; choose one above 1023 with --port"
            elif exc.errno == errno.EADDRNOTAVAIL:
                reason = "the address is not one of this machine's; use 127.0.0.1 or 0.0.0.0 with --host"
            else:
                reason = f"{exc.strerror}; choose another --host or --port"
            raise StakesError(f"cannot listen on {where}: {reason}") from None


def _cap(name: str, what: str) -> typer.models.OptionInfo:
    from stakes.limits import ENVIRONMENT, Limits

    return typer.Option(min=1, show_default=False, metavar="N",
                        help=f"Cap on {what} (default: ${ENVIRONMENT[name]}, else {getattr(Limits, name):,}).")


def duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w`` or ``90m`` as a duration (a one-line error naming the forms otherwise)."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text.lower())
    if not match or int(match[1]) == 0:
        raise StakesError(f"--expires {text!r} is not a duration; fix: write a positive number of minutes, hours, "
                          "days or weeks, e.g. 90m, 12h, 30d, 2w")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
    return timedelta(**{unit: int(match[1])})


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 to reach it from other machines).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
    open_reads: Annotated[bool, typer.Option("--open-reads", help="Let anyone who can reach the server read "
                                             "(writes still need a token).")] = False,
    create_token: Annotated[str | None, typer.Option("--create-token", metavar="NAME", help="Create a token "
                                                     "for NAME in the store, print it once, and exit.")] = None,
    expires: Annotated[str | None, typer.Option(help="With --create-token: the token stops working after "
                                                     "this long (90m, 12h, 30d, 2w); default: until revoked.")]
    = None,
    list_tokens: Annotated[bool, typer.Option("--list-tokens", help="List the store's tokens (names, "
                                              "created, expiry) and exit.")] = False,
    revoke_token: Annotated[str | None, typer.Option("--revoke-token", metavar="NAME", help="Revoke NAME's "
                                                     "token and exit.")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Jobs (Monte Carlo, comparisons, sensitivity, large "
                                      "forecasts) this server runs at once, one worker process each.")] = 1,
    job_queue: Annotated[int, typer.Option(min=1, help="Jobs queued or running at once on the database; "
                                           "more are refused with 429.")] = 20,
    job_time_limit: Annotated[float, typer.Option(min=1, metavar="SECONDS", help="A job running longer is "
                                                  "stopped and fails.")] = 900.0,
    job_memory: Annotated[int, typer.Option(min=0, metavar="MB", help="Memory (address space) a job's worker "
                                            "may use; 0: no limit.")] = 3072,
    cluster: Annotated[str | None, typer.Option(metavar="ADDRESS", help="A Dask scheduler (tcp://host:8786) "
                                                "that Monte Carlo and comparison jobs spread their draws on.")]
    = None,
    max_body_bytes: Annotated[int | None, _cap("body_bytes", "a request body, in bytes")] = None,
    max_text_chars: Annotated[int | None, _cap("text_chars", "the characters of one text of a scenario")] = None,
    max_cells: Annotated[int | None, _cap("cells", "a scenario's actors × issues")] = None,
    max_draw_cells: Annotated[int | None, _cap("draw_cells", "a Monte Carlo run's draws × actors")] = None,
    max_article_chars: Annotated[int | None, _cap("article_chars", "the characters of one article to read")]
    = None,
    max_articles: Annotated[int | None, _cap("articles", "the articles in one request")] = None,
) -> None:
    """Run the web app: scenarios, editor, forecasts, what-ifs, evidence and corpus (REST API at /api).

    The --max-* options set the caps on requests (default: $STAKES_MAX_*, else the built-in caps; see
    docs/web.md): body bytes, characters of one text, actors × issues, draws × actors, characters of
    one article, articles per request.
    """
    from stakes.corpus.scenarios import ScenarioStore
    from stakes.corpus.store import Corpus

    if expires is not None and create_token is None:
        raise StakesError("--expires goes with --create-token NAME; fix: add --create-token NAME")
    if create_token is not None or list_tokens or revoke_token is not None:
        with Corpus.open(db) as corpus:
            _tokens(ScenarioStore(corpus.engine), corpus.url, create_token, expires, list_tokens, revoke_token)
        return
    check_port(host, port)
    import uvicorn

    from stakes import limits
    from stakes.web import Settings, create_app
    from stakes.web.auth import server_token
    from stakes.web.jobs import JobLimits

    token = server_token(os.environ.get("STAKES_TOKEN"))
    caps = limits.Limits.from_env().but(
        body_bytes=max_body_bytes, text_chars=max_text_chars, cells=max_cells, draw_cells=max_draw_cells,
        article_chars=max_article_chars, articles=max_articles)
    work = JobLimits(workers=jobs, queue=job_queue, time_limit=job_time_limit, memory=job_memory * 2**20 or None,
                     cluster=cluster)
    settings = Settings(db=db, token=token, open_reads=open_reads, jobs=work, limits=caps)
    application = create_app(settings)
    if token is None and not application.state.store.token_count():
        errors.print("[yellow]no token yet:[/] create one with `stakes serve --create-token NAME` or set "
                     "$STAKES_TOKEN; until then nothing can be changed" + ("" if open_reads else " or read"))
    errors.print(f"stakes on http://{safe(host)}:{port} (store: {safe(application.state.corpus.url)})")
    jobs_of = application.state.jobs

    class Server(uvicorn.Server):
        """Stops in-flight jobs at the first SIGTERM or Ctrl-C, instead of after open requests end."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            jobs_of.stop()
            super().handle_exit(sig, frame)

    Server(uvicorn.Config(application, host=host, port=port, log_level="warning",
                          timeout_graceful_shutdown=10)).run()


def _tokens(store, where: str, create: str | None, expires: str | None, listing: bool, revoke: str | None) -> None:
    if revoke is not None:
        store.revoke_token(revoke)
        errors.print(f"revoked the token of {safe(revoke)}")
    if create is not None:
        token = store.create_token(create, duration(expires) if expires is not None else None)
        until = next(row["expires_at"] for row in store.tokens() if row["name"] == create)
        lifetime = f"valid until {until:%Y-%m-%d %H:%M} UTC" if until else "valid until revoked"
        errors.print(f"token for {safe(create)} ({lifetime}; stored hashed in {safe(where)}; shown only now):")
        console.print(token, markup=False, highlight=False)
    if listing:
        rows = store.tokens()
        table = Table("name", "created", "expires")
        for row in rows:
            ends = "never" if row["expires_at"] is None else f"{row['expires_at']:%Y-%m-%d %H:%M}"
            table.add_row(safe(row["name"]), f"{row['created_at']:%Y-%m-%d %H:%M}",
                          ends + (" [red](expired)[/]" if row["expired"] else ""))
        console.print(table if rows else "no tokens yet (stakes serve --create-token NAME)")
