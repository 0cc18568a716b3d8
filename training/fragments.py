"""Fragment pages for training: each labelled page's main content alone, as a short HTML fragment.

Users also give `clean()` pages that are nothing but content: an RSS item's HTML, a
sanitiser's output, a snippet of one or two paragraphs. WCXB has almost none, and a model
trained on its pages alone drops a lone paragraph more often than it keeps it (on WCXB's pages
cut to their first content block, cross-validated: F1 0.21, 79% of them returned empty).

`build_fragments` turns every training page into one fragment page made of the blocks its gold
text selects, in their order and with their tags (headings, list items, code, quotes; the rest
as paragraphs): one page in three whole, one cut to its first two blocks, one to its first
block; every other one bare, the rest inside a minimal `<html><body><article>`. All of a
fragment's blocks are content. Fragments train beside the pages, never instead of them, each
weighing `FRAGMENT_WEIGHT` of a page; cross-validation gives each fold the fragments of its
training pages only, and scores the pages themselves.
"""

from __future__ import annotations

import html as html_escaping
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.extraction.dom import HEADING_TAGS, RawBlock

from .corpus import LabelledPage
from .dataset import Dataset, build_dataset
from .estimator import N_FEATURES

FRAGMENT_WEIGHT = 0.1
_KEPT_TAGS = HEADING_TAGS | {"pre", "blockquote"}


def fragment_html(blocks: Sequence[RawBlock], bare: bool) -> str:
    """The blocks as HTML: headings, code and quotes with their own tags, runs of list items
    as one list, the rest as paragraphs; `bare` leaves out `<html>`, `<head>` and `<body>`."""
    parts: list[str] = []
    in_list = False
    for block in blocks:
        text = html_escaping.escape(block.text)
        if block.tag == "li":
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{text}</li>")
            continue
        if in_list:
            parts.append("</ul>")
            in_list = False
        tag = block.tag if block.tag in _KEPT_TAGS else "p"
        parts.append(f"<{tag}>{text}</{tag}>")
    if in_list:
        parts.append("</ul>")
    body = "\n".join(parts)
    if bare:
        return body
    title = html_escaping.escape(blocks[0].text[:80]) if blocks else ""
    return f"<!doctype html><html><head><title>{title}</title></head><body><article>{body}</article></body></html>"


@dataclass(frozen=True)
class Fragments:
    """Fragment pages analysed like any page, with the page each was made from."""

    dataset: Dataset  # page keys moved past the source dataset's, so no page key is shared
    origin: np.ndarray  # per fragment page: the number of its page in the source dataset
    weight: float

    def rows_of(self, page_numbers: np.ndarray) -> np.ndarray:
        """The rows of the fragments made from the source pages `page_numbers`."""
        return self.dataset.rows_of(np.flatnonzero(np.isin(self.origin, page_numbers)))

    def with_pages(
        self, dataset: Dataset, rows: np.ndarray, page_numbers: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Training input: the source `rows` of pages `page_numbers`, then their fragments'
        rows (X, y, sample weights, site groups)."""
        extra = self.rows_of(page_numbers)
        fragments = self.dataset
        return (
            np.vstack([dataset.X[rows], fragments.X[extra]]),
            np.concatenate([dataset.y[rows], fragments.y[extra]]),
            np.concatenate([dataset.weights[rows], self.weight * fragments.weights[extra]]),
            np.concatenate([dataset.groups[rows], fragments.groups[extra]]),
        )


def training_input(
    dataset: Dataset, rows: np.ndarray, page_numbers: np.ndarray, fragments: Fragments | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X, y, sample weights and site groups to fit on: `dataset`'s `rows` (those of pages
    `page_numbers`), followed by their fragments' rows when there are `fragments`."""
    if fragments is None:
        return dataset.X[rows], dataset.y[rows], dataset.weights[rows], dataset.groups[rows]
    return fragments.with_pages(dataset, rows, page_numbers)


def fragment_pages(pages: Sequence[LabelledPage], dataset: Dataset) -> tuple[list[LabelledPage], list[int]]:
    """One fragment page per page with content (`dataset` holds `pages`, analysed), and the
    number of the page each comes from."""
    made: list[LabelledPage] = []
    origin: list[int] = []
    for number, (page, data) in enumerate(zip(pages, dataset.pages)):
        content = [block for block, label in zip(data.blocks, data.labels) if label]
        if not content:
            continue
        content = content[: (None, 2, 1)[number % 3]]
        made.append(
            LabelledPage(
                page_id=f"{page.page_id}~fragment",
                url=page.url,
                domain=page.domain,
                page_type=page.page_type,
                html=fragment_html(content, bare=number % 2 == 0).encode("utf-8"),
                main_text="\n\n".join(block.text for block in content),
            )
        )
        origin.append(number)
    return made, origin


def build_fragments(
    pages: Sequence[LabelledPage], dataset: Dataset, *, weight: float = FRAGMENT_WEIGHT, n_jobs: int = -1
) -> Fragments:
    """The fragments of `pages` (analysed in `dataset`), analysed and labelled."""
    made, origin_list = fragment_pages(pages, dataset)
    origin = np.asarray(origin_list, dtype=np.int64)
    built = build_dataset(made, n_jobs=n_jobs)
    X = built.X.copy() if len(built.y) else np.zeros((0, dataset.X.shape[1]), dtype=np.float32)
    X[:, N_FEATURES] += len(dataset.pages)  # the page key column
    groups = dataset.page_groups[origin][built.page_index] if len(origin) else built.groups
    return Fragments(
        dataset=Dataset(
            pages=built.pages,
            X=X,
            y=np.ones_like(built.y),  # every block's text is gold text, by construction
            weights=built.weights,
            groups=groups,
            page_index=built.page_index,
            data_hash=built.data_hash,
        ),
        origin=origin,
        weight=weight,
    )
