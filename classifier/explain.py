"""The explain view: one self-contained HTML file that shows why each block was kept or dropped.

This module owns:

* `render_explanation(document, page_score)`: an extracted `Document` (and its `PageScore`, or
  None when the page scorer is unavailable) -> one HTML file with inline CSS and JS, no network:
  the header (title, URL, threshold, counts, page score, flag and reasons), a legend, and every
  block in reading order, tinted by its content probability, kept or dropped at a glance, with
  its tag, path and features (a `<details>` element: works without JS);
* `locate_evidence()`: where a reason's evidence snippet sits in the block texts, so the view can
  wrap it in `<mark data-reason="code">` and link the reason to its block;
* `gold_verdicts()`: which blocks the page's true main text calls content, with the alignment
  the training labels use (tokens ``\\w+``, lower-cased, aligned in order with difflib; a block is
  content when more than half its tokens match); it is reimplemented here because the runtime
  package does not import `training`;
* the ``explain`` command: `add_explain_arguments(parser)` and `run_explain(args)`, mounted by
  ``classifier.cli`` as ``python -m classifier explain PAGE -o view.html``;
  ``python -m classifier.explain`` runs it on its own.

Everything taken from the page (texts, title, URL, paths, evidence) is escaped: the page's own
HTML is never injected. On load, the view's script writes a JSON summary of what is rendered
(counts, computed styles of kept and dropped blocks, reasons and marks) into
``<script type="application/json" id="view-summary">``, which the browser test reads back.
"""

from __future__ import annotations

import argparse
import html
import math
import re
import sys
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from .align import align_labels
from .cliargs import probability
from .extract import extract
from .features import STAGE_ONE_NAMES
from .io import NotAPageError, read_page_file
from .model import ModelError
from .score import score
from .types import Block, Document, PageScore, Reason

# Reasons read from the page's metadata, the URL or the crawl, or counted over the page: their
# evidence is not a text that sits in one block, so they are shown in the header, never marked.
METADATA_CODES = frozenset(
    {
        "agency_author",
        "staff_byline",
        "cross_domain_canonical",
        "syndication_meta",
        "based_on_other_source",
        "same_text_on_N_domains",
        "agency_own_site",
        "datelined_teasers",
    }
)
_TRAILING_NAME = re.compile(r"^(?P<body>.*\S)\s*\([^()]*\)\s*$", re.DOTALL)
# Kept blocks: green tint growing with the probability; the colours are also in the CSS below.
_TINT_RGB = (46, 160, 67)

_LEFT_CONTEXT = 60  # characters of context the signals keep before a match
Span = tuple[int, int, int]  # (block position, start, end) in that block's text


# ---------------------------------------------------------------------------------------------
# Gold alignment and evidence location
# ---------------------------------------------------------------------------------------------


def gold_verdicts(block_texts: Sequence[str], gold_text: str) -> list[bool | None]:
    """Per block: True when the gold text calls it content, False when not, None (no tokens),
    by the alignment of the training labels (`classifier.align`)."""
    labels, counts = align_labels(block_texts, gold_text)
    return [None if count == 0 else bool(label) for label, count in zip(labels, counts)]


def _find_joined(texts: Sequence[str], needle: str) -> list[Span]:
    """`needle` in the block texts joined by newlines (as the signals read them), as spans."""
    joined = "\n".join(texts)
    start = joined.find(needle)
    if start < 0:
        return []
    end = start + len(needle)
    spans: list[Span] = []
    offset = 0
    for i, text in enumerate(texts):
        low, high = max(start, offset), min(end, offset + len(text))
        if low < high:
            spans.append((i, low - offset, high - offset))
        offset += len(text) + 1
        if offset > end:
            break
    return spans


