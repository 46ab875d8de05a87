"""Ingest: every input format keeps its text and metadata; bad documents become one error each and
the batch goes on; nothing reaches the network unless a URL is given."""

from __future__ import annotations

import codecs
import gzip
import http.server
import json
import pickle
import shutil
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from stakes.reading.article import Article
from stakes.reading.ingest import (
    IngestError,
    JsonlFields,
    ReadOptions,
    decode,
    extract_html,
    jsonl_blocks,
    parse_date,
    read,
    read_jsonl,
    read_path,
    read_url,
)
from tests.conftest import DATA, shared_path

READING = DATA / "reading"


def articles(items) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def problems(items) -> list[IngestError]:
    return [item for item in items if isinstance(item, IngestError)]


def only_article(path, options=None) -> Article:
    items = list(read_path(path, options))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt fails the test, except to this machine (the URL tests' own server)."""
    connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access attempted: {address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def test_plain_text_keeps_text_and_takes_a_standalone_first_line_as_title():
    article = only_article(READING / "talks.txt")
    assert article.title == "Harbour talks resume after two-week pause"
    assert article.text.startswith("Harbour talks resume") and "written statement" in article.text
    assert article.origin == str(READING / "talks.txt")
    assert article.published is None and article.id == Article(article.text).id


def test_markdown_front_matter_gives_title_date_publisher_and_url():
    article = only_article(READING / "briefing.md")
    assert (article.title, article.published, article.publisher, article.url) == (
        "Shipping firms warn against fee rise", date(2024, 3, 18), "Harbour Gazette",
        "https://example.org/harbour/shipping-firms-warn")
    assert not article.text.startswith("---") and "absorb another increase" in article.text


def test_html_page_gives_main_text_and_metadata_without_page_furniture():
    article = only_article(READING / "page.html")
    assert article.title == "Council offers compromise on harbour fees"
    assert article.published == date(2024, 3, 20)
    assert article.publisher == "Harbour Gazette"
    assert article.url == "https://example.org/harbour/council-compromise"
    assert article.meta["author"] == "Ana Ruiz" and article.meta["extractor"] == "trafilatura"
    assert "serious offer" in article.text and "rival port" in article.text
    for furniture in ("Most read", "All rights reserved", "Sport"):
        assert furniture not in article.text
    assert "\n\n" in article.text  # paragraphs separated by a blank line


def test_gzipped_html_reads_like_the_page(tmp_path):
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress((READING / "page.html").read_bytes()))
    assert only_article(packed).id == only_article(READING / "page.html").id


def test_readability_takes_over_when_trafilatura_finds_nothing(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    article = extract_html((READING / "page.html").read_bytes())
    assert article.meta["extractor"] == "readability"
    assert "serious offer" in article.text and article.title == "Council offers compromise on harbour fees"


def test_rss_entries_become_articles_and_an_empty_entry_an_error():
    items = list(read_path(READING / "feed.rss"))
    found, failed = articles(items), problems(items)
    assert [a.title for a in found] == ["Union sets strike date", "Council and union agree to mediation"]
    first = found[0]
    assert first.text == "The dockworkers' union set a strike for 2 April.\n\nTalks with the council continue."
    assert (first.published, first.publisher, first.url) == (
        date(2024, 3, 25), "Harbour Gazette: Politics", "https://example.org/harbour/union-strike-date")
    assert first.origin.endswith("feed.rss#1") and first.meta["content"] == "summary"
    assert len(failed) == 1 and failed[0].document.endswith("feed.rss#3")


def test_atom_entry_content_author_and_date():
    article = only_article(READING / "feed.atom")
    assert article.title == "Statement on the mediation" and article.publisher == "Port Authority Newsroom"
    assert article.published == date(2024, 4, 2) and article.meta["author"] == "Press office"
    assert article.meta["content"] == "full" and article.text.endswith("inform the talks.")


def test_xml_and_unknown_extensions_are_sniffed(tmp_path):
    shutil.copy(READING / "feed.rss", tmp_path / "news.xml")
    shutil.copy(READING / "page.html", tmp_path / "page.saved")
    items = list(read_path(tmp_path))
    assert len(articles(items)) == 3
    assert {a.title for a in articles(items)} >= {"Council offers compromise on harbour fees"}


def test_jsonl_records_keep_metadata_and_bad_lines_are_errors_with_line_numbers():
    items = list(read_path(READING / "corpus.jsonl"))
    found, failed = articles(items), problems(items)
    assert [a.origin.rsplit(":", 1)[1] for a in found] == ["1", "2", "6"]
    first = found[0]
    assert (first.title, first.published, first.publisher, first.url) == (
        "Mediator proposes phased rise", date(2024, 4, 5), "Harbour Gazette",
        "https://example.org/harbour/mediator-proposal")
    assert first.meta == {"section": "politics"}
    assert found[1].published == date(2024, 4, 8) and found[2].published == date(2024, 4, 9)
    assert [(e.line, e.problem.split(" ")[0]) for e in failed] == [(3, "no"), (4, "not")]
    assert str(failed[1]).startswith(f"{READING / 'corpus.jsonl'}:4: not valid JSON")


def test_jsonl_field_names_are_configurable_and_html_records_are_extracted(tmp_path):
    corpus = tmp_path / "crawl.jsonl"
    page = (READING / "page.html").read_text(encoding="utf-8")
    corpus.write_text(json.dumps({"body": "Talks go on.", "headline": "Talks", "when": "2024-05-01"}) + "\n"
                      + json.dumps({"raw": page, "link": "https://example.org/x"}) + "\n", encoding="utf-8")
    fields = JsonlFields.parse({"text": "body", "title": "headline", "date": "when", "html": "raw", "url": "link"})
    first, second = articles(read_path(corpus, ReadOptions(fields=fields)))
    assert (first.text, first.title, first.published) == ("Talks go on.", "Talks", date(2024, 5, 1))
    assert second.title == "Council offers compromise on harbour fees" and second.url == "https://example.org/x"


def test_jsonl_blocks_split_on_line_boundaries_with_true_line_numbers(tmp_path):
    corpus = tmp_path / "big.jsonl"
    lines = [json.dumps({"text": f"Article number {k} " + "word " * (k % 7)}) for k in range(500)]
    lines[321] = "{not json"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    blocks = jsonl_blocks(corpus, block_bytes=1000)
    assert len(blocks) > 10 and blocks[0][:1] == (0,) and blocks[-1][1] is None
    items = [item for start, stop, line in blocks for item in read_jsonl(corpus, None, start, stop, line)]
    assert [a.origin for a in articles(items)] == [a.origin for a in articles(read_path(corpus))]
    assert len(articles(items)) == 499 and [e.line for e in problems(items)] == [322]


def test_an_over_long_jsonl_line_is_an_error_and_the_next_line_is_read(tmp_path):
    corpus = tmp_path / "long.jsonl"
    corpus.write_text(json.dumps({"text": "x" * 5000}) + "\n" + json.dumps({"text": "short one"}) + "\n")
    items = list(read_path(corpus, ReadOptions(max_bytes=1000)))
    assert [type(i).__name__ for i in items] == ["IngestError", "Article"]
    assert items[0].line == 1 and "limit" in items[0].problem and items[1].origin.endswith(":2")


def test_folders_are_read_recursively_in_path_order_skipping_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.txt").write_text("First article.")
    (tmp_path / "b" / "c.txt").write_text("Second article.")
    (tmp_path / ".git" / "d.txt").write_text("Not an article.")
    (tmp_path / ".notes.txt").write_text("Not an article either.")
    assert [a.text for a in articles(read_path(tmp_path))] == ["First article.", "Second article."]


def test_malformed_documents_give_one_clear_error_each_and_the_batch_goes_on(tmp_path):
    (tmp_path / "01-empty.txt").write_bytes(b"")
    (tmp_path / "02-blank.html").write_bytes(b"  \n\t\n")
    (tmp_path / "03-report.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (tmp_path / "04-noise.txt").write_bytes(bytes(range(256)) * 3)
    (tmp_path / "05-shell.html").write_text("<html><head><script>app()</script></head><body><div id=root>")
    (tmp_path / "06-huge.txt").write_text("word " * 400)
    (tmp_path / "07-broken.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "08-feed.xml").write_text("<?xml version='1.0'?><rss><channel><title>x</title>")
    (tmp_path / "09-good.txt").write_text("A perfectly good article.")
    (tmp_path / "10-sitemap.xml").write_text("<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>")
    items = list(read_path(tmp_path, ReadOptions(max_bytes=1000)))
    assert articles(items)[0].text == "A perfectly good article." and len(items) == 10
    expected = {"01-empty.txt": "empty", "02-blank.html": "empty", "03-report.pdf": "PDF",
                "04-noise.txt": "binary", "05-shell.html": "no article text", "06-huge.txt": "limit",
                "07-broken.gz": "gzip", "08-feed.xml": "feed", "10-sitemap.xml": "neither"}
    for error in problems(items):
        name = Path(error.document).name
        assert expected.pop(name) in error.problem, (name, error.problem)
        assert error.fix and str(error).startswith(error.document)
    assert not expected


def test_broken_html_with_text_is_still_read():
    html = ("<html><body><div><p>The council and the union met again on Tuesday to discuss fees"
            + "<p>Both sides said progress was made, though no deal was reached on jobs. " * 6
            + "<table><tr><td>unclosed")
    article = extract_html(html)
    assert "progress was made" in article.text


def test_encodings_are_detected_and_guesses_noted(tmp_path):
    text = "Déclaration commune: les négociations reprennent à Genève."
    cases = {"bom8.txt": codecs.BOM_UTF8 + text.encode("utf-8"), "bom16.txt": text.encode("utf-16"),
             "western.txt": text.encode("cp1252"),
             "page16.html": f"<html><body><article><p>{text}</p></article></body></html>".encode("utf-16")}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    read_back = {Path(a.origin).name: a for a in articles(read_path(tmp_path))}
    assert all(a.text == text for a in read_back.values()) and len(read_back) == 4
    assert "note" not in read_back["bom8.txt"].meta and "note" not in read_back["bom16.txt"].meta
    assert read_back["western.txt"].meta["encoding"] == "cp1252" and "cp1252" in read_back["western.txt"].meta["note"]


def test_a_declared_html_charset_is_used_when_the_bytes_are_not_utf8():
    greek = "Οι συνομιλίες συνεχίζονται"
    decoded = decode(f'<html><head><meta charset="iso-8859-7"></head><body>{greek}</body></html>'.encode("iso-8859-7"))
    assert greek in decoded.text and decoded.encoding == "iso-8859-7" and decoded.note is None


def test_a_missing_path_is_an_error_not_an_exception(tmp_path):
    (error,) = read_path(tmp_path / "nowhere.txt")
    assert isinstance(error, IngestError) and "no such file" in error.problem


def test_errors_survive_pickling_between_processes():
    error = IngestError("corpus.jsonl", "not valid JSON", "fix the line", line=4)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.document, copy.problem, copy.fix, copy.line, str(copy)) == (
        error.document, error.problem, error.fix, error.line, str(error))


@pytest.mark.parametrize("value, expected", [
    ("2024-03-20", date(2024, 3, 20)),
    ("2024-03-20T23:30:00+05:00", date(2024, 3, 20)),
    ("Wed, 20 Mar 2024 08:00:00 GMT", date(2024, 3, 20)),
    ("March 20, 2024", date(2024, 3, 20)),
    (time.struct_time((2024, 3, 20, 8, 0, 0, 2, 80, 0)), date(2024, 3, 20)),
    ("not a date", None),
    (None, None),
])
def test_dates_in_the_forms_sources_give(value, expected):
    assert parse_date(value) == expected


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/page.html":
            body, kind = (READING / "page.html").read_bytes(), "text/html; charset=utf-8"
        elif self.path == "/feed":
            body, kind = (READING / "feed.atom").read_bytes(), "application/atom+xml"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_given_explicitly_is_fetched_and_read(local_site):
    (page,) = read_url(f"{local_site}/page.html")
    assert page.title == "Council offers compromise on harbour fees" and page.url == f"{local_site}/page.html"
    (entry,) = read(f"{local_site}/feed")
    assert entry.title == "Statement on the mediation"
    (missing,) = read(f"{local_site}/gone")
    assert isinstance(missing, IngestError) and "404" in missing.problem


def test_shared_benchmark_pages_are_extracted_close_to_their_ground_truth():
    root = shared_path("data", "html")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth)[:3]:
        article = only_article(root / "html" / f"{key}.html.gz")
        expected = set(truth[key]["articleBody"].split())
        found = set(article.text.split())
        assert len(expected & found) / len(expected | found) > 0.8, key
