"""Prototype measurement for issue 21: bulk workers that read WARC byte ranges themselves.

    python benchmarks/warc_ranges.py               # 3,000 pages, 4 alternating rounds
    python benchmarks/warc_ranges.py --rounds 2 --pages 1000

Not the engine: a sketch of the design that would take the reading off the engine. The file is
cut into ranges of about ``--range-mib`` at gzip member starts (the gzip magic, checked by
inflating the member's first bytes to ``WARC/``); a pool of workers (forkserver, the model
loaded once per worker) each reads its ranges with fastwarc and scores the pages with
`score_page`; the parent only collects one number per page. No parts, no ordering beyond the
ranges, no per-page deadline: what it measures is the scaling such a design allows, beside
`classifier.bulk.engine.run` on the same file, each run in a fresh process, rounds alternated
(the machine is noisy: compare medians).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

_MAGIC = b"\x1f\x8b\x08"
_model: Any = None


def member_starts(path: str, range_bytes: int) -> list[int]:
    """Offsets of gzip members about `range_bytes` apart (0 first, the file size last)."""
    starts, size = [0], os.path.getsize(path)
    with open(path, "rb") as handle:
        position = range_bytes
        while position < size:
            handle.seek(position)
            window, found, at = handle.read(1 << 20), None, 0
            while found is None and (at := window.find(_MAGIC, at)) >= 0:
                try:
                    head = zlib.decompressobj(31).decompress(window[at : at + 65536], 8)
                except zlib.error:
                    head = b""
                found = position + at if head.startswith(b"WARC/") else None
                at += 1
            if found is None:
                break
            starts.append(found)
            position = found + range_bytes
    return [*starts, size]


def _load() -> None:
    global _model
    from classifier.bulk.pages import load_extractor

    _model = load_extractor(None)


def _score_range(task: tuple[str, int, int]) -> int:
    """Score the response records that start in [start, end) of the WARC; their count."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from classifier.bulk.pages import score_page
    from classifier.bulk.rows import PageOptions, Record
    from classifier.bulk.warc import _split_http

    path, start, end = task
    scored = 0
    with open(path, "rb") as handle:
        handle.seek(start)
        for record in ArchiveIterator(handle, parse_http=False):
            offset = int(record.stream_pos)  # from the file's start
            if offset >= end:
                break
            block = record.reader.read()
            if record.record_type != WarcRecordType.response:
                continue
            status, headers, body = _split_http(block)
            page = Record(path, offset, url=record.headers.get("WARC-Target-URI"), status=status, body=body, http_charset="utf-8")
            score_page(page, model=_model, options=PageOptions())
            scored += 1
    return scored


def _ranges_run(path: str, workers: int, range_mib: float) -> dict[str, float]:
    import multiprocessing

    started = time.monotonic()
    starts = member_starts(path, int(range_mib * 2**20))
    tasks = [(path, a, b) for a, b in zip(starts[:-1], starts[1:])]
    with multiprocessing.get_context("forkserver").Pool(workers, initializer=_load) as pool:
        pages = sum(pool.imap(_score_range, tasks))
    elapsed = time.monotonic() - started
    return {"pages": pages, "elapsed_s": elapsed, "pages_per_s": pages / elapsed, "parent_cpu_s": time.process_time()}


def _engine_run(path: str, workers: int) -> dict[str, float]:
    from classifier.bulk.engine import run
    from classifier.bulk.rows import BulkOptions

    with tempfile.TemporaryDirectory() as folder:
        summary = run([path], str(Path(folder) / "out.jsonl"), BulkOptions(workers=workers, progress=False, resume=False, timeout=60.0))
    return {"pages": summary.rows_written, "elapsed_s": summary.elapsed_s, "pages_per_s": summary.pages_per_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--range-mib", type=float, default=4.0)
    parser.add_argument("--_one", nargs=3, metavar=("KIND", "WORKERS", "WARC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._one:
        kind, workers, path = args._one[0], int(args._one[1]), args._one[2]
        figures = _ranges_run(path, workers, args.range_mib) if kind == "ranges" else _engine_run(path, workers)
        print(json.dumps(figures))
        return 0
    from bulk import build_warc

    with tempfile.TemporaryDirectory(prefix="pagesieve-ranges-") as folder:
        warc = Path(folder) / "bench.warc.gz"
        build_warc(warc, args.pages)
        ratios: dict[str, list[float]] = {"engine": [], "ranges": []}
        for round_number in range(1, args.rounds + 1):
            for kind in ("engine", "ranges"):
                speeds = {}
                for workers in (1, 2):
                    command = [sys.executable, __file__, "--range-mib", str(args.range_mib), "--_one", kind, str(workers), str(warc)]
                    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                    speeds[workers] = json.loads(output.strip().splitlines()[-1])["pages_per_s"]
                ratio = speeds[2] / speeds[1]
                ratios[kind].append(ratio)
                print(f"round {round_number} {kind}: 1 worker {speeds[1]:.1f} pages/s, 2 workers {speeds[2]:.1f}: {ratio:.2f}x", flush=True)
        for kind, values in ratios.items():
            print(f"{kind}: 2 workers / 1 worker, median {statistics.median(values):.2f}x ({', '.join(f'{v:.2f}' for v in values)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