def _find_pieces(texts: Sequence[str], needle: str) -> list[Span]:
    """Each line of `needle` in some block, in reading order (for snippets that span blocks
    that are not neighbours on the page, such as the kept blocks joined)."""
    pieces = [piece.strip() for piece in needle.split("\n")]
    pieces = [piece for piece in pieces if piece]
    spans: list[Span] = []
    first = 0
    for piece in pieces:
        for i in range(first, len(texts)):
            at = texts[i].find(piece)
            if at >= 0:
                spans.append((i, at, at + len(piece)))
                first = i + 1 if len(pieces) > 1 else i
                break
        else:
            return []
    return spans


def locate_evidence(texts: Sequence[str], reason: Reason) -> list[Span]:
    """Where `reason`'s evidence sits in the block texts ([] for metadata or when not found).

    Tries the snippet as the signals cut it (from the blocks joined by newlines), then line by
    line, then without the agency name the signals append in parentheses ("REUTERS (Reuters)").
    """
    evidence = reason.evidence.strip()
    if reason.code in METADATA_CODES or not evidence:
        return []
    candidates = [evidence]
    trailing = _TRAILING_NAME.match(evidence)
    if trailing:
        candidates.append(trailing.group("body"))
    for candidate in candidates:
        spans = _find_joined(texts, candidate) or _find_pieces(texts, candidate)
        if spans:
            return spans
    return []


def anchor_block(spans: Sequence[Span]) -> int | None:
    """The block a reason links to: where the match itself sits in a snippet that spans blocks.

    The signals cut a snippet with up to `_LEFT_CONTEXT` characters before the match (see
    `classifier.signals._snippet`), so the block holding that offset holds the match.
    """
    if not spans:
        return None
    offset = 0
    for position, start, end in spans:
        offset += end - start
        if offset > _LEFT_CONTEXT:
            return position
        offset += 1  # the newline between two blocks
    return spans[-1][0] if len(spans) > 1 else spans[0][0]


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


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


