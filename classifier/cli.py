"""The command line: `python -m classifier {clean,score,explain}` (also `pagesieve ...`).

- `clean PAGE` prints the main text of one page (`--json` for every block and the metadata).
- `score PAGE.html` prints the page score and its reasons; `score INPUT... [-o OUT]` scores
  crawl outputs in bulk (WARC, JSONL, folders; see `classifier.bulk.cli`).
- `explain PAGE -o view.html` writes the explain view (see `classifier.explain`).
- `--version` prints the release, the compiled parts in use (or plain Python) and the feature
  version.

The single-page commands read their page with `read_page_file` (a file, gunzipped when it is
gzip, or stdin), which refuses crawl files.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .bulk.cli import add_score_arguments, run_score
from .bulk.records import JSONL_SUFFIXES
from .bulk.warc import WARC_SUFFIXES
from .bulk.writers import json_bytes, replace_surrogates, safe_value
from .cliargs import EXIT_ERROR, EXIT_INTERRUPTED, add_inclusion_arguments, inclusions, probability, silence_stdout
from .explain import render_explanation
from .extraction import decision, features, layout, textstats, trees, walk
from .extraction.decision import check_decision
from .extraction.decode import CompressedDataError, gunzip_whole
from .extraction.document import Document
from .extraction.extract import extract
from .extraction.features import FEATURE_VERSION
from .extraction.model import ModelError, load_model
from .scoring.page_score import PageScore
from .scoring.score import score

_SINGLE_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
STDIN = "-"


class NotAPageError(ValueError):
    """A single-page command was given a crawl file (WARC or JSONL) instead of one page."""


def read_page_file(name: str) -> bytes:
    """The bytes of one page: a file (gunzipped when it is gzip, whatever its name, bounded as
    every decompression is) or stdin for ``-``. A WARC or JSONL file is refused
    (`NotAPageError`): its first record is not "the page", and `score INPUT -o OUT --text`
    reads them all."""
    refusal = NotAPageError(
        f"{name} is a crawl file, not one page: `python -m classifier score {name} -o OUT --text` "
        "extracts every page in it"
    )
    if name.lower().endswith(WARC_SUFFIXES + JSONL_SUFFIXES):  # before reading a crawl's gigabytes
        raise refusal
    raw = sys.stdin.buffer.read() if name == STDIN else Path(name).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gunzip_whole(raw)  # bounded, as every decompression: a gzip bomb stops there
        except CompressedDataError as error:
            raise NotAPageError(f"{name}: {error}") from None
    if raw[:64].lstrip().startswith((b"WARC/", b"filedesc://")):
        raise refusal
    return raw


def write_text(text: str) -> None:
    """Text to stdout as UTF-8 that no character can fail (lone surrogates become U+FFFD)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(replace_surrogates(text).encode("utf-8"))
    sys.stdout.buffer.flush()


def write_json(value: object) -> None:
    """A value to stdout as JSON, with the bulk writers' rule for lone surrogates."""
    sys.stdout.flush()
    sys.stdout.buffer.write(json_bytes(safe_value(value), indent=1) + b"\n")
    sys.stdout.buffer.flush()


def _document(args: argparse.Namespace, page: str) -> Document:
    """The page `args` name, extracted with their model and cut."""
    model = load_model(args.model) if args.model else None
    return extract(read_page_file(page), args.url, threshold=args.threshold, favor=args.favor, model=model, **inclusions(args))


def run_clean(args: argparse.Namespace) -> int:
    document = _document(args, args.page)
    if args.json:
        write_json(
            {
                "text": document.text,
                "title": document.title,
                "threshold": document.threshold,
                "metadata": dataclasses.asdict(document.metadata),
                "blocks": [dataclasses.asdict(block) for block in document.blocks],
            }
        )
    else:
        write_text(document.text + ("\n" if document.text else ""))
    return 0


def _single_page(args: argparse.Namespace) -> bool:
    return (
        args.output is None
        and len(args.inputs) == 1
        and args.inputs[0].lower().endswith(_SINGLE_PAGE_SUFFIXES)
        and Path(args.inputs[0]).is_file()
    )


def run_score_command(args: argparse.Namespace) -> int:
    if not _single_page(args):
        return run_score(args)
    page_score = score(_document(args, args.inputs[0]))
    if args.json:
        write_json(dataclasses.asdict(page_score))
        return 0
    verdict = "FLAGGED" if page_score.flagged else "not flagged"
    lines = [f"probability {page_score.probability:.3f}  {verdict} (threshold {page_score.threshold:.3f})"]
    lines += [f"  {reason.weight:+.2f}  {reason.code}: {reason.evidence}" for reason in page_score.reasons]
    if not page_score.reasons:
        lines.append("  no evidence found")
    write_text("\n".join(lines) + "\n")
    return 0


