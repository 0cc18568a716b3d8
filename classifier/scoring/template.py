"""Template text: sentences of one page that share one skeleton, with different numbers and names.

Machine-written data stories fill one sentence pattern again and again ("Jane Doe donated $250
to John Roe during May, according to ..."; "There were 12 total arrests in Fulton County in
2019, ..."). A sentence's skeleton keeps its lower-case words and punctuation and replaces each
run of numbers or capitalised words (after the first word) by a slot. `template_sentences`
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
MAX_SENTENCES = 300
_TOKEN = re.compile(r"[$€£]?\d[\d,.:]*%?|[^\W\d_][\w'’-]*|[^\w\s]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)|\n")
NUMBER, NAME = "#", "N"


@dataclass(frozen=True, slots=True)
class Template:
    """A skeleton and the sentences that fill it (the first one's block and text)."""

    skeleton: str
    count: int
    block: int
    sentence: str


def skeleton(sentence: str) -> tuple[str, tuple[str, ...]]:
    """The sentence's skeleton and the values in its slots: "Ann Lee gave $5 to Bob." ->
    ("N gave # to N .", ("Ann", "Lee", "$5", "Bob"))."""
    parts: list[str] = []
    values: list[str] = []
    for position, token in enumerate(_TOKEN.findall(sentence)):
        first = token[0]
        if first.isdigit() or first in "$€£":
            slot = NUMBER
        elif first.isupper() and position > 0:
            slot = NAME
        else:
            parts.append(token.lower())
            continue
        values.append(token)
        if not parts or parts[-1] != slot:
            parts.append(slot)
    return " ".join(parts), tuple(values)


def _fixed_words(shape: str) -> int:
    return sum(1 for part in shape.split() if part not in (NUMBER, NAME) and part[0].isalpha())


def sentences(blocks: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """The sentences of (block index, text) pairs, at most `MAX_SENTENCES`."""
    count = 0
    for index, text in blocks:
        for sentence in _SENTENCE.split(text):
            sentence = sentence.strip()
            if sentence:
                yield index, sentence
                count += 1
                if count >= MAX_SENTENCES:
                    return


def template_sentences(blocks: Iterable[tuple[int, str]]) -> Template | None:
    """The largest group of sentences sharing one skeleton (see the module docstring)."""
    groups: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
    for index, sentence in sentences(blocks):
        shape, values = skeleton(sentence)
        if values and _fixed_words(shape) >= MIN_WORDS:
            groups.setdefault(shape, []).append((index, sentence, values))
    best = None
    for shape, members in groups.items():
        if len(members) >= MIN_REPEATS and len({values for _, _, values in members}) >= 2:
            if best is None or len(members) > best.count:
                best = Template(shape, len(members), members[0][0], members[0][1])
    return best
