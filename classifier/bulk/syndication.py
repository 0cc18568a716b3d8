"""Near-identical main text across the registered domains of one crawl.

`text_signature()` turns a page's main text into a MinHash signature (datasketch, fixed seed, so
the same text always gives the same signature in any process); `SyndicationIndex` collects the
signatures of a whole run in a MinHashLSH and then answers, for each page, how many distinct
registered domains (tldextract, with the bundled public suffix list: no network) carry
near-identical text. The bulk engine feeds that count to the page scorer as ``dup_domains``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..hosts import registered_domain

#: MinHash permutations (signature length) and seed: fixed so that signatures are comparable
#: across processes, machines and runs.
NUM_PERM = 128
SEED = 1
#: Jaccard similarity of shingle sets above which two texts count as the same text.
LSH_THRESHOLD = 0.8
#: Words per shingle; texts with fewer words than `MIN_WORDS` get no signature (too short to
#: tell syndication from a shared boilerplate sentence).
SHINGLE_WORDS = 5
MIN_WORDS = 50
#: datasketch >= 2 names its hashing scheme; pinned so signatures compare across versions.
SCHEME = "affine32"

_WORD = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, size: int) -> list[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < 2 * size and len(text) > 4 * max(1, len(words)):
        # scripts without spaces (CJK): character shingles instead of word shingles
        chars = re.sub(r"\s+", "", text)
        return [chars[i : i + size].encode("utf-8") for i in range(max(1, len(chars) - size + 1))]
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(max(1, len(words) - size + 1))]


def text_signature(
    text: str,
    *,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
    shingle_words: int = SHINGLE_WORDS,
    min_words: int = MIN_WORDS,
) -> str | None:
    """MinHash signature of `text` as base64 (uint32 hash values), or None if too short."""
    words = _WORD.findall(text)
    cjk_like = len(text) > 4 * max(1, len(words))
    if len(words) < min_words and not (cjk_like and len(text) >= min_words * 4):
        return None
    minhash = _new_minhash(num_perm=num_perm, seed=seed)
    minhash.update_batch(_shingles(text, shingle_words))
    return base64.b64encode(np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()).decode("ascii")


def _new_minhash(**kwargs: Any) -> Any:
    from datasketch import MinHash

    try:
        return MinHash(scheme=SCHEME, **kwargs)
    except TypeError:  # datasketch < 2 has one scheme and no such argument
        return MinHash(**kwargs)


def _minhash(signature: str, *, num_perm: int, seed: int) -> Any:
    values = np.frombuffer(base64.b64decode(signature), dtype=np.uint32)
    return _new_minhash(num_perm=num_perm, seed=seed, hashvalues=values)


@dataclass
class SyndicationIndex:
    """Signatures of one run and the registered domain of each, keyed by row number.

    Use `add()` for every row that has a signature, then `same_text()` for each of them. A
    page with no URL (a file of a folder) is a source of its own whose domain is unknown: it
    counts as one source for itself, and never as a domain for the others.
    """

    num_perm: int = NUM_PERM
    seed: int = SEED
    threshold: float = LSH_THRESHOLD
    domains: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)

    def add(self, key: int, signature: str, host: str | None) -> None:
        self.domains[key] = registered_domain(host)  # "" when the page has no URL
        self._lsh.insert(key, _minhash(signature, num_perm=self.num_perm, seed=self.seed))

    def same_text(self, key: int, signature: str) -> tuple[int, list[str]]:
        """How many sources carry text near-identical to this row's (distinct registered
        domains, this row's own included; a row without a URL counts as one source of its
        own), and those domains, sorted."""
        found = self._lsh.query(_minhash(signature, num_perm=self.num_perm, seed=self.seed))
        domains = {self.domains[k] for k in found if self.domains.get(k)}
        own = self.domains.get(key, "")
        if own:
            domains.add(own)
        return len(domains) + (0 if own else 1), sorted(domains)
