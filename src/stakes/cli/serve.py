"""``stakes serve``: the web app for a team, on the same store as the CLI."""

from __future__ import annotations

import os
from types import FrameType
from typing import Annotated

import typer
from rich.markup import escape

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
) -> None:
    """Run the web app: scenarios, editor, forecasts, what-ifs, evidence and corpus (REST API at /api)."""
    from stakes.corpus.scenarios import ScenarioStore
    from stakes.corpus.store import Corpus

    if create_token is not None:
        with Corpus.open(db) as corpus:
            token = ScenarioStore(corpus.engine).create_token(create_token)
            where = corpus.url
        errors.print(f"token for {escape(create_token)} (stored hashed in {escape(where)}; shown only now):")
        console.print(token, markup=False, highlight=False)
        return
    import uvicorn

    from stakes.web import Settings, create_app

    token = os.environ.get("STAKES_TOKEN") or None
    settings = Settings(db=db, token=token, open_reads=open_reads, job_workers=jobs, job_queue=job_queue,
                        job_time_limit=job_time_limit, job_memory=job_memory * 2**20 or None, cluster=cluster)
    application = create_app(settings)
    if token is None and not application.state.store.token_count():
        errors.print("[yellow]no token yet:[/] create one with `stakes serve --create-token NAME` or set "
                     "$STAKES_TOKEN; until then nothing can be changed" + ("" if open_reads else " or read"))
    errors.print(f"stakes on http://{escape(host)}:{port} (store: {escape(application.state.corpus.url)})")
    jobs_of = application.state.jobs

    class Server(uvicorn.Server):
        """Stops in-flight jobs at the first SIGTERM or Ctrl-C, instead of after open requests end."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            jobs_of.stop()
            super().handle_exit(sig, frame)

    Server(uvicorn.Config(application, host=host, port=port, log_level="warning",
                          timeout_graceful_shutdown=10)).run()
