"""Batch ingest: read (and analyse) documents in worker processes or on a Dask cluster, and store
them from this process, the corpus's single writer.

Work is split into blocks of a few files, or of a few megabytes of a JSONL corpus, and runs with
:func:`stakes.parallel.run_blocks`, the same machinery (and ``workers``/``cluster`` options) as the
Monte Carlo. Each article is committed as soon as its block comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stakes.corpus.records import Analysis
from stakes.corpus.store import AddResult, Corpus, analysis_problems
from stakes.parallel import run_blocks
from stakes.reading.article import Article
from stakes.reading.ingest import (
    IngestError,
    ReadOptions,
    is_url,
    iter_files,
    jsonl_blocks,
    kind_from_suffix,
    read_file,
    read_jsonl,
    read_url,
)

FILES_PER_BLOCK = 16
"""Files read per block: enough to make a worker's start-up and messaging cost little."""

Unit = tuple[Any, ...]
"""``("file", path)``, ``("url", url)`` or ``("jsonl", path, start, stop, first_line)``."""
Block = list[Unit]
Analyse = Callable[[Article], Analysis]
Read = tuple[Article, Analysis | None] | IngestError
"""What a worker sends back per document: the article and its analysis, or the error."""


@dataclass
class BatchResult(AddResult):
    """Counts of stored articles, and every document that could not be read, analysed or stored."""

    errors: list[IngestError] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Articles read without error."""
        return self.added + self.analysed + self.present


def plan(sources: Iterable[str], files_per_block: int = FILES_PER_BLOCK) -> tuple[list[Block], list[IngestError]]:
    """Blocks of work for the given paths (files, folders) and URLs; paths that do not exist
    become errors at once."""
    blocks: list[Block] = []
    errors: list[IngestError] = []
    files: list[Unit] = []
    for source in sources:
        if is_url(source):
            blocks.append([("url", source)])
            continue
        path = Path(source)
        if not path.exists():
            errors.append(IngestError(source, "no such file or folder", "check the path"))
            continue
        for file in iter_files(path) if path.is_dir() else [path]:
            if kind_from_suffix(file) != "jsonl":
                files.append(("file", str(file)))
                continue
            try:
                blocks.extend([("jsonl", str(file), start, stop, line)] for start, stop, line in jsonl_blocks(file))
            except OSError as exc:
                errors.append(IngestError(str(file), f"cannot read the file ({exc.strerror or exc})",
                                          "check that it is readable"))
    blocks.extend(files[k:k + files_per_block] for k in range(0, len(files), files_per_block))
    return blocks, errors


def read_block(block: Block, options: ReadOptions, analyse: Analyse | None) -> list[Read]:
    """Read every document of a block and analyse each article (runs in a worker).

    An article whose analysis fails comes back without analysis, followed by the error, so it is
    stored and adding it again later stores the analysis.
    """
    out: list[Read] = []
    for unit in block:
        if unit[0] == "url":
            items = read_url(unit[1], options)
        elif unit[0] == "jsonl":
            _, path, start, stop, first_line = unit
            items = read_jsonl(Path(path), options, start, stop, first_line)
        else:
            items = read_file(Path(unit[1]), options)
        for item in items:
            if isinstance(item, IngestError):
                out.append(item)
                continue
            try:
                out.append((item, analyse(item) if analyse is not None else None))
            except Exception as exc:  # one document's analysis bug must not stop a large batch
                out.append((item, None))
                out.append(_analysis_error(item, f"analysis failed ({type(exc).__name__}: {exc})"))
    return out


def _analysis_error(article: Article, problem: str) -> IngestError:
    return IngestError(article.origin or article.id, problem, "the article was stored without its "
                       "analysis; add it again once the analysis is fixed to store that too")


def ingest(corpus: Corpus, sources: Iterable[str], analyse: Analyse | None = None,
           options: ReadOptions | None = None, workers: int = 1, cluster: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Read every source, analyse its articles (with ``analyse``, a picklable function) and store
    them; ``progress(done, total)`` is called as blocks finish. Documents that fail are listed in
    the result's ``errors`` and the batch goes on."""
    options = options or ReadOptions()
    blocks, errors = plan(sources)
    result = BatchResult(errors=errors)
    if progress is not None:
        progress(0, len(blocks))
    arguments = [(block, options, analyse) for block in blocks]
    with closing(run_blocks(read_block, arguments, workers=workers, cluster=cluster)) as finished:
        for done, (_, items) in enumerate(finished, start=1):
            for item in items:
                if isinstance(item, IngestError):
                    result.errors.append(item)
                    continue
                article, analysis = item
                problems = analysis_problems(article, analysis) if analysis is not None else []
                if problems:
                    result.errors.append(_analysis_error(article, "analysis rejected: " + "; ".join(problems)))
                    analysis = None
                result.count(corpus.store(article, analysis))
            if progress is not None:
                progress(done, len(blocks))
    return result
