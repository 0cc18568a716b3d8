"""Speed benchmark: pages/s of `classifier.clean()` against its peers, and an RSS check.

    python benchmarks/speed.py                      # 400 pages, 3 rounds, 10,000-page RSS run
    python benchmarks/speed.py --pages 300 --rounds 5
    python benchmarks/speed.py --no-justext --rss-pages 0   # quick: skip jusText and RSS
    python benchmarks/speed.py --walk-only          # the parse and walk stages alone (no model)
    python benchmarks/speed.py --parts              # the parts of the features and the decision

Every tool runs in this one process on the same in-memory pages: the first ``--pages`` files of
``data/wcxb-dev/html/*.html.gz`` in name order, decoded once to ``str`` with
`classifier.extraction.decode.decode_html` (so no tool pays for decoding). Each pass of a tool
gets new copies of those strings, made before its clock starts: CPython keeps a str's UTF-8 once
a C extension has asked for it, and a tool handed strings another tool or round had encoded
would skip the encoding that every page of a crawl needs. Tools:

* ``clean()``: `Extractor.clean(html)` (what `classifier.clean` runs), the shipped model,
  default threshold;
* ``trafilatura``: `trafilatura.extract(html)` with its defaults (plain text);
* ``resiliparse``: `extract_plain_text(html, main_content=True)`;
* ``jusText``: `justext.justext(html, English stoplist)` joined to text (optional);
* ``selectolax parse``: `LexborHTMLParser(html)` alone, a floor for any Lexbor-based tool.

Each tool is warmed up first (model loaded, imports done) outside the timing. Then
``--rounds`` rounds, each running every tool once over all pages, in an order that rotates
from round to round so that slow drift of the machine's load is spread over the tools.
``clean()`` and resiliparse, the pair the speed target compares, run back to back in every
round (which goes first alternates), so a round's ratio of the two compares passes a second
or two apart, not on either side of trafilatura's pass of a quarter of a minute. The
table gives each tool's median pages/s over the rounds and its ratios to trafilatura and to
``clean()`` (the ratios of medians; the per-round ratios' range is printed too), and the last
line also the median of the per-round ratios (each round's tools ran within a minute, the
pair within seconds, so this one moves less with the machine's load). Other work on
the machine moves absolute numbers: compare the ratios. Each of ``clean()``'s rounds uses a new
`classifier.Extractor`, whose table of class/id facts starts empty: a crawl meets each page once,
and a round that found every class of its pages already known would time a second pass as if it
were the first.

Then `clean()`'s time by stage (parse, walk, metadata, features, model, decision and text),
each stage timed on its own over the same pages, and, within the features, the columns of the
news-page work (issue 19: cards, the main text cluster, table rows, headings), timed again on
their own and given as a share of `clean()`'s time.

With ``--parts`` (and no peers), the parts of two stages, each timed on its own over the same
pages (best of ``--rounds``), for the compiled path (with the kernels built): of the features,
`_PageArrays.of` (the blocks' texts, their character statistics and tokens in one pass), the
overlap columns and the kernel's other columns with their logarithms; of the decision and text, the
per-page cut, the decision and the text layout.

Then the RSS check: `clean()` over ``--rss-pages`` pages (the set repeated), the process's
resident memory sampled every 1,000 pages; it is flat when the last sample is within 5 % of
the one at 2,000 pages (the first thousand pages fill the table of class/id facts). This is a
script, not a test.

The header also says which compiled parts ran (the walker, the feature kernel, the trees and
the per-page cut, built at install by setup.py), or plain Python (no C compiler at install, or
PAGESIEVE_PURE_PYTHON=1 set, which measures the plain path). PAGESIEVE_WALKER=cython, mypyc or
python measures that walker alone.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifier  # noqa: E402 - after the path insert
from classifier.extraction import decision, features, layout, trees, walk  # noqa: E402
from classifier.extraction.decode import decode_html  # noqa: E402
from classifier.extraction.dom import BlockColumns, PageInfo, RawBlock  # noqa: E402

DATA = ROOT / "data" / "wcxb-dev" / "html"
PAIR = ("clean()", "resiliparse")  # run back to back in every round (`round_order`)


def load_pages(count: int) -> list[str]:
    """The first `count` WCXB pages in name order, decoded to str."""
    files = sorted(DATA.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages in {DATA}")
    return [decode_html(gzip.decompress(path.read_bytes())) for path in files[:count]]


def rss_bytes() -> int:
    """Resident set size of this process (/proc/self/statm, no dependency)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_tools(with_justext: bool) -> dict[str, Callable[[str], object]]:
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text
    from selectolax.lexbor import LexborHTMLParser

    tools: dict[str, Callable[[str], object]] = {
        "clean()": classifier.Extractor().clean,
        "trafilatura": trafilatura.extract,
        "resiliparse": lambda html: extract_plain_text(html, main_content=True),
    }
    if with_justext:
        import justext

        stoplist = justext.get_stoplist("English")

        def run_justext(html: str) -> str:
            paragraphs = justext.justext(html, stoplist)
            return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        tools["jusText"] = run_justext
    tools["selectolax parse"] = LexborHTMLParser
    return tools


