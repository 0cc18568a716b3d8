"""Helpers for the bulk tests: WARC/JSONL fixture writers and fake page functions.

The fakes are module-level so that worker processes (forkserver/spawn) and Dask workers can
unpickle them by reference. A page's behaviour is chosen by markers in its HTML: ``SLEEP``
(hangs), ``DOZE`` (takes 0.4 s), ``RAISE`` (raises), ``CRASH`` (kills its own process),
``HOG`` (allocates ~600 MB).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import time
import zlib
from pathlib import Path
from typing import Any

from classifier.bulk.pages import record_page
from classifier.bulk.rows import PageOptions, Record, Row
from classifier.extraction.decode import decode_html
from classifier.hosts import host_of

MODEL = "fake-model"


def fake_loader(record_dir: str | None = None) -> str:
    """A 'model' loader that leaves one file per load (named by pid) in `record_dir`."""
    if record_dir:
        Path(record_dir, f"load-{os.getpid()}-{time.monotonic_ns()}").touch()
    return MODEL


def page_text(record: Record) -> str:
    page = record_page(record)
    html = page if isinstance(page, str) else decode_html(page, record.http_charset)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def fake_page(record: Record, *, model: Any, options: PageOptions) -> Row:
    """Deterministic stand-in for `classifier.bulk.pages.score_page`."""
    if model is not None and model != MODEL:
        raise AssertionError(f"unexpected model {model!r}")
    raw = record.body if isinstance(record.body, bytes) else (record.body or "").encode()
    if b"SLEEP" in raw:
        time.sleep(60)
    if b"DOZE" in raw:
        time.sleep(0.4)
    if b"RAISE" in raw:
        raise ValueError("page says RAISE")
    if b"CRASH" in raw:
        os._exit(7)
    if b"HOG" in raw:
        hog = bytearray(600 * 2**20)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
        time.sleep(30)
    text = page_text(record)
    probability = (zlib.crc32(text.encode()) % 1000) / 1000
    reasons = [{"code": "fake_marker", "evidence": "FARM", "weight": 1.0}] if "FARM" in text else []
    signature = None
    if options.syndication:
        from classifier.bulk.syndication import text_signature

        signature = text_signature(text)
    skeletons = None
    if options.site_templates:
        from classifier.scoring.template import story_skeletons

        skeletons = [[s.key, s.filling, s.sentence] for s in story_skeletons([(0, text)])]
    return Row(
        source=record.source,
        offset=record.offset,
        url=record.url,
        status=record.status,
        host=host_of(record.url),
        farm_probability=probability,
        flagged=probability >= 0.5 or bool(reasons),
        reasons=reasons,
        content_chars=len(text),
        boilerplate_share=0.25,
        text=text if options.with_text else None,
        threshold=0.5,
        signature=signature,
        skeletons=skeletons,
    )


def slow_page(record: Record, *, model: Any, options: PageOptions) -> Row:
    """`fake_page` taking 50 ms a page (for the killed-run test)."""
    time.sleep(0.05)
    return fake_page(record, model=model, options=options)


def html(i: int, extra: str = "", charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<html><head>{meta}<title>Page {i}</title></head><body><h1>Title {i}</h1>"
        f"<p>Paragraph number {i} with some words, café.</p>{extra}</body></html>"
    )


def write_warc(
    path: Path,
    pages: list[tuple[str, str | bytes]],
    *,
    gz: bool = True,
    charset: str = "utf-8",
    extras: bool = True,
) -> list[int]:
    """A WARC with a warcinfo, then per page a request and an HTML response; with `extras`,
    also an image, a PDF and a redirect. Returns the offsets of the HTML responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    offsets = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))

        def response(url: str, body: bytes, ctype: str, status: str = "200 OK", headers=()):
            http = StatusAndHeaders(status, [("Content-Type", ctype), *headers], protocol="HTTP/1.1")
            return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)

        for url, page in pages:
            body = page.encode(charset) if isinstance(page, str) else page
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", host_of(url) or "")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
            offsets.append(handle.tell())
            writer.write_record(response(url, body, f"text/html; charset={charset}"))
        if extras:
            writer.write_record(response("http://img.example/a.png", b"\x89PNG....", "image/png"))
            writer.write_record(response("http://docs.example/a.pdf", b"%PDF-1.4 ...", "application/pdf"))
            writer.write_record(
                response("http://r.example/", b"<html>moved</html>", "text/html", "301 Moved Permanently", [("Location", "http://x/")])
            )
    return offsets


def write_warc_statuses(path: Path, pages: list[tuple[str, str]]) -> None:
    """A gzip WARC of HTML responses, one per (url, HTTP status line)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for i, (url, status) in enumerate(pages):
            http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            body = html(i).encode()
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))


def write_jsonl(path: Path, lines: list[Any], *, gz: bool = False) -> None:
    data = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if gz else data)


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(repo_root()), str(Path(__file__).resolve().parent)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def square(record: int, *, model: Any, options: Any) -> int:
    """A page function for the pool alone: the record's square."""
    return record * record


def error_of(record: int, message: str) -> str:
    return f"{record}: {message}"


def naps(task: tuple[float, ...], *, model: Any, options: Any, page_started: Any = None) -> int:
    """A task of several pages for the pool alone: each page sleeps its seconds, marking its
    start through `page_started` when the pool gives it; the row is the number of pages."""
    for seconds in task:
        if page_started is not None:
            page_started()
        time.sleep(seconds)
    return len(task)


def square_or_exit(record: int, *, model: Any, options: Any) -> int:
    """`square`, but a negative record ends the worker process at once (exit code 3)."""
    if record < 0:
        os._exit(3)
    return record * record
