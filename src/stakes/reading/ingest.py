"""Ingest: turn files, folders, feeds, JSONL corpora and (explicitly given) URLs into articles.

Every reader yields :class:`~stakes.reading.article.Article` objects and, for a document that cannot
be read, an :class:`IngestError` in its place, so one bad file never stops a batch. Nothing here
touches the network except :func:`read_url`, which is only called for a URL the user passed.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from stakes.errors import StakesError
from stakes.reading.article import Article

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest document read (a file, a feed, one JSONL line, a decompressed page): 20 MiB."""

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
FEED_SUFFIXES = {".rss", ".atom"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}

READABILITY_SHARE = 0.4
"""Use readability's text when trafilatura's holds less than this share of it: trafilatura then
kept only a fragment of the article (measured on the extraction benchmark, see
benchmarks/bench_extraction.py)."""

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.odt/.epub, which are ZIP archives)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
    b"SQLite format 3": "an SQLite database",
}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)


class IngestError(StakesError):
    """One document that could not be read: which one (path, line), what is wrong, and the fix."""

    def __init__(self, document: str, problem: str, fix: str, line: int | None = None):
        self.document = document
        self.problem = problem
        self.fix = fix
        self.line = line
        super().__init__(f"{self.place}: {problem}; fix: {fix}")

    @property
    def place(self) -> str:
        """``path`` or ``path:line``."""
        return self.document if self.line is None else f"{self.document}:{self.line}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors travel back from worker processes: rebuild from the fields, not from ``args``.
        return type(self), (self.document, self.problem, self.fix, self.line)


@dataclass(frozen=True)
class JsonlFields:
    """Which keys of a JSONL record hold what. ``html`` is used when a record has no ``text``."""

    text: str = "text"
    html: str = "html"
    title: str = "title"
    date: str = "date"
    url: str = "url"
    publisher: str = "publisher"

    @classmethod
    def parse(cls, pairs: Mapping[str, str]) -> JsonlFields:
        """From ``{"text": "body", "date": "published_at"}``; unknown roles are an error."""
        unknown = set(pairs) - set(cls.__dataclass_fields__)
        if unknown:
            raise StakesError(f"unknown JSONL field role(s) {', '.join(sorted(unknown))}; "
                              f"use {', '.join(cls.__dataclass_fields__)}")
        return cls(**pairs)


@dataclass(frozen=True)
class ReadOptions:
    """How documents are read: the per-document size limit and the JSONL field names."""

    max_bytes: int = DEFAULT_MAX_BYTES
    fields: JsonlFields = field(default_factory=JsonlFields)


Item = Article | IngestError


def read(source: str | os.PathLike[str], options: ReadOptions | None = None) -> Iterator[Item]:
    """A path (file or folder) or an explicit ``http(s)://`` URL."""
    text = os.fspath(source)
    if is_url(text):
        yield from read_url(text, options)
    else:
        yield from read_path(text, options)


def is_url(source: str) -> bool:
    """Whether ``source`` is a web address (only these are ever fetched)."""
    return source.lower().startswith(("http://", "https://"))


def read_path(path: str | os.PathLike[str], options: ReadOptions | None = None) -> Iterator[Item]:
    """Every article in a file or, recursively, a folder (hidden files skipped), in path order."""
    options = options or ReadOptions()
    path = Path(path)
    if path.is_dir():
        for file in iter_files(path):
            yield from read_file(file, options)
    elif path.exists():
        yield from read_file(path, options)
    else:
        yield IngestError(str(path), "no such file or folder", "check the path")


