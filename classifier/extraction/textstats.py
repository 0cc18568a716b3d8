"""Character statistics and tokens of all of a page's blocks at once, with numpy or a kernel.

The blocks' texts are joined and read as one array of code points; a table indexed by code
point gives each character's classes (letter, upper case, digit, space, sentence end, ...), as
Python's own `str` predicates define them, so per-block counts are sums over segments instead
of Python loops over characters. Tokens (`\\w+`, as `re` defines a word character) are compared by
64-bit polynomial hashes of their code points instead of Python strings. `classifier.extraction.features`
turns these counts into feature columns; tests check them against their one-block definitions.
Two patterns (`DATE_LIKE`, `COPYRIGHT`) mark the blocks they match.

The same numbers come from a compiled kernel (`_textstats`, Cython, built by setup.py) when it
is installed and built from the source beside this file: it reads each block's characters once,
with this module's table and masks, and matches the two patterns by hand (tests compare the two
implementations on generated text and on every page in data/). `PAGESIEVE_PURE_PYTHON` set:
numpy alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import compiled

CHAR_SAMPLE = 4_000  # character-class shares are read from a block's first characters
SENTENCE_END_CHARS = ".!?。！？…"
PUNCT_END = frozenset(".!?。！？…:;\"'”’»)")
SEPARATOR_CHARS = "|»›·•/>"
COMMA_CHARS = ",，、"

# Character classes, one bit each, read from a table indexed by code point.
_ALPHA, _UPPER, _LOWER, _DIGIT, _SPACE = 1, 2, 4, 8, 16
_SENTENCE_END_BIT, _PUNCT_END_BIT, _SEPARATOR_BIT, _COMMA_BIT, _NEWLINE_BIT = 32, 64, 128, 256, 512
_WORD = 1024  # re's \w: isalnum() or "_"
_DECIMAL = 2048  # re's \d: isdecimal()
_TABLE_SIZE = 0x10000  # the Basic Multilingual Plane; rarer characters are classed one by one


def _char_bits(char: str) -> int:
    """The class bits of one character, from Python's own `str` predicates."""
    alpha = char.isalpha()
    return (
        alpha * _ALPHA
        | (alpha and char.isupper()) * _UPPER
        | char.islower() * _LOWER
        | (not alpha and char.isdigit()) * _DIGIT
        | char.isspace() * _SPACE
        | (char in SENTENCE_END_CHARS) * _SENTENCE_END_BIT
        | (char in PUNCT_END) * _PUNCT_END_BIT
        | (char in SEPARATOR_CHARS) * _SEPARATOR_BIT
        | (char in COMMA_CHARS) * _COMMA_BIT
        | (char == "\n") * _NEWLINE_BIT
        | (char.isalnum() or char == "_") * _WORD
        | char.isdecimal() * _DECIMAL
    )


# r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b", written to open with a digit (the
# boundary checked behind it) so that `re` skips straight to digits: three times faster.
DATE_LIKE = re.compile(r"\d(?<!\w\d)(?:\d{0,3}[./-]\d{1,2}[./-]\d{1,4}\b|(?<=1)9\d\d\b|(?<=2)0\d\d\b)")
COPYRIGHT = re.compile(r"©|\(c\)|&copy;", re.IGNORECASE)

# Tokens are compared by a 64-bit polynomial hash of their code points (arithmetic modulo 2**64;
# the base is odd, so it has an inverse): a page's tokens are hashed with numpy (or the kernel),
# not made into Python strings one by one.
_HASH_BASE = 0x9E3779B97F4A7C15
_HASH_INVERSE = pow(_HASH_BASE, -1, 2**64)
HASH_CHUNK = 1 << 20  # characters hashed at a time: bounds the buffers on huge pages

KERNEL_SOURCES = ("_textstats.pyx",)  # what setup.py stamps the kernel with


def char_table(module: Any = None) -> np.ndarray:
    """The class bits of every BMP code point: `_char_bits` of each, or, given the compiled
    kernel, its loop over the same predicates of CPython (the same table in about 5 ms of each
    import instead of 36; a test compares them), with the bits of this module's own sets."""
    if module is None:
        return np.fromiter((_char_bits(chr(code)) for code in range(_TABLE_SIZE)), np.uint16, _TABLE_SIZE)
    table = module.predicate_bits(_TABLE_SIZE, (_ALPHA, _UPPER, _LOWER, _DIGIT, _SPACE, _WORD, _DECIMAL))
    sets = ((SENTENCE_END_CHARS, _SENTENCE_END_BIT), (PUNCT_END, _PUNCT_END_BIT), (SEPARATOR_CHARS, _SEPARATOR_BIT),
            (COMMA_CHARS, _COMMA_BIT), ("\n", _NEWLINE_BIT))  # fmt: skip
    for chars, bit in sets:
        for char in chars:
            table[ord(char)] |= bit
    return table


