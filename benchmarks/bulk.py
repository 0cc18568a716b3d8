"""Bulk scoring benchmark: pages/s with 1 and 2 workers, WARC reading share, memory over time.

    python benchmarks/bulk.py                 # 3,000 pages, real model if it loads
    python benchmarks/bulk.py --pages 20000   # a longer run, to see memory stay flat
    python benchmarks/bulk.py --stand-in      # force the model-free stand-in page function
    python benchmarks/bulk.py --empty-pages   # pages cost nothing: the engine's own work per page
    python benchmarks/bulk.py --rounds 3      # 1 and 2 workers alternated 3 times: median ratio
    python benchmarks/bulk.py --ceiling       # also: what two processes reach on this machine

It builds a gzip WARC from ``data/wcxb-dev/html/*.html.gz`` (pages repeated to reach
``--pages``, each with its real URL and an HTTP charset), then measures:

* reading: one pass of `classifier.bulk.warc.read_warc` over the file (records and payloads);
* scoring in one process (``workers=0``), so the share of time spent reading is
  read / (read + score) of the same work;
* `classifier.bulk.engine.run` with ``--workers`` 1 and 2 (the engine as users run it: sandboxed
  workers, ordered output, parts, assembly), pages/s and the 2-vs-1 ratio (with ``--rounds``,
  the runs alternate and the median of the per-round ratios is reported: the machine is noisy);
* with ``--ceiling``, the machine's own ceiling for two workers: two processes scoring pages in
  a loop (no engine, no sandbox) at the same time, against one alone, in each round;
* the engine process's CPU per page (start and assembly included) and the pages/s that would
  make it a full core: where the engine would stop more workers from helping;
* resident memory of the whole process tree of each run (the engine and its workers, in a
  fresh process), sampled every 0.2 s, reported at 10/50/90/100 % of the run and at its peak;
  flat p10..p90 over a long ``--pages`` run means bounded memory.

Other work on the machine understates the 2-worker figure: the script warns when the load
average is above 0.5 before it starts, and records the load before each run.

When the trained model is not there yet, pages go through a stand-in that runs everything but
the model (`classifier.extraction.extract.analyse`: decode, parse, blocks, features) and says so.
This is a script, not a test.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.bulk.engine import run  # noqa: E402 - after the path insert
from classifier.bulk.pages import load_extractor, score_page  # noqa: E402
from classifier.bulk.rows import BulkOptions, PageOptions, Record, Row  # noqa: E402
from classifier.bulk.warc import read_warc  # noqa: E402
from classifier.extraction.decode import decode_html  # noqa: E402
from classifier.extraction.extract import analyse  # noqa: E402
from classifier.extraction.model import load_model  # noqa: E402
from classifier.hosts import host_of  # noqa: E402


def stand_in_page(record: Record, *, model: Any, options: PageOptions) -> Row:
    """Everything `score_page` does except the model: decode, parse, blocks, features."""
    body = record.body
    html = decode_html(body, record.http_charset) if isinstance(body, bytes) else body
    analysis = analyse(html, record.url)
    chars = sum(len(block.text) for block in analysis.blocks)
    return Row(
        source=record.source,
        offset=record.offset,
        url=record.url,
        host=host_of(record.url),
        farm_probability=0.0,
        flagged=False,
        content_chars=chars,
        boilerplate_share=0.0,
        threshold=0.5,
    )


def build_warc(path: Path, pages: int) -> int:
    """A gzip WARC of `pages` HTML responses from the WCXB dev set; returns its size."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder = ROOT / "data" / "wcxb-dev"
    files = sorted((folder / "html").glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages in {folder / 'html'}")
    meta = json.loads((folder / "metadata.json").read_text()).get("files", {})
    bodies = [
        (meta.get(f.name.split(".")[0], {}).get("url") or f"http://example.org/{f.name}", gzip.decompress(f.read_bytes()))
        for f in files
    ]
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "pagesieve benchmark"}))
        for i in range(pages):
            url, body = bodies[i % len(bodies)]
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"{url}#{i}", "response", payload=io.BytesIO(body), http_headers=http))
    return path.stat().st_size


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


