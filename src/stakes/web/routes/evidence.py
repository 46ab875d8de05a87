"""The evidence behind every number, the articles it comes from, and the corpus over time."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter

from stakes import limits
from stakes.corpus.scenarios import source_of
from stakes.forecast import jsonable
from stakes.reading.gazetteer import default_gazetteer
from stakes.scenario.evidence import locate, numbers
from stakes.scenario.model import Scenario
from stakes.web import schemas as s
from stakes.web.answers import encode, json_answer
from stakes.web.auth import reader, writer
from stakes.web.jobs import job_result

router = APIRouter(tags=["evidence"])
Reader = Annotated[str | None, Depends(reader)]
Writer = Annotated[str, Depends(writer)]
EVIDENCE = TypeAdapter(list[s.EvidenceOut])


@router.get("/api/scenarios/{scenario_id}/evidence", response_model=list[s.EvidenceOut])
def evidence(scenario_id: str, request: Request, _: Reader) -> Response:
    """Every number with its basis and source; where the source's text is stored, the spans it cites.

    The answer depends on the stored scenario and on which stored article each source stands for
    (articles never change: their id is their text's hash), so it is computed once for those."""
    stored = request.app.state.store.get(scenario_id)
    corpus = request.app.state.corpus
    linked = request.app.state.store.linked_articles(scenario_id)
    wanted = {source.id: linked.get(source.id, source.id) for source in stored.scenario.sources}
    present = corpus.stored(wanted.values())
    articles = {source: article for source, article in wanted.items() if article in present}
    key = ("evidence", stored.key, tuple(sorted(articles.items())))
    return json_answer(request.app.state.answers.get(
        key, lambda: encode(EVIDENCE, evidence_rows(stored.scenario, articles, corpus.texts(articles.values())))))


def evidence_rows(scenario: Scenario, articles: dict[str, str], texts: dict[str, str]) -> list[dict[str, Any]]:
    """The evidence of every number of ``scenario``; ``articles`` maps a source to its stored article,
    ``texts`` an article to its text."""
    sources = {source.id: source for source in scenario.sources}
    rows = []
    for number in numbers(scenario):
        e = number.estimate
        source = sources.get(e.source) if e.source else None
        article_id = articles.get(source.id) if source else None
        text = texts.get(article_id, "") if article_id else ""
        rows.append({"key": number.key, "actor": number.actor, "issue": number.issue,
                     "quantity": number.quantity, "value": e.value, "low": e.low, "high": e.high,
                     "basis": e.basis, "where": e.where,
                     "source": None if source is None else {
                         "id": source.id, "title": source.title, "url": source.url,
                         "published": source.published, "publisher": source.publisher},
                     "article_id": article_id,
                     "spans": [list(span) for span in locate(e.where, text)] if article_id else []})
    return rows


@router.post("/api/scenarios/{scenario_id}/sources/{source_id}/article", status_code=201,
             response_model=s.LinkedArticle)
async def link_article(scenario_id: str, source_id: str, body: s.ArticleIn, request: Request,
                       who: Writer) -> dict[str, str]:
    """Store the text a source stands for (read by the pipeline when installed, in a job the request
    waits for), so numbers citing the source link to their paragraphs or sentences."""
    stored = await run_in_threadpool(request.app.state.store.get, scenario_id)
    source_of(stored.scenario, scenario_id, source_id)  # before the job, so a bad id stores nothing
    limits.check_article(body.text)
    params = {"scenario": stored.id, "version": stored.version, "source": source_id,
              "article": body.model_dump(mode="json")}
    return await job_result(request, "link", who, params, 1)


@router.get("/api/articles", response_model=list[s.ArticleSummary])
def articles(request: Request, _: Reader, actor: Annotated[str | None, Query(max_length=200)] = None,
             limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> list[dict[str, Any]]:
    """Stored articles by date; ``actor`` keeps those that mention it."""
    table = request.app.state.corpus.articles(actor=actor, limit=limit)
    return _records(table[["id", "title", "published", "publisher", "url"]], dates=("published",))


@router.get("/api/articles/{article_id}", response_model=s.ArticleOut)
def article(article_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """An article's text and what the reading found in it (mentions, quotes, events) as spans."""
    corpus = request.app.state.corpus
    found = corpus.article(article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r} in the store")
    marks = corpus.marks(article_id)
    return {"id": article_id, "title": found.title, "published": found.published, "publisher": found.publisher,
            "url": found.url, "text": found.text, "names": actor_names(marks["mentions"]), **marks}


def actor_names(mentions: list[dict[str, Any]]) -> dict[str, str]:
    """A readable name per actor id: the gazetteer's name for a reading key, else the most frequent
    (then longest) text it was mentioned by."""
    seen: dict[str, Counter[str]] = {}
    for mention in mentions:
        seen.setdefault(mention["actor"], Counter())[" ".join(mention["text"].split())] += 1
    gazetteer = default_gazetteer()
    return {actor: gazetteer.key_name(actor) or max(texts.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
            for actor, texts in seen.items()}


@router.get("/api/corpus/stances", response_model=list[dict[str, Any]])
def stances(request: Request, _: Reader, actor: Annotated[str | None, Query(max_length=200)] = None,
            issue: Annotated[str | None, Query(max_length=200)] = None,
            since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
    """Stance readings by article date: actor, issue, position, confidence and the sentence."""
    table = request.app.state.corpus.stance_over_time(actor, issue, since, until)
    table = table.rename(columns={"actor_id": "actor", "issue_id": "issue"})
    return _records(table[["date", "actor", "issue", "position", "confidence", "article_id", "title", "evidence"]],
                    dates=("date",))


@router.get("/api/corpus/events", response_model=list[dict[str, Any]])
def events(request: Request, _: Reader, actor: Annotated[str | None, Query(max_length=200)] = None,
           since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
    """Events in date order: who did what to whom, with the sentence and its article."""
    table = request.app.state.corpus.event_timeline(actor, since, until)
    table = table.rename(columns={"source_id": "source", "target_id": "target"})
    return _records(table[["date", "source", "target", "cameo", "plover", "text", "article_id", "title"]],
                    dates=("date",))


@router.get("/api/corpus/network", response_model=s.NetworkOut)
def network(request: Request, _: Reader, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """The actor network: nodes with their event counts, directed edges with counts by event type."""
    table = request.app.state.corpus.actor_network(since, until)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    nodes: dict[str, int] = {}
    for row in table.itertuples(index=False):
        edge = edges.setdefault((row.source, row.target), {"source": row.source, "target": row.target,
                                                           "events": 0, "types": {}})
        edge["events"] += int(row.count)
        edge["types"][row.event_type] = int(row.count)
        for actor in (row.source, row.target):
            nodes[actor] = nodes.get(actor, 0) + int(row.count)
    return {"nodes": [{"id": k, "events": v} for k, v in sorted(nodes.items())], "edges": list(edges.values())}


def _records(table: pd.DataFrame, dates: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    table = table.astype(object).where(table.notna(), None)
    for column in dates:
        table[column] = [None if v is None else v.date().isoformat() if hasattr(v, "date") else str(v)
                         for v in table[column]]
    return jsonable(table.to_dict(orient="records"))
