"""The bulk engine: accounting, deadlines, determinism across workers, resume, syndication.

Pages are scored by `bulk_helpers.fake_page` (the real core is exercised by the one
integration test at the end), so these tests check the engine, not the model.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from classifier.bulk.cli import main as cli_main
from classifier.bulk.engine import run
from classifier.bulk.output import apply_dup_domains
from classifier.bulk.pages import load_extractor, score_file, score_records
from classifier.bulk.rows import BulkOptions, PageOptions, Record, Row, error_row
from classifier.bulk.sandbox import PagePool, _Worker
from classifier.cliargs import parse_size
from tests.classifier.bulk.helpers import (
    error_of,
    fake_loader,
    fake_page,
    html,
    naps,
    read_rows,
    square,
    square_or_exit,
    subprocess_env,
    write_jsonl,
    write_warc,
)

FAST = BulkOptions(progress=False, resume=False, timeout=None)


def _options(**changes: object) -> BulkOptions:
    import dataclasses

    return dataclasses.replace(FAST, **changes)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A mixed input set: two WARCs (one truncated), JSONL with bad lines, a folder."""
    root = tmp_path_factory.mktemp("corpus")
    write_warc(root / "a.warc.gz", [(f"http://a{i}.example/p", html(i)) for i in range(30)])
    write_warc(root / "b.warc", [(f"http://b{i}.example/p", html(100 + i, "FARM" if i % 3 == 0 else "")) for i in range(12)], gz=False, extras=False)
    data = (root / "b.warc").read_bytes()
    (root / "b.warc").write_bytes(data[:-40])  # last record shorter than its Content-Length
    write_jsonl(
        root / "c.jsonl",
        [{"html": html(200 + i), "url": f"https://www.c{i % 4}.example/x/{i}"} for i in range(20)] + ["{bad", {"url": "http://nohtml.example/"}],
    )
    (root / "site" / "sub").mkdir(parents=True)
    for i in range(5):
        (root / "site" / "sub" / f"p{i}.html").write_text(html(300 + i))
    return [str(root / "a.warc.gz"), str(root / "b.warc"), str(root / "c.jsonl"), str(root / "site")]


EXPECTED_ROWS = 30 + 11 + 1 + 20 + 2 + 5  # pages + damage row + bad JSONL lines + files
EXPECTED_SKIPS = {"warc_warcinfo": 2, "warc_request": 30 + 12, "not_html:image/png": 1, "not_html:application/pdf": 1, "http_301": 1}


def test_local_run_accounts_for_every_record_and_is_identical_across_workers(corpus: list[str], tmp_path: Path) -> None:
    outputs = {}
    for workers in (0, 1, 2):
        out = tmp_path / f"w{workers}.jsonl"
        summary = run(corpus, str(out), _options(workers=workers), page_fn=fake_page, model_loader=None)
        assert summary.rows_written == EXPECTED_ROWS
        assert summary.skipped == EXPECTED_SKIPS
        assert summary.records_read == EXPECTED_ROWS + sum(EXPECTED_SKIPS.values())
        assert summary.reconciles
        assert summary.exit_status == 3  # b.warc is damaged
        assert [d["source"] for d in summary.inputs_unread] == [corpus[1]]
        assert [d["source"] for d in summary.damaged] == [corpus[1], corpus[2], corpus[2]]
        outputs[workers] = out.read_bytes()
    assert outputs[0] == outputs[1] == outputs[2]
    rows = read_rows(tmp_path / "w2.jsonl")
    assert len(rows) == EXPECTED_ROWS
    keys = [(r["source"], r["offset"]) for r in rows]
    order = {path: i for i, path in enumerate(corpus)}
    assert keys == sorted(keys, key=lambda k: (order.get(k[0], 3), k[0], k[1]))  # input order, then offset
    damage = [r for r in rows if r["source"] == corpus[1] and r["error"]]
    assert len(damage) == 1 and "shorter than its Content-Length" in damage[0]["error"]
    assert set(rows[0]) == {"source", "offset", "url", "status", "host", "farm_probability", "flagged", "reasons", "content_chars", "boilerplate_share", "title", "published", "author", "language", "canonical_url", "error", "dup_domains"}
    assert rows[0]["host"] == "a0.example"


