"""Labelled pages for the page scorer, and their pieces of evidence.

`load_farm()` reads the label files of `data/farm` (`LABEL_FILES`): `labels.jsonl` (pages in
`data/farm/pages/`), `extra-labels.jsonl` (WCXB pages, named by their `source` path inside
`data/`) and `aeb-labels.jsonl` (AEB pages, `data/aeb/html/`). Every page is extracted with the given block model and its
evidence found by the scorer's detectors (`classifier.scoring.signals.find_evidence`).

`semi_synthetic()` makes training-only positives: a real notice (from the pattern table's
examples and the shared agency-feed example) or a real chatbot string placed into a real
negative page, after or inside its main content. They teach the scorer what one such sentence
is worth; they never enter an evaluation fold.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from classifier import extract
from classifier.extraction.dom import RawBlock
from classifier.extraction.walk import RawBlock as WalkerBlock
from classifier.hosts import registered_domain
from classifier.scoring.evidence import Evidence, page_row
from classifier.scoring.patterns import provenance_rows
from classifier.scoring.score import page_evidence
from classifier.scoring.scorer import PageScorer, ScorerModel
from classifier.scoring.signals import PageEvidence, find_evidence

ROOT = Path(__file__).resolve().parent.parent
FARM = ROOT / "data" / "farm"
LABEL_FILES = ("labels.jsonl", "extra-labels.jsonl", "aeb-labels.jsonl")
# The notice of the page that started the project (shared/examples/agency-feed-page.txt).
EXAMPLE_NOTICE = (
    "Disclaimer: This post has been auto-published from an agency feed without any "
    "modifications to the text and has not been reviewed by an editor"
)


@dataclass(frozen=True)
class FarmPage:
    """A labelled page with its extraction and its pieces of evidence."""

    page_id: str
    label: int
    url: str
    site: str
    kinds: tuple[str, ...]  # evidence kinds from the label file
    hard_negative: bool
    items: list[Evidence]
    blocks: list[RawBlock] = field(repr=False)
    is_content: list[bool] = field(repr=False)
    meta: dict = field(repr=False, default_factory=dict)
    canonical: str = ""
    json_ld: list = field(repr=False, default_factory=list)
    title: str = ""
    borderline: bool = False
    forms: tuple[tuple[str, str], ...] = ()  # (kind, text) of the evidence the label quotes
    synthetic: str = ""  # "" for real pages, else what was inserted

    @property
    def row(self) -> list[float]:
        return page_row(self.items)


def reading_scorer() -> PageScorer:
    """A scorer that only reads evidence (no weights): finding evidence needs no scorer file."""
    return PageScorer(ScorerModel(weights={}, intercept=0.0, threshold=0.5), read_all=True)


def _page_html(record: dict) -> bytes:
    local = FARM / "pages" / f"{record['id']}.html.gz"
    if local.exists():
        return gzip.open(local).read()
    source = record.get("source", "")
    relative = source.split(": ", 1)[-1].strip()
    path = ROOT / relative  # AEB pages: data/aeb/html/
    if not path.exists():
        raise FileNotFoundError(f"page of {record['id']} not found: {relative}")
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


def records(folder: Path = FARM) -> list[dict[str, Any]]:
    """The label records of the folder's label files, in file order."""
    found: list[dict[str, Any]] = []
    for name in LABEL_FILES:
        path = folder / name
        if path.exists():
            found.extend(json.loads(line) for line in path.open(encoding="utf-8") if line.strip())
    return found


def analyse_farm_page(record: dict, *, model: Any = None, scorer: PageScorer | None = None) -> FarmPage:
    url = record.get("url") or None
    document = extract(_page_html(record), url, model=model)
    analysis = document.analysis
    assert analysis is not None  # extract() always keeps it
    note = record.get("note") or ""
    return FarmPage(
        page_id=record["id"],
        label=int(record["label"] == "positive"),
        url=url or "",
        site=registered_domain(url) or record.get("site") or record["id"],
        kinds=tuple(record.get("signals") or ()),
        hard_negative=note.startswith("hard negative"),
        items=page_evidence(document, scorer or reading_scorer()),
        blocks=analysis.blocks,
        is_content=[block.is_content for block in document.blocks],
        meta=analysis.page.meta,
        canonical=analysis.metadata.canonical_url or "",
        json_ld=analysis.json_ld,
        title=analysis.page.title or "",
        borderline=note.startswith("borderline"),
        forms=tuple((str(f.get("kind", "")), str(f.get("text", ""))) for f in record.get("forms") or ()),
    )


