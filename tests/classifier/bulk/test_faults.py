"""Bulk runs on damaged and hostile input: no record aborts a run, no damage goes unreported,
every record is accounted for (issue 17: each case failed before the fix)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.bulk.engine import OutputError, run
from classifier.bulk.parts import OutputBusyError, PartStore
from classifier.bulk.rows import OUTPUT_FIELDS, BulkOptions, PageOptions, Row
from classifier.bulk.sandbox import SandboxError
from classifier.bulk.warc import read_warc
from classifier.bulk.writers import JsonlWriter, ParquetWriter, json_bytes, safe_row
from classifier.cli import main as cli_main
from tests.classifier.bulk.helpers import fake_page, html, read_rows, subprocess_env, write_jsonl, write_warc

FAST = BulkOptions(progress=False, resume=False, timeout=None, workers=0)


def options(**changes: object) -> BulkOptions:
    import dataclasses

    return dataclasses.replace(FAST, **changes)


# ----------------------------------------------------------------------------- characters


def test_a_lone_surrogate_in_a_page_or_a_url_is_written_not_fatal(tmp_path: Path) -> None:
    page = html(1).replace("</head>", '<script type="application/ld+json">{"@type": "NewsArticle", '
                           '"author": {"@type": "Person", "name": "Jane \\udc80 Doe"}}</script></head>')
    write_jsonl(tmp_path / "in.jsonl", [{"html": page, "url": "http://a.example/\udc80x"}, {"html": html(2), "url": "http://b.example/"}])
    out = tmp_path / "out.jsonl"
    summary = run([str(tmp_path / "in.jsonl")], str(out), options())
    assert summary.exit_status == 0 and summary.rows_written == 2
    rows = read_rows(out)
    assert rows[0]["author"] == "Jane \ufffd Doe"  # damage in page text: the replacement character
    assert rows[0]["url"] == "http://a.example/\udc80x"  # an identifier keeps its escape
    assert b"\\udc80x" in out.read_bytes()


def test_a_file_name_that_is_not_utf8_keeps_its_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.html")
    (folder / name).write_text(html(3))
    out = tmp_path / "out.jsonl"
    summary = run([str(folder)], str(out), options())
    assert summary.exit_status == 0 and summary.rows_written == 1
    source = read_rows(out)[0]["source"]
    assert os.fsencode(source).endswith(b"caf\xe9.html")
    assert run([str(folder)], str(out), options(resume=True)).inputs_resumed == 1  # its part has a key


_ROW_TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=30)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries(dict.fromkeys(("source", "url", "title", "author", "error", "text"), _ROW_TEXT)), evidence=_ROW_TEXT)
def test_any_text_in_any_field_is_written_and_read_back(tmp_path: Path, values: dict[str, str], evidence: str) -> None:
    row = Row(offset=1, reasons=[{"code": "c", "evidence": evidence, "weight": 1.0}], **values).to_dict(with_text=True)
    line = json_bytes(safe_row(row))
    back = json.loads(line)
    for name in ("source", "url"):
        assert back[name] == values[name]  # identifiers come back whole, lone surrogates too
    for name in ("title", "author", "error", "text"):
        back[name].encode("utf-8")  # valid UTF-8 (this raises otherwise): lone surrogates replaced
        assert len(back[name]) == len(values[name])
    with open(tmp_path / "r.parquet", "wb") as sink:
        writer = ParquetWriter(sink)
        writer.write(row)
        writer.close()
    with open(tmp_path / "r.jsonl", "wb") as sink:
        JsonlWriter(sink).write(row)


def test_clean_json_on_a_page_with_a_lone_surrogate(tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    page = tmp_path / "p.html"
    page.write_text('<html><head><script type="application/ld+json">{"author": "Jane \\udc80"}</script></head>'
                    "<body><p>" + "A sentence of the story. " * 20 + "</p></body></html>", encoding="utf-8")
    assert cli_main(["clean", str(page), "--json"]) == 0
    assert json.loads(capfdbinary.readouterr().out)["metadata"]["author"] == "Jane \ufffd"


# ----------------------------------------------------------------------------- sizes


def test_a_gzip_bomb_file_is_an_error_row(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    with gzip.open(folder / "bomb.html.gz", "wb", compresslevel=9) as bomb:
        for _ in range(80):
            bomb.write(b"\0" * 2**20)  # 80 MiB of zeros: past the 64 MiB bound
    (folder / "ok.html").write_text(html(4))
    out = tmp_path / "out.jsonl"
    summary = run([str(folder)], str(out), options(workers=1, timeout=60))
    rows = {Path(row["source"]).name: row for row in read_rows(out)}
    assert "larger than 64 MiB when uncompressed" in rows["bomb.html.gz"]["error"]
    assert rows["ok.html"]["error"] is None and summary.reconciles


def test_records_over_the_size_limit_are_error_rows_never_read(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    with open(folder / "sparse.html", "wb") as sparse:
        sparse.truncate(2 * 2**30)  # 2 GB that take no disk
    (folder / "ok.html").write_text(html(5))
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"html": "<p>" + "x" * 3_000_000 + "</p>"}) + "\n" + json.dumps({"html": html(6)}) + "\n")
    out = tmp_path / "out.jsonl"
    summary = run([str(folder), str(lines)], str(out), options(max_record_bytes=2**20))
    rows = read_rows(out)
    assert [row["error"] is None for row in rows] == [True, False, False, True]
    assert "record too large" in rows[1]["error"] and "record too large" in rows[2]["error"]
    assert summary.rows_written == 4 and summary.reconciles


# ----------------------------------------------------------------------------- WARC damage


def _warc(tmp_path: Path, pages: int = 10, gz: bool = False) -> Path:
    path = tmp_path / ("in.warc.gz" if gz else "in.warc")
    write_warc(path, [(f"http://w{i}.example/", html(i)) for i in range(pages)], gz=gz, extras=False)
    return path


def test_a_garbled_record_header_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    path = _warc(tmp_path)
    data = bytearray(path.read_bytes())
    starts = [i for i in range(len(data)) if data.startswith(b"WARC/1.", i)]
    data[starts[8] : starts[8] + 8] = b"XXXXXXXX"  # the 4th page's response (after warcinfo and requests)
    path.write_bytes(bytes(data))
    out = tmp_path / "out.jsonl"
    summary = run([str(path)], str(out), options())
    rows = read_rows(out)
    errors = [row for row in rows if row["error"]]
    assert len(errors) == 1 and "unreadable bytes" in errors[0]["error"]
    assert len(rows) - len(errors) == 9  # the other pages, including those after the damage
    assert summary.exit_status == 3 and summary.damaged and summary.reconciles


@pytest.mark.parametrize("content", [os.urandom(5000), b"\0" * 100_000, b"not a warc\n" * 100], ids=["random", "zeros", "text"])
def test_a_file_with_no_warc_record_is_damaged_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "in.warc"
    path.write_bytes(content)
    out = tmp_path / "out.jsonl"
    summary = run([str(path)], str(out), options())
    rows = read_rows(out)
    assert len(rows) == 1 and rows[0]["error"] and summary.exit_status == 3


@pytest.mark.parametrize("cut", [200, 300])
def test_a_truncated_gzip_member_is_reported_once(tmp_path: Path, cut: int) -> None:
    path = _warc(tmp_path, gz=True)
    path.write_bytes(path.read_bytes()[:-cut])
    summary = run([str(path)], str(tmp_path / "out.jsonl"), options())
    assert summary.exit_status == 3 and summary.inputs_unread and summary.reconciles
    assert len(summary.damaged) == 1


@pytest.mark.parametrize("keep", [3, 10, 30], ids=["magic", "header", "first bytes"])
def test_a_gzip_member_cut_in_its_first_bytes_is_reported(tmp_path: Path, keep: int) -> None:
    path = _warc(tmp_path, gz=True)
    whole = path.read_bytes()
    records = list(read_warc(str(path)))
    last = records[-1].offset
    path.write_bytes(whole + whole[last : last + keep])  # fastwarc reads nothing there, and said nothing
    damaged = list(read_warc(str(path)))
    assert damaged[:-1] == records
    assert damaged[-1].offset == last and damaged[-1].input_incomplete and "cut short" in (damaged[-1].error or "")
    path.write_bytes(whole[:keep])
    (alone,) = read_warc(str(path))
    assert alone.offset == 0 and alone.input_incomplete and (alone.error or "").startswith("not a WARC file: no record could be read")


def test_a_newline_after_the_last_gzip_member_is_not_damage(tmp_path: Path) -> None:
    path = _warc(tmp_path, gz=True)
    records = list(read_warc(str(path)))
    path.write_bytes(path.read_bytes() + b"\n")
    assert list(read_warc(str(path))) == records


# ----------------------------------------------------------------------------- outputs


def test_a_second_run_on_the_same_output_refuses_to_start(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = PartStore.for_output(str(out), FAST)
    try:
        with pytest.raises(OutputBusyError, match=f"process {os.getpid()}"):
            PartStore.for_output(str(out), FAST)
    finally:
        first.close()
    PartStore.for_output(str(out), FAST).close()  # free again


def test_a_running_process_holds_the_lock(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [{"html": html(i) + ("SLEEP" if i == 0 else "")} for i in range(2)])
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "classifier", "score", str(tmp_path / "in.jsonl"), "-o", str(out),
               "--workers", "1", "--page-fn", "helpers:fake_page", "-q"]  # fmt: skip
    first = subprocess.Popen(command, env=subprocess_env(), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "out.jsonl.parts" / ".lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        second = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and "another run is writing" in second.stderr
        assert second.stderr.count("\n") == 1  # one line, no traceback
    finally:
        first.kill()
        first.wait()


def test_outputs_are_checked_before_anything_is_scored(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [{"html": html(1)}])
    source = str(tmp_path / "in.jsonl")
    with pytest.raises(OutputError, match="also an input"):
        run([source], source, options())
    assert json.loads((tmp_path / "in.jsonl").read_text())["html"] == html(1)  # untouched
    with pytest.raises(OutputError, match="is a folder"):
        run([source], str(tmp_path), options())
    with pytest.raises(OutputError, match="does not exist"):
        run([source], str(tmp_path / "out.jsonl"), options(summary_path=str(tmp_path / "no" / "s.json")))
    with pytest.raises(OutputError, match="is a folder"):
        run([source], str(tmp_path / "out.jsonl"), options(hosts_path=str(tmp_path)))
    assert not (tmp_path / "out.jsonl.parts").exists()  # nothing was started


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [{"html": html(1)}])
    out = tmp_path / "out.jsonl"
    (tmp_path / ".out.jsonl.tmp-99999").write_text("half an output")
    (tmp_path / "out.jsonl.parts").mkdir()
    (tmp_path / "out.jsonl.parts" / ".abc.jsonl.tmp-99999").write_text("half a part")
    run([str(tmp_path / "in.jsonl")], str(out), options())
    assert not list(tmp_path.glob(".out.jsonl.tmp-*")) and not list((tmp_path / "out.jsonl.parts").glob(".*.tmp-*"))


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    summary = run([str(tmp_path / "empty")], str(tmp_path / "out.jsonl"), options())
    assert summary.exit_status == 3 and "no .html" in summary.inputs_unread[0]["error"]


# ----------------------------------------------------------------------------- workers


def crash_on_marked_start(marker: str) -> str:
    """A model loader that kills its worker while starting when `marker` exists (once)."""
    if os.path.exists(marker):
        os.unlink(marker)
        os._exit(9)
    return "fake-model"


def crash_and_arm(record, *, model, options):
    """`fake_page`, but a CRASH page first arms the marker, so that its replacement worker is
    killed while it starts."""
    if "CRASH" in str(record.body):
        Path(record.source).with_name("crash-next-start").touch()
    return fake_page(record, model=None, options=options)


def test_a_replacement_worker_killed_while_starting_is_replaced(tmp_path: Path) -> None:
    import functools

    write_jsonl(tmp_path / "in.jsonl", [{"html": html(i) + ("CRASH" if i == 1 else "")} for i in range(4)])
    loader = functools.partial(crash_on_marked_start, str(tmp_path / "crash-next-start"))
    out = tmp_path / "out.jsonl"
    summary = run([str(tmp_path / "in.jsonl")], str(out), options(workers=1), page_fn=crash_and_arm, model_loader=loader)
    rows = read_rows(out)
    assert summary.rows_written == 4 and summary.reconciles and summary.worker_deaths == 2  # mid-page, then starting
    assert [row["error"] is None for row in rows] == [True, False, True, True]
    assert not (tmp_path / "crash-next-start").exists()


def test_a_memory_limit_below_an_idle_worker_is_refused(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [{"html": html(1)}])
    with pytest.raises(SandboxError, match="below what an idle worker uses"):
        run([str(tmp_path / "in.jsonl")], str(tmp_path / "out.jsonl"), options(workers=1, max_memory=2**20), page_fn=fake_page, model_loader=None)


def test_a_memory_limit_of_zero_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["score", "x.jsonl", "-o", "y.jsonl", "--max-memory", "0"])
    assert exit_info.value.code == 2 and "at least one byte" in capsys.readouterr().err


# ----------------------------------------------------------------------------- single pages


def test_single_page_commands_give_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = gzip.compress(html(1).encode() * 50)
    (tmp_path / "cut.html.gz").write_bytes(page[: len(page) // 2])
    (tmp_path / "corrupt.html.gz").write_bytes(b"\x1f\x8b" + os.urandom(500))
    (tmp_path / "model.npz").write_bytes(os.urandom(1000))
    (tmp_path / "model.card.json").write_text("{}")
    (tmp_path / "ok.html").write_text(html(2))
    cases = [
        (["clean", str(tmp_path / "cut.html.gz")], "cut short"),
        (["score", str(tmp_path / "corrupt.html.gz")], "not gzip data"),
        (["explain", str(tmp_path / "corrupt.html.gz"), "-o", str(tmp_path / "v.html")], "not gzip data"),
        (["clean", str(tmp_path / "ok.html"), "--model", str(tmp_path / "model.npz")], "not a pagesieve block model card"),
        (["clean", str(tmp_path / "absent.html")], "No such file"),
    ]
    for argv, message in cases:
        assert cli_main(argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, (argv, err)


def test_rows_carry_every_output_field() -> None:
    assert set(OUTPUT_FIELDS) <= set(Row(source="s", offset=0).to_dict())
    assert PageOptions() == PageOptions()


def test_a_worker_whose_run_was_interrupted_ends_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupted run closes its end of the pipe before a starting worker says "ready":
    the worker ends quietly instead of printing a BrokenPipeError under the CLI's one line."""
    import multiprocessing

    from classifier.bulk import sandbox

    monkeypatch.setattr(sandbox.signal, "signal", lambda *args: None)  # not this process's SIGINT
    parent, child = multiprocessing.Pipe(duplex=True)
    parent.close()
    sandbox._worker_main(child, fake_page, lambda record, message: None, None, None, None)
    assert child.closed is False  # it returned; nothing was raised
