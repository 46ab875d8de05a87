"""``stakes read``: articles in, a draft scenario out (every number citing its sentence)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from stakes.cli.app import app, console, errors
from stakes.cli.text import plural, printable, safe
from stakes.errors import StakesError
from stakes.files import check_output


def _articles(path: Path) -> list:
    """The articles in a file or folder, read by the ingest reader; unreadable ones are reported."""
    from stakes.reading.article import Article
    from stakes.reading.ingest import read_path

    found = []
    for item in read_path(path):
        if isinstance(item, Article):
            found.append(item)
        else:
            errors.print(f"[yellow]skipped:[/] {safe(str(item))}")
    return found


def _pairs(values: list[str], what: str) -> dict[str, float]:
    out = {}
    for item in values:
        name, sep, value = item.rpartition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r} is not NAME=NUMBER", param_hint=what)
    return out


def _explain(reading, scenario) -> None:
    """Per actor: how it was found, what it said and did, and the evidence for each stance."""
    from stakes.reading.draft import principal_actors
    from stakes.reading.stances import summarise

    kept = principal_actors(reading)
    for analysis in reading.analyses:
        summaries = summarise(analysis.stances)
        console.rule(f"[bold]{safe(analysis.title or analysis.article_id)}[/] ({safe(analysis.article_id)})")
        for key, found in sorted(analysis.actors.items(), key=lambda kv: -kv[1].mentions):
            status = "in the draft" if key in kept else "left out (minor or a place)"
            console.print(f"[bold]{safe(found.name)}[/] — {safe(found.kind)}, code {safe(found.code or 'none')}, "
                          f"{plural(found.mentions, 'mention')}; {status}")
            for why in found.sources[:4]:
                console.print(f"    found by {safe(why)}")
            if found.aliases:
                console.print(f"    as: {safe(', '.join(found.aliases[:8]))}")
            for quote in (q for q in analysis.quotes if q.speaker == key):
                kind = "said" if quote.direct else "reported"
                console.print(f"    {kind} ({safe(quote.cue)}): {safe(quote.text[:140])}")
            events = [e for e in analysis.events if e.source == key and e.target]
            for event in events[:5]:
                target = analysis.actors.get(event.target)
                console.print(f"    event {safe(event.cameo)} {safe(event.plover or '')} → "
                              f"{safe(target.name if target else str(event.target))} ({safe(event.verb)})")
            for issue in reading.issues:
                summary = summaries.get((key, issue.id))
                if summary is None or not summary.direction:
                    if key in kept:
                        console.print(f"    {issue.id}: no evidence read: a gap to fill in (no number is drafted)")
                    continue
                side = "high" if summary.direction > 0 else "low" if summary.direction < 0 else "centre"
                console.print(f"    {safe(issue.id)}: leans {side} ({summary.direction:+.2f}), confidence "
                              f"{summary.confidence:.2f}, {plural(len(summary.evidence), 'sentence')}")
                for item in summary.evidence[:2]:
                    console.print(f"        s{item.sentence + 1} {safe(item.cue)}: \"{safe(item.span[:120])}\"")


@app.command("read")
def read_command(
    articles: Annotated[list[Path], typer.Argument(help="Article files (text; other formats via ingest).")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the draft scenario here "
                                                   "(YAML); default: print it.")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Take the issues from this scenario "
                                                    "(file or bundled name).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show, per actor, what was found and why.")] = False,
    when: Annotated[str | None, typer.Option("--date", help="Article date YYYY-MM-DD (picks dated actor "
                                                "codes; default: the article's, else today).")] = None,
    title: Annotated[str | None, typer.Option(help="Title of the draft scenario.")] = None,
    capability: Annotated[list[str] | None, typer.Option(help="Capability of an actor, NAME=VALUE "
                                                            "(overrides the kind prior).")] = None,
    prior: Annotated[list[str] | None, typer.Option(help="Capability prior of a kind, KIND=VALUE "
                                                       "(e.g. person=40).")] = None,
) -> None:
    """Read articles and draft a scenario: actors, their stances on the issues, with evidence."""
    from stakes.reading.draft import draft_scenario, read_articles
    from stakes.scenario import dumps, load, loads, save

    try:
        as_of = date.fromisoformat(when) if when else None
    except ValueError:
        raise typer.BadParameter(f"{when!r} is not a date YYYY-MM-DD", param_hint="--date") from None
    if output is not None:
        check_output(output)
    found = [a for path in articles for a in _articles(path)]
    if not found:
        raise StakesError("no article text found in the given files")
    base = load(scenario) if scenario else None
    reading = read_articles(found, list(base.issues) if base else None, as_of)
    draft = draft_scenario(reading, title=title, as_of=as_of or base.as_of if base else as_of,
                           capability=_pairs(capability or [], "--capability"),
                           priors=_pairs(prior or [], "--prior"),
                           issue_sources=base.sources if base else ())
    loads(dumps(draft))  # the draft must be a valid scenario
    if explain:
        _explain(reading, draft)
    if output is not None:
        save(draft, output)
        errors.print(f"wrote {safe(output)}: {plural(len(draft.actors), 'actor')} × "
                     f"{plural(len(draft.issues), 'issue')}")
    elif not explain:
        text = dumps(draft)
        console.print(printable(text) if console.is_terminal else text, markup=False, highlight=False,
                      soft_wrap=True)
