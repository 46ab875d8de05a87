"""``stakes serve``: the web app for a team, on the same store as the CLI."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated

import typer

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
    jobs: Annotated[int, typer.Option(help="Background runs (Monte Carlo, comparisons) at once.")] = 1,
) -> None:
    """Run the web app: scenarios, editor, forecasts, what-ifs, evidence and corpus (REST API at /api)."""
    from stakes.corpus.scenarios import ScenarioStore
    from stakes.corpus.store import Corpus

    if create_token is not None:
        with Corpus.open(db) as corpus:
            token = ScenarioStore(corpus.engine).create_token(create_token)
            where = corpus.url
        errors.print(f"token for {safe(create_token)} (stored hashed in {safe(where)}; shown only now):")
        console.print(token, markup=False, highlight=False)
        return
    check_port(host, port)
    import uvicorn

    from stakes.web import Settings, create_app

    token = os.environ.get("STAKES_TOKEN") or None
    application = create_app(Settings(db=db, token=token, open_reads=open_reads, job_workers=jobs))
    if token is None and not application.state.store.token_count():
        errors.print("[yellow]no token yet:[/] create one with `stakes serve --create-token NAME` or set "
                     "$STAKES_TOKEN; until then nothing can be changed" + ("" if open_reads else " or read"))
    errors.print(f"stakes on http://{safe(host)}:{port} (store: {safe(application.state.corpus.url)})")
    uvicorn.run(application, host=host, port=port, log_level="warning")