@pytest.mark.parametrize("workers", [1, 2])
def test_timeout_crash_and_exception_become_error_rows_and_the_run_goes_on(tmp_path: Path, workers: int) -> None:
    # Each worker holds the next page while it scores one: the page behind a hang or a crash
    # goes to the next worker, and is scored.
    pages = [(f"http://p{i}.example/", html(i)) for i in range(8)]
    pages[2] = ("http://hang.example/", html(2, "SLEEP"))
    pages[4] = ("http://raise.example/", html(4, "RAISE"))
    pages[6] = ("http://crash.example/", html(6, "CRASH"))
    write_warc(tmp_path / "x.warc.gz", pages, extras=False)
    started = time.monotonic()
    summary = run([str(tmp_path / "x.warc.gz")], str(tmp_path / "o.jsonl"), _options(workers=workers, timeout=1.0), page_fn=fake_page, model_loader=None)
    assert time.monotonic() - started < 20
    rows = read_rows(tmp_path / "o.jsonl")
    assert [r["url"] for r in rows] == [url for url, _ in pages]
    errors = {r["url"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"http://hang.example/", "http://raise.example/", "http://crash.example/"}
    assert errors["http://hang.example/"].startswith("timeout")
    assert "ValueError: page says RAISE" in errors["http://raise.example/"]
    assert "worker died" in errors["http://crash.example/"]
    assert summary.timeouts == 1 and summary.worker_deaths == 1 and summary.exit_status == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the RSS watchdog reads /proc")
def test_memory_limit_becomes_an_error_row(tmp_path: Path) -> None:
    write_warc(tmp_path / "m.warc.gz", [("http://ok.example/", html(1)), ("http://hog.example/", html(2, "HOG")), ("http://ok2.example/", html(3))], extras=False)
    summary = run(
        [str(tmp_path / "m.warc.gz")], str(tmp_path / "o.jsonl"), _options(workers=1, timeout=20.0, max_memory=parse_size("300M")), page_fn=fake_page, model_loader=None
    )
    rows = read_rows(tmp_path / "o.jsonl")
    assert [r["error"] is None for r in rows] == [True, False, True]
    assert rows[1]["error"].startswith("memory limit exceeded")
    assert summary.memory_kills == 1


def test_model_is_loaded_once_per_worker(tmp_path: Path, corpus: list[str]) -> None:
    loads = tmp_path / "loads"
    loads.mkdir()
    run(corpus, str(tmp_path / "o.jsonl"), _options(workers=2), page_fn=fake_page, model_loader=functools.partial(fake_loader, str(loads)))
    assert len(list(loads.iterdir())) == 2


def test_the_default_loader_follows_the_model_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from classifier.extraction.model import MODEL_ENV, ModelError

    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "missing.joblib"))
    with pytest.raises(ModelError, match="missing.joblib"):
        load_extractor()


def test_limit_stops_early_and_marks_the_input_partial(corpus: list[str], tmp_path: Path) -> None:
    summary = run(corpus, str(tmp_path / "o.jsonl"), _options(workers=1, limit=35), page_fn=fake_page, model_loader=None)
    rows = read_rows(tmp_path / "o.jsonl")
    assert summary.pages_scored == 35 and len(rows) == 35
    assert summary.inputs_completed == 1 and summary.inputs_partial == 1
    # a rerun without the limit redoes the partial input and reads the rest
    summary = run(corpus, str(tmp_path / "o.jsonl"), _options(workers=1, resume=True), page_fn=fake_page, model_loader=None)
    assert summary.inputs_resumed == 1 and summary.rows_written == EXPECTED_ROWS


