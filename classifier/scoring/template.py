"""Template text: sentences of one page that share one skeleton, with different numbers and names.

Machine-written data stories fill one sentence pattern again and again ("Jane Doe donated $250
to John Roe during May, according to ..."; "There were 12 total arrests in Fulton County in
2019, ..."). A sentence's skeleton keeps its lower-case words and punctuation and replaces each
run of numbers or capitalised words by a slot. `template_sentences`
finds the largest group of story sentences with one skeleton (at least `MIN_REPEATS` of them,
at least `MIN_WORDS` fixed words, at least two different fillings); `skeleton` is also what a
bulk run's per-site count would key on (see docs/scorer-evidence.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_REPEATS = 3
MIN_WORDS = 6
MAX_SENTENCES = 100
# A number, or a capitalised word that does not open the sentence.
_SLOT = re.compile(r"[$€£]?\d(?:[\d,.:]*\d)?%?|(?<![\w'’-])[A-Z][\w'’-]*")
_RUN = re.compile(r"\x01(?:[ \t]+\x01)*|\x02(?:[ \t]+[\x01\x02])*")
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


def template_sentences(blocks: Iterable[tuple[int, str]]) -> Template | None:
    """The largest group of sentences sharing one skeleton (see the module docstring)."""
    found = [(index, sentence) for index, sentence in sentences(blocks) if sentence.count(" ", 0, 200) >= MIN_WORDS]
    if len(found) < MIN_REPEATS:
        return None
    # One pass of the slot patterns over all the sentences (one per line) is much cheaper than one per sentence.
    shapes = _RUN.sub(_collapse, _SLOT.sub(_mark, "\n".join(sentence for _, sentence in found)).lower()).split("\n")
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
