"""Scenarios: list, create (file, articles, blank), read, edit, history, undo, export, delete."""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter

from stakes import limits
from stakes.corpus.scenarios import ScenarioStore, StoredScenario, VersionConflict
from stakes.errors import Problem, ScenarioError, StakesError
from stakes.models import default_models
from stakes.scenario import io, schema
from stakes.scenario.model import Scenario
from stakes.web import schemas as s
from stakes.web.answers import encode, json_answer
from stakes.web.auth import reader, writer
from stakes.web.jobs import job_result
from stakes.whatif import WhatIf, whatifs_from_data, whatifs_to_data

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])
Reader = Annotated[str | None, Depends(reader)]
Writer = Annotated[str, Depends(writer)]
MEDIA = {"yaml": "application/yaml", "json": "application/json", "csv": "text/csv", "ktab-csv": "text/csv"}
SUFFIX = {"yaml": "yaml", "json": "json", "csv": "csv", "ktab-csv": "ktab.csv"}
_CELL = re.compile(r"^actors\[(\d+)\]\.(?:capability|stances\.([^.]+)\.(position|salience|risk))")
DOCUMENT = TypeAdapter(s.ScenarioDocument)
HISTORY = TypeAdapter(list[s.RevisionOut])


def store(request: Request) -> ScenarioStore:
    return request.app.state.store


def document(stored: StoredScenario) -> dict[str, Any]:
    """A stored scenario as the API shows it."""
    return {"id": stored.id, "version": stored.version, "updated_at": stored.updated_at,
            "updated_by": stored.updated_by, "scenario": schema.to_data(stored.scenario),
            "whatifs": whatifs_to_data(stored.whatifs), "default_models": list(default_models(stored.scenario))}


def answer(request: Request, stored: StoredScenario, status_code: int = 200) -> Response:
    """The document of a stored scenario, encoded once per stored state (a save makes a new one)."""
    body = request.app.state.answers.get(("document", stored.key), lambda: encode(DOCUMENT, document(stored)))
    return json_answer(body, status_code)


def blank(title: str) -> Scenario:
    """A new scenario with one issue and one actor, to edit from there."""
    return schema.from_data({
        "stakes": 1, "title": title,
        "issues": [{"id": "issue_1", "name": "First issue", "low": "What the low end of the scale means",
                    "high": "What the high end of the scale means", "scale": [0, 100]}],
        "actors": [{"id": "actor_1", "name": "First actor", "kind": "other", "capability": 50,
                    "stances": {"issue_1": {"position": 50, "salience": 0.5}}}],
    }, None, file="new scenario")


def parse(data: dict[str, Any] | None, text: str | None, fmt: str, origin: str) -> Scenario:
    """A scenario from the canonical data or from text in a file format; problems name ``origin``."""
    if data is not None and text is not None:
        raise StakesError("send either `scenario` (data) or `text`, not both")
    if data is not None:
        return validated(data, origin)
    if text is not None:
        return io.loads(text, fmt, file=origin)
    raise StakesError("send the scenario as `scenario` (data) or as `text` with its `format`")


def validated(data: dict[str, Any], origin: str) -> Scenario:
    """A scenario from canonical data; each problem learns the editor cell (actor, issue, quantity) it sits in."""
    try:
        return schema.from_data(data, None, file=origin)
    except ScenarioError as exc:
        raise CellProblems(exc.problems, [_cell(p.field, data) for p in exc.problems]) from None


def checked_whatifs(items: list[s.WhatIfData], scenario: Scenario) -> list[WhatIf]:
    """What-ifs sent in a request, each applied once to ``scenario`` so a bad change fails the request."""
    whatifs = whatifs_from_data([w.model_dump(exclude_none=True) for w in items], file="what-ifs") if items else []
    for whatif in whatifs:
        whatif.apply(scenario)
    return whatifs


class CellProblems(ScenarioError):
    """Problems with the editor cells they belong to (``cells[i]`` is ``(actor, issue, quantity)``)."""

    def __init__(self, problems: list[Problem], cells: list[tuple[str | None, str | None, str | None]]):
        super().__init__(problems)
        self.cells = cells