_CSS = """
:root{--kept:#1a7f37;--drop:#afb8c1;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:15px/1.45 "Liberation Sans","DejaVu Sans",Arial,Helvetica,sans-serif}
header{padding:14px 24px 10px;background:#f6f8fa;border-bottom:1px solid var(--line)}
h1{font-size:21px;margin:0 0 2px}
h2{font-size:15px;margin:12px 0 4px}
code,.mono{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12px}
.url{color:var(--muted);overflow-wrap:anywhere}
.facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:8px 0 4px}
.facts span b{font-variant-numeric:tabular-nums}
#page-score{margin:6px 0;padding:6px 10px;border-radius:4px;background:#fff;border:1px solid var(--line)}
#page-score.flagged{border-color:#cf222e;background:#ffebe9}
#page-score.unavailable{color:var(--muted);border-style:dashed}
table.reasons{border-collapse:collapse;margin:4px 0;width:100%;font-size:13px}
table.reasons th,table.reasons td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
table.reasons th,table.reasons td.where-cell{white-space:nowrap}
table.reasons td.ev{white-space:pre-line;overflow-wrap:anywhere}
table.reasons td.w{font-family:monospace;white-space:nowrap;text-align:right}
.pos{color:#cf222e}.neg{color:#0969da}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;font-size:13px;margin-top:8px}
.swatch{display:inline-block;padding:1px 8px;border-radius:2px}
.scale{display:inline-block;width:140px;height:10px;vertical-align:middle;border:1px solid var(--line);
 background:linear-gradient(90deg,rgba(46,160,67,.03),rgba(46,160,67,.37));position:relative}
.scale i{position:absolute;top:-3px;bottom:-3px;width:2px;background:var(--ink)}
#tools{font-size:13px;margin-top:8px;display:flex;gap:16px}
main{padding:8px 24px 48px}
ol.blocks{list-style:none;margin:0;padding:0}
.block{margin:3px 0;padding:4px 10px 5px 12px;border-left:5px solid transparent;border-radius:2px}
.block.kept{border-left:5px solid var(--kept)}
.block.dropped{border-left:5px dotted var(--drop)}
.block.dropped .text{color:#6e7781;text-decoration:line-through;text-decoration-color:rgba(110,119,129,.5)}
.block .text{white-space:pre-wrap;overflow-wrap:anywhere}
.meta{display:flex;flex-wrap:wrap;gap:2px 10px;align-items:center;color:var(--muted);font-size:12px}
.meta .p{font:bold 13px "DejaVu Sans Mono",monospace;color:var(--ink)}
.meta .verdict{font-weight:bold;text-transform:uppercase;font-size:11px;letter-spacing:.04em}
.kept .verdict{color:var(--kept)}
.bar{display:inline-block;width:64px;height:7px;background:#eaeef2;position:relative;vertical-align:middle}
.bar i{position:absolute;left:0;top:0;bottom:0;background:#2da44e}
.bar s{position:absolute;top:-2px;bottom:-2px;width:2px;background:var(--ink)}
.note{color:#9a6700}
.gold{font-weight:bold;font-size:11px;padding:0 6px;border-radius:8px;color:#fff}
.wrong-kept .gold{background:#cf222e}
.wrong-dropped .gold{background:#9a6700}
.block.wrong-kept{outline:2px solid #cf222e;outline-offset:-1px}
.block.wrong-dropped{outline:2px dashed #9a6700;outline-offset:-1px}
mark{background:#ffd33d;color:inherit;border-radius:2px;box-shadow:0 0 0 1px #d4a72c}
details.features summary{cursor:pointer;color:var(--muted);font-size:12px}
ul.f{columns:4 220px;margin:4px 0;padding:0;list-style:none;font:11px/1.5 "DejaVu Sans Mono",monospace}
ul.f li{display:flex;justify-content:space-between;gap:8px;padding:0 8px 0 0;break-inside:avoid}
:target{box-shadow:0 0 0 3px #0969da}
li.fold{margin:3px 0;padding:3px 12px;border-left:5px dotted var(--drop);color:var(--muted);font-size:13px;cursor:pointer;background:#f6f8fa}
.folded{display:none}
body.hide-dropped .block.dropped{display:none}
"""

