"""What the command lines share: their argument types (argparse `type=` callables: each turns
one flag's text into a number, or raises `argparse.ArgumentTypeError` with what was expected,
which argparse prints as a usage error, exit status 2) and their exit statuses.

Exit statuses: 0 done; 1 an error (one line on stderr; ``--debug`` shows the traceback); 2 bad
arguments; 3 (score in bulk) some input missing, damaged or not read whole, every readable
record still scored; 130 interrupted; 141 stdout closed by its reader (``| head``), quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import sys
from collections.abc import Callable
from typing import TypedDict

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_DAMAGED_INPUT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141


def silence_stdout() -> int:
    """After a broken pipe: point stdout at /dev/null, so that Python's final flush is quiet;
    returns `EXIT_BROKEN_PIPE`."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_BROKEN_PIPE

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def _number(text: str) -> float:
    """The text as a float, NaN when it is not a number (every range check then fails)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1.5GiB`` or plain bytes -> bytes."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 512M or 2G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "bkmgt".index((unit or "b").lower()))


def positive_size(text: str) -> int:
    """A size of at least one byte (``--max-memory``, ``--max-record-bytes``): 0 is refused,
    not taken to mean no limit."""
    size = parse_size(text)
    if size < 1:
        raise argparse.ArgumentTypeError(f"not a size of at least one byte: {text!r} (leave the flag out for no limit)")
    return size


def probability(text: str) -> float:
    """A number from 0 to 1 (``--threshold``)."""
    value = _number(text)
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise argparse.ArgumentTypeError(f"not a probability from 0 to 1: {text!r}")
    return value


def seconds(text: str) -> float:
    """A finite number of seconds, 0 or more (``--timeout``)."""
    value = _number(text)
    if not 0.0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 or more): {text!r}")
    return value


def weight(text: str) -> float:
    """A finite weight, 0 or more (``--fragment-weight``)."""
    value = _number(text)
    if not 0.0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"not a weight (0 or more): {text!r}")
    return value


def whole_number(minimum: int) -> Callable[[str], int]:
    """The type of a whole-number flag of at least `minimum` (``--workers``, ``--limit``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"not a whole number of at least {minimum}: {text!r}")
        return value

    return parse


INCLUSIONS = ("title", "captions", "comments")


def add_inclusion_arguments(parser: argparse.ArgumentParser) -> None:
    """The --include-title, --include-captions and --include-comments flags: the blocks of
    those roles go into the text besides the main content."""
    what = {"title": "the page's headline", "captions": "photo captions and credits", "comments": "reader comments"}
    for name in INCLUSIONS:
        parser.add_argument(f"--include-{name}", action="store_true", help=f"add {what[name]} to the text (default: main content only)")


class InclusionKeywords(TypedDict):
    """The keywords of `classifier.extract` and `clean` that add blocks by role."""

    include_title: bool
    include_captions: bool
    include_comments: bool


def inclusions(args: argparse.Namespace) -> InclusionKeywords:
    """The include_title/include_captions/include_comments keywords of parsed arguments."""
    return InclusionKeywords(
        include_title=bool(getattr(args, "include_title", False)),
        include_captions=bool(getattr(args, "include_captions", False)),
        include_comments=bool(getattr(args, "include_comments", False)),
    )