def version_text() -> str:
    """The release, the compiled parts in use and the feature version, for bug reports."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("pagesieve")
    except PackageNotFoundError:  # run from a source tree that was never installed
        release = "(not installed)"
    walker = {walk.CYTHON: "compiled (Cython, Lexbor structs)", walk.MYPYC: "compiled (mypyc)"}.get(walk.KIND, "plain Python")
    kernel = "compiled (C)" if trees.KERNEL is not None else "plain Python (numpy)"
    text = "compiled (Cython)" if textstats.KERNEL is not None else "plain Python (numpy)"
    columns = "compiled (Cython)" if features.KERNEL is not None else "plain Python (numpy)"
    cut = "compiled (Cython)" if decision.KERNEL is not None else "plain Python (numpy)"
    text_layout = "compiled (Cython)" if layout.KERNEL is not None else "plain Python"
    return (
        f"pagesieve {release}; walker {walker}; text statistics {text}; feature columns {columns}; trees {kernel}; "
        f"per-page cut {cut}; text layout {text_layout}; features {FEATURE_VERSION}; Python {sys.version.split()[0]}"
    )


def add_explain_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the ``explain`` flags on `parser` (returned for chaining)."""
    parser.add_argument("page", metavar="PAGE", help="the page: .html, .html.gz, or - for stdin")
    parser.add_argument(
        "-o", "--output", default="-", help="the view to write (default: - for stdout)"
    )
    parser.add_argument("--url", default=None, help="the page's URL (used by metadata and score)")
    parser.add_argument(
        "--threshold",
        type=probability,
        default=None,
        help="block threshold (default: the model's, from its card)",
    )
    parser.add_argument(
        "--favor",
        choices=("precision", "balanced", "recall"),
        default="balanced",
        help="per-page cut weighted toward precision or recall (default balanced; not with --threshold)",
    )
    parser.add_argument(
        "--model", default=None, metavar="PATH", help="a block model file (default: $CLASSIFIER_MODEL, else the shipped one)"
    )
    parser.add_argument(
        "--gold",
        metavar="FILE",
        default=None,
        help="the page's true main text (UTF-8): marks blocks wrongly kept or dropped",
    )
    add_inclusion_arguments(parser)
    return parser


def run_explain(args: argparse.Namespace) -> int:
    """Run ``explain``: 0 on success, 1 when the page, gold or model cannot be read or the
    view cannot be written. Prints the time it took to stderr."""
    started = time.perf_counter()
    try:
        raw = read_page_file(args.page)
        gold = Path(args.gold).read_text(encoding="utf-8") if args.gold else None
    except (OSError, UnicodeDecodeError, NotAPageError, CompressedDataError) as exc:
        print(f"pagesieve explain: error: cannot read input: {exc}", file=sys.stderr)
        return 1
    read = time.perf_counter()
    model = load_model(args.model)  # the default model when None: its trees explain each block
    document = extract(raw, args.url, threshold=args.threshold, favor=args.favor, model=model, **inclusions(args))
    extracted = time.perf_counter()
    page_score: PageScore | None
    score_error: str | None = None
    try:
        page_score = score(document)
    except ModelError as exc:
        page_score, score_error = None, str(exc)
    scored = time.perf_counter()
    view = render_explanation(document, page_score, gold_text=gold, score_error=score_error, model=model)
    rendered = time.perf_counter()
    try:
        if args.output == "-":
            write_text(view)
        else:
            Path(args.output).write_bytes(replace_surrogates(view).encode("utf-8"))
    except BrokenPipeError:
        raise
    except OSError as exc:
        print(f"pagesieve explain: error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    done = time.perf_counter()
    kept = sum(1 for block in document.blocks if block.is_content)
    where = "stdout" if args.output == "-" else args.output
    note = "" if page_score is not None else " (page score unavailable)"
    print(
        f"explain: {len(document.blocks)} blocks, {kept} kept{note} -> {where} "
        f"({len(view.encode('utf-8')) / 1024:.0f} KiB) in {done - started:.3f} s "
        f"(read {read - started:.3f}, extract {extracted - read:.3f}, score {scored - extracted:.3f}, "
        f"render {rendered - scored:.3f}, write {done - rendered:.3f})",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pagesieve",
        description="Main-content extraction and auto-published page scoring.",
        formatter_class=argparse.RawTextHelpFormatter,  # the version line is not wrapped
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True)

    clean = commands.add_parser("clean", help="print the main text of a page")
    clean.add_argument("page", help="an .html or .html.gz file, or - for stdin")
    clean.add_argument("--url", default=None, help="the page's URL")
    clean.add_argument("--threshold", type=probability, default=None, help="block threshold (default: the model's)")
    clean.add_argument(
        "--favor",
        choices=("precision", "balanced", "recall"),
        default="balanced",
        help="per-page cut weighted toward precision or recall (default balanced; not with --threshold)",
    )
    clean.add_argument("--model", default=None, help="a model file you trust (default: $CLASSIFIER_MODEL, else the shipped one)")
    clean.add_argument("--json", action="store_true", help="every block, its probability and role, and the metadata")
    add_inclusion_arguments(clean)
    clean.set_defaults(func=run_clean)

    score = commands.add_parser(
        "score",
        help="score one page (PAGE.html) or crawl outputs in bulk (INPUT... -o OUT)",
        description="One .html/.html.gz file without -o: print its score and reasons. "
        "Otherwise: score WARC, JSONL and folders in bulk into JSONL or Parquet rows.",
    )
    add_score_arguments(score)
    score.add_argument("--url", default=None, help="the page's URL (single-page mode)")
    score.add_argument("--json", action="store_true", help="single-page mode: print the score as JSON")
    score.set_defaults(func=run_score_command)

    explain = commands.add_parser("explain", help="write an HTML view of why each block was kept or dropped")
    add_explain_arguments(explain)
    explain.set_defaults(func=run_explain)
    return parser


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors argparse cannot see alone (exit status 2)."""
    try:
        check_decision(getattr(args, "threshold", None), getattr(args, "favor", "balanced"))
    except ValueError:
        parser.error("give --threshold or --favor, not both (--favor chooses a cut per page)")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if isinstance(error, (OSError, ModelError, NotAPageError, CompressedDataError, ValueError)):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_arguments(parser, args)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return silence_stdout()
    except KeyboardInterrupt:
        print(f"pagesieve {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # every error is one line, unless --debug
        if args.debug:
            raise
        print(f"pagesieve {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
