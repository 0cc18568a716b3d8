"""Template text: sentences of one page that share one skeleton, with different numbers and names.

Machine-written data stories fill one sentence pattern again and again ("Jane Doe donated $250
to John Roe during May, according to ..."; "There were 12 total arrests in Fulton County in
2019, ..."). A sentence's skeleton keeps its lower-case words and punctuation and replaces each
run of numbers or capitalised words by a slot. `template_sentences`
finds the largest group of story sentences with one skeleton (at least `MIN_REPEATS` of them,
at least `MIN_WORDS` fixed words, at least two different fillings).

Across the pages of one site, `story_skeletons` gives what a bulk run counts
(`classifier.bulk.site_templates`): per skeleton of the story's sentences with a number in its
filling and `MIN_WORDS` fixed words, its stable hash, the hash of its first filling on the page, and that
sentence; at most `MAX_SKELETONS`. `stable_hash` is the same in every process and run (not
Python's salted `hash()`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_REPEATS = 3
MIN_WORDS = 6
MAX_SENTENCES = 100
MAX_SKELETONS = 50
# Pages of one site (with other fillings) that must share a skeleton for `template_across_pages`.
SITE_MIN_PAGES = 5
_SKELETON_SENTENCE_CHARS = 120  # the sentence a page's skeleton keeps, to show as evidence
# A number, or a capitalised word that does not open the sentence.
_SLOT = re.compile(r"[$€£]?\d(?:[\d,.:]*\d)?%?|(?<![\w'’-])[A-Z][\w'’-]*")
_RUN = re.compile(r"\x01(?:[ \t]+\x01)*|\x02(?:[ \t]+[\x01\x02])*")
_DIGIT = re.compile(r"\d")
_FIXED_WORD = re.compile(r"(?<!\S)[^\W\d_]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)|\s*\n\s*")
NUMBER, NAME = "#", "N"
_SENTENCE_CHARS = 30  # a shorter block holds no sentence of `MIN_WORDS` fixed words


@dataclass(frozen=True, slots=True)
class Template:
    """A skeleton and the sentences that fill it (the first one's block and text)."""

    skeleton: str
    count: int
    block: int
    sentence: str


@dataclass(frozen=True, slots=True)
class Skeleton:
    """One skeleton of a page's story: `key` (the stable hash of the skeleton), `filling` (the
    stable hash of its first filling on the page: the values in its slots) and that sentence
    (cut at a word to 120 characters)."""

    key: int
    filling: int
    sentence: str


def stable_hash(text: str) -> int:
    """A 63-bit hash of `text`, the same in every process, run and machine (BLAKE2b)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def skeleton(sentence: str) -> tuple[str, tuple[str, ...]]:
    """The sentence's skeleton and the values in its slots: "Ann Lee gave $5 to Bob." ->
    ("N gave # to N.", ("Ann", "Lee", "$5", "Bob")): numbers and capitalised words become slots
    (a run of them one slot); the rest is lower-cased."""
    values = tuple(_SLOT.findall(sentence))
    return _RUN.sub(_collapse, _SLOT.sub(_mark, sentence).lower()), values


def _mark(match: re.Match[str]) -> str:
    return "\x01" if match.group()[0].isdigit() or match.group()[0] in "$€£" else "\x02"


def _collapse(match: re.Match[str]) -> str:
    return NUMBER if match.group()[0] == "\x01" else NAME


def _shapes(texts: list[str]) -> list[str]:
    """The skeleton of each sentence (as `skeleton` gives it), in one pass of the slot patterns
    over all of them, one per line: much cheaper than a pass per sentence."""
    return _RUN.sub(_collapse, _SLOT.sub(_mark, "\n".join(texts)).lower()).split("\n") if texts else []


def _fixed_words(shape: str) -> int:
    return len(_FIXED_WORD.findall(shape))


def sentences(blocks: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """The sentences of (block index, text) pairs, at most `MAX_SENTENCES`."""
    count = 0
    for index, text in blocks:
        if len(text) < _SENTENCE_CHARS:
            continue
        for sentence in _SENTENCE.split(text):
            sentence = sentence.strip()
            if sentence:
                yield index, sentence
                count += 1
                if count >= MAX_SENTENCES:
                    return


def story_sentences(blocks: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """The sentences of (block index, text) pairs long enough to be a filled-in mould, at least
    `MIN_WORDS` words (of the first `MAX_SENTENCES`): what `template_in` and `skeletons_in` read,
    split once a page."""
    return [(index, sentence) for index, sentence in sentences(blocks) if sentence.count(" ", 0, 200) >= MIN_WORDS]


def template_sentences(blocks: Iterable[tuple[int, str]]) -> Template | None:
    """The largest group of sentences sharing one skeleton (see the module docstring)."""
    return template_in(story_sentences(blocks))


def template_in(found: Sequence[tuple[int, str]]) -> Template | None:
    """`template_sentences` of the sentences `story_sentences` gave."""
    if len(found) < MIN_REPEATS:
        return None
    shapes = _shapes([sentence for _, sentence in found])
    groups: dict[str, list[int]] = {}
    for position, shape in enumerate(shapes):
        groups.setdefault(shape, []).append(position)
    best = None
    for shape, members in groups.items():
        if len(members) < MIN_REPEATS or (best is not None and len(members) <= best.count) or _fixed_words(shape) < MIN_WORDS:
            continue
        fillings = {tuple(_SLOT.findall(found[k][1])) for k in members}
        if len(fillings) >= 2 and all(fillings):
            best = Template(shape, len(members), found[members[0]][0], found[members[0]][1])
    return best


def story_skeletons(blocks: Iterable[tuple[int, str]], limit: int = MAX_SKELETONS) -> tuple[Skeleton, ...]:
    """The skeletons of the sentences of (block index, text) pairs, in page order, one per
    skeleton (its first sentence), at most `limit`: only those with a number among the values in
    their slots and at least `MIN_WORDS` fixed words (a sentence of names alone, "N did not
    immediately respond to a request for comment.", is a stock phrase of news writing, not a
    filled-in template)."""
    return skeletons_in(story_sentences(blocks), limit)


def skeletons_in(story: Sequence[tuple[int, str]], limit: int = MAX_SKELETONS) -> tuple[Skeleton, ...]:
    """`story_skeletons` of the sentences `story_sentences` gave."""
    # Only sentences with a digit can have a number in their slots (most prose has none).
    texts = [sentence for _, sentence in story if _DIGIT.search(sentence)]
    shapes = _shapes(texts)
    found: dict[str, Skeleton] = {}
    for sentence, shape in zip(texts, shapes):
        if shape in found or _fixed_words(shape) < MIN_WORDS:
            continue
        values = tuple(_SLOT.findall(sentence))
        if not any(_is_number(value) for value in values):
            continue
        found[shape] = Skeleton(stable_hash(shape), stable_hash("\x1f".join(values)), _cut(sentence))
        if len(found) >= limit:
            break
    return tuple(found.values())


def _is_number(value: str) -> bool:
    return value[0].isdigit() or value[0] in "$€£"


def _cut(sentence: str) -> str:
    line = " ".join(sentence.split())
    if len(line) <= _SKELETON_SENTENCE_CHARS:
        return line
    space = line.rfind(" ", 0, _SKELETON_SENTENCE_CHARS)
    return line[: space if space > 0 else _SKELETON_SENTENCE_CHARS] + "…"