_JS = r"""
(function () {
  "use strict";
  var list = document.querySelector("ol.blocks");
  var blocks = Array.prototype.slice.call(document.querySelectorAll("li.block"));
  var tools = document.getElementById("tools");
  tools.hidden = false;
  var runs = [];
  (function findRuns() {
    var run = [];
    function close() { if (run.length >= 4) { runs.push(run); } run = []; }
    blocks.forEach(function (b) { if (b.classList.contains("dropped")) { run.push(b); } else { close(); } });
    close();
  })();
  runs.forEach(function (run) {
    var fold = document.createElement("li");
    fold.className = "fold";
    fold.hidden = true;
    fold.textContent = "\u25b8 " + run.length + " dropped blocks (" + run[0].dataset.index + "\u2013" +
      run[run.length - 1].dataset.index + ") \u2014 click to show";
    fold.addEventListener("click", function () { open(run); });
    run[0].parentNode.insertBefore(fold, run[0]);
    run.fold = fold;
  });
  function open(run) {
    run.forEach(function (b) { b.classList.remove("folded"); });
    run.fold.hidden = true;
  }
  function setFold(on) {
    runs.forEach(function (run) {
      run.forEach(function (b) { b.classList.toggle("folded", on); });
      run.fold.hidden = !on;
    });
  }
  function reveal() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (!target) { return; }
    runs.forEach(function (run) { if (run.indexOf(target) >= 0) { open(run); } });
    document.body.classList.remove("hide-dropped");
    hide.checked = false;
    target.scrollIntoView();
  }
  var foldBox = document.getElementById("fold-dropped");
  var hide = document.getElementById("hide-dropped");
  var openAll = document.getElementById("open-features");
  foldBox.addEventListener("change", function () { setFold(foldBox.checked); });
  hide.addEventListener("change", function () { document.body.classList.toggle("hide-dropped", hide.checked); });
  openAll.addEventListener("change", function () {
    blocks.forEach(function (b) { var d = b.querySelector("details"); if (d) { d.open = openAll.checked; } });
  });
  window.addEventListener("hashchange", reveal);
  if (/[?&]fold=1\b/.test(location.search)) { foldBox.checked = true; setFold(true); }
  reveal();

  // What a person sees, for tests and tools: written into #view-summary.
  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }
  function look(b) {
    var s = getComputedStyle(b), t = getComputedStyle(b.querySelector(".text"));
    return [s.borderLeftStyle, s.borderLeftColor, t.textDecorationLine, t.color].join("|");
  }
  function alpha(color) {
    var m = /rgba?\(([^)]*)\)/.exec(color);
    if (!m) { return null; }
    var parts = m[1].split(/[ ,\/]+/).filter(Boolean);
    return parts.length > 3 ? parseFloat(parts[3]) : 1;
  }
  var kept = blocks.filter(function (b) { return b.classList.contains("kept"); });
  var dropped = blocks.filter(function (b) { return b.classList.contains("dropped"); });
  var unique = function (xs) { return xs.filter(function (x, i) { return xs.indexOf(x) === i; }); };
  var tints = blocks.map(function (b) { return [parseFloat(b.dataset.p), alpha(getComputedStyle(b).backgroundColor)]; });
  tints.sort(function (a, b) { return a[0] - b[0]; });
  var monotonic = tints.every(function (t, i) { return i === 0 || t[1] >= tints[i - 1][1] - 1e-6; });
  var order = blocks.every(function (b, i) { return b.id === "block-" + i; });
  var reasons = Array.prototype.slice.call(document.querySelectorAll("#reasons tr.reason")).map(function (row) {
    var link = row.querySelector("a.where");
    var target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    var marks = target ? Array.prototype.slice.call(target.querySelectorAll("mark")).filter(function (m) {
      return (" " + m.dataset.reason + " ").indexOf(" " + row.dataset.code + " ") >= 0;
    }) : [];
    return {
      code: row.dataset.code, shown: shown(row), target: target ? target.id : null,
      marked: marks.length > 0 && marks.every(shown),
      mark_background: marks.length ? getComputedStyle(marks[0]).backgroundColor : null
    };
  });
  var summary = {
    computed: true,
    blocks: blocks.length,
    kept: kept.length,
    dropped: dropped.length,
    visible: blocks.filter(shown).length,
    in_order: order,
    probabilities_shown: blocks.filter(function (b) {
      var p = b.querySelector(".p");
      return p && shown(p) && Math.abs(parseFloat(p.textContent) - parseFloat(b.dataset.p)) < 0.006;
    }).length,
    text_chars: blocks.reduce(function (n, b) { return n + b.querySelector(".text").innerText.length; }, 0),
    kept_styles: unique(kept.map(look)),
    dropped_styles: unique(dropped.map(look)),
    tint_monotonic: monotonic,
    tint_range: tints.length ? [tints[0][1], tints[tints.length - 1][1]] : [],
    features_open: blocks.filter(function (b) { var d = b.querySelector("details"); return d && d.open; }).length,
    features_present: blocks.filter(function (b) { return b.querySelector("details.features li"); }).length,
    score_text: document.getElementById("page-score").innerText,
    reasons: reasons,
    marks: document.querySelectorAll("main mark").length,
    wrong_kept: document.querySelectorAll(".block.wrong-kept").length,
    wrong_dropped: document.querySelectorAll(".block.wrong-dropped").length,
    folded: document.querySelectorAll(".block.folded").length,
    scripts: document.scripts.length,
    images: document.images.length,
    page_width: document.documentElement.scrollWidth,
    viewport_width: window.innerWidth
  };
  var out = document.getElementById("view-summary");
  out.textContent = JSON.stringify(summary).replace(/</g, "\\u003c");
  document.body.setAttribute("data-ready", "1");
})();
"""