_MODULE = compiled.load("_textstats", KERNEL_SOURCES)  # None: not built, stale, or turned off
# Class bits of every BMP code point: a constant built at import, like a compiled pattern.
_CHAR_TABLE = char_table(_MODULE)


def _kernel() -> tuple[Any, Any] | None:
    """The compiled kernel and its `CharClasses` (this module's table and masks), or None."""
    if _MODULE is None:
        return None
    masks = (_ALPHA, _UPPER, _LOWER, _DIGIT, _SPACE, _SENTENCE_END_BIT, _PUNCT_END_BIT, _SEPARATOR_BIT, _COMMA_BIT, _NEWLINE_BIT)
    return _MODULE, _MODULE.CharClasses(_CHAR_TABLE, _char_bits, (*masks, _WORD, _DECIMAL), _HASH_BASE, CHAR_SAMPLE)


KERNEL = _kernel()  # chosen once at import, like a compiled pattern


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


def _class_bits(text: str, codes: np.ndarray | None = None) -> np.ndarray:
    """The class bits of each character of `text` (`codes`: its code points, if known)."""
    codes = _code_points(text) if codes is None else codes
    small = codes < _TABLE_SIZE
    if small.all():
        return _CHAR_TABLE[codes]
    bits = np.empty(len(codes), np.uint16)
    bits[small] = _CHAR_TABLE[codes[small]]
    rare, where = np.unique(codes[~small], return_inverse=True)
    bits[~small] = np.fromiter((_char_bits(chr(code)) for code in rare), np.uint16, len(rare))[where]
    return bits


@dataclass(frozen=True, slots=True)
class TextStatistics:
    """Per-block character counts, computed for all of a page's blocks at once."""

    chars: np.ndarray
    words: np.ndarray  # as len(text.split())
    sampled: np.ndarray  # characters read for the class shares: the first CHAR_SAMPLE
    alpha: np.ndarray  # in the sample, as the next three
    upper: np.ndarray
    digits: np.ndarray
    non_ascii: np.ndarray  # letters beyond ASCII
    sentence_ends: np.ndarray  # in the whole text, as the next three
    commas: np.ndarray
    separators: np.ndarray
    newlines: np.ndarray
    ends_with_punctuation: np.ndarray
    starts_lower: np.ndarray
    has_copyright: np.ndarray  # 1.0 where COPYRIGHT matches
    date_like: np.ndarray  # 1.0 where DATE_LIKE matches


def numpy_text_statistics(texts: Sequence[str]) -> TextStatistics:
    """Character-class counts of non-empty `texts`, from one array of the page's code points
    (a Python loop over characters costs more than everything else in the features)."""
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    joined = "\n".join(texts)  # a separator that is whitespace and in no counted class but newlines
    codes = _code_points(joined)
    bits = _class_bits(joined, codes)
    starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1)))
    ends = starts + lengths
    # Each segment runs from a block's start to the next one's, separator included; the
    # class shares read a block's first CHAR_SAMPLE characters only.
    in_sample = np.ones(len(codes), dtype=bool)
    for start, end in zip(starts[lengths > CHAR_SAMPLE] + CHAR_SAMPLE, ends[lengths > CHAR_SAMPLE]):
        in_sample[start:end] = False

    def count(mask: np.ndarray) -> np.ndarray:
        return np.add.reduceat(mask, starts, dtype=np.int64)

    def has(bit: int) -> np.ndarray:
        return (bits & bit) != 0

    space = has(_SPACE)
    word_start = ~space & np.concatenate(([True], space[:-1]))
    alpha = has(_ALPHA) & in_sample
    return TextStatistics(
        chars=lengths.astype(np.float64),
        words=count(word_start).astype(np.float64),
        sampled=np.minimum(lengths, CHAR_SAMPLE).astype(np.float64),
        alpha=count(alpha),
        upper=count(has(_UPPER) & in_sample),
        digits=count(has(_DIGIT) & in_sample),
        non_ascii=count(alpha & (codes > 0x7F)),
        sentence_ends=count(has(_SENTENCE_END_BIT)),
        commas=count(has(_COMMA_BIT)),
        separators=count(has(_SEPARATOR_BIT)),
        newlines=count(has(_NEWLINE_BIT)) - (np.arange(len(texts)) < len(texts) - 1),
        ends_with_punctuation=has(_PUNCT_END_BIT)[ends - 1].astype(np.float64),
        starts_lower=has(_LOWER)[starts].astype(np.float64),
        has_copyright=_blocks_matching(COPYRIGHT, joined, starts),
        date_like=_blocks_matching(DATE_LIKE, joined, starts),
    )


