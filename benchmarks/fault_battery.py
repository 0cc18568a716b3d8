"""Fault battery: bulk runs on damaged and hostile inputs, through the command line.

    python benchmarks/fault_battery.py            # every case, a table on stdout
    python benchmarks/fault_battery.py --quick    # without the multi-gigabyte cases

For each case it builds the inputs in a temporary folder, runs ``python -m classifier score``
(or a single-page command) in a fresh process, and reports: rows written, error rows, the exit
status, the peak resident memory of the main process (its own ``ru_maxrss``: the workers are
other processes), whether every record read is accounted for (records read = rows written +
records skipped, from ``--summary``), and what the case expects. This is a script, not a test:
the tests of `tests/classifier/bulk/test_faults.py` check each behaviour on small inputs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.classifier.bulk.helpers import html, write_jsonl, write_warc  # noqa: E402

# The command, run in-process under a wrapper that writes its own peak RSS (KiB) to a file.
_WRAPPER = (
    "import atexit, resource, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "sys.argv[0] = 'pagesieve'\n"
    "runpy.run_module('classifier', run_name='__main__')\n"
)


@dataclass
class Outcome:
    case: str
    expect: str
    rows: int | str = "-"
    errors: int | str = "-"
    status: int = 0
    rss_mib: float = 0.0
    accounted: str = "-"
    seconds: float = 0.0
    stderr: str = ""


def cli(case: str, expect: str, folder: Path, argv: list[str], *, timeout: float = 600) -> Outcome:
    """Run `pagesieve ARGV` in a fresh process and read what it left."""
    rss_file = folder / f".rss-{case}"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(rss_file), *argv],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests' / 'classifier' / 'bulk'}"},
    )  # fmt: skip
    outcome = Outcome(case, expect, status=done.returncode, seconds=time.monotonic() - started)
    outcome.stderr = " | ".join(line for line in done.stderr.splitlines() if line.strip())[:200]
    if rss_file.exists():
        outcome.rss_mib = int(rss_file.read_text() or 0) / 1024
    if "-o" in argv and done.returncode in (0, 3) and Path(argv[argv.index("-o") + 1]).is_file():
        rows = [json.loads(line) for line in Path(argv[argv.index("-o") + 1]).read_text(encoding="utf-8").splitlines()]
        outcome.rows, outcome.errors = len(rows), sum(row["error"] is not None for row in rows)
    if "--summary" in argv and Path(argv[argv.index("--summary") + 1]).exists():
        summary = json.loads(Path(argv[argv.index("--summary") + 1]).read_text(encoding="utf-8"))
        outcome.accounted = (
            f"{summary['records_read']} = {summary['rows_written']} + {summary['records_skipped']}: "
            + ("yes" if summary["reconciles"] else "NO")
        )
    return outcome


def score(case: str, expect: str, folder: Path, inputs: list[str], *flags: str) -> Outcome:
    out, summary = folder / f"{case}.jsonl", folder / f"{case}.summary.json"
    argv = ["score", *inputs, "-o", str(out), "--summary", str(summary), "-q", "--workers", "1", *flags]
    return cli(case, expect, folder, argv)


def warc(folder: Path, name: str, pages: int, *, gz: bool = False) -> Path:
    path = folder / name
    write_warc(path, [(f"http://w{i}.example/p", html(i)) for i in range(pages)], gz=gz, extras=False)
    return path


def case_surrogates(folder: Path) -> Outcome:
    page = html(1).replace("</head>", '<script type="application/ld+json">{"@type":"NewsArticle",'
                           '"author":{"@type":"Person","name":"Jane \\udc80 Doe"}}</script></head>')
    write_jsonl(folder / "s.jsonl", [{"html": page, "url": "http://a.example/\udc80"}, {"html": html(2), "url": "http://b.example/"}])
    return score("surrogates", "2 rows, 0 errors, exit 0", folder, [str(folder / "s.jsonl")])


def case_file_name(folder: Path) -> Outcome:
    (folder / "latin1").mkdir()
    (folder / "latin1" / os.fsdecode(b"caf\xe9.html")).write_text(html(3))
    return score("non-utf8-name", "1 row, 0 errors, exit 0", folder, [str(folder / "latin1")])


def case_gzip_bomb(folder: Path, gigabytes: float) -> Outcome:
    (folder / "bomb").mkdir()
    with gzip.open(folder / "bomb" / "bomb.html.gz", "wb", compresslevel=9) as bomb:
        block = b"\0" * 2**24
        for _ in range(int(gigabytes * 64)):
            bomb.write(block)
    (folder / "bomb" / "ok.html").write_text(html(4))
    size = (folder / "bomb" / "bomb.html.gz").stat().st_size / 2**20
    return score(f"gzip-bomb ({size:.1f} MB -> {gigabytes:g} GB)", "2 rows, 1 error, main RSS flat", folder, [str(folder / "bomb")])


def case_random_warc(folder: Path) -> Outcome:
    (folder / "random.warc").write_bytes(os.urandom(100_000))
    return score("random bytes .warc", "1 error row, exit 3", folder, [str(folder / "random.warc")])


def case_zeroed_warc(folder: Path, gigabytes: float) -> Outcome:
    with open(folder / "zeros.warc", "wb") as zeros:
        zeros.truncate(int(gigabytes * 2**30))
    return score(f"zeroed {gigabytes:g} GB .warc", "1 error row, exit 3", folder, [str(folder / "zeros.warc")])


def case_garbled_header(folder: Path) -> Outcome:
    path = warc(folder, "garbled.warc", 100)
    data = bytearray(path.read_bytes())
    starts = [i for i in range(len(data)) if data.startswith(b"WARC/1.", i)]
    data[starts[100] : starts[100] + 8] = b"XXXXXXXX"  # a response in the middle
    path.write_bytes(bytes(data))
    return score("garbled header (100 pages)", "99 rows + 1 error, exit 3", folder, [str(path)])


def case_truncated_member(folder: Path) -> Outcome:
    path = warc(folder, "cut.warc.gz", 50, gz=True)
    path.write_bytes(path.read_bytes()[:-300])
    return score("truncated gzip member", "rows before it + 1 error, exit 3", folder, [str(path)])


def case_sparse_html(folder: Path, gigabytes: float) -> Outcome:
    (folder / "sparse").mkdir()
    with open(folder / "sparse" / "big.html", "wb") as big:
        big.truncate(int(gigabytes * 2**30))
    return score(f"sparse {gigabytes:g} GB .html", "1 error row, main RSS flat", folder, [str(folder / "sparse")])


def case_sparse_jsonl(folder: Path, gigabytes: float) -> Outcome:
    with open(folder / "long.jsonl", "wb") as long_line:
        long_line.write(b'{"html": "')
        long_line.truncate(int(gigabytes * 2**30))
    return score(f"{gigabytes:g} GB JSONL line", "1 error row, main RSS flat", folder, [str(folder / "long.jsonl")])


def case_same_output(folder: Path) -> Outcome:
    write_jsonl(folder / "same.jsonl", [{"html": html(5)}])
    before = (folder / "same.jsonl").read_bytes()
    outcome = cli("-o is an input", "exit 1, input unchanged", folder,
                  ["score", str(folder / "same.jsonl"), "-o", str(folder / "same.jsonl"), "-q"])  # fmt: skip
    outcome.rows = "input unchanged" if (folder / "same.jsonl").read_bytes() == before else "INPUT CHANGED"
    return outcome


def case_two_runs(folder: Path) -> Outcome:
    write_jsonl(folder / "slow.jsonl", [{"html": html(6) + "SLEEP"}])
    out = folder / "busy.jsonl"
    argv = ["-m", "classifier", "score", str(folder / "slow.jsonl"), "-o", str(out), "-q", "--workers", "1", "--page-fn", "helpers:fake_page"]
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests' / 'classifier' / 'bulk'}"}
    first = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (folder / "busy.jsonl.parts" / ".lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        return cli("two runs on one -o", "the second: exit 1, one line", folder, argv[2:])
    finally:
        first.kill()
        first.wait()


def case_leftover(folder: Path) -> Outcome:
    write_jsonl(folder / "l.jsonl", [{"html": html(7)}])
    (folder / ".left.jsonl.tmp-99999").write_text("half an output of a killed run")
    outcome = score("left", "leftover removed", folder, [str(folder / "l.jsonl")])
    outcome.case = "leftover .OUT.tmp-PID"
    outcome.accounted += "; leftover " + ("removed" if not (folder / ".left.jsonl.tmp-99999").exists() else "STILL THERE")
    return outcome


def case_memory_limits(folder: Path) -> list[Outcome]:
    write_jsonl(folder / "m.jsonl", [{"html": html(8)}])
    return [
        score("--max-memory 30M", "exit 1: below an idle worker", folder, [str(folder / "m.jsonl")], "--max-memory", "30M"),
        cli("--max-memory 0", "exit 2: usage", folder, ["score", str(folder / "m.jsonl"), "-o", str(folder / "z.jsonl"), "--max-memory", "0"]),
    ]


def case_unwritable(folder: Path) -> list[Outcome]:
    write_jsonl(folder / "u.jsonl", [{"html": html(9)}])
    (folder / "dir-out").mkdir()
    return [
        cli("-o a folder", "exit 1 before scoring", folder, ["score", str(folder / "u.jsonl"), "-o", str(folder / "dir-out"), "-q"]),
        cli("--hosts in a missing folder", "exit 1 before scoring", folder,
            ["score", str(folder / "u.jsonl"), "-o", str(folder / "u.out.jsonl"), "--hosts", str(folder / "no" / "h.csv"), "-q"]),
    ]  # fmt: skip


def case_empty_folder(folder: Path) -> Outcome:
    (folder / "empty").mkdir()
    return score("empty folder", "1 error row, exit 3", folder, [str(folder / "empty")])


def case_single_pages(folder: Path) -> list[Outcome]:
    page = gzip.compress(html(10).encode() * 50)
    (folder / "cut.html.gz").write_bytes(page[: len(page) // 2])
    (folder / "corrupt.html.gz").write_bytes(b"\x1f\x8b" + os.urandom(500))
    (folder / "random.npz").write_bytes(os.urandom(2000))
    (folder / "random.card.json").write_bytes(os.urandom(200))
    (folder / "ok.html").write_text(html(11))
    return [
        cli("clean truncated .html.gz", "exit 1, one line", folder, ["clean", str(folder / "cut.html.gz")]),
        cli("score corrupt .html.gz", "exit 1, one line", folder, ["score", str(folder / "corrupt.html.gz")]),
        cli("explain corrupt .html.gz", "exit 1, one line", folder, ["explain", str(folder / "corrupt.html.gz"), "-o", str(folder / "v.html")]),
        cli("--model random bytes", "exit 1, one line", folder, ["clean", str(folder / "ok.html"), "--model", str(folder / "random.npz")]),
    ]  # fmt: skip


def case_worker_killed_starting(folder: Path) -> Outcome:
    """Through the Python API: the CLI has no model loader to make crash."""
    import functools

    from classifier.bulk.engine import run
    from classifier.bulk.rows import BulkOptions
    from tests.classifier.bulk.test_faults import crash_and_arm, crash_on_marked_start

    (folder / "k").mkdir()
    write_jsonl(folder / "k" / "k.jsonl", [{"html": html(i) + ("CRASH" if i == 3 else "")} for i in range(8)])
    loader = functools.partial(crash_on_marked_start, str(folder / "k" / "crash-next-start"))
    started = time.monotonic()
    summary = run([str(folder / "k" / "k.jsonl")], str(folder / "k.jsonl"),
                  BulkOptions(workers=1, progress=False, resume=False), page_fn=crash_and_arm, model_loader=loader)  # fmt: skip
    return Outcome(
        "replacement worker killed starting", "8 rows, 1 error, exit 0", rows=summary.rows_written,
        errors=summary.rows_with_error, status=summary.exit_status, seconds=time.monotonic() - started,
        accounted=f"{summary.records_read} = {summary.rows_written} + {summary.records_skipped}: {'yes' if summary.reconciles else 'NO'}"
        f" (worker deaths {summary.worker_deaths})",
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes instead of gigabytes")
    args = parser.parse_args(argv)
    big = 0.25 if args.quick else 3.0
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    with tempfile.TemporaryDirectory(prefix="pagesieve-faults-") as name:
        folder = Path(name)
        steps: list[Callable[[], Outcome | list[Outcome]]] = [
            lambda: case_surrogates(folder),
            lambda: case_file_name(folder),
            lambda: case_gzip_bomb(folder, big),
            lambda: case_random_warc(folder),
            lambda: case_zeroed_warc(folder, 2.0 if not args.quick else 0.1),
            lambda: case_garbled_header(folder),
            lambda: case_truncated_member(folder),
            lambda: case_two_runs(folder),
            lambda: case_worker_killed_starting(folder),
            lambda: case_single_pages(folder),
            lambda: case_same_output(folder),
            lambda: case_leftover(folder),
            lambda: case_memory_limits(folder),
            lambda: case_sparse_html(folder, 2.0 if not args.quick else 0.5),
            lambda: case_sparse_jsonl(folder, 2.0 if not args.quick else 0.5),
            lambda: case_unwritable(folder),
            lambda: case_empty_folder(folder),
        ]
        print("| case | expected | rows | error rows | exit | main RSS MiB | records accounted | s | stderr |")
        print("|---|---|---|---|---|---|---|---|---|")
        for step in steps:
            result = step()
            for outcome in result if isinstance(result, list) else [result]:
                print(
                    f"| {outcome.case} | {outcome.expect} | {outcome.rows} | {outcome.errors} | {outcome.status} "
                    f"| {outcome.rss_mib:.0f} | {outcome.accounted} | {outcome.seconds:.1f} | {outcome.stderr[:90]} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
