"""The shapes of the REST API's requests and answers (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,99}$"
Quantity = Literal["position", "salience", "risk", "capability"]
ImportFormat = Literal["yaml", "json", "csv", "ktab-csv", "ktab-xml"]
ExportFormat = Literal["yaml", "json", "csv", "ktab-csv"]

MAX_VERSION = 2**31 - 1
"""Versions are 32-bit integers in the database."""
Version = Field(ge=1, le=MAX_VERSION, description="the version the change is based on")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Health(BaseModel):
    status: str
    version: str
    reads_open: bool


class Who(BaseModel):
    name: str


class ModelInfo(BaseModel):
    name: str
    title: str
    links_issues: bool
    default: bool = Field(description="Run when no model is named (and ticked in the web app).")


class WhatIfData(Strict):
    id: str = Field(pattern=r"^[\w\-]+$", max_length=100)
    title: str = Field(max_length=500)
    description: str | None = Field(default=None, max_length=5000)
    changes: list[str | dict[str, Any]] = Field(min_length=1, max_length=100)


class ScenarioSummary(BaseModel):
    id: str
    title: str
    version: int
    updated_at: datetime
    updated_by: str
    actors: int
    issues: int
    as_of: date | None
    size: int = Field(description="characters of the stored scenario text")


class TrashedScenario(ScenarioSummary):
    deleted_at: datetime
    deleted_by: str


class Emptied(BaseModel):
    deleted: list[str] = Field(description="the ids deleted for good")


class TokenOut(BaseModel):
    name: str
    created_at: datetime
    expires_at: datetime | None = Field(description="null: never")
    expired: bool


class NewToken(TokenOut):
    token: str = Field(description="shown only now; only its digest is stored")


class CreateToken(Strict):
    name: str = Field(pattern=r"^[\w.@\-]{1,100}$")
    expires_days: int | None = Field(default=None, ge=1, le=36_500, description="null: until revoked")


class ScenarioDocument(BaseModel):
    id: str
    version: int
    updated_at: datetime
    updated_by: str
    scenario: dict[str, Any] = Field(description="the scenario in the canonical format (docs/scenario-format.md)")
    whatifs: list[WhatIfData]
    default_models: list[str] = Field(description="the models a run uses when none are named: the default list, "
                                                  "and veto where an issue has a decision rule")


class CreateScenario(Strict):
    id: str | None = Field(default=None, pattern=ID_PATTERN, description="letters, digits, '_', '-'")
    title: str | None = Field(default=None, max_length=500)
    format: ImportFormat = "yaml"
    text: str | None = Field(default=None, description="the file's text (the request body's cap bounds it)")


class ArticleIn(Strict):
    text: str = Field(min_length=1, description="at most the article cap (STAKES_MAX_ARTICLE_CHARS) characters")
    title: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    published: date | None = None


class ReadScenario(Strict):
    id: str | None = Field(default=None, pattern=ID_PATTERN, description="letters, digits, '_', '-'")
    title: str | None = Field(default=None, max_length=500)
    articles: list[ArticleIn] = Field(min_length=1, description="at most the cap (STAKES_MAX_ARTICLES)")
    issues_from: str | None = Field(default=None, max_length=100, description="take the issues of this stored scenario")


class ReplaceScenario(Strict):
    version: int = Version
    scenario: dict[str, Any] | None = None
    text: str | None = Field(default=None, description="the file's text (the request body's cap bounds it)")
    format: ImportFormat = "yaml"
    summary: str | None = Field(default=None, max_length=500)


class CellEdit(Strict):
    actor: str = Field(max_length=200)
    issue: str | None = Field(default=None, max_length=200)
    quantity: Quantity
    value: float | None = None
    low: float | None = None
    high: float | None = None
    basis: str | None = Field(default=None, max_length=5000)


class EditCells(Strict):
    version: int = Version
    edits: list[CellEdit] = Field(min_length=1, max_length=1000)
    summary: str | None = Field(default=None, max_length=500)


class ReplaceWhatIfs(Strict):
    version: int = Version
    whatifs: list[WhatIfData] = Field(max_length=100)


class VersionOnly(Strict):
    version: int = Version


class RevisionOut(BaseModel):
    version: int
    author: str
    at: datetime
    summary: str
    changes: list[str]


class ProblemOut(BaseModel):
    field: str
    rule: str
    fix: str
    value: Any = None
    line: int | None = None
    actor: str | None = None
    issue: str | None = None
    quantity: str | None = None


class ErrorOut(BaseModel):
    detail: str


class InvalidOut(BaseModel):
    detail: str
    problems: list[ProblemOut] = []


class ConflictOut(BaseModel):
    detail: str
    current_version: int | None = None
    updated_by: str | None = None


class ForecastRequest(Strict):
    models: list[str] | None = Field(default=None, min_length=1, max_length=6,
                                     description="default: the scenario's default_models")
    seed: int | None = Field(default=0, ge=0, le=2**32 - 1)


class IssueResult(BaseModel):
    outcome: float
    rounds: int
    stop_reason: str
    trajectory: list[dict[str, Any]] = Field(description="[{round, actor, position}]")
    challenges: list[dict[str, Any]]
    decision: dict[str, Any] | None = Field(
        default=None, description="where the issue's decision rule picked the outcome: {rule, deal, blocking, "
                                  "feasible, bargained} (bargained: the outcome bargaining alone gave, if any)")


class ForecastOut(BaseModel):
    model: str
    outcomes: dict[str, float]
    issues: dict[str, IssueResult]


class ForecastsOut(BaseModel):
    forecasts: list[ForecastOut]


class SensitivityRequest(Strict):
    model: str = Field(default="bdm", max_length=100)
    points: int = Field(default=5, ge=2, le=50)


class SensitivityOut(BaseModel):
    rows: list[dict[str, Any]]


class MonteCarloRequest(Strict):
    models: list[str] | None = Field(default=None, min_length=1, max_length=6,
                                     description="default: the scenario's default_models")
    draws: int = Field(default=1000, ge=1, le=100_000)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class CompareRequest(MonteCarloRequest):
    whatifs: list[WhatIfData] = Field(min_length=1, max_length=20)


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    done: int
    total: int
    error: str | None = None
    failure: Literal["invalid", "conflict", "internal", "time limit", "memory", "interrupted"] | None = Field(
        default=None, description="why a failed job failed")
    result: dict[str, Any] | None = None
    owner: str | None = Field(default=None, description="the name of the token that started it")
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    time_limit: float | None = Field(default=None, description="seconds it may run")


class SourceOut(BaseModel):
    id: str
    title: str
    url: str | None = None
    published: str | None = None
    publisher: str | None = None


class EvidenceOut(BaseModel):
    key: str
    actor: str | None
    issue: str | None
    quantity: str
    value: float
    low: float | None
    high: float | None
    basis: str | None
    where: str | None
    source: SourceOut | None
    article_id: str | None
    spans: list[list[int]] = Field(description="[[start, end], ...] in the article's text")


class LinkedArticle(BaseModel):
    article_id: str


class ArticleSummary(BaseModel):
    id: str
    title: str | None
    published: date | None
    publisher: str | None
    url: str | None


class ArticleOut(ArticleSummary):
    text: str
    names: dict[str, str] = Field(description="actor id → a readable name (its most frequent mention)")
    mentions: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    events: list[dict[str, Any]]


class NetworkOut(BaseModel):
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