def _header(
    document: Document,
    page_score: PageScore | None,
    score_error: str | None,
    reason_rows: list[tuple[Reason, list[Span]]],
    counts: dict[str, int],
    gold: bool,
) -> str:
    title = document.title or "(no title)"
    url = document.metadata.url
    parts = [f"<h1>{_e(title)}</h1>"]
    parts.append(f'<div class="url mono">{_e(url) if url else "(no URL given)"}</div>')
    chars = counts["chars"]
    share = counts["chars_kept"] / chars if chars else 0.0
    facts = [
        f"block threshold <b>{document.threshold:.3f}</b>",
        f"blocks <b>{counts['blocks']}</b>",
        f"kept <b>{counts['kept']}</b>",
        f"dropped <b>{counts['dropped']}</b>",
        f"chars kept <b>{counts['chars_kept']:,}</b> of {chars:,} ({share:.0%})",
    ]
    if counts["duplicates"]:
        facts.append(f"dropped as repeats <b>{counts['duplicates']}</b>")
    if gold:
        facts.append(f"wrongly kept <b>{counts['wrong_kept']}</b>")
        facts.append(f"wrongly dropped <b>{counts['wrong_dropped']}</b>")
    parts.append('<div class="facts">' + "".join(f"<span>{f}</span>" for f in facts) + "</div>")

    if page_score is None:
        why = score_error or "no page score was given"
        parts.append(
            f'<div id="page-score" class="unavailable">Page score unavailable: {_e(why)}</div>'
        )
    else:
        flag = "flagged" if page_score.flagged else "not flagged"
        parts.append(
            f'<div id="page-score" class="{"flagged" if page_score.flagged else "clear"}">'
            f"Page score <b>{page_score.probability:.3f}</b>: <b>{flag}</b> as unreviewed "
            f"auto-published copy (page threshold {page_score.threshold:.3f}; "
            f"{len(page_score.reasons)} reason{'s' if len(page_score.reasons) != 1 else ''})</div>"
        )
        if reason_rows:
            rows = []
            for reason, spans in reason_rows:
                sign = "pos" if reason.weight > 0 else "neg" if reason.weight < 0 else ""
                anchor = anchor_block(spans)
                if anchor is not None:
                    where = f'<a class="where" href="#block-{anchor}">block {anchor}</a>'
                elif reason.code in METADATA_CODES:
                    where = '<span class="where-none">page metadata</span>'
                else:
                    where = '<span class="where-none">not found in the blocks</span>'
                rows.append(
                    f'<tr class="reason" data-code="{_e(reason.code)}"><td class="w {sign}">'
                    f"{reason.weight:+.3f}</td><td><code>{_e(reason.code)}</code></td>"
                    f'<td class="ev">{_e(reason.evidence)}</td><td class="where-cell">{where}</td></tr>'
                )
            parts.append(
                '<table class="reasons" id="reasons"><thead><tr><th>weight (log-odds)</th>'
                "<th>reason</th><th>evidence</th><th>where</th></tr></thead><tbody>"
                + "".join(rows)
                + "</tbody></table>"
            )
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
    parts.append('<div class="legend">' + "".join(legend) + "</div>")
    parts.append(
        '<div id="tools" hidden><label><input type="checkbox" id="fold-dropped"> fold runs of '
        'dropped blocks</label><label><input type="checkbox" id="hide-dropped"> hide dropped '
        'blocks</label><label><input type="checkbox" id="open-features"> open all features'
        "</label></div>"
    )
    return "<header>" + "".join(parts) + "</header>"


