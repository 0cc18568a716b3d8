"""Labelled pages for the page scorer, and their signal rows.

`load_farm()` reads `data/farm/labels.jsonl` (pages in `data/farm/pages/`) and
`data/farm/extra-labels.jsonl` (pages named by their `source` path inside `data/`). Every page
is extracted with the shipped block model and turned into the scorer's feature row
(`classifier.scoring.signals.signal_vector`).

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
from classifier.scoring.patterns import provenance_rows
from classifier.scoring.score import page_signals, scorer_for
from classifier.scoring.scorer import PageScorer
from classifier.scoring.signals import PageEvidence, Signal, find_signals, signal_vector

ROOT = Path(__file__).resolve().parent.parent
FARM = ROOT / "data" / "farm"
# The notice of the page that started the project (shared/examples/agency-feed-page.txt).
EXAMPLE_NOTICE = (
    "Disclaimer: This post has been auto-published from an agency feed without any "
    "modifications to the text and has not been reviewed by an editor"
)


@dataclass(frozen=True)
class FarmPage:
    """A labelled page with its extraction and signals."""

    page_id: str
    label: int
    url: str
    site: str
    kinds: tuple[str, ...]  # evidence kinds from the label file
    hard_negative: bool
    row: list[float]
    signals: list[Signal]
    blocks: list[RawBlock] = field(repr=False)
    is_content: list[bool] = field(repr=False)
    meta: dict = field(repr=False, default_factory=dict)
    canonical: str = ""
    json_ld: list = field(repr=False, default_factory=list)
    synthetic: str = ""  # "" for real pages, else what was inserted


def _page_html(record: dict) -> bytes:
    local = FARM / "pages" / f"{record['id']}.html.gz"
    if local.exists():
        return gzip.open(local).read()
    source = record.get("source", "")
    relative = source.split(": ", 1)[-1].strip()
    path = ROOT / relative
    if not path.exists():
        raise FileNotFoundError(f"page of {record['id']} not found: {relative}")
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


def _records(folder: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for name in ("labels.jsonl", "extra-labels.jsonl"):
        path = folder / name
        if path.exists():
            records.extend(json.loads(line) for line in path.open(encoding="utf-8") if line.strip())
    return records


def analyse_farm_page(record: dict, *, model=None, scorer: PageScorer | None = None) -> FarmPage:
    url = record.get("url") or None
    document = extract(_page_html(record), url, model=model)
    signals, share = page_signals(document, scorer or scorer_for())
    analysis = document.analysis
    assert analysis is not None  # extract() always keeps it
    return FarmPage(
        page_id=record["id"],
        label=int(record["label"] == "positive"),
        url=url or "",
        site=registered_domain(url) or record.get("site") or record["id"],
        kinds=tuple(record.get("signals") or ()),
        hard_negative=bool(record.get("note") and record["note"].startswith("hard negative")),
        row=signal_vector(signals, content_share=share),
        signals=signals,
        blocks=analysis.blocks,
        is_content=[block.is_content for block in document.blocks],
        meta=analysis.page.meta,
        canonical=analysis.metadata.canonical_url or "",
        json_ld=analysis.json_ld,
    )


def load_farm(folder: Path = FARM, *, model=None) -> list[FarmPage]:
    """Every labelled page of the folder, analysed (in file order)."""
    scorer = scorer_for()
    return [analyse_farm_page(record, model=model, scorer=scorer) for record in _records(folder)]


def _resignal(page: FarmPage, blocks: list[RawBlock], is_content: list[bool], what: str) -> FarmPage:
    evidence = PageEvidence(blocks, is_content, page.meta, page.canonical, page.json_ld, page.url or None)
    signals = find_signals(evidence, scorer_for().patterns)
    total = sum(len(b.text) for b in blocks) or 1
    share = sum(len(b.text) for b, keep in zip(blocks, is_content) if keep) / total
    return replace(
        page,
        page_id=f"{page.page_id}+{what}",
        label=1,
        kinds=(what,),
        hard_negative=False,
        row=signal_vector(signals, content_share=share),
        signals=signals,
        blocks=blocks,
        is_content=is_content,
        synthetic=what,
    )


def _insert_after_content(page: FarmPage, text: str, *, as_content: bool) -> tuple[list[RawBlock], list[bool]]:
    content = [i for i, keep in enumerate(page.is_content) if keep]
    at = (content[-1] + 1) if content else len(page.blocks)
    template = page.blocks[at - 1] if at else None
    block = WalkerBlock(
        index=at, text=text, tag="p", path=template.path if template else "html>body>p",
        path_key=template.path_key if template else "html>body>p", depth=template.depth if template else 2,
        link_chars=0, n_links=0, flags=template.flags if template else 0,
        keywords_all=template.keywords_all if template else 0, keywords_near=0,
        own_element=-1, parent_element=template.parent_element if template else -1,
        grandparent_element=template.grandparent_element if template else -1, row=-1,
    )  # fmt: skip
    blocks = page.blocks[:at] + [block] + page.blocks[at:]
    is_content = page.is_content[:at] + [as_content] + page.is_content[at:]
    return blocks, is_content


def without_disclaimers(page: FarmPage) -> FarmPage:
    """The page with every block that holds a disclaimer sentence removed (and re-signalled)."""
    patterns = [phrase.pattern for phrase in scorer_for().patterns.phrases("disclaimer")]
    keep = [not any(p.search(b.text) for p in patterns) for b in page.blocks]
    blocks = [b for b, k in zip(page.blocks, keep) if k]
    is_content = [c for c, k in zip(page.is_content, keep) if k]
    stripped = _resignal(page, blocks, is_content, "disclaimer_removed")
    return replace(stripped, page_id=page.page_id, label=page.label, kinds=page.kinds, synthetic="")


def semi_synthetic(pages: list[FarmPage], *, seed: int = 0, per_kind: int = 30) -> list[FarmPage]:
    """Training-only positives: real notices / chatbot strings placed into real negatives."""
    rng = random.Random(seed)
    notices: list[str] = [EXAMPLE_NOTICE]
    machine: list[str] = []
    for row in provenance_rows():
        if row["code"] in ("disclaimer", "machine_text"):
            example = row["example"].replace("\\n", "\n").replace("\\\\", "\\")
            (notices if row["code"] == "disclaimer" else machine).append(example)
    templates = [p for p in pages if p.label == 0 and not p.hard_negative and p.is_content and any(p.is_content)]
    out: list[FarmPage] = []
    for template in rng.sample(templates, min(per_kind, len(templates))):
        blocks, is_content = _insert_after_content(template, rng.choice(notices), as_content=rng.random() < 0.5)
        out.append(_resignal(template, blocks, is_content, "disclaimer"))
    for template in rng.sample(templates, min(per_kind // 2, len(templates))):
        blocks, is_content = _insert_after_content(template, rng.choice(machine), as_content=True)
        out.append(_resignal(template, blocks, is_content, "machine_text"))
    return out
