"""Block labels from gold text: which blocks of a page are its main content.

Alignment ("seq50", see docs/block-oracle.md in the shared docs): the page's block tokens, in
document order, are aligned to the gold token sequence with `difflib.SequenceMatcher`
(autojunk off, on integer token ids); a block is content when more than half of its tokens fall
inside matched spans. Matching in order, rather than consuming gold words block by block, keeps
navigation items from using up gold words such as "home" or "blog".

The oracle is the WCXB score of the blocks these labels select: what a perfect block classifier
would reach with this walker, the ceiling of the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

import numpy as np

from .metrics import wcxb_tokens

CONTENT_FRACTION = 0.5


def align_labels(block_texts: Sequence[str], gold_text: str) -> tuple[np.ndarray, np.ndarray]:
    """(labels, token counts) per block: label 1 where over half the tokens match the gold."""
    counts = np.zeros(len(block_texts), dtype=np.int64)
    labels = np.zeros(len(block_texts), dtype=np.int8)
    gold = wcxb_tokens(gold_text)
    vocabulary: dict[str, int] = {}
    gold_ids = [vocabulary.setdefault(token, len(vocabulary)) for token in gold]
    page_ids: list[int] = []
    owner: list[int] = []
    for i, text in enumerate(block_texts):
        tokens = wcxb_tokens(text)
        counts[i] = len(tokens)
        page_ids.extend(vocabulary.setdefault(token, len(vocabulary)) for token in tokens)
        owner.extend([i] * len(tokens))
    if not gold_ids or not page_ids:
        return labels, counts
    matched = np.zeros(len(block_texts), dtype=np.int64)
    matcher = SequenceMatcher(None, page_ids, gold_ids, autojunk=False)
    owner_array = np.asarray(owner)
    for start, _, size in matcher.get_matching_blocks():
        if size:
            np.add.at(matched, owner_array[start : start + size], 1)
    labels[(counts > 0) & (matched > CONTENT_FRACTION * counts)] = 1
    return labels, counts
