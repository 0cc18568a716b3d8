"""The explain view: one self-contained HTML file that shows why each block was kept or dropped.

`render_explanation(document, page_score)` turns an extracted `Document` (and its `PageScore`,
or None when the page scorer is unavailable) into one HTML file with its CSS and JS inline
(`view.css`, `view.js`, package files beside this module), no network: the header (title, URL,
threshold, counts, page score, flag and reasons), a legend, and every block in reading order,
tinted by its content probability, kept or dropped at a glance, with its tag, path and
features (a `<details>` element: works without JS).

Everything taken from the page (texts, title, URL, paths, evidence) is escaped: the page's own
HTML is never injected. On load, the view's script writes a JSON summary of what is rendered
(counts, computed styles of kept and dropped blocks, reasons and marks) into
``<script type="application/json" id="view-summary">``, which the browser test reads back.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise

import numpy as np

from ..extraction.document import Block, Document
from ..extraction.features import STAGE_ONE_NAMES
from ..extraction.model import LoadedModel
from ..scoring.page_score import PageScore, Reason
from .evidence import METADATA_CODES, Span, anchor_block, gold_verdicts, locate_evidence
from .why import strongest

# Kept blocks: green tint growing with the probability; the colours are also in view.css.
_TINT_RGB = (46, 160, 67)


def _asset(name: str) -> str:
    """A file of the view (view.css, view.js), from the package."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _number(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4g}"


def _tint(probability: float) -> str:
    alpha = 0.03 + 0.34 * min(max(probability, 0.0), 1.0)
    r, g, b = _TINT_RGB
    return f"rgba({r},{g},{b},{alpha:.3f})"


