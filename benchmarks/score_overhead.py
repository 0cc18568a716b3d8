"""How much `score()` adds to `extract()`: the same pages, rounds alternated, as a ratio.

    python benchmarks/score_overhead.py [--pages 300] [--rounds 3]

Pages: the labelled news pages of data/farm (where the scorer has the most to read) and
WCXB pages, decoded once in memory. Each round times `extract()` alone, then `extract()`
followed by `document.score()` (the page is parsed once), in alternating order. The scorer's
pattern tables are compiled before timing (once per process).
"""

from __future__ import annotations

import argparse
import gzip
import platform
import sys
import time
from pathlib import Path

from classifier import extract, load_model
from classifier.decode import decode_html
from classifier.score import get_scorer
from classifier.signals import load_patterns

ROOT = Path(__file__).resolve().parent.parent


def load_pages(limit: int) -> list[str]:
    files = sorted((ROOT / "data" / "farm" / "pages").glob("*.html.gz"))
    files += sorted((ROOT / "data" / "wcxb-dev" / "html").glob("*.html.gz"))
    return [decode_html(gzip.open(path).read()) for path in files[:limit]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = load_pages(args.pages)
    model, scorer = load_model(), get_scorer()
    load_patterns()
    for page in pages[:20]:  # warm up
        extract(page, model=model).score(scorer=scorer)
    times = {"extract": 0.0, "extract+score": 0.0}
    for round_number in range(args.rounds):
        order = ("extract", "extract+score") if round_number % 2 == 0 else ("extract+score", "extract")
        for name in order:
            start = time.perf_counter()
            for page in pages:
                document = extract(page, model=model)
                if name == "extract+score":
                    document.score(scorer=scorer)
            times[name] += time.perf_counter() - start
    n = len(pages) * args.rounds
    print(f"python {platform.python_version()}, {len(pages)} pages x {args.rounds} rounds: {' '.join(sys.argv)}")
    print("| | pages/s | ms/page |")
    print("|---|---|---|")
    for name, seconds in times.items():
        print(f"| {name} | {n / seconds:.1f} | {1000 * seconds / n:.2f} |")
    overhead = times["extract+score"] / times["extract"] - 1
    print(f"\nscore() adds {overhead:.1%} to the time of extract()")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