def render_explanation(
    document: Document,
    page_score: PageScore | None,
    *,
    gold_text: str | None = None,
    score_error: str | None = None,
) -> str:
    """The explain view of an extracted page, as one self-contained HTML document.

    `page_score` is the page's `PageScore`, or None when it could not be computed (then
    `score_error` says why, e.g. the `ModelError` message). With `gold_text` (the page's true
    main text), blocks the model kept but the gold does not contain, and the reverse, are
    marked. Nothing from the page is injected unescaped.
    """
    blocks: tuple[Block, ...] = document.blocks
    texts = [block.text for block in blocks]
    analysis = document.analysis
    features = analysis.features if analysis is not None else None
    if features is not None and features.shape != (len(blocks), len(STAGE_ONE_NAMES)):
        features = None
    verdicts = gold_verdicts(texts, gold_text) if gold_text is not None else None

    reasons = page_score.reasons if page_score is not None else ()
    reason_rows = [(reason, locate_evidence(texts, reason)) for reason in reasons]
    marks: dict[int, list[tuple[int, int, str]]] = {}
    for reason, spans in reason_rows:
        for position, start, end in spans:
            marks.setdefault(position, []).append((start, end, reason.code))

    wrong_kept = wrong_dropped = duplicates = 0
    items: list[str] = []
    varying: np.ndarray | None = None
    if features is not None and len(blocks):
        varying = features.max(axis=0) != features.min(axis=0)
    names = np.asarray(STAGE_ONE_NAMES)
    for position, block in enumerate(blocks):
        classes = ["block", "kept" if block.is_content else "dropped"]
        badge = ""
        note = ""
        if not block.is_content and block.probability >= document.threshold:
            duplicates += 1
            note = '<span class="note">dropped: repeats a kept block</span>'
        if verdicts is not None and verdicts[position] is not None:
            if block.is_content and not verdicts[position]:
                classes.append("wrong-kept")
                badge = '<span class="gold">wrongly kept</span>'
                wrong_kept += 1
            elif not block.is_content and verdicts[position]:
                classes.append("wrong-dropped")
                badge = '<span class="gold">wrongly dropped</span>'
                wrong_dropped += 1
        probability = block.probability
        meta = (
            f'<span class="p">{probability:.2f}</span>'
            f'<span class="bar" title="{probability:.4f}"><i style="width:{probability * 100:.1f}%">'
            f'</i><s style="left:{min(max(document.threshold, 0.0), 1.0) * 100:.1f}%"></s></span>'
            f'<span class="verdict">{"kept" if block.is_content else "dropped"}</span>'
            f"<span>#{block.index}</span><code>&lt;{_e(block.tag)}&gt;</code>"
            f'<code class="path" title="{_e(block.path)}">{_e(_short_path(block.path))}</code>'
            f"{note}{badge}"
        )
        details = ""
        if features is not None and varying is not None:
            row = features[position]
            shown = varying & (row != 0)
            zeros = int(varying.sum() - shown.sum())
            details = (
                f'<details class="features"><summary>features: {int(shown.sum())} non-zero '
                f"shown, {zeros} zero, {len(STAGE_ONE_NAMES) - int(varying.sum())} page-wide"
                "</summary>"
                + _feature_list(names[shown].tolist(), row[shown].tolist())
                + "</details>"
            )
        items.append(
            f'<li id="block-{position}" class="{" ".join(classes)}" data-index="{block.index}" '
            f'data-p="{probability:.4f}" style="background-color:{_tint(probability)}">'
            f'<div class="meta">{meta}</div>'
            f'<div class="text">{_marked_text(block.text, marks.get(position, []))}</div>'
            f"{details}</li>"
        )

    chars = sum(len(text) for text in texts)
    counts = {
        "blocks": len(blocks),
        "kept": sum(1 for block in blocks if block.is_content),
        "dropped": sum(1 for block in blocks if not block.is_content),
        "chars": chars,
        "chars_kept": sum(len(block.text) for block in blocks if block.is_content),
        "duplicates": duplicates,
        "wrong_kept": wrong_kept,
        "wrong_dropped": wrong_dropped,
    }
    header = _header(document, page_score, score_error, reason_rows, counts, verdicts is not None)
    page_wide = ""
    if features is not None and varying is not None:
        constant = ~varying
        page_wide = (
            f'<details class="features page-wide"><summary>features that are the same on every '
            f"block of this page ({int(constant.sum())})</summary>"
            + _feature_list(names[constant].tolist(), features[0][constant].tolist())
            + "</details>"
        )
    title = _e(f"explain: {document.title or document.metadata.url or 'page'}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>{_CSS}</style></head>"
        f"<body>{header}<main>{page_wide}<ol class=\"blocks\">{''.join(items)}</ol></main>"
        '<script type="application/json" id="view-summary">{"computed": false}</script>'
        f"<script>{_JS}</script></body></html>\n"
    )


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def add_explain_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare the ``explain`` flags on `parser` (returned for chaining)."""
    parser.add_argument("page", metavar="PAGE", help="the page: .html, .html.gz, or - for stdin")
    parser.add_argument(
        "-o", "--output", default="-", help="the view to write (default: - for stdout)"
    )
    parser.add_argument("--url", default=None, help="the page's URL (used by metadata and score)")
    parser.add_argument(
        "--threshold",
        type=probability,
        default=None,
        help="block threshold (default: the model's, from its card)",
    )
    parser.add_argument(
        "--favor",
        choices=("precision", "balanced", "recall"),
        default="balanced",
        help="per-page cut weighted toward precision or recall (default balanced; not with --threshold)",
    )
    parser.add_argument(
        "--gold",
        metavar="FILE",
        default=None,
        help="the page's true main text (UTF-8): marks blocks wrongly kept or dropped",
    )
    return parser


def run_explain(args: argparse.Namespace) -> int:
    """Run ``explain``: 0 on success, 1 when the page, gold or model cannot be read or the
    view cannot be written. Prints the time it took to stderr."""
    started = time.perf_counter()
    try:
        raw = read_page_file(args.page)
        gold = Path(args.gold).read_text(encoding="utf-8") if args.gold else None
    except (OSError, EOFError, UnicodeDecodeError, NotAPageError) as exc:
        print(f"explain: cannot read input: {exc}", file=sys.stderr)
        return 1
    read = time.perf_counter()
    try:
        document = extract(raw, args.url, threshold=args.threshold, favor=args.favor)
    except (ModelError, ValueError) as exc:
        print(f"explain: {exc}", file=sys.stderr)
        return 1
    extracted = time.perf_counter()
    page_score: PageScore | None
    score_error: str | None = None
    try:
        page_score = score(document)
    except ModelError as exc:
        page_score, score_error = None, str(exc)
    scored = time.perf_counter()
    view = render_explanation(document, page_score, gold_text=gold, score_error=score_error)
    rendered = time.perf_counter()
    try:
        if args.output == "-":
            sys.stdout.write(view)
            sys.stdout.flush()
        else:
            Path(args.output).write_text(view, encoding="utf-8")
    except OSError as exc:
        print(f"explain: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    done = time.perf_counter()
    kept = sum(1 for block in document.blocks if block.is_content)
    where = "stdout" if args.output == "-" else args.output
    note = "" if page_score is not None else " (page score unavailable)"
    print(
        f"explain: {len(document.blocks)} blocks, {kept} kept{note} -> {where} "
        f"({len(view.encode('utf-8')) / 1024:.0f} KiB) in {done - started:.3f} s "
        f"(read {read - started:.3f}, extract {extracted - read:.3f}, score {scored - extracted:.3f}, "
        f"render {rendered - scored:.3f}, write {done - rendered:.3f})",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m classifier.explain",
        description="Write a self-contained HTML view of why each block of a page was kept or dropped.",
    )
    add_explain_arguments(parser)
    return run_explain(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