# Characters that are not text: the control characters but whitespace, and U+FFFD (what bytes
# that were never text decode to).
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def count_not_text(text: str) -> int:
    """How many characters of `text` `NOT_TEXT` matches (the kernel's count, else the regex's)."""
    if KERNEL is None:
        return len(NOT_TEXT.findall(text))
    return int(KERNEL[0].count_not_text(text))


def token_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and hashes of the `\\w+` tokens of `text` (as `re.findall(r"\\w+", text)`)
    (the kernel's, else `numpy_token_hashes`)."""
    if KERNEL is None:
        return numpy_token_hashes(text)
    module, classes = KERNEL
    return module.token_hashes(text, classes)


def numpy_token_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and hashes of the `\\w+` tokens of `text` (as `re.findall(r"\\w+", text)`).
    A token starts at a word character (`\\w`: `isalnum()` or "_") that follows none."""
    codes = _code_points(text)
    word = (_class_bits(text, codes) & _WORD) != 0
    edges = np.diff(np.concatenate(([0], word.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    hashes = np.empty(len(starts), np.uint64)
    first = 0
    while first < len(starts):
        # Whole tokens of at most HASH_CHUNK characters in all (or one longer token).
        begin = starts[first]
        last = max(int(np.searchsorted(ends, begin + HASH_CHUNK, side="right")), first + 1)
        span = codes[begin : ends[last - 1]]
        # prefix[i]: the sum of span[j] * base**j for j < i; a token's hash is its difference
        # across the token, divided by base**(its start).
        powers = np.empty(len(span) + 1, np.uint64)
        powers[0], powers[1:] = 1, np.uint64(_HASH_BASE)
        np.cumprod(powers, out=powers)  # wraps modulo 2**64, as intended
        prefix = np.zeros(len(span) + 1, np.uint64)
        np.multiply(span, powers[:-1], out=prefix[1:])
        np.cumsum(prefix[1:], out=prefix[1:])
        powers[1:] = np.uint64(_HASH_INVERSE)
        np.cumprod(powers, out=powers)  # now the inverse powers
        local_starts, local_ends = starts[first:last] - begin, ends[first:last] - begin
        hashes[first:last] = (prefix[local_ends] - prefix[local_starts]) * powers[local_starts]
        first = last
    return starts, hashes


def statistics_and_tokens(texts: Sequence[str]) -> tuple[TextStatistics, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The character-class counts of non-empty `texts`, and the tokens of the texts lower-cased:
    each token's block, the count per block and the tokens' hashes in order (the kernel reads
    each text once for both, else `numpy_text_statistics` and `numpy_block_tokens`)."""
    if KERNEL is None:
        return numpy_text_statistics(texts), numpy_block_tokens([text.lower() for text in texts])
    module, classes = KERNEL
    statistics, tokens = module.statistics_and_tokens(list(texts), classes)
    return TextStatistics(*statistics), tokens


def numpy_block_tokens(lowered: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of lower-cased blocks with numpy: each token's block, the count per block,
    the tokens' hashes."""
    lengths = np.fromiter(map(len, lowered), np.int64, len(lowered))
    block_starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1)))
    token_starts, hashes = numpy_token_hashes("\n".join(lowered))
    token_block = np.searchsorted(block_starts, token_starts, side="right") - 1
    return token_block, np.bincount(token_block, minlength=len(lowered)).astype(np.float64), hashes


def _blocks_matching(pattern: re.Pattern[str], joined: str, starts: np.ndarray) -> np.ndarray:
    """1.0 for each block in which `pattern` (which cannot match across a newline) matches
    (`joined`: the blocks joined by newlines, `starts`: where each starts in it)."""
    found = np.zeros(len(starts))
    offsets = [match.start() for match in pattern.finditer(joined)]
    if offsets:
        found[np.searchsorted(starts, offsets, side="right") - 1] = 1.0
    return found
