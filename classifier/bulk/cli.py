"""The ``score`` command: ``python -m classifier score INPUT... -o OUT``.

`add_score_arguments(parser)` declares the flags on an argparse parser and `run_score(args)`
runs the job and returns the exit status, so ``classifier.cli`` mounts the command with two
lines. ``python -m classifier.bulk.cli`` runs the command on its own.

Exit status: 0 when every input was read to its end and every record is accounted for (page
errors such as timeouts are rows, not failures); 3 when some input was missing, unreadable or
damaged (every readable record was still scored and the damage is an error row and in the
summary); 1 when the run could not be done (workers could not start, Parquet without pyarrow,
output not writable); 2 for bad arguments; 130 when interrupted (completed inputs are kept and
a rerun resumes).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from ..cliargs import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    add_inclusion_arguments,
    inclusions,
    positive_size,
    probability,
    seconds,
    silence_stdout,
    whole_number,
)
from .engine import run
from .on_dask import run_dask
from .rows import DEFAULT_MAX_RECORD_BYTES, BulkOptions, PageOptions
from .sandbox import SandboxError
from .writers import parquet_schema


def _page_fn(spec: str) -> Any:
    module, _, name = spec.partition(":")
    if not module or not name:
        raise argparse.ArgumentTypeError("--page-fn takes MODULE:FUNCTION")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise argparse.ArgumentTypeError(f"cannot import {spec}: {exc}") from exc


def add_score_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the ``score`` flags on `parser` (returned for chaining)."""
    add = parser.add_argument
    add("inputs", nargs="+", metavar="INPUT",
        help="WARC (.warc, .warc.gz), JSONL (.jsonl, .jsonl.gz), folders of .html/.htm/.html.gz, globs, or - for JSONL on stdin")
    add("-o", "--output", default=None, help="output file (default: - for stdout)")
    add("--format", choices=("jsonl", "parquet"), default="jsonl", help="output format (default jsonl; parquet needs the parquet extra)")
    add("--workers", type=whole_number(0), default=None, help="worker processes (default: all cores; 0: score in this process, no timeout)")
    add("--timeout", type=seconds, default=30.0, help="seconds per page before it becomes an error row (default 30; 0: none)")
    add("--max-memory", type=positive_size, default=None, metavar="SIZE", help="resident memory per worker, e.g. 2G (default: no limit)")
    add("--max-record-bytes", type=positive_size, default=DEFAULT_MAX_RECORD_BYTES, metavar="SIZE",
        help="records larger than this (an HTML file, a JSONL line, a WARC record) are error rows, not read (default 256M)")
    add("--http-errors", action="store_true",
        help="also score WARC responses whose HTTP status is not 2xx (default: skip them, counted by status in the summary)")
    add("--limit", type=whole_number(1), default=None, metavar="N", help="stop after N pages")
    add("--text", action="store_true", help="add the main text to each row (with --include-*: and those blocks)")
    add("--threshold", type=probability, default=None, help="block threshold for extraction (default: the model's)")
    add("--favor", choices=("precision", "balanced", "recall"), default="balanced",
        help="per-page cut weighted toward precision or recall (default balanced; not with --threshold)")
    add("--syndication", action="store_true", help="count registered domains with near-identical text (MinHash) and feed it to the score")
    add("--site-templates", action="store_true",
        help="count the pages of each site whose story has a sentence in one mould with other numbers and names; 5+ add to the score")
    add("--hosts", metavar="FILE", default=None, help="write per-host counts, share flagged and mean probability (CSV)")
    add("--summary", metavar="FILE", default=None, help="write the run summary as JSON")
    add("--html-field", default="html", help="JSONL field with the HTML (default html)")
    add("--url-field", default="url", help="JSONL field with the URL (default url)")
    add("--warc-reader", choices=("auto", "fastwarc", "warcio"), default="auto",
        help="WARC library (default auto: fastwarc, warcio where fastwarc fails)")
    add("--model", default=None, metavar="PATH", help="model file (default: $CLASSIFIER_MODEL, else the shipped model)")
    add("--page-fn", type=_page_fn, default=None, metavar="MODULE:FUNCTION",
        help="score pages with another function (advanced; no model is loaded unless --model is given)")
    add("--no-resume", action="store_true", help="rescore inputs already completed in OUTPUT.parts")
    add("--dask", default=None, metavar="ADDRESS", help="run on a Dask scheduler, or 'local' for a LocalCluster")
    add("-q", "--quiet", action="store_true", help="no progress bar and no summary on stderr")
    add_inclusion_arguments(parser)
    return parser  # fmt: skip


def options_from_args(args: argparse.Namespace) -> BulkOptions:
    """The `BulkOptions` of parsed arguments."""
    return BulkOptions(
        workers=args.workers,
        timeout=args.timeout if args.timeout and args.timeout > 0 else None,
        max_memory=args.max_memory,
        max_record_bytes=args.max_record_bytes,
        http_errors=args.http_errors,
        limit=args.limit,
        html_field=args.html_field,
        url_field=args.url_field,
        warc_reader=args.warc_reader,
        output_format=args.format,
        hosts_path=args.hosts,
        summary_path=args.summary,
        progress=not args.quiet,
        resume=not args.no_resume,
        model_path=args.model,
        page=PageOptions(
            with_text=args.text, threshold=args.threshold, favor=args.favor, syndication=args.syndication,
            site_templates=args.site_templates, **inclusions(args),
        ),  # fmt: skip
    )


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_score(args: argparse.Namespace) -> int:
    """Run the ``score`` command for parsed `args`; returns the exit status."""
    try:
        options = options_from_args(args)
    except ValueError as exc:
        print(f"pagesieve score: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops like Ctrl-C: workers stopped, the input in progress dropped
        signal.signal(signal.SIGTERM, _raise_interrupt)
    kwargs: dict[str, Any] = {}
    if args.page_fn is not None:
        kwargs["page_fn"] = args.page_fn
        if args.model is None:
            kwargs["model_loader"] = None
    try:
        if options.output_format == "parquet":
            parquet_schema()  # fail now, not after scoring, when pyarrow is missing
        if args.dask:
            summary = run_dask(args.inputs, args.output or "-", options, address=args.dask, **kwargs)
        else:
            summary = run(args.inputs, args.output or "-", options, **kwargs)
    except BrokenPipeError:
        return silence_stdout()
    except KeyboardInterrupt:
        print("pagesieve score: interrupted; completed inputs are kept, rerun to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (RuntimeError, SandboxError, ValueError, OSError) as exc:
        print(f"pagesieve score: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_ERROR
    if not args.quiet:
        print(summary.text(), file=sys.stderr)
    return summary.exit_status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pagesieve score", description="Score crawl outputs in bulk.")
    add_score_arguments(parser)
    return run_score(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