def _cell(field: str, data: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    match = _CELL.match(field)
    actors = data.get("actors")
    if not match or not isinstance(actors, list) or int(match[1]) >= len(actors) or not isinstance(
            actors[int(match[1])], dict):
        return None, None, None
    return actors[int(match[1])].get("id"), match[2], match[3] or "capability"


@router.get("", response_model=list[s.ScenarioSummary])
def list_scenarios(request: Request, _: Reader) -> list[dict[str, Any]]:
    """Every stored scenario, by title."""
    return store(request).list()


@router.post("", status_code=201, response_model=s.ScenarioDocument)
def create_scenario(body: s.CreateScenario, request: Request, who: Writer) -> Response:
    """Import a scenario from text in a file format (YAML, JSON, CSV layouts, KTAB XML), or start a blank one."""
    if body.text is None:
        if not body.title or not body.title.strip():
            raise StakesError("a blank scenario needs a `title` (or send `text` to import a file)")
        scenario = blank(body.title.strip())
    else:
        scenario = io.loads(body.text, body.format, file="uploaded file")
        if body.title and body.title.strip():
            scenario = replace(scenario, title=body.title.strip())
    summary = "created blank" if body.text is None else f"imported ({body.format})"
    return answer(request, store(request).create(scenario, who, body.id, summary=summary), 201)


@router.post("/read", status_code=201, response_model=s.ScenarioDocument)
async def read_scenario(body: s.ReadScenario, request: Request, who: Writer) -> dict[str, Any]:
    """Draft a scenario from articles with the reading pipeline (a job the request waits for); the
    articles go to the corpus."""
    limits.check_articles(len(body.articles))
    for item in body.articles:
        limits.check_article(item.text, f"article {item.title!r}" if item.title else "an article")
    base = await run_in_threadpool(store(request).get, body.issues_from) if body.issues_from else None
    params = {"scenario": base.id if base else None, "version": base.version if base else None, "owner": who,
              "id": body.id, "title": body.title, "articles": [a.model_dump(mode="json") for a in body.articles]}
    return await job_result(request, "read", who, params, len(body.articles))


@router.get("/{scenario_id}", response_model=s.ScenarioDocument)
def get_scenario(scenario_id: str, request: Request, _: Reader) -> Response:
    return answer(request, store(request).get(scenario_id))


@router.put("/{scenario_id}", response_model=s.ScenarioDocument)
def replace_scenario(scenario_id: str, body: s.ReplaceScenario, request: Request, who: Writer) -> Response:
    """Save a whole new version of the scenario, if ``version`` is still the stored one."""
    scenario = parse(body.scenario, body.text, body.format, f"scenario {scenario_id}")
    return answer(request, store(request).save(scenario_id, body.version, who, scenario, summary=body.summary))


@router.patch("/{scenario_id}/cells", response_model=s.ScenarioDocument)
def edit_cells(scenario_id: str, body: s.EditCells, request: Request, who: Writer) -> Response:
    """Change numbers of the actors × issues table: value, range, basis; checked like a scenario file.
    A stale ``version`` is refused (409) before the edits are applied and checked."""
    current = store(request).get(scenario_id)
    if current.version != body.version:
        raise VersionConflict(scenario_id, body.version, current.version, current.updated_by)
    data = schema.to_data(current.scenario)
    for edit in body.edits:
        _apply(data, edit)
    scenario = validated(data, f"scenario {scenario_id}")
    saved = store(request).save(scenario_id, body.version, who, scenario, summary=body.summary, current=current)
    return answer(request, saved)


def _apply(data: dict[str, Any], edit: s.CellEdit) -> None:
    actor = next((a for a in data["actors"] if a["id"] == edit.actor), None)
    if actor is None:
        raise StakesError(f"no actor {edit.actor!r} in this scenario; actors: "
                          + ", ".join(a["id"] for a in data["actors"]))
    if edit.quantity == "capability":
        if edit.issue is not None:
            raise StakesError("capability belongs to the actor, not to an issue: leave `issue` out")
        holder, key = actor, "capability"
    else:
        if edit.issue is None or edit.issue not in actor.get("stances", {}):
            raise StakesError(f"actor {edit.actor!r} takes no stance on issue {edit.issue!r}; name one of "
                              + ", ".join(actor.get("stances", {})))
        holder, key = actor["stances"][edit.issue], edit.quantity
    sent = edit.model_fields_set
    if "value" in sent and edit.value is None:
        if key != "risk":
            raise StakesError(f"{key} needs a value; only a risk can be removed (value null)")
        holder.pop("risk", None)
        return
    number = holder.get(key)
    if number is None:
        if "value" not in sent:
            raise StakesError(f"{edit.actor}.{edit.issue}.{key} has no value yet; send `value`")
        number = {}
    number = dict(number) if isinstance(number, dict) else {"value": number}
    if "value" in sent:
        number["value"] = edit.value
    if "low" in sent or "high" in sent:
        low, high = (edit.low if "low" in sent else _bound(number, 0),
                     edit.high if "high" in sent else _bound(number, 1))
        if low is None and high is None:
            number.pop("range", None)
        else:
            number["range"] = [low, high]
    if "basis" in sent:
        if edit.basis and edit.basis.strip():
            number["basis"] = edit.basis.strip()
        else:
            number.pop("basis", None)
    holder[key] = number


def _bound(number: dict[str, Any], side: int) -> float | None:
    bounds = number.get("range")
    return bounds[side] if isinstance(bounds, list) and len(bounds) == 2 else None


@router.put("/{scenario_id}/whatifs", response_model=s.ScenarioDocument)
def replace_whatifs(scenario_id: str, body: s.ReplaceWhatIfs, request: Request, who: Writer) -> Response:
    """Save the scenario's what-ifs; each must apply to the scenario."""
    current = store(request).get(scenario_id)
    whatifs = checked_whatifs(body.whatifs, current.scenario)
    return answer(request, store(request).save(scenario_id, body.version, who, whatifs=whatifs, current=current))


@router.delete("/{scenario_id}", status_code=204, response_class=Response)
def delete_scenario(scenario_id: str, version: Annotated[int, Query(ge=1, le=s.MAX_VERSION)], request: Request,
                    who: Writer) -> Response:
    """Move a scenario to the trash, if ``version`` is still the stored one (restore it from ``/api/trash``)."""
    store(request).delete(scenario_id, version, who)
    return Response(status_code=204)


@router.get("/{scenario_id}/export", response_class=Response,
            responses={200: {"content": {"application/yaml": {"schema": {"type": "object"}},
                                         "application/json": {"schema": {"type": "object"}},
                                         "text/csv": {"schema": {"type": "string"}}},
                             "description": "the scenario file"}})
def export_scenario(scenario_id: str, request: Request, _: Reader,
                    format: Annotated[s.ExportFormat, Query()] = "yaml") -> Response:
    """The scenario as a file: canonical YAML or JSON, or a CSV layout (``csv``, ``ktab-csv``)."""
    stored = store(request).get(scenario_id)
    text = io.dumps(stored.scenario, format)
    name = f"{stored.id}.{SUFFIX[format]}"
    return Response(text, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{scenario_id}/history", response_model=list[s.RevisionOut])
def history(scenario_id: str, request: Request, _: Reader) -> Response:
    """Every saved version, newest first: who, when, a summary and the list of changes."""
    key = ("history", store(request).key(scenario_id, trashed=True))
    return json_answer(request.app.state.answers.get(
        key, lambda: encode(HISTORY, [asdict(revision) for revision in store(request).history(scenario_id)])))


@router.post("/{scenario_id}/undo", response_model=s.ScenarioDocument)
def undo(scenario_id: str, body: s.VersionOnly, request: Request, who: Writer) -> Response:
    """Undo the latest change (saved as a new version, so the undo itself can be undone)."""
    return answer(request, store(request).undo(scenario_id, body.version, who))
