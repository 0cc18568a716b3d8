"""Argument types for the command lines (argparse `type=` callables): each turns one flag's
text into a number, or raises `argparse.ArgumentTypeError` with what was expected, which
argparse prints as a usage error (exit status 2)."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

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