def test_resume_skips_completed_inputs_and_output_is_unchanged(corpus: list[str], tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    first = run(corpus, str(out), _options(workers=1, resume=True), page_fn=fake_page, model_loader=None)
    before = out.read_bytes()
    second = run(corpus, str(out), _options(workers=1, resume=True), page_fn=fake_page, model_loader=None)
    assert first.inputs_resumed == 0 and second.inputs_resumed == 8  # 2 WARC, 1 JSONL, 5 files
    assert out.read_bytes() == before
    # Speed is over this run's own pages: a rerun with everything done scored none.
    assert first.pages_scored_now == first.pages_scored > 0
    assert second.pages_scored_now == 0 and second.pages_per_s == 0.0 and second.pages_scored == first.pages_scored
    assert "0 pages scored now" in second.text()
    assert second.records_read == first.records_read and second.reconciles
    # a changed option changes the key: everything is scored again
    third = run(corpus, str(out), _options(workers=1, resume=True, page=PageOptions(with_text=True)), page_fn=fake_page, model_loader=None)
    assert third.inputs_resumed == 0 and "text" in read_rows(out)[0]


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    inputs = []
    for n in range(4):
        path = tmp_path / f"in{n}.warc.gz"
        write_warc(path, [(f"http://k{n}-{i}.example/", html(1000 * n + i)) for i in range(12)], extras=False)
        inputs.append(str(path))
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "classifier.bulk.cli", *inputs, "-o", str(out), "--workers", "1", "--page-fn", "tests.classifier.bulk.helpers:slow_page", "--quiet"]
    proc = subprocess.Popen(cmd, env=subprocess_env(), stderr=subprocess.PIPE)
    parts = Path(str(out) + ".parts")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(parts.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # no cleanup at all
    proc.wait()
    done = len(list(parts.glob("*.json")))
    assert 2 <= done < 4, "the kill should land mid-run"
    assert not out.exists()
    rerun = subprocess.run([*cmd, "--summary", str(tmp_path / "s.json")], env=subprocess_env(), capture_output=True, timeout=60, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode()
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["inputs_resumed"] == done and summary["reconciles"]
    rows = read_rows(out)
    clean = tmp_path / "clean.jsonl"
    run(inputs, str(clean), _options(workers=2), page_fn=fake_page, model_loader=None)
    assert rows == read_rows(clean)
    assert len({(r["source"], r["offset"]) for r in rows}) == len(rows) == 48
    assert not list(parts.glob(".*tmp*"))


def test_an_interrupt_stops_at_once_even_with_a_page_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"html": "<p>SLEEP</p>", "url": "http://s.example/"}) + "\n")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "classifier.bulk.cli", str(path), "-o", str(out), "--workers", "1",
           "--page-fn", "tests.classifier.bulk.helpers:fake_page", "--quiet", "--timeout", "0"]  # fmt: skip
    # SIGINT as a terminal delivers it: a harness that runs the suite in the background (no job
    # control) hands its children SIGINT ignored, and Python keeps an ignored SIGINT ignored.
    proc = subprocess.Popen(
        cmd, env=subprocess_env(), stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    )
    parts = Path(str(out) + ".parts")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not parts.exists():
        time.sleep(0.05)
    time.sleep(1.0)  # the worker is asleep in its 60-second page
    proc.send_signal(signal.SIGINT)
    # Not a timing test: before, the pool waited its polite 5 s for the busy worker; a hang
    # would be the page's 60 s.
    assert proc.wait(timeout=20) == 130
    assert b"interrupted" in proc.stderr.read()
    assert not out.exists()