def iter_files(folder: Path) -> Iterator[Path]:
    """The files under ``folder``, sorted, skipping hidden files and folders (``.git``, ``.DS_Store``)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def read_file(path: Path, options: ReadOptions | None = None) -> Iterator[Item]:
    """The articles in one file, its kind told by extension and, where that is not decisive, content."""
    options = options or ReadOptions()
    try:
        kind = kind_from_suffix(path)
        if kind == "jsonl":
            yield from read_jsonl(path, options)
            return
        data = _read_bytes(path, options.max_bytes)
        _check_content(data, str(path))
        if kind is None:
            kind = sniff(data)
            if kind == "text" and _suffix(path) == ".xml":
                raise IngestError(str(path), "XML that is neither an RSS/Atom feed nor an HTML page",
                                  "give articles as feeds, web pages, text or JSONL")
        if kind == "feed":
            yield from read_feed(data, str(path))
        elif kind == "html":
            yield extract_html(data, origin=str(path))
        else:
            yield _text_article(decode(data, str(path)), str(path))
    except IngestError as exc:
        yield exc
    except OSError as exc:
        yield IngestError(str(path), f"cannot read the file ({exc.strerror or exc})",
                          "check that it exists and is readable")


def kind_from_suffix(path: Path) -> str | None:
    """``text``, ``html``, ``feed`` or ``jsonl`` from the file name (ignoring ``.gz``); None when the
    content must tell (``.xml`` may be a feed or XHTML; other names are sniffed)."""
    suffix = _suffix(path)
    for kind, suffixes in (("text", TEXT_SUFFIXES), ("html", HTML_SUFFIXES), ("feed", FEED_SUFFIXES),
                           ("jsonl", JSONL_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return None


def _suffix(path: Path) -> str:
    """The file's type suffix, lower-case, looking through ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def sniff(data: bytes) -> str:
    """``feed``, ``html`` or ``text`` from the first bytes of a document."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(codecs.BOM_UTF8)
    if _FEED_ROOT.search(head) and not _HTML_START.match(head):
        return "feed"
    if _HTML_START.match(head):
        return "html"
    return "text"


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes (decompressed if gzipped), refusing anything over ``max_bytes``."""
    size = path.stat().st_size
    gzipped = path.suffix.lower() == ".gz"
    if not gzipped and size > max_bytes:
        raise _too_large(str(path), size, max_bytes)
    with path.open("rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        if gzipped or head == b"\x1f\x8b":
            return _gunzip(handle, str(path), max_bytes)
        return handle.read()


def _gunzip(handle: io.BufferedIOBase, document: str, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=handle) as unzipped:
            data = unzipped.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise IngestError(document, f"not a readable gzip file ({exc})",
                          "re-download it or decompress it by hand to check") from None
    if len(data) > max_bytes:
        raise _too_large(document, None, max_bytes)
    return data


def _too_large(document: str, size: int | None, max_bytes: int) -> IngestError:
    shown = f"{_size(size)}, over" if size is not None else "over"
    return IngestError(document, f"document is {shown} the {_size(max_bytes)} limit",
                       "split it, or raise the limit (--max-mb) if it really is one article")


def _size(count: int) -> str:
    """A byte count as people read it: 812 bytes, 3.4 KiB, 20 MiB."""
    if count < 1024:
        return f"{count} bytes"
    if count < 1024**2:
        return f"{count / 1024:.3g} KiB"
    return f"{count / 1024**2:.3g} MiB"


def _check_content(data: bytes, document: str, line: int | None = None) -> None:
    """Refuse empty and binary documents with a message naming what they seem to be."""
    if not data.strip():
        raise IngestError(document, "empty document", "remove it or re-export it with its text", line)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text is full of NUL bytes
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise IngestError(document, f"binary file ({what}), not text",
                              "convert it to text or HTML first (e.g. pdftotext for a PDF)", line)
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f\v\x1b")
    if b"\x00" in sample or controls > len(sample) // 20:
        raise IngestError(document, "binary data, not text",
                          "give the text itself (or, for UTF-16 text without a byte-order mark, "
                          "save it as UTF-8)", line)


@dataclass(frozen=True)
class Decoded:
    """A document's text and how it was decoded; ``note`` explains a guessed encoding."""

    text: str
    encoding: str
    note: str | None = None


def decode(data: bytes, document: str = "<bytes>") -> Decoded:
    """Bytes → text: a byte-order mark, else UTF-8, else the charset the document declares, else
    cp1252 (Windows Western) with a note saying so, since that guess can be wrong."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(document, f"starts with a {encoding} byte-order mark but is not "
                                  f"valid {encoding} ({exc.reason} at byte {exc.start})",
                                  "re-save the file as UTF-8") from None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return Decoded(data.decode(declared), declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text, guess = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined; latin-1 decodes anything
        text, guess = data.decode("latin-1"), "latin-1"
    return Decoded(text, guess, f"not valid UTF-8; decoded as {guess} (a guess: check accented "
                                "characters, or re-save the file as UTF-8)")


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _text_article(decoded: Decoded, origin: str) -> Article:
    """A plain-text or Markdown article; YAML front matter gives its metadata, else the first
    line is its title when it stands alone (short and followed by a blank line)."""
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    meta: dict[str, Any] = {}
    if text.startswith("---\n"):
        head, sep, body = text[4:].partition("\n---\n")
        if sep:
            meta = _front_matter(head, origin)
            text = body
    text = text.strip()
    if not text:
        raise IngestError(origin, "no text after the front matter", "add the article's text")
    title = _text_or_none(meta.pop("title", None))
    if title is None:
        first, sep, rest = text.partition("\n\n")
        if sep and "\n" not in first.strip() and len(first) <= 150 and rest.strip():
            title = first.strip().lstrip("#").strip()
    published = parse_date(meta.pop("date", None) or meta.pop("published", None))
    publisher = _text_or_none(meta.pop("publisher", None) or meta.pop("source", None))
    url = _text_or_none(meta.pop("url", None))
    return Article(text=text, title=title, published=published, publisher=publisher, url=url,
                   origin=origin, meta=_meta(meta, decoded))


def _front_matter(head: str, origin: str) -> dict[str, Any]:
    import yaml

    try:
        loaded = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        raise IngestError(origin, f"front matter is not valid YAML ({exc})",
                          "fix the header between the two --- lines") from None
    if not isinstance(loaded, dict):
        raise IngestError(origin, "front matter is not a mapping of keys to values",
                          "write it as `key: value` lines between the two --- lines")
    return {str(k).lower(): v for k, v in loaded.items()}


def _meta(extra: Mapping[str, Any], decoded: Decoded | None = None) -> dict[str, str]:
    meta = {str(k): v if isinstance(v, str) else json.dumps(v, default=str)
            for k, v in extra.items() if v is not None}
    if decoded is not None and decoded.encoding not in ("utf-8", "utf-8-sig"):
        meta["encoding"] = decoded.encoding
    if decoded is not None and decoded.note:
        meta["note"] = decoded.note
    return meta


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def parse_date(value: Any) -> date | None:
    """A publication date from what sources give: ISO 8601, RFC 2822 (feeds), a date or datetime,
    a ``time.struct_time`` (feedparser), epoch seconds, or common written forms; None if unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = value if value < 1e11 else value / 1000  # milliseconds, as JavaScript gives
            return datetime.fromtimestamp(seconds, tz=UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            return parse(text).date()
        except (TypeError, ValueError, IndexError):
            continue
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            stamp = pd.to_datetime(text, errors="coerce")
        except (ValueError, OverflowError, TypeError):
            return None
    return None if stamp is None or pd.isna(stamp) else stamp.date()


def extract_html(html: str | bytes, url: str | None = None, origin: str | None = None) -> Article:
    """The main text and metadata of a web page.

    trafilatura extracts text, title, date and site name; readability-lxml's text is used instead
    when trafilatura finds nothing or only a fragment (under ``READABILITY_SHARE`` of readability's
    text). Raises :class:`IngestError` when neither finds any text.
    """
    import trafilatura

    document = origin or url or "<html>"
    note = None
    if isinstance(html, bytes):
        _check_content(html, document)
        decoded = decode(html, document)
        html, note = decoded.text, decoded.note
    if not html.strip():
        raise IngestError(document, "empty document", "remove it or save the page again")
    try:
        found = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True,
                                            include_comments=False)
    except Exception:  # trafilatura raises assorted errors on pathological markup
        found = None
    text = _paragraphs(found.text or "") if found is not None else ""
    alternative = _readability_text(html)
    extractor = "trafilatura"
    if alternative and len(_squash(text)) < READABILITY_SHARE * len(_squash(alternative)):
        text, extractor = alternative, "readability"
    if not text:
        raise IngestError(document, "no article text found in the HTML",
                          "check that the file is the article page itself (not a login wall, index "
                          "page or script-rendered shell)")
    if found is None:
        found = _metadata_only(html, url)
    meta = {"extractor": extractor}
    for key in ("author", "description", "language", "hostname"):
        value = _text_or_none(getattr(found, key, None))
        if value:
            meta[key] = value
    if note:
        meta["note"] = note
    return Article(
        text=text,
        title=_text_or_none(getattr(found, "title", None)),
        published=parse_date(getattr(found, "date", None)),
        publisher=_text_or_none(getattr(found, "sitename", None)) or _text_or_none(getattr(found, "hostname", None)),
        url=url or _text_or_none(getattr(found, "url", None)),
        origin=origin or url,
        meta=meta,
    )


def _metadata_only(html: str, url: str | None) -> Any:
    import trafilatura

    try:
        return trafilatura.extract_metadata(html, default_url=url)
    except Exception:  # metadata is a bonus: a page without it is still read
        return None


def _readability_text(html: str) -> str:
    from readability import Document

    try:
        summary = Document(html).summary(html_partial=True)
    except Exception:  # readability raises on empty or unparsable markup
        return ""
    return html_to_text(summary)


_BLOCKS = {"p", "div", "section", "article", "header", "footer", "blockquote", "pre", "li", "ul", "ol",
           "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "figure", "figcaption", "dd", "dt"}


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block element (scripts and styles dropped)."""
    import lxml.etree
    import lxml.html

    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in root.iter("script", "style", "noscript"):
        element.drop_tree()
    for element in root.iter():
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _paragraphs(text: str) -> str:
    """One paragraph a line (trafilatura's output) → paragraphs separated by a blank line, as in
    every other source, so the reading pipeline can rely on ``\n\n`` between paragraphs."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _squash(text: str) -> str:
    return " ".join(text.split())


def read_feed(data: bytes, origin: str) -> Iterator[Item]:
    """Each entry of an RSS or Atom feed as an article: its content (else summary) as text, its
    link, date and author; the feed's title as publisher. Linked pages are not fetched."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.entries:
        problem = "not a readable RSS/Atom feed" if parsed.get("bozo") else "feed has no entries"
        reason = parsed.get("bozo_exception")
        raise IngestError(origin, problem + (f" ({reason})" if reason else ""),
                          "check the file is a complete RSS or Atom document")
    publisher = _text_or_none(parsed.feed.get("title"))
    for number, entry in enumerate(parsed.entries, start=1):
        place = f"{origin}#{number}"
        contents = entry.get("content") or []
        body = contents[0].get("value", "") if contents else entry.get("summary", "")
        text = html_to_text(body) if "<" in body else body.strip()
        if not text:
            yield IngestError(place, "feed entry has no text (no content and no summary)",
                              "fetch the linked page explicitly: stakes corpus add URL")
            continue
        meta = {"content": "full" if contents else "summary"}
        for key in ("author", "id"):
            value = _text_or_none(entry.get(key))
            if value:
                meta[key] = value
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        yield Article(text=text, title=_text_or_none(entry.get("title")), published=parse_date(published),
                      publisher=publisher, url=_text_or_none(entry.get("link")), origin=place, meta=meta)


def read_jsonl(path: Path, options: ReadOptions | None = None, start: int = 0, stop: int | None = None,
               first_line: int = 1) -> Iterator[Item]:
    """The records of a JSONL corpus (one JSON object a line), optionally only the lines starting
    in the byte range ``[start, stop)``; errors name the line."""
    options = options or ReadOptions()
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            if start == 0:
                _check_content(handle.read(8192), str(path))
            handle.seek(start)
            offset, number = start, first_line
            while stop is None or offset < stop:
                raw = handle.readline(options.max_bytes + 1)
                if not raw:
                    break
                size = len(raw)
                if size > options.max_bytes and not raw.endswith(b"\n"):
                    yield IngestError(str(path), f"line is over the {_size(options.max_bytes)} limit",
                                      "split the record, or raise the limit (--max-mb)", number)
                    size += _skip_rest_of_line(handle)
                elif raw.strip():
                    yield _jsonl_record(raw, str(path), number, options.fields)
                offset += size
                number += 1
    except IngestError as exc:
        yield exc
    except (OSError, EOFError) as exc:
        yield IngestError(str(path), f"cannot read the file ({exc})", "check the file is complete")


def _skip_rest_of_line(handle: Any) -> int:
    """Read past the end of an over-long line; return the bytes skipped."""
    skipped = 0
    while chunk := handle.readline(1 << 20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _jsonl_record(raw: bytes, origin: str, line: int, fields: JsonlFields) -> Item:
    try:
        record = json.loads(raw.decode("utf-8-sig" if line == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        return IngestError(origin, f"line is not UTF-8 ({exc.reason} at byte {exc.start})",
                           "re-save the corpus as UTF-8 (JSON Lines must be UTF-8)", line)
    except json.JSONDecodeError as exc:
        return IngestError(origin, f"not valid JSON ({exc.msg}, column {exc.colno})",
                           "fix or remove the line", line)
    if not isinstance(record, dict):
        return IngestError(origin, f"a JSON {type(record).__name__}, not an object",
                           "write one object per line, e.g. {\"text\": ..., \"title\": ...}", line)
    place = f"{origin}:{line}"
    text = record.pop(fields.text, None)
    html = record.pop(fields.html, None)
    title = record.pop(fields.title, None)
    published = record.pop(fields.date, None)
    url = _text_or_none(record.pop(fields.url, None))
    publisher = record.pop(fields.publisher, None)
    if isinstance(text, str) and text.strip():
        article = Article(text=text.strip(), origin=place)
    elif isinstance(html, str) and html.strip():
        try:
            article = extract_html(html, url=url, origin=place)
        except IngestError as exc:
            return IngestError(origin, exc.problem, exc.fix, line)
    else:
        return IngestError(origin, f"no text: the record has no non-empty {fields.text!r} "
                           f"(or {fields.html!r}) field",
                           "add the article text, or name the field that holds it (--field text=KEY)",
                           line)
    return Article(
        text=article.text,
        title=_text_or_none(title) or article.title,
        published=parse_date(published) or article.published,
        publisher=_text_or_none(publisher) or article.publisher,
        url=url or article.url,
        origin=place,
        meta={**article.meta, **_meta(record)},
    )


def jsonl_blocks(path: Path, block_bytes: int = 8 * 1024 * 1024) -> list[tuple[int, int | None, int]]:
    """Split a JSONL file into ``(start, stop, first_line)`` byte ranges of whole lines, so its
    records can be read in parallel with correct line numbers. Gzipped files are one block."""
    if path.suffix.lower() == ".gz":
        return [(0, None, 1)]
    blocks: list[tuple[int, int | None, int]] = []
    start, line = 0, 1
    with path.open("rb") as handle:
        while True:
            handle.seek(start + block_bytes)
            tail = handle.readline()
            stop = handle.tell()
            if not tail:
                blocks.append((start, None, line))
                return blocks
            handle.seek(start)
            line_count = 0
            remaining = stop - start
            while remaining:
                chunk = handle.read(min(remaining, 1 << 20))
                line_count += chunk.count(b"\n")
                remaining -= len(chunk)
            blocks.append((start, stop, line))
            start, line = stop, line + line_count


def read_url(url: str, options: ReadOptions | None = None, timeout: float = 30.0) -> Iterator[Item]:
    """Fetch one page or feed the user asked for by address, and read it like a file."""
    options = options or ReadOptions()
    request = urllib.request.Request(url, headers={"User-Agent": "stakes (article reader)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(options.max_bytes + 1)
            content_type = response.headers.get_content_type()
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        yield IngestError(url, f"the server answered {exc.code} {exc.reason}",
                          "check the address, or save the page from a browser and add the file")
        return
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        yield IngestError(url, f"cannot fetch the page ({reason})",
                          "check the address and the network, or add a saved copy of the page")
        return
    if len(data) > options.max_bytes:
        yield _too_large(url, None, options.max_bytes)
        return
    try:
        if data[:2] == b"\x1f\x8b":
            data = _gunzip(io.BytesIO(data), url, options.max_bytes)
        _check_content(data, url)
        is_feed = content_type in ("application/rss+xml", "application/atom+xml") or (
            content_type.endswith("xml") and sniff(data) == "feed")
        if is_feed:
            yield from read_feed(data, url)
        elif content_type == "text/plain":
            yield _text_article(decode(data, url), url)
        else:
            article = extract_html(data, url=final_url, origin=url)
            yield article
    except IngestError as exc:
        yield exc