class RssSampler:
    """Samples the RSS of this process tree every `interval` seconds in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - start, _tree_rss(os.getpid())))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def profile(self) -> dict[str, float]:
        if not self.samples:
            return {}
        values = [rss for _, rss in self.samples]
        pick = lambda q: values[min(len(values) - 1, int(q * (len(values) - 1)))] / 2**20
        return {"p10_mib": pick(0.1), "p50_mib": pick(0.5), "p90_mib": pick(0.9), "end_mib": pick(1.0), "peak_mib": max(values) / 2**20}


def empty_page(record: Record, *, model: Any, options: PageOptions) -> Row:
    """A row and nothing else (``--empty-pages``): what a run costs then is the engine's and
    the workers' own work (reading, inflating, handing out, writing)."""
    return Row(source=record.source, offset=record.offset, url=record.url, status=record.status, threshold=0.5)


def _page_fn(args: argparse.Namespace) -> Any:
    return empty_page if args.empty_pages else stand_in_page if args.stand_in else score_page


def _uses_model(args: argparse.Namespace) -> bool:
    """Whether the page function of `args` needs the trained model (`score_page` does)."""
    return not (args.stand_in or args.empty_pages)


_DESCRIPTIONS = {
    score_page: "score_page (real model)",
    stand_in_page: "stand_in_page (decode+parse+features, no model)",
    empty_page: "empty_page (a row, nothing else: the engine's own work)",
}


def _flags(args: argparse.Namespace) -> list[str]:
    """The page-function flags, for the fresh processes."""
    return ["--empty-pages"] * args.empty_pages + ["--stand-in"] * args.stand_in


def _one_run(args: argparse.Namespace) -> int:
    """One `run()` in this (fresh) process; prints its figures as one JSON line."""
    page_fn: Any = _page_fn(args)
    model_loader: Any = "default" if _uses_model(args) else None
    options = BulkOptions(workers=args._run, progress=False, resume=False, timeout=60.0)
    with RssSampler() as sampler:
        summary = run([str(args.warc)], str(args._out), options, page_fn=page_fn, model_loader=model_loader)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "elapsed_s": summary.elapsed_s,
        "pages_per_s": summary.pages_per_s,
        "rows": summary.rows_written,
        "errors": summary.rows_with_error,
        "reconciles": summary.reconciles,
        "rss": sampler.profile(),
        "engine_cpu_s": round(time.process_time(), 2),
        "reaped_children_cpu_s": round(cpu.ru_utime + cpu.ru_stime, 2),
    }))
    return 0


def _inline_loop(args: argparse.Namespace) -> int:
    """Score the WARC's first `args._inline` pages in a loop in this process (the first one, which
    builds the scorer, untimed); prints pages/s."""
    page_fn: Any = _page_fn(args)
    model = load_extractor() if _uses_model(args) else None
    records = [record for record, _ in zip((r for r in read_warc(str(args.warc)) if r.is_page), range(args._inline))]
    page_fn(records[0], model=model, options=PageOptions())
    started = time.perf_counter()
    for record in records[1:]:
        page_fn(record, model=model, options=PageOptions())
    print(json.dumps({"pages_per_s": (len(records) - 1) / (time.perf_counter() - started)}))
    return 0


def _ceiling(warc: Path, pages: int, flags: list[str]) -> float:
    """Pages/s of two scoring loops at once over that of one alone (fresh processes)."""
    cmd = [sys.executable, __file__, "--_inline", str(pages), "--warc", str(warc), *flags]

    def rates(copies: int) -> list[float]:
        running = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(copies)]
        return [json.loads(process.communicate()[0].strip().splitlines()[-1])["pages_per_s"] for process in running]

    alone = rates(1)[0]
    return sum(rates(2)) / alone