def test_syndication_counts_registered_domains_and_adds_the_reason(tmp_path: Path) -> None:
    story = " ".join(f"word{i}" for i in range(120))
    other = " ".join(f"other{i}" for i in range(120))
    lines = [
        {"html": f"<p>{story}</p>", "url": "https://news.site-a.co.uk/1"},
        {"html": f"<p>{story}</p>", "url": "https://www.site-a.co.uk/2"},  # same registered domain
        {"html": f"<p>{story} extra</p>", "url": "https://site-b.com/x"},
        {"html": f"<p>{story}</p>", "url": "http://blog.site-c.org/y"},
        {"html": f"<p>{other}</p>", "url": "http://site-d.net/"},
        {"html": "<p>short</p>", "url": "http://site-e.net/"},
    ]
    write_jsonl(tmp_path / "s.jsonl", lines)
    out = tmp_path / "o.jsonl"
    run([str(tmp_path / "s.jsonl")], str(out), _options(workers=0, page=PageOptions(syndication=True)), page_fn=fake_page, model_loader=None)
    rows = read_rows(out)
    assert [r["dup_domains"] for r in rows] == [3, 3, 3, 3, 1, None]
    dup = [r for r in rows[0]["reasons"] if r["code"] == "same_text_on_N_domains"]
    assert len(dup) == 1 and "site-a.co.uk" in dup[0]["evidence"] and "site-c.org" in dup[0]["evidence"]
    assert not any(r["code"] == "same_text_on_N_domains" for r in rows[4]["reasons"])
    assert not any(key.startswith("_") for key in rows[0])


def test_apply_dup_domains_gives_what_score_gives_with_the_crawl_count() -> None:
    from classifier import extract, score

    page = html(7, "(AP) FARM")
    document = extract(page, "https://news.example/story")
    alone, with_crawl = score(document), score(document, dup_domains=3)
    row = {
        "farm_probability": alone.probability,
        "flagged": alone.flagged,
        "reasons": [{"code": r.code, "evidence": r.evidence, "weight": r.weight} for r in alone.reasons],
        "error": None,
        "_threshold": alone.threshold,
    }
    out = apply_dup_domains(row, 3, ["a.com", "b.com", "c.com"])
    assert out["dup_domains"] == 3
    assert out["farm_probability"] == pytest.approx(with_crawl.probability, abs=1e-9)
    assert out["flagged"] == with_crawl.flagged
    dup = [r for r in out["reasons"] if r["code"] == "same_text_on_N_domains"]
    assert len(dup) == 1 and dup[0]["weight"] > 0 and "a.com" in dup[0]["evidence"]
    error = {"farm_probability": None, "flagged": None, "reasons": [], "error": "timeout"}
    assert apply_dup_domains(error, 3, ["a.com"]) == {**error, "dup_domains": 3}