def fresh_copies(pages: list[str]) -> list[str]:
    """New str objects with the pages' text. CPython keeps the UTF-8 of a str once a C
    extension has asked for it (`PyUnicode_AsUTF8AndSize`, what selectolax and resiliparse
    call to hand a str to Lexbor), so a tool that meets a str another tool or round already
    encoded skips the encoding, which a crawl, decoding each page once, never does."""
    return [(html + " ")[:-1] for html in pages]


def run_once(function: Callable[[str], object], pages: list[str]) -> tuple[float, int]:
    """Seconds for one pass over fresh copies of the pages (`fresh_copies`, made before the
    clock starts), and how many pages raised."""
    failures = 0
    pages = fresh_copies(pages)
    gc.collect()
    start = time.perf_counter()
    for html in pages:
        try:
            function(html)
        except Exception:  # noqa: BLE001 - a peer failing on a page is counted, not fatal
            failures += 1
    return time.perf_counter() - start, failures


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "pagesieve": classifier.__version__}
    for name in (
        "trafilatura",
        "resiliparse",
        "justext",
        "selectolax",
        "scikit-learn",
        "numpy",
        "lxml",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def round_order(names: list[str], round_number: int) -> list[str]:
    """The tools in the order of round `round_number`: `clean()` and resiliparse back to back
    (the pair the speed target compares; which goes first alternates), the pair and the other
    tools rotating from round to round."""
    pair = PAIR if round_number % 2 == 0 else PAIR[::-1]
    units = [list(pair)] + [[name] for name in names if name not in PAIR]
    shift = round_number % len(units)
    return [name for unit in units[shift:] + units[:shift] for name in unit]


def speed(pages: list[str], rounds: int, warmup: int, with_justext: bool) -> None:
    model = classifier.load_model()
    tools = make_tools(with_justext)
    names = list(tools)
    for name in names:  # warm-up: model load, imports; not timed
        run_once(tools[name], pages[:warmup])
    seconds: dict[str, list[float]] = {name: [] for name in names}
    failures: dict[str, int] = dict.fromkeys(names, 0)
    for round_number in range(rounds):
        order = round_order(names, round_number)
        line = []
        for name in order:
            if name == "clean()":
                tools[name] = classifier.Extractor(model).clean  # an empty table of class/id facts
            elapsed, failed = run_once(tools[name], pages)
            seconds[name].append(elapsed)
            failures[name] += failed
            line.append(f"{name} {len(pages) / elapsed:.1f}/s")
        print(f"round {round_number + 1}: " + ", ".join(line), flush=True)

    rate = {name: [len(pages) / s for s in seconds[name]] for name in names}
    median = {name: statistics.median(rate[name]) for name in names}

    def per_round(name: str, reference: str) -> list[float]:
        return [a / b for a, b in zip(rate[name], rate[reference])]

    def ratio_range(name: str, reference: str) -> str:
        ratios = per_round(name, reference)
        return f"{min(ratios):.2f}-{max(ratios):.2f}"

    print()
    print(f"{len(pages)} pages, {rounds} rounds, median pages/s (per-round range of the ratio)")
    print()
    print("| tool | pages/s | ms/page | vs trafilatura | vs clean() | failures |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        print(
            f"| {name} | {median[name]:.1f} | {1000 / median[name]:.2f} "
            f"| {median[name] / median['trafilatura']:.2f}x ({ratio_range(name, 'trafilatura')}) "
            f"| {median[name] / median['clean()']:.2f}x ({ratio_range(name, 'clean()')}) "
            f"| {failures[name]} |"
        )
    print()
    print(
        f"clean() against trafilatura {median['clean()'] / median['trafilatura']:.2f}x, "
        f"against resiliparse {median['clean()'] / median['resiliparse']:.2f}x (ratios of the medians); "
        f"median of the per-round ratios: {statistics.median(per_round('clean()', 'trafilatura')):.2f}x, "
        f"{statistics.median(per_round('clean()', 'resiliparse')):.2f}x"
    )


def stages(pages: list[str], rounds: int) -> None:
    """Where `clean()`'s time goes: its stages run one after another on every page, each
    timed on its own, best of `rounds` (the stages `Extractor.analyse`, `label` and
    `assemble` run; the rare second parse of a page with self-closed iframes is left out)."""
    from classifier.extraction.decision import choose_cut, decide
    from classifier.extraction.features import block_features
    from classifier.extraction.layout import assemble
    from classifier.extraction.metadata import page_title, parse_json_ld, structured_text
    from classifier.extraction.page_kinds import page_kind_cues

    model = classifier.load_model()
    best: dict[str, float] = {}
    for _ in range(rounds):
        facts = walk.AttributeFacts()
        spent = dict.fromkeys(("parse", "walk", "metadata", "features", "model", "decision and text"), 0.0)
        news = 0.0
        for html in fresh_copies(pages):
            clock = time.perf_counter()
            tree = walk.parse(html)
            spent["parse"] += (now := time.perf_counter()) - clock
            blocks, page, columns = walk.walk_with_columns(tree, facts)
            spent["walk"] += (clock := time.perf_counter()) - now
            objects = parse_json_ld(page.json_ld)
            title, structured = page_title(page) or "", structured_text(page, objects)
            cues = page_kind_cues(page, objects, None)  # clean() reads no more metadata than this
            spent["metadata"] += (now := time.perf_counter()) - clock
            computed = block_features(blocks, page, title=title, structured=structured, page_kinds=cues, columns=columns)
            spent["features"] += (clock := time.perf_counter()) - now
            news += news_columns(computed.matrix, blocks, page, columns)
            paths = columns.path_ids
            clock = time.perf_counter()
            probabilities = model.page_probabilities(computed.matrix, paths)
            spent["model"] += (now := time.perf_counter()) - clock
            cut = choose_cut(probabilities, computed.tokens, paths, model.threshold)
            assemble(blocks, decide(blocks, probabilities, cut))
            spent["decision and text"] += time.perf_counter() - now
        for name, seconds in (*spent.items(), ("news columns", news)):
            best[name] = min(best.get(name, seconds), seconds)
    news = best.pop("news columns")
    total = sum(best.values())
    print()
    print(f"clean() by stage, ms per page (best of {rounds} rounds over {len(pages)} pages):")
    print("  " + ", ".join(f"{name} {1000 * seconds / len(pages):.2f}" for name, seconds in best.items()))
    print(f"  sum {1000 * total / len(pages):.2f}")
    reference = " (their numpy reference: the kernel computes them with the rest)" if features.KERNEL is not None else ""
    print(
        f"  of the features, the news-page columns (issue 19){reference}: {1000 * news / len(pages):.2f}"
        f" ({news / total:.1%} of the sum)"
    )


def news_columns(matrix: np.ndarray, blocks: list[RawBlock], page: PageInfo, columns: BlockColumns) -> float:
    """Seconds to compute again into `matrix` the columns the news-page work added, as
    `block_features` computes them (its private steps: a benchmark may look inside). The
    element arrays and container chains count in full, though the older container columns
    share them. (With the feature kernel built, `block_features` computes them there: this
    times their numpy reference.)"""
    arrays = features._PageArrays.of(blocks, columns)
    started = time.perf_counter()
    features._row_columns(matrix, arrays)
    features._heading_columns(matrix, arrays)
    elements = features._Elements.of(page)
    if elements.count:
        chain = features._Chain.of(arrays.own, elements.parent)
        features._card_columns(matrix, arrays, elements, page)
        features._cluster_columns(matrix, arrays, elements, chain)
    return time.perf_counter() - started


def parts(pages: list[str], rounds: int) -> None:
    """The parts of the features and of the decision and text, each timed on its own, best of
    `rounds`, as `block_features` (its compiled path: private steps, a benchmark may look
    inside) and `Extractor.label` run them."""
    from classifier.extraction.decision import choose_cut, decide
    from classifier.extraction.layout import assemble
    from classifier.extraction.metadata import page_title, parse_json_ld, structured_text
    from classifier.extraction.page_kinds import page_kind_cues
    from classifier.extraction.textstats import token_hashes

    if features.KERNEL is None:
        raise SystemExit("--parts times the compiled path: the feature kernel is not built here")
    model = classifier.load_model()
    facts = walk.AttributeFacts()
    walked = [walk.walk_with_columns(walk.parse(html), facts) for html in pages]
    walked = [(blocks, page, columns) for blocks, page, columns in walked if blocks]
    names = ("arrays and tokens", "overlap columns", "other columns", "cut", "decision", "text layout")
    best = dict.fromkeys(names, float("inf"))
    for _ in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        for blocks, page, columns in walked:
            objects = parse_json_ld(page.json_ld)
            title, structured = page_title(page) or "", structured_text(page, objects)
            cues, paths = page_kind_cues(page, objects, None), columns.path_ids
            structured_tokens = token_hashes(structured.lower())[1]
            matrix = np.zeros((len(blocks), len(features.STAGE_ONE_NAMES)), dtype=np.float32)
            clock = time.perf_counter()
            arrays = features._PageArrays.of(blocks, columns)
            tokens = arrays.tokens
            spent["arrays and tokens"] += (now := time.perf_counter()) - clock
            log_chars = np.log1p(arrays.chars)
            features._compiled_overlap_columns(matrix, arrays, tokens, log_chars, title, structured_tokens)
            spent["overlap columns"] += (clock := time.perf_counter()) - now
            features._compiled_columns(matrix, arrays, tokens, log_chars, page, cues, has_structured_text=len(structured_tokens) > 0)
            spent["other columns"] += time.perf_counter() - clock
            probabilities = model.page_probabilities(matrix, paths)
            clock = time.perf_counter()
            cut = choose_cut(probabilities, tokens.counts, paths, model.threshold)
            spent["cut"] += (now := time.perf_counter()) - clock
            keep = decide(blocks, probabilities, cut)
            spent["decision"] += (clock := time.perf_counter()) - now
            assemble(blocks, keep)
            spent["text layout"] += time.perf_counter() - clock
        best = {name: min(best[name], seconds) for name, seconds in spent.items()}
    print()
    print(f"parts, ms per page (best of {rounds} rounds over {len(walked)} pages with blocks):")
    print("  features: " + ", ".join(f"{name} {1000 * best[name] / len(walked):.3f}" for name in names[:3]))
    print("  decision and text: " + ", ".join(f"{name} {1000 * best[name] / len(walked):.3f}" for name in names[3:]))


def walk_stages(pages: list[str], rounds: int) -> None:
    """The parse and walk stages alone, timed as in `stages` (best of `rounds`): they need no
    model, so they can be measured while the shipped model does not fit the features."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        facts = walk.AttributeFacts()
        spent = dict.fromkeys(("parse", "walk"), 0.0)
        for html in pages:
            clock = time.perf_counter()
            tree = walk.parse(html)
            spent["parse"] += (now := time.perf_counter()) - clock
            walk.walk_with_columns(tree, facts)
            spent["walk"] += time.perf_counter() - now
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
    print()
    print(f"parse and walk, ms per page (best of {rounds} rounds over {len(pages)} pages):")
    print("  " + ", ".join(f"{name} {1000 * seconds / len(pages):.2f}" for name, seconds in best.items()))


def rss_check(pages: list[str], total: int, every: int = 1_000) -> None:
    print()
    print(f"RSS check: clean() over {total:,} pages ({len(pages)} pages repeated)")
    samples: list[tuple[int, int]] = [(0, rss_bytes())]
    start = time.perf_counter()
    extractor = classifier.Extractor()
    for done in range(1, total + 1):
        extractor.clean(pages[(done - 1) % len(pages)])
        if done % every == 0:
            samples.append((done, rss_bytes()))
            print(
                f"  {done:>6,} pages  RSS {samples[-1][1] / 2**20:7.1f} MiB  "
                f"({done / (time.perf_counter() - start):.1f} pages/s)",
                flush=True,
            )
    reference = dict(samples).get(2 * every)
    last_pages, last = samples[-1]
    if reference is None:
        print("  too few pages for a verdict (need at least 2 samples after the first)")
        return
    change = (last - reference) / reference
    verdict = "flat" if abs(change) <= 0.05 else "NOT flat"
    print(
        f"  RSS at {last_pages:,} pages vs {2 * every:,}: {last / 2**20:.1f} vs "
        f"{reference / 2**20:.1f} MiB ({change:+.1%}): {verdict} (limit 5%)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=400, help="pages in the set (default 400)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up pages per tool")
    parser.add_argument("--no-justext", action="store_true", help="leave jusText out")
    parser.add_argument("--walk-only", action="store_true", help="time the parse and walk stages alone (no model, no peers)")
    parser.add_argument("--parts", action="store_true", help="time the parts of the features and the decision (no peers)")
    parser.add_argument(
        "--rss-pages", type=int, default=10_000, help="pages for the RSS check (0: skip)"
    )
    args = parser.parse_args(argv)

    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    pages = load_pages(args.pages)
    print(f"pages: {len(pages)} ({sum(map(len, pages)) / 2**20:.1f} M characters)")
    print(f"walker: {walk.KIND} (setup.py; {walk.WALKER_VARIABLE}=cython|mypyc|python picks one)")
    print("feature columns: " + ("compiled (Cython, setup.py)" if features.KERNEL is not None else "plain Python (numpy)"))
    print("trees: " + ("compiled (C, setup.py)" if trees.KERNEL is not None else "plain Python (numpy)"))
    print("per-page cut and decision: " + ("compiled (Cython, setup.py)" if decision.KERNEL is not None else "plain Python (numpy)"))
    print("text layout: " + ("compiled (Cython, setup.py)" if layout.KERNEL is not None else "plain Python"))
    if args.walk_only:
        walk_stages(pages, args.rounds)
        return
    if args.parts:
        parts(pages, args.rounds)
        return
    speed(pages, args.rounds, min(args.warmup, len(pages)), not args.no_justext)
    stages(pages, args.rounds)
    if args.rss_pages:
        rss_check(pages, args.rss_pages)


if __name__ == "__main__":
    main()