def _fresh_run(workers: int, warc: Path, tmp: Path, flags: list[str]) -> dict[str, Any]:
    """One `run` with `workers` in a fresh process, so that its memory is the engine's, not
    this script's."""
    cmd = [sys.executable, __file__, "--_run", str(workers), "--warc", str(warc), "--_out", str(tmp / f"out-{workers}.jsonl")]
    cmd += flags
    load = os.getloadavg()[0]
    result = subprocess.run(cmd, capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["load_before"] = round(load, 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--warc", type=Path, default=None, help="reuse (or create) this WARC")
    parser.add_argument("--stand-in", action="store_true", help="use the model-free stand-in page function")
    parser.add_argument("--empty-pages", action="store_true", help="pages that cost nothing: the engine's own work")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=1, help="runs of each worker count, alternated")
    parser.add_argument("--ceiling", action="store_true", help="also time 1 and 2 plain scoring loops at once")
    parser.add_argument("--ceiling-pages", type=int, default=800)
    parser.add_argument("--_inline", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--_run", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._run is not None:
        return _one_run(args)
    if args._inline is not None:
        return _inline_loop(args)
    if os.getloadavg()[0] > 0.5:
        print(f"warning: the machine is busy (load {os.getloadavg()[0]:.2f}): worker scaling will be understated", file=sys.stderr)

    if _uses_model(args):
        try:
            load_model()
        except Exception as exc:  # noqa: BLE001
            print(f"model not available ({type(exc).__name__}); using the stand-in page function", file=sys.stderr)
            args.stand_in = True
    page_fn: Any = _page_fn(args)
    scorer = _DESCRIPTIONS[page_fn]

    tmp = Path(tempfile.mkdtemp(prefix="pagesieve-bench-"))
    warc = args.warc or tmp / "bench.warc.gz"
    if not warc.exists():
        t = time.perf_counter()
        size = build_warc(warc, args.pages)
        print(f"built {warc} ({args.pages} pages, {size / 2**20:.1f} MiB) in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    t = time.perf_counter()
    records = [r for r in read_warc(str(warc)) if r.is_page]
    read_s = time.perf_counter() - t
    pages = len(records)
    model = load_extractor() if _uses_model(args) else None
    t = time.perf_counter()
    for record in records:
        page_fn(record, model=model, options=PageOptions())
    score_s = time.perf_counter() - t
    del records

    figures: dict[str, Any] = {
        "pages": pages,
        "scorer": scorer,
        "read_s": round(read_s, 3),
        "score_inline_s": round(score_s, 3),
        "read_share": round(read_s / (read_s + score_s), 4),
        "runs": {},
    }
    runs: dict[int, list[dict[str, Any]]] = {workers: [] for workers in args.workers}
    ceilings: list[float] = []
    for _ in range(args.rounds):
        for workers in args.workers:
            runs[workers].append(_fresh_run(workers, warc, tmp, _flags(args)))
        if args.ceiling:
            ceilings.append(_ceiling(warc, args.ceiling_pages, _flags(args)))
    figures["runs"] = runs
    if ceilings:
        figures["ceiling_2_vs_1"] = round(statistics.median(ceilings), 3)
        figures["ceiling_2_vs_1_rounds"] = [round(ceiling, 3) for ceiling in ceilings]
    ratios = [two["pages_per_s"] / one["pages_per_s"] for one, two in zip(runs.get(1, []), runs.get(2, []))]
    if ratios:
        figures["speedup_2_vs_1"] = round(statistics.median(ratios), 3)
        figures["speedup_2_vs_1_rounds"] = [round(ratio, 3) for ratio in ratios]
    outputs = {w: (tmp / f"out-{w}.jsonl").read_bytes() for w in args.workers}
    figures["identical_outputs"] = len(set(outputs.values())) == 1

    print(f"scorer: {scorer}; {pages} pages on {os.cpu_count()} cores")
    print(f"reading WARC: {read_s:.2f} s ({pages / read_s:.0f} pages/s); scoring in-process: {score_s:.2f} s "
          f"({pages / score_s:.1f} pages/s); reading share {figures['read_share']:.1%}")
    for workers, rounds in runs.items():
        for fig in rounds:
            rss = fig["rss"]
            engine_ms = fig["engine_cpu_s"] / pages * 1000
            print(f"workers={workers}: {fig['pages_per_s']:.1f} pages/s ({fig['elapsed_s']:.1f} s, {fig['errors']} errors, "
                  f"reconciles {fig['reconciles']}, load before {fig['load_before']}); engine process CPU {fig['engine_cpu_s']} s "
                  f"({engine_ms:.2f} ms a page: a full core at {1000 / engine_ms:.0f} pages/s); RSS MiB (engine + workers) "
                  f"p10 {rss.get('p10_mib', 0):.0f} p50 {rss.get('p50_mib', 0):.0f} p90 {rss.get('p90_mib', 0):.0f} "
                  f"peak {rss.get('peak_mib', 0):.0f}")
    if ratios:
        each = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        print(f"2 workers / 1 worker: {figures['speedup_2_vs_1']:.2f}x (median of {len(ratios)}: {each}; target >= 1.8x); "
              f"outputs identical: {figures['identical_outputs']}")
    if ceilings:
        each = ", ".join(f"{ceiling:.2f}" for ceiling in ceilings)
        print(f"machine ceiling: two scoring loops at once / one alone: {figures['ceiling_2_vs_1']:.2f}x "
              f"(median of {len(ceilings)}: {each})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