def load_farm(folder: Path = FARM, *, model: Any = None, scorer: PageScorer | None = None) -> list[FarmPage]:
    """Every labelled page of the folder, analysed (in file order)."""
    scorer = scorer or reading_scorer()
    return [analyse_farm_page(record, model=model, scorer=scorer) for record in records(folder)]


def reevidence(page: FarmPage, blocks: list[RawBlock], is_content: list[bool], *, scorer: PageScorer) -> list[Evidence]:
    """The evidence of a page whose blocks were changed."""
    evidence = PageEvidence(blocks, is_content, page.meta, page.canonical, page.json_ld, page.url or None, page.title)
    return find_evidence(evidence, scorer.patterns, scorer.grammar, skip=scorer.skip)


def _synthetic(page: FarmPage, blocks: list[RawBlock], is_content: list[bool], what: str, scorer: PageScorer) -> FarmPage:
    return replace(
        page,
        page_id=f"{page.page_id}+{what}",
        label=1,
        kinds=(what,),
        hard_negative=False,
        items=reevidence(page, blocks, is_content, scorer=scorer),
        blocks=blocks,
        is_content=is_content,
        synthetic=what,
    )


def make_block(text: str, at: int, template: RawBlock | None, *, tag: str = "p", flags: int | None = None) -> RawBlock:
    """A walker block holding `text`, placed like `template` (its path and flags)."""
    return WalkerBlock(
        index=at, text=text, tag=tag, path=template.path if template else "html>body>p",
        path_key=template.path_key if template else "html>body>p", depth=template.depth if template else 2,
        link_chars=0, n_links=0, flags=(template.flags if template else 0) if flags is None else flags,
        keywords_all=template.keywords_all if template else 0, keywords_near=0,
        own_element=-1, parent_element=template.parent_element if template else -1,
        grandparent_element=template.grandparent_element if template else -1, row=-1,
    )  # fmt: skip


def insert_blocks(page: FarmPage, at: int, new: list[RawBlock], *, as_content: bool) -> tuple[list[RawBlock], list[bool]]:
    """The page's blocks with `new` inserted at `at`."""
    blocks = page.blocks[:at] + new + page.blocks[at:]
    is_content = page.is_content[:at] + [as_content] * len(new) + page.is_content[at:]
    return blocks, is_content


def _insert_after_content(page: FarmPage, text: str, *, as_content: bool) -> tuple[list[RawBlock], list[bool]]:
    content = [i for i, keep in enumerate(page.is_content) if keep]
    at = (content[-1] + 1) if content else len(page.blocks)
    template = page.blocks[at - 1] if at else None
    return insert_blocks(page, at, [make_block(text, at, template)], as_content=as_content)


def semi_synthetic(pages: list[FarmPage], *, seed: int = 0, per_kind: int = 30) -> list[FarmPage]:
    """Training-only positives: real notices / chatbot strings placed into real negatives."""
    rng = random.Random(seed)
    scorer = reading_scorer()
    notices: list[str] = [EXAMPLE_NOTICE]
    machine: list[str] = []
    for row in provenance_rows():
        if row["code"] in ("disclaimer", "machine_text"):
            example = row["example"].replace("\\n", "\n").replace("\\\\", "\\")
            (notices if row["code"] == "disclaimer" else machine).append(example)
    # Pages with no evidence of their own: a synthetic positive must owe its label to what was put in.
    templates = [
        p
        for p in pages
        if p.label == 0 and not p.hard_negative and not p.borderline and any(p.is_content) and all(item.counter for item in p.items)
    ]
    out: list[FarmPage] = []
    for template in rng.sample(templates, min(per_kind, len(templates))):
        blocks, is_content = _insert_after_content(template, rng.choice(notices), as_content=rng.random() < 0.5)
        out.append(_synthetic(template, blocks, is_content, "disclaimer", scorer))
    for template in rng.sample(templates, min(per_kind // 2, len(templates))):
        blocks, is_content = _insert_after_content(template, rng.choice(machine), as_content=True)
        out.append(_synthetic(template, blocks, is_content, "machine_text", scorer))
    return out
