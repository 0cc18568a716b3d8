"""How much `score()` adds to `extract()`: the same pages, rounds alternated, as a ratio.

    python benchmarks/score_overhead.py [--pages 300] [--rounds 3]

Pages: the labelled news pages of data/farm (where the scorer has the most to read) and
WCXB pages, decoded once in memory. Each round times `extract()` alone, then `extract()`
followed by `score(document)` (the page is parsed once), in alternating order. The extractor and
the scorer (its pattern tables compiled) are made before timing.

On a machine shared with other work, whole rounds drift with the load: the figure reported is
also taken page by page, side by side (each page's `extract()` timed, then its `score()`, right
after each other), the sum of the scores' times over the sum of the extractions', per round,
and the median of the rounds.
"""

from __future__ import annotations

import argparse
import gzip
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, not an installed one (as in speed.py)

from classifier import Extractor, PageScorer, score  # noqa: E402 - after the path insert
from classifier.extraction.decode import decode_html  # noqa: E402


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
    extractor, scorer = Extractor(), PageScorer()
    for page in pages[:20]:  # warm up
        score(extractor.extract(page), scorer=scorer)
    times = {"extract": 0.0, "extract+score": 0.0}
    ratios = []
    for _ in range(args.rounds):
        extracting = scoring = 0.0
        for page in pages:
            start = time.perf_counter()
            document = extractor.extract(page)
            middle = time.perf_counter()
            score(document, scorer=scorer)
            extracting += middle - start
            scoring += time.perf_counter() - middle
        ratios.append(scoring / extracting)
    for round_number in range(args.rounds):
        order = ("extract", "extract+score") if round_number % 2 == 0 else ("extract+score", "extract")
        for name in order:
            start = time.perf_counter()
            for page in pages:
                document = extractor.extract(page)
                if name == "extract+score":
                    score(document, scorer=scorer)
            times[name] += time.perf_counter() - start
    n = len(pages) * args.rounds
    print(f"python {platform.python_version()}, {len(pages)} pages x {args.rounds} rounds: {' '.join(sys.argv)}")
    print("| | pages/s | ms/page |")
    print("|---|---|---|")
    for name, seconds in times.items():
        print(f"| {name} | {n / seconds:.1f} | {1000 * seconds / n:.2f} |")
    overhead = times["extract+score"] / times["extract"] - 1
    print(f"\nscore() adds {overhead:.1%} to the time of extract() (whole rounds)")
    side_by_side = sorted(ratios)[len(ratios) // 2]
    print(
        f"score() adds {side_by_side:.1%} to the time of extract() (page by page, median of {len(ratios)} rounds: "
        + ", ".join(f"{ratio:.1%}" for ratio in ratios)
        + ")"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
