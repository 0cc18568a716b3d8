"""The command line: `python -m classifier {clean,score,explain}` (also `pagesieve ...`).

- `clean PAGE` prints the main text of one page (`--json` for every block and the metadata).
- `score PAGE.html` prints the page score and its reasons; `score INPUT... [-o OUT]` scores
  crawl outputs in bulk (WARC, JSONL, folders; see `classifier.bulk_cli`).
- `explain PAGE -o view.html` writes the explain view (see `classifier.explain`).
- `--version` prints the release, the walker in use (compiled or plain Python) and the
  feature version.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .bulk_cli import add_score_arguments, run_score
from .cliargs import probability
from .explain import add_explain_arguments, run_explain
from .io import read_page_file
from .model import ModelError

_SINGLE_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def run_clean(args: argparse.Namespace) -> int:
    from . import extract, load_model

    model = load_model(args.model) if args.model else None
    document = extract(read_page_file(args.page), args.url, threshold=args.threshold, favor=args.favor, model=model)
    if args.json:
        payload = {
            "text": document.text,
            "title": document.title,
            "threshold": document.threshold,
            "metadata": dataclasses.asdict(document.metadata),
            "blocks": [dataclasses.asdict(block) for block in document.blocks],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(document.text + ("\n" if document.text else ""))
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
    from . import extract, load_model

    model = load_model(args.model) if args.model else None
    document = extract(read_page_file(args.inputs[0]), args.url, threshold=args.threshold, favor=args.favor, model=model)
    page_score = document.score()
    if args.json:
        json.dump(dataclasses.asdict(page_score), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    verdict = "FLAGGED" if page_score.flagged else "not flagged"
    print(f"probability {page_score.probability:.3f}  {verdict} (threshold {page_score.threshold:.3f})")
    for reason in page_score.reasons:
        print(f"  {reason.weight:+.2f}  {reason.code}: {reason.evidence}")
    if not page_score.reasons:
        print("  no evidence found")
    return 0


def version_text() -> str:
    """The release, the walker in use and the feature version, for bug reports."""
    from importlib.metadata import PackageNotFoundError, version

    from . import dom
    from .features import FEATURE_VERSION

    try:
        release = version("pagesieve")
    except PackageNotFoundError:  # run from a source tree that was never installed
        release = "(not installed)"
    walker = "compiled (mypyc)" if dom.COMPILED_FROM else "plain Python"
    return f"pagesieve {release}; walker {walker}; features {FEATURE_VERSION}; Python {sys.version.split()[0]}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pagesieve", description="Main-content extraction and auto-published page scoring."
    )
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", required=True)

    clean = commands.add_parser("clean", help="print the main text of a page")
    clean.add_argument("page", help="an .html or .html.gz file, or - for stdin")
    clean.add_argument("--url", default=None, help="the page's URL")
    clean.add_argument("--threshold", type=probability, default=None, help="block threshold (default: the model's)")
    clean.add_argument("--favor", choices=("precision", "balanced", "recall"), default="balanced", help="per-page cut weighted toward precision or recall (default balanced; not with --threshold)")
    clean.add_argument("--model", default=None, help="a model file you trust (default: $CLASSIFIER_MODEL, else the shipped one)")
    clean.add_argument("--json", action="store_true", help="every block, its probability and the metadata")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (OSError, ValueError, ModelError) as error:
        print(f"pagesieve {args.command}: error: {error}", file=sys.stderr)
        return 1