def _marked_text(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """The escaped text with each (start, end, code) span wrapped in a <mark>; overlapping
    spans are cut at their boundaries so marks never nest (data-reason lists every code)."""
    if not spans:
        return _e(text)
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[str] = []
    for low, high in pairwise(cuts):
        piece = _e(text[low:high])
        codes = sorted({code for s, e, code in spans if s <= low and high <= e})
        if codes:
            out.append(f'<mark data-reason="{_e(" ".join(codes))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _short_path(path: str, limit: int = 72) -> str:
    """The end of a long DOM path (its most specific part); the full path is the tooltip."""
    return path if len(path) <= limit else "…" + path[-(limit - 1) :]


def _feature_list(names: Sequence[str], values: Sequence[float]) -> str:
    items = "".join(f"<li>{_e(n)}<b>{_number(float(v))}</b></li>" for n, v in zip(names, values))
    return f'<ul class="f">{items}</ul>'


@dataclass
class _Counts:
    """What the header counts: blocks, kept and dropped, characters, repeats, gold mistakes."""

    blocks: int = 0
    kept: int = 0
    dropped: int = 0
    chars: int = 0
    chars_kept: int = 0
    duplicates: int = 0
    wrong_kept: int = 0
    wrong_dropped: int = 0


def _facts(document: Document, counts: _Counts, gold: bool) -> str:
    share = counts.chars_kept / counts.chars if counts.chars else 0.0
    facts = [
        f"block threshold <b>{document.threshold:.3f}</b>",
        f"blocks <b>{counts.blocks}</b>",
        f"kept <b>{counts.kept}</b>",
        f"dropped <b>{counts.dropped}</b>",
        f"chars kept <b>{counts.chars_kept:,}</b> of {counts.chars:,} ({share:.0%})",
    ]
    if counts.duplicates:
        facts.append(f"dropped as repeats <b>{counts.duplicates}</b>")
    if gold:
        facts.append(f"wrongly kept <b>{counts.wrong_kept}</b>")
        facts.append(f"wrongly dropped <b>{counts.wrong_dropped}</b>")
    return '<div class="facts">' + "".join(f"<span>{f}</span>" for f in facts) + "</div>"


def _reason_row(reason: Reason, spans: list[Span]) -> str:
    sign = "pos" if reason.weight > 0 else "neg" if reason.weight < 0 else ""
    anchor = anchor_block(spans)
    if anchor is not None:
        where = f'<a class="where" href="#block-{anchor}">block {anchor}</a>'
    elif reason.code in METADATA_CODES:
        where = '<span class="where-none">page metadata</span>'
    else:
        where = '<span class="where-none">not found in the blocks</span>'
    return (
        f'<tr class="reason" data-code="{_e(reason.code)}"><td class="w {sign}">'
        f"{reason.weight:+.3f}</td><td><code>{_e(reason.code)}</code></td>"
        f'<td class="ev">{_e(reason.evidence)}</td><td class="where-cell">{where}</td></tr>'
    )


def _page_score(page_score: PageScore | None, score_error: str | None, reason_rows: list[tuple[Reason, list[Span]]]) -> str:
    """The page score, its flag and the table of its reasons."""
    if page_score is None:
        why = score_error or "no page score was given"
        return f'<div id="page-score" class="unavailable">Page score unavailable: {_e(why)}</div>'
    flag = "flagged" if page_score.flagged else "not flagged"
    count = len(page_score.reasons)
    out = (
        f'<div id="page-score" class="{"flagged" if page_score.flagged else "clear"}">'
        f"Page score <b>{page_score.probability:.3f}</b>: <b>{flag}</b> as unreviewed "
        f"auto-published copy (page threshold {page_score.threshold:.3f}; "
        f"{count} reason{'s' if count != 1 else ''})</div>"
    )
    if reason_rows:
        out += (
            '<table class="reasons" id="reasons"><thead><tr><th>weight (log-odds)</th>'
            "<th>reason</th><th>evidence</th><th>where</th></tr></thead><tbody>"
            + "".join(_reason_row(reason, spans) for reason, spans in reason_rows)
            + "</tbody></table>"
        )
    return out


def _legend(document: Document, gold: bool) -> str:
    marker = min(max(document.threshold, 0.0), 1.0) * 100
    legend = [
        (
            '<span class="swatch block kept" style="margin:0;background:rgba(46,160,67,.33)">'
            '<span class="text">kept</span></span>'
        ),
        (
            '<span class="swatch block dropped" style="margin:0;background:rgba(46,160,67,.05)">'
            '<span class="text">dropped</span></span>'
        ),
        (
            f'<span>content probability 0 <span class="scale"><i style="left:{marker:.1f}%">'
            "</i></span> 1 (bar: block threshold)</span>"
        ),
        "<span><mark>evidence</mark> of a page-score reason</span>",
    ]
    if gold:
        legend.append('<span class="wrong-kept"><span class="gold">wrongly kept</span></span>')
        legend.append('<span class="wrong-dropped"><span class="gold">wrongly dropped</span></span>')
    return '<div class="legend">' + "".join(legend) + "</div>"


_TOOLS = (
    '<div id="tools" hidden><label><input type="checkbox" id="fold-dropped" checked> fold runs of '
    'dropped blocks</label><label><input type="checkbox" id="hide-dropped"> hide dropped '
    'blocks</label><label><input type="checkbox" id="open-features"> open all features'
    "</label></div>"
)


def _header(
    document: Document,
    page_score: PageScore | None,
    score_error: str | None,
    reason_rows: list[tuple[Reason, list[Span]]],
    counts: _Counts,
    gold: bool,
) -> str:
    url = document.metadata.url
    parts = [
        f"<h1>{_e(document.title or '(no title)')}</h1>",
        f'<div class="url mono">{_e(url) if url else "(no URL given)"}</div>',
        _facts(document, counts, gold),
        _page_score(page_score, score_error, reason_rows),
        _legend(document, gold),
        _TOOLS,
    ]
    return "<header>" + "".join(parts) + "</header>"


@dataclass
class _BlockView:
    """What every block's item needs: the cut, the features shown, the gold verdicts, the
    evidence marks, and each feature's share of each block's score."""

    threshold: float
    features: np.ndarray | None
    varying: np.ndarray | None  # feature columns that differ between the page's blocks
    verdicts: list[bool | None] | None
    marks: dict[int, list[tuple[int, int, str]]]
    contributions: np.ndarray | None = None  # blocks x features, log-odds (why.strongest)


def _role(block: Block) -> str:
    """The block's role badge ("" when the model has no role model)."""
    return f'<span class="role role-{_e(block.role)}" title="block role">{_e(block.role)}</span>' if block.role else ""


def _block_item(position: int, block: Block, view: _BlockView, counts: _Counts) -> str:
    """One block's list item (counting it into `counts`)."""
    classes = ["block", "kept" if block.is_content else "dropped"]
    badge = note = ""
    if not block.is_content and block.probability >= view.threshold:
        counts.duplicates += 1
        note = '<span class="note">dropped: repeats a kept block</span>'
    verdict = view.verdicts[position] if view.verdicts is not None else None
    if verdict is not None and block.is_content and not verdict:
        classes.append("wrong-kept")
        badge = '<span class="gold">wrongly kept</span>'
        counts.wrong_kept += 1
    elif verdict is not None and not block.is_content and verdict:
        classes.append("wrong-dropped")
        badge = '<span class="gold">wrongly dropped</span>'
        counts.wrong_dropped += 1
    probability = block.probability
    cut = min(max(view.threshold, 0.0), 1.0) * 100
    meta = (
        f'<span class="p">{probability:.2f}</span>'
        f'<span class="bar" title="{probability:.4f}"><i style="width:{probability * 100:.1f}%">'
        f'</i><s style="left:{cut:.1f}%"></s></span>'
        f'<span class="verdict">{"kept" if block.is_content else "dropped"}</span>'
        f"{_role(block)}<span>#{block.index}</span><code>&lt;{_e(block.tag)}&gt;</code>"
        f'<code class="path" title="{_e(block.path)}">{_e(_short_path(block.path))}</code>'
        f"{note}{badge}"
    )
    return (
        f'<li id="block-{position}" class="{" ".join(classes)}" data-index="{block.index}" '
        f'data-p="{probability:.4f}" style="background-color:{_tint(probability)}">'
        f'<div class="meta">{meta}</div>'
        f'<div class="text">{_marked_text(block.text, view.marks.get(position, []))}</div>'
        f"{_why(position, view)}{_block_features(position, view)}</li>"
    )


def _why(position: int, view: _BlockView) -> str:
    """The features that pushed this block's score most, each way, in words."""
    if view.contributions is None or view.features is None:
        return ""
    pushes = strongest(view.contributions[position], view.features[position], STAGE_ONE_NAMES)
    items = "".join(
        f'<li class="{"pos" if push.weight > 0 else "neg"}" title="{_e(push.name)} = {_number(push.value)}">'
        f"{push.weight:+.2f} {_e(push.words)}</li>"
        for push in pushes
    )
    return f'<ul class="why" title="log-odds toward content (+) or boilerplate (-)">{items}</ul>' if items else ""


def _block_features(position: int, view: _BlockView) -> str:
    if view.features is None or view.varying is None:
        return ""
    row = view.features[position]
    shown = view.varying & (row != 0)
    zeros = int(view.varying.sum() - shown.sum())
    names = np.asarray(STAGE_ONE_NAMES)
    return (
        f'<details class="features"><summary>features: {int(shown.sum())} non-zero '
        f"shown, {zeros} zero, {len(STAGE_ONE_NAMES) - int(view.varying.sum())} page-wide"
        "</summary>"
        + _feature_list(names[shown].tolist(), row[shown].tolist())
        + "</details>"
    )


def _page_wide_features(view: _BlockView) -> str:
    if view.features is None or view.varying is None:
        return ""
    constant = ~view.varying
    names = np.asarray(STAGE_ONE_NAMES)
    return (
        f'<details class="features page-wide"><summary>features that are the same on every '
        f"block of this page ({int(constant.sum())})</summary>"
        + _feature_list(names[constant].tolist(), view.features[0][constant].tolist())
        + "</details>"
    )


def _block_view(
    document: Document, page_score: PageScore | None, gold_text: str | None, model: LoadedModel | None
) -> tuple[_BlockView, list[tuple[Reason, list[Span]]]]:
    """The blocks' view data, and each reason with where its evidence sits."""
    texts = [block.text for block in document.blocks]
    analysis = document.analysis
    features = analysis.features if analysis is not None else None
    if features is not None and features.shape != (len(texts), len(STAGE_ONE_NAMES)):
        features = None
    varying = features.max(axis=0) != features.min(axis=0) if features is not None and len(texts) else None
    reasons = page_score.reasons if page_score is not None else ()
    reason_rows = [(reason, locate_evidence(texts, reason)) for reason in reasons]
    marks: dict[int, list[tuple[int, int, str]]] = {}
    for reason, spans in reason_rows:
        for position, start, end in spans:
            marks.setdefault(position, []).append((start, end, reason.code))
    verdicts = gold_verdicts(texts, gold_text) if gold_text is not None else None
    view = _BlockView(document.threshold, features if varying is not None else None, varying, verdicts, marks)
    if view.features is not None and model is not None and model.trees.cover is not None:
        view.contributions = model.trees.contributions(view.features)[0]
    return view, reason_rows


def render_explanation(
    document: Document,
    page_score: PageScore | None,
    *,
    gold_text: str | None = None,
    score_error: str | None = None,
    model: LoadedModel | None = None,
) -> str:
    """The explain view of an extracted page, as one self-contained HTML document.

    `page_score` is the page's `PageScore`, or None when it could not be computed (then
    `score_error` says why, e.g. the `ModelError` message). With `gold_text` (the page's true
    main text), blocks the model kept but the gold does not contain, and the reverse, are
    marked. With `model` (the one that extracted the page), each block shows the features that
    pushed it most toward content or boilerplate. Nothing from the page is injected unescaped.
    """
    blocks: tuple[Block, ...] = document.blocks
    view, reason_rows = _block_view(document, page_score, gold_text, model)
    counts = _Counts(
        blocks=len(blocks),
        kept=sum(1 for block in blocks if block.is_content),
        dropped=sum(1 for block in blocks if not block.is_content),
        chars=sum(len(block.text) for block in blocks),
        chars_kept=sum(len(block.text) for block in blocks if block.is_content),
    )
    items = "".join(_block_item(position, block, view, counts) for position, block in enumerate(blocks))
    header = _header(document, page_score, score_error, reason_rows, counts, view.verdicts is not None)
    title = _e(f"explain: {document.title or document.metadata.url or 'page'}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>{_asset('view.css')}</style></head>"
        f"<body>{header}<main>{_page_wide_features(view)}<ol class=\"blocks\">{items}</ol></main>"
        '<script type="application/json" id="view-summary">{"computed": false}</script>'
        f"<script>{_asset('view.js')}</script></body></html>\n"
    )
