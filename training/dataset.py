"""Training data: labelled pages -> one block matrix with labels, weights and site groups.

Each page is analysed exactly as `classifier.extract` does at run time (same decode, walker and
features), its blocks are labelled by aligning the gold text (`training.labels`), and every
block gets a weight: its share of the page's tokens, so each page weighs the same in training,
as in the macro-averaged metric, with a floor so short blocks still count. Pages are grouped by
registered domain for `GroupKFold`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed

from classifier.extraction.dom import RawBlock
from classifier.extraction.extract import analyse
from classifier.extraction.layout import assemble

from .corpus import ROLES, LabelledPage, registered_domain
from .estimator import attach_keys
from .labels import align_labels
from .metrics import word_f1

MIN_BLOCK_WEIGHT = 0.002


@dataclass(frozen=True)
class PageData:
    """One analysed, labelled page."""

    page_id: str
    page_type: str
    domain: str
    gold: str
    blocks: list[RawBlock]
    features: np.ndarray
    labels: np.ndarray
    token_counts: np.ndarray
    paths: np.ndarray  # each block's DOM path id (`classifier.extraction.dom.BlockColumns.path_ids`), for the cut
    corpus: str = "unknown"
    roles: np.ndarray | None = None  # each block's role number (`training.corpus.ROLES`), where labelled


@dataclass(frozen=True)
class Dataset:
    """All blocks of a corpus, stacked page after page; `page_index` maps every row to its page."""

    pages: list[PageData]
    X: np.ndarray  # the features and the page and path keys (`training.estimator.attach_keys`)
    y: np.ndarray
    weights: np.ndarray
    groups: np.ndarray  # registered domain index per row
    page_index: np.ndarray
    data_hash: str

    def rows_of(self, page_numbers: np.ndarray) -> np.ndarray:
        return np.flatnonzero(np.isin(self.page_index, page_numbers))

    def page_rows(self) -> list[slice]:
        """The rows of each page, in page order (a page's rows are contiguous)."""
        ends = np.cumsum([len(page.blocks) for page in self.pages])
        return [slice(int(end) - len(page.blocks), int(end)) for page, end in zip(self.pages, ends)]

    @property
    def page_groups(self) -> np.ndarray:
        lookup: dict[str, int] = {}
        return np.asarray([lookup.setdefault(page.domain, len(lookup)) for page in self.pages])


def analyse_page(page: LabelledPage) -> PageData:
    """Analyse a page and label its blocks: from its gold text (aligned), or from the roles it
    was labelled with block by block (`body` is content; the gold text is then those blocks)."""
    analysis = analyse(page.html, page.url)
    texts = [block.text for block in analysis.blocks]
    roles = None
    gold = page.main_text
    if page.roles is not None:
        digest = hashlib.sha1("\n".join(texts).encode()).hexdigest()
        if digest != page.digest or len(page.roles) != len(texts):
            raise ValueError(f"{page.page_id}: the walker cuts this page otherwise than its labels: relabel it")
        roles = np.array([ROLES.index(role) for role in page.roles], dtype=np.int8)
        gold = assemble(analysis.blocks, roles == ROLES.index("body"))
    labels, counts = align_labels(texts, gold)
    if roles is not None:
        labels = (roles == ROLES.index("body")).astype(np.int8)
    return PageData(
        page_id=page.page_id,
        page_type=page.page_type,
        domain=registered_domain(page.url or page.domain or page.page_id) or page.domain,
        gold=gold,
        blocks=analysis.blocks,
        features=analysis.features,
        labels=labels,
        token_counts=counts,
        paths=analysis.paths,
        corpus=page.corpus,
        roles=roles,
    )


def block_weights(token_counts: np.ndarray) -> np.ndarray:
    """Each page sums to one: blocks weigh by their share of the page's tokens, floored."""
    total = max(int(token_counts.sum()), 1)
    weights = np.maximum(token_counts / total, MIN_BLOCK_WEIGHT)
    return weights / weights.sum() if len(weights) else weights


def corpus_hash(pages: Iterable[LabelledPage]) -> str:
    digest = hashlib.sha256()
    for page in pages:
        digest.update(page.page_id.encode())
        digest.update(hashlib.sha256(page.html).digest())
        digest.update(page.main_text.encode())
        if page.roles is not None:
            digest.update(",".join(page.roles).encode())
    return digest.hexdigest()


def build_dataset(pages: list[LabelledPage], *, n_jobs: int = -1, corpus_weights: Mapping[str, float] | None = None) -> Dataset:
    """Analyse and label every page (in parallel), then stack the blocks. Each page weighs 1
    in training, times its corpus's weight in `corpus_weights` (1 for a corpus not named)."""
    corpus_weights = corpus_weights or {}
    analysed = Parallel(n_jobs=n_jobs, batch_size=16)(delayed(analyse_page)(p) for p in pages)
    domains: dict[str, int] = {}
    matrices, labels, weights, groups, page_index = [], [], [], [], []
    for number, page in enumerate(analysed):
        n = len(page.blocks)
        matrices.append(attach_keys(page.features, page.blocks, page_key=number))
        labels.append(page.labels)
        weights.append(block_weights(page.token_counts) * corpus_weights.get(page.corpus, 1.0))
        groups.append(np.full(n, domains.setdefault(page.domain, len(domains))))
        page_index.append(np.full(n, number))
    return Dataset(
        pages=analysed,
        X=np.vstack(matrices) if matrices else np.zeros((0, 0), dtype=np.float32),
        y=np.concatenate(labels) if labels else np.zeros(0, dtype=np.int8),
        weights=np.concatenate(weights) if weights else np.zeros(0),
        groups=np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64),
        page_index=np.concatenate(page_index) if page_index else np.zeros(0, dtype=np.int64),
        data_hash=corpus_hash(pages),
    )


def oracle_scores(dataset: Dataset) -> list[float]:
    """Per page, the WCXB F1 of the blocks the labels select (the model's ceiling)."""
    return [
        word_f1(assemble(page.blocks, page.labels.astype(bool)), page.gold).f1
        for page in dataset.pages
    ]
