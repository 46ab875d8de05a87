"""``stakes serve``: the web app for a team, on the same store as the CLI."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from stakes.cli.text import plural, safe

from stakes.cli.app import app, console, errors
from stakes.cli.corpus import DbOption


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 to reach it from other machines).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
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
    import uvicorn

    from stakes.web import Settings, create_app

    token = os.environ.get("STAKES_TOKEN") or None
    application = create_app(Settings(db=db, token=token, open_reads=open_reads, job_workers=jobs))
    if token is None and not application.state.store.token_count():
        errors.print("[yellow]no token yet:[/] create one with `stakes serve --create-token NAME` or set "
                     "$STAKES_TOKEN; until then nothing can be changed" + ("" if open_reads else " or read"))
    errors.print(f"stakes on http://{safe(host)}:{port} (store: {safe(application.state.corpus.url)})")
    uvicorn.run(application, host=host, port=port, log_level="warning")
