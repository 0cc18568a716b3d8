"""Which blocks of a page a gold main text calls content (the "seq50" alignment).

The page's block tokens, in document order, are aligned to the gold token sequence with
`difflib.SequenceMatcher` (autojunk off, on integer token ids); a block is content when more
than half of its tokens fall inside matched spans. Matching in order, rather than consuming gold
words block by block, keeps navigation items from using up gold words such as "home" or "blog".
Training labels (`training.labels`) and the explain view's `--gold` marks both use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

import numpy as np

CONTENT_FRACTION = 0.5
_TOKEN = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    """WCXB's tokens: lower-cased runs of word characters."""
    return _TOKEN.findall(text.lower()) if text else []


def align_labels(block_texts: Sequence[str], gold_text: str) -> tuple[np.ndarray, np.ndarray]:
    """(labels, token counts) per block: label 1 where over half the tokens match the gold."""
    counts = np.zeros(len(block_texts), dtype=np.int64)
    labels = np.zeros(len(block_texts), dtype=np.int8)
    vocabulary: dict[str, int] = {}
    gold_ids = [vocabulary.setdefault(token, len(vocabulary)) for token in tokens(gold_text)]
    page_ids: list[int] = []
    owner: list[int] = []
    for i, text in enumerate(block_texts):
        block_tokens = tokens(text)
        counts[i] = len(block_tokens)
        page_ids.extend(vocabulary.setdefault(token, len(vocabulary)) for token in block_tokens)
        owner.extend([i] * len(block_tokens))
    if not gold_ids or not page_ids:
        return labels, counts
    matched = np.zeros(len(block_texts), dtype=np.int64)
    owner_array = np.asarray(owner)
    for start, _, size in SequenceMatcher(None, page_ids, gold_ids, autojunk=False).get_matching_blocks():
        if size:
            np.add.at(matched, owner_array[start : start + size], 1)
    labels[(counts > 0) & (matched > CONTENT_FRACTION * counts)] = 1
    return labels, counts