def test_hosts_csv_summary_file_and_parquet_output(corpus: list[str], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    options = _options(workers=1, hosts_path=str(tmp_path / "hosts.csv"), summary_path=str(tmp_path / "s.json"), output_format="parquet")
    summary = run(corpus, str(tmp_path / "o.parquet"), options, page_fn=fake_page, model_loader=None)
    table = pq.read_table(tmp_path / "o.parquet").to_pylist()
    run(corpus, str(tmp_path / "o.jsonl"), _options(workers=1), page_fn=fake_page, model_loader=None)
    assert [{k: r[k] for k in ("source", "offset", "farm_probability", "error")} for r in table] == [
        {k: r[k] for k in ("source", "offset", "farm_probability", "error")} for r in read_rows(tmp_path / "o.jsonl")
    ]
    hosts = list(csv.DictReader((tmp_path / "hosts.csv").open()))
    by_host = {h["host"]: h for h in hosts}
    assert by_host["www.c1.example"]["pages"] == "5"
    rows = read_rows(tmp_path / "o.jsonl")
    c1 = [r for r in rows if r["host"] == "www.c1.example"]
    assert float(by_host["www.c1.example"]["mean_probability"]) == pytest.approx(sum(r["farm_probability"] for r in c1) / 5, abs=1e-4)
    flagged_b = sum(r["flagged"] for r in rows if (r["host"] or "").startswith("b") and not r["error"])
    assert sum(int(h["flagged"]) for h in hosts if h["host"].startswith("b")) == flagged_b
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["rows_written"] == summary.rows_written == EXPECTED_ROWS and saved["reconciles"] is True


def test_cli_stdin_to_stdout_and_exit_status(tmp_path: Path) -> None:
    data = "".join(json.dumps({"html": html(i), "url": f"http://s{i}.example/"}) + "\n" for i in range(3))
    result = subprocess.run(
        [sys.executable, "-m", "classifier.bulk.cli", "-", "--page-fn", "tests.classifier.bulk.helpers:fake_page", "--workers", "1", "--text"],
        input=data.encode(), env=subprocess_env(), capture_output=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["offset"] for r in rows] == [1, 2, 3] and rows[0]["source"] == "-" and "Paragraph number 0" in rows[0]["text"]
    assert b"records read 3 = rows written 3 + skipped 0" in result.stderr
    missing = cli_main([str(tmp_path / "nope.warc.gz"), "-o", str(tmp_path / "o.jsonl"), "--page-fn", "tests.classifier.bulk.helpers:fake_page", "--workers", "0", "--quiet"])
    assert missing == 3
    assert read_rows(tmp_path / "o.jsonl")[0]["error"] == "input not found"


def test_pure_generator_and_score_file() -> None:
    records = [Record("s", 1, url="http://a.example/", body=html(1)), Record("s", 2, skip="blank_line"), Record("s", 3, error="bad line"), Record("s", 4, body=html(4, "RAISE"))]
    out = list(score_records(records, page_fn=fake_page, options=PageOptions()))
    assert [type(row).__name__ if row else None for _, row in out] == ["Row", None, "Row", "Row"]
    assert out[2][1].error == "bad line" and "RAISE" in out[3][1].error
    assert error_row(records[0], "x") == Row("s", 1, url="http://a.example/", host="a.example", error="x")


def test_score_file_yields_rows_only(tmp_path: Path) -> None:
    write_warc(tmp_path / "a.warc.gz", [(f"http://a{i}.example/", html(i)) for i in range(3)])
    rows = list(score_file(str(tmp_path / "a.warc.gz"), page_fn=fake_page))
    assert [r.url for r in rows] == [f"http://a{i}.example/" for i in range(3)]


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    write_warc(tmp_path / "a.warc.gz", [("http://a.example/", html(1))])
    tty = Tty()
    run([str(tmp_path / "a.warc.gz")], str(tmp_path / "o.jsonl"), _options(workers=0, progress=True), page_fn=fake_page, model_loader=None, progress_stream=tty)
    assert "rows 1" in tty.getvalue() and "100%" in tty.getvalue()
    plain = io.StringIO()
    run([str(tmp_path / "a.warc.gz")], str(tmp_path / "o.jsonl"), _options(workers=0, progress=True), page_fn=fake_page, model_loader=None, progress_stream=plain)
    assert plain.getvalue() == ""


def _core_available() -> bool:
    try:
        from classifier import extract  # noqa: F401
        from classifier.extraction.decode import decode_html  # noqa: F401
        from classifier.extraction.model import load_model

        load_model()
    except Exception:  # noqa: BLE001 - not importable yet, or no trained model yet
        return False
    return True


@pytest.mark.skipif(not _core_available(), reason="the extraction core (classifier.extraction.extract, decode, a trained model) is not there yet")
def test_real_core_scores_a_warc(tmp_path: Path) -> None:
    pages = [(f"http://real{i}.example/", html(i, "<p>" + "Some real sentence here. " * 20 + "</p>", charset="iso-8859-1")) for i in range(4)]
    write_warc(tmp_path / "r.warc.gz", pages, charset="iso-8859-1")
    summary = run([str(tmp_path / "r.warc.gz")], str(tmp_path / "o.jsonl"), _options(workers=1, timeout=60.0, page=PageOptions(with_text=True)))
    rows = read_rows(tmp_path / "o.jsonl")
    assert summary.exit_status == 0 and len(rows) == 4
    assert all(r["error"] is None for r in rows), rows
    assert all(0.0 <= r["farm_probability"] <= 1.0 and r["content_chars"] > 0 for r in rows)
    assert any("café" in r["text"] for r in rows)  # decoded with the HTTP charset


@pytest.mark.skipif(not _core_available(), reason="the extraction core (classifier.extraction.extract, decode, a trained model) is not there yet")
def test_rows_carry_the_page_metadata(tmp_path: Path) -> None:
    head = (
        '<title>Storm breaks records | Weather Desk</title><meta property="og:site_name" content="Weather Desk">'
        '<meta name="author" content="Jane Roe"><meta name="dc.date" content="20231102">'
        '<link rel="canonical" href="https://weather.example/storm">'
    )
    page = f'<html lang="en-GB"><head>{head}</head><body><p>{"The storm broke every record. " * 20}</p></body></html>'
    (tmp_path / "in.jsonl").write_text(json.dumps({"url": "https://weather.example/storm?x=1", "html": page}) + "\n")
    run([str(tmp_path / "in.jsonl")], str(tmp_path / "o.jsonl"), _options(workers=1, timeout=60.0))
    (row,) = read_rows(tmp_path / "o.jsonl")
    assert (row["title"], row["published"], row["author"], row["language"], row["canonical_url"]) == (
        "Storm breaks records", "2023-11-02", "Jane Roe", "en-GB", "https://weather.example/storm"
    )


def test_page_options_refuse_a_bad_favor_at_once() -> None:
    assert PageOptions(favor="precision").favor == "precision"
    with pytest.raises(ValueError, match="favor must be one of"):
        PageOptions(favor="sometimes")
    with pytest.raises(ValueError, match="not both"):
        PageOptions(threshold=0.4, favor="recall")


# ----------------------------------------------------------------------------- what a new user trips on


def test_pages_without_a_url_are_not_counted_as_domains(tmp_path: Path) -> None:
    story = "<html><body><article><p>" + " ".join(f"word{i} of the one long story" for i in range(120)) + "</p></article></body></html>"
    folder = tmp_path / "copies"
    folder.mkdir()
    for i in range(6):
        (folder / f"copy{i}.html").write_text(story)
    out = tmp_path / "o.jsonl"
    run([str(folder)], str(out), _options(workers=0, page=PageOptions(syndication=True)), page_fn=fake_page, model_loader=None)
    rows = read_rows(out)
    assert [row["dup_domains"] for row in rows] == [1] * 6  # each an unknown source of its own
    assert not any(r["code"] == "same_text_on_N_domains" for row in rows for r in row["reasons"])


def test_warc_rows_carry_their_http_status_and_errors_are_skipped_by_status(tmp_path: Path) -> None:
    from tests.classifier.bulk.helpers import write_warc_statuses

    path = tmp_path / "s.warc.gz"
    write_warc_statuses(path, [("http://ok.example/", "200 OK"), ("http://gone.example/", "404 Not Found"),
                               ("http://gone2.example/", "404 Not Found"), ("http://boom.example/", "503 Service Unavailable")])  # fmt: skip
    out = tmp_path / "o.jsonl"
    summary = run([str(path)], str(out), _options(workers=0), page_fn=fake_page, model_loader=None)
    rows = read_rows(out)
    assert [(row["url"], row["status"]) for row in rows] == [("http://ok.example/", 200)]
    assert summary.skipped["http_404"] == 2 and summary.skipped["http_503"] == 1 and summary.reconciles
    scored = run([str(path)], str(out), _options(workers=0, http_errors=True), page_fn=fake_page, model_loader=None)
    assert [row["status"] for row in read_rows(out)] == [200, 404, 404, 503] and scored.rows_written == 4


def test_a_warc_input_without_the_bulk_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import classifier.bulk.engine as engine
    from classifier.cli import main as pagesieve

    write_warc(tmp_path / "a.warc.gz", [("http://a.example/", html(1))])
    monkeypatch.setattr(engine, "_installed", lambda module: module not in ("fastwarc", "warcio"))
    assert pagesieve(["score", str(tmp_path / "a.warc.gz"), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "install the bulk extra: pip install 'pagesieve[bulk]'" in err and "pip install '.[bulk]'" in err
    assert err.count("\n") == 1 and not (tmp_path / "o.jsonl.parts").exists()


def test_a_reader_that_closes_stdout_ends_the_run_quietly(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [{"html": html(i)} for i in range(200)])
    command = (
        f"{sys.executable} -m classifier score {tmp_path / 'in.jsonl'} -q --workers 0 --page-fn helpers:fake_page | head -1; "
        'echo "status=${PIPESTATUS[0]}"'
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=subprocess_env(), timeout=120)
    lines = done.stdout.splitlines()
    assert json.loads(lines[0])["offset"] == 1 and lines[-1] == "status=141"
    assert done.stderr == ""


def test_progress_shows_a_total_a_percentage_and_the_inputs_done(corpus: list[str], tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    summary = run(corpus, str(tmp_path / "o.jsonl"), _options(workers=0, progress=True), page_fn=fake_page, model_loader=None,
                  progress_stream=terminal)  # fmt: skip
    shown = terminal.getvalue()
    total = sum(os.path.getsize(path) for path in corpus[:3]) + sum(p.stat().st_size for p in Path(corpus[3]).rglob("*.html"))
    assert f"/{total / 1000:.1f}k" in shown and "100%" in shown
    assert f"inputs {summary.inputs}/{summary.inputs}" in shown and f"rows {summary.rows_written}" in shown


@pytest.mark.parametrize("prefetch", [0, 1, 3])
def test_rows_are_the_same_whatever_each_worker_holds(prefetch: int) -> None:
    records = list(range(40))
    with PagePool(page_fn=square, error_fn=error_of, workers=2, prefetch=prefetch) as pool:
        rows = [row for _, row in pool.imap(records, lambda item: item if item % 7 else None)]
    assert rows == [None if item % 7 == 0 else item * item for item in records]


def test_workers_that_die_busy_or_idle_are_replaced_and_every_row_comes_out() -> None:
    with PagePool(page_fn=square_or_exit, error_fn=error_of, workers=2) as pool:
        first = [row for _, row in pool.imap([1, -2, 3, 4, -5, 6, 7, 8], lambda item: item)]
        idle = pool._pool[0].process
        idle.kill()  # between two runs: no page in it
        idle.join()
        second = [row for _, row in pool.imap([9, 10, 11], lambda item: item)]
        assert pool._selector is not None
        # Each live worker's connection and exit sentinel, and nothing of the dead ones.
        assert len(pool._selector.get_map()) == 2 * len(pool._pool) == 4
    assert pool._selector is None and pool.stats.worker_deaths == 3
    assert [row for i, row in enumerate(first) if i not in (1, 4)] == [1, 9, 16, 36, 49, 64]
    assert all(first[i].startswith(f"{value}: worker died while scoring this page") for i, value in ((1, -2), (4, -5)))
    assert second == [81, 100, 121]


def test_a_send_to_a_dead_worker_reads_the_rows_it_finished_before_blaming_a_page() -> None:
    import multiprocessing
    from collections import deque

    from classifier.bulk.sandbox import _Worker

    class DeadProcess:  # a worker that scored page A, sent its row and died on page B
        exitcode, sentinel, pid = 3, -1, None

        def is_alive(self) -> bool:
            return False

        def kill(self) -> None: ...

        def join(self, timeout: float | None = None) -> None: ...

    parent, child = multiprocessing.Pipe(duplex=True)
    child.send(("row", (0, "row of A")))
    child.close()
    dead = _Worker(process=DeadProcess(), conn=parent, ready=True, tasks=deque([(0, "A"), (1, "B")]))
    done: dict[int, tuple[str, str]] = {}
    waiting, backlog = {0: "A", 1: "B"}, []
    with PagePool(page_fn=square, error_fn=error_of, workers=1) as pool:
        pool._pool[0], replaced = dead, pool._pool[0]
        pool._kill(replaced)
        assert pool._send(dead, (2, "C"), done, waiting, backlog) is False
        assert dead not in pool._pool and len(pool._pool) == 1  # replaced
    assert done[0] == ("A", "row of A")
    assert done[1][0] == "B" and done[1][1].startswith("B: worker died while scoring this page")
    assert backlog == [(2, "C")] and pool.stats.worker_deaths == 1


def test_a_page_whose_row_came_before_the_deadline_check_is_not_timed_out() -> None:
    import multiprocessing
    import time
    from collections import deque

    from classifier.bulk.sandbox import _Worker

    class LiveProcess:  # a worker the engine has not heard from for a while (it was held up)
        exitcode, sentinel, pid = None, -1, None

        def is_alive(self) -> bool:
            return True

        def kill(self) -> None: ...

        def join(self, timeout: float | None = None) -> None: ...

    parent, child = multiprocessing.Pipe(duplex=True)
    child.send(("row", (0, "row of A")))  # A ended in time; B is still being scored
    long_ago = time.monotonic() - 100
    done: dict[int, tuple[str, str]] = {}
    waiting, backlog = {0: "A", 1: "B"}, []
    with PagePool(page_fn=square, error_fn=error_of, workers=1, timeout=1.0) as pool:
        late = _Worker(process=LiveProcess(), conn=parent, ready=True, tasks=deque([(0, "A"), (1, "B")]), started=long_ago)
        pool._pool[0], replaced = late, pool._pool[0]
        pool._kill(replaced)
        pool._enforce_limits(done, waiting, backlog)
        assert done == {0: ("A", "row of A")} and late in pool._pool  # B's time starts now
        late.started = long_ago  # and B is past its deadline with no row: timed out
        pool._enforce_limits(done, waiting, backlog)
        assert late not in pool._pool and pool.stats.timeouts == 1
    assert done[1][0] == "B" and "timeout" in done[1][1]
    child.close()


def test_the_deadline_of_a_task_of_several_pages_applies_to_each_page() -> None:
    slow_pages, one_hangs = (0.4, 0.4, 0.4, 0.4), (0.2, 30.0)
    with PagePool(page_fn=naps, error_fn=error_of, workers=1, timeout=1.0, marks_pages=True) as pool:
        rows = [row for _, row in pool.imap([slow_pages, one_hangs, (0.1,)], lambda task: task)]
    assert rows[0] == 4 and rows[2] == 1  # 1.6 s in all, no page over 1 s: not timed out
    assert "timeout" in rows[1] and pool.stats.timeouts == 1
    with PagePool(page_fn=naps, error_fn=error_of, workers=1, timeout=1.0) as pool:  # pages not marked
        rows = [row for _, row in pool.imap([slow_pages], lambda task: task)]
    assert "timeout" in rows[0]


def test_prefetch_below_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="prefetch"):
        PagePool(page_fn=square, error_fn=error_of, prefetch=-1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts the open descriptors in /proc")
def test_the_send_buffer_grows_on_a_socket_pair_and_a_pipe_is_left_alone() -> None:
    import multiprocessing
    import socket

    from classifier.bulk.sandbox import _enlarge_send_buffer

    def open_descriptors() -> int:
        return len(os.listdir("/proc/self/fd"))

    parent, child = multiprocessing.Pipe(duplex=True)
    reading, writing = multiprocessing.Pipe(duplex=False)
    before = open_descriptors()
    _enlarge_send_buffer(parent)
    _enlarge_send_buffer(writing)
    assert open_descriptors() == before  # the copies made to reach the socket are closed
    with socket.socket(fileno=os.dup(parent.fileno())) as grown, socket.socket(fileno=os.dup(child.fileno())) as untouched:
        # The system caps the size (net.core.wmem_max), but grants more than its default.
        assert grown.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) > untouched.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    for end in (parent, child, reading, writing):
        end.close()


def test_the_error_row_of_a_dead_worker_names_its_exit_code_once_it_can_be_read() -> None:
    """A worker's pipes close before the kernel lets it be reaped: its exit code is waited for
    (here a process whose code is known only once joined), not read as None."""

    class Exiting:
        exitcode: int | None = None

        def join(self, timeout: float | None = None) -> None:
            self.exitcode = 7

    pool: PagePool[str] = PagePool(page_fn=fake_page, error_fn=lambda record, message: message)
    worker = _Worker(process=Exiting(), conn=None, ready=True)  # type: ignore[arg-type]
    worker.tasks.append((0, "record"))
    pool._replace = lambda worker, backlog: None  # type: ignore[method-assign]
    done: dict[int, tuple[str, str]] = {}
    pool._worker_died(worker, done, {0: "item"}, [])
    assert done == {0: ("item", "worker died while scoring this page (exit code 7)")}
    assert pool.stats.worker_deaths == 1
