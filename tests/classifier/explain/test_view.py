"""The explain view (`classifier.explain`): structure of the HTML, escaping, reasons and their
evidence marks, gold marks, the command, and what a person sees in headless Chromium."""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import (
    Document,
    ModelError,
    PageScore,
    Reason,
    ScorerModel,
    extract,
    score,
)
from classifier.cli import add_explain_arguments, run_explain
from classifier.explain import render_explanation
from classifier.explain.evidence import METADATA_CODES, gold_verdicts, locate_evidence
from classifier.extraction.features import STAGE_ONE_NAMES
from classifier.scoring.signals import REASON_CODES

ROOT = Path(__file__).resolve().parents[3]
REAL_PAGE = ROOT / "data" / "farm" / "pages" / "0362.html.gz"  # a Reuters story, 54 blocks
REAL_URL = "https://www.sciencealert.com/we-finally-have-a-global-geological-map-of-saturn-s-moon-titan"

STORY = [
    (
        "WASHINGTON (Reuters) - The city council approved a budget of four million dollars on "
        "Tuesday after a long debate about roads, schools and the new library in the old town."
    ),
    (
        "The mayor said the vote showed that the council could still agree on the things that "
        "matter to the people who live here, and promised a review of spending next spring."
    ),
    (
        "Critics said the plan left too little money for repairs of the bridges over the river, "
        "which engineers have called unsafe for heavy lorries since the flood two years ago."
    ),
]
PAGE = f"""<!DOCTYPE html><html><head><title>Council approves budget</title>
<meta name="author" content="Reuters"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Council approves budget</h1><p>By Reuters</p>
{''.join(f'<p>{p}</p>' for p in STORY)}
<p>© Reuters</p></article>
<footer><p>Contact us | Privacy policy | Terms of use</p></footer></body></html>"""
CONTENT = {"Council approves budget", "By Reuters", *STORY, "© Reuters"}

HAND_SCORER = ScorerModel(
    weights={
        "agency_dateline": 2.0,
        "agency_byline": 1.0,
        "agency_copyright": 1.0,
        "agency_author": 0.5,
        "staff_byline": -1.0,
    },
    intercept=-2.0,
    threshold=0.5,
)


def with_verdicts(document: Document, keep: set[str]) -> Document:
    """The document with the blocks whose text is in `keep` kept and every other dropped
    (so the tests do not depend on what the shipped model decides)."""
    blocks = tuple(dataclasses.replace(b, is_content=b.text in keep) for b in document.blocks)
    return dataclasses.replace(document, blocks=blocks)


@pytest.fixture(scope="module")
def story() -> Document:
    return with_verdicts(extract(PAGE, "https://news.example/budget"), CONTENT)


def block_items(view: str) -> list[tuple[int, str, str]]:
    """(position, class, inner html) of every block <li>, in document order."""
    return [
        (int(m.group(1)), m.group(2), m.group(3))
        for m in re.finditer(r'<li id="block-(\d+)" class="([^"]*)"(.*?)</li>(?=<li id="block-|</ol>)', view, re.DOTALL)
    ]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(view: str) -> Tags:
    parser = Tags()
    parser.feed(view)
    parser.close()
    return parser


# ----------------------------------------------------------------------------- structure


def test_every_block_once_in_reading_order_with_probability_tag_and_path(story: Document) -> None:
    view = render_explanation(story, None)
    items = block_items(view)
    assert [position for position, _, _ in items] == list(range(len(story.blocks)))
    for (_, _, inner), block in zip(items, story.blocks):
        assert f'data-p="{block.probability:.4f}"' in inner
        assert f'<span class="p">{block.probability:.2f}</span>' in inner
        assert f"&lt;{block.tag}&gt;" in inner
        assert f'<div class="text">{block.text.replace("&", "&amp;")}</div>' in inner
    # A block's text appears once in the blocks (the title also sits in the header).
    assert view.count(f'<div class="text">{STORY[1]}</div>') == 1


def test_each_block_shows_its_role_and_none_without_a_role_model(story: Document) -> None:
    roles = ("title", "byline", "body", "navigation", "other")
    blocks = tuple(dataclasses.replace(b, role=roles[i % len(roles)]) for i, b in enumerate(story.blocks))
    items = block_items(render_explanation(dataclasses.replace(story, blocks=blocks), None))
    for (_, _, inner), block in zip(items, blocks):
        assert f'<span class="role role-{block.role}" title="block role">{block.role}</span>' in inner
    without = tuple(dataclasses.replace(b, role=None) for b in story.blocks)
    assert 'class="role' not in render_explanation(dataclasses.replace(story, blocks=without), None)


def test_kept_and_dropped_classes_counts_and_tint(story: Document) -> None:
    view = render_explanation(story, None)
    items = block_items(view)
    for (_, classes, _), block in zip(items, story.blocks):
        assert ("kept" in classes.split()) == block.is_content
        assert ("dropped" in classes.split()) == (not block.is_content)
    kept = [b for b in story.blocks if b.is_content]
    assert len(kept) == len(CONTENT) and len(kept) < len(story.blocks)
    assert f"kept <b>{len(kept)}</b>" in view
    assert f"dropped <b>{len(story.blocks) - len(kept)}</b>" in view
    chars_kept = sum(len(b.text) for b in kept)
    assert f"chars kept <b>{chars_kept:,}</b>" in view
    # The tint grows with the probability.
    alphas = {
        block.probability: float(re.search(r"background-color:rgba\([^)]*,([\d.]+)\)", inner).group(1))
        for (_, _, inner), block in zip(items, story.blocks)
    }
    ordered = [alphas[p] for p in sorted(alphas)]
    assert ordered == sorted(ordered) and ordered[-1] > ordered[0]


def test_features_on_demand_without_javascript(story: Document) -> None:
    view = render_explanation(story, None)
    items = block_items(view)
    features = story.analysis.features
    for (position, _, inner), row in zip(items, features):
        details = re.search(r'<details class="features">(.*?)</details>', inner, re.DOTALL)
        assert details, f"block {position} has no features"
        listed = dict(re.findall(r"<li>([^<]+)<b>([^<]+)</b></li>", details.group(1)))
        nonzero_varying = {
            name for j, name in enumerate(STAGE_ONE_NAMES)
            if row[j] != 0 and features[:, j].min() != features[:, j].max()
        }
        assert set(listed) == nonzero_varying
        for name, value in listed.items():
            assert float(value) == pytest.approx(float(row[STAGE_ONE_NAMES.index(name)]), rel=1e-3, abs=1e-4)
    page_wide = re.search(r'<details class="features page-wide">(.*?)</details>', view, re.DOTALL).group(1)
    constant = {name for j, name in enumerate(STAGE_ONE_NAMES) if features[:, j].min() == features[:, j].max()}
    assert set(re.findall(r"<li>([^<]+)<b>", page_wide)) == constant


def test_a_hostile_page_is_escaped_and_never_injected() -> None:
    hostile = (
        "<html><head><title>&lt;/title&gt;&lt;script&gt;alert('title')&lt;/script&gt;</title></head>"
        "<body><div class='x\" onmouseover=\"alert(1)'>"
        "<p>Read this &lt;script&gt;alert('xss')&lt;/script&gt; and "
        "&lt;img src=x onerror=\"alert(2)\"&gt; now, a paragraph long enough to be kept.</p>"
        "<p>Second paragraph &amp;amp; more text so that the page has a story to it at all.</p>"
        "<script>alert('page script')</script><style>body{display:none}</style></div></body></html>"
    )
    document = extract(hostile, 'https://evil.example/"><script>alert(3)</script>')
    assert any("<script>alert('xss')</script>" in b.text for b in document.blocks)
    evidence = PageScore(0.9, True, 0.5, (Reason("disclaimer", "<script>alert('xss')</script>", 1.0),))
    view = render_explanation(document, evidence, gold_text="<b>gold</b>", score_error="<i>x</i>")
    tags = parse(view)
    # Only the view's own two scripts, no images, no event handlers, no page styles.
    assert [attrs.get("type") for tag, attrs in tags.tags if tag == "script"] == ["application/json", None]
    assert not any(tag in ("img", "iframe", "object", "embed", "link", "base") for tag, _ in tags.tags)
    assert not any(name.startswith("on") for _, attrs in tags.tags for name in attrs)
    assert "alert" not in "".join(tags.scripts)
    assert "body{display:none}" not in view
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in view
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in view
    assert "&lt;/title&gt;&lt;script&gt;" in view  # the page title, as text
    assert "https://evil.example/&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in view
    # The evidence is marked where it sits, escaped inside the mark.
    assert '<mark data-reason="disclaimer">&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;</mark>' in view


# ----------------------------------------------------------------------------- page score


def test_scored_view_lists_reasons_and_marks_their_evidence_where_it_sits(story: Document) -> None:
    page_score = score(story, scorer=HAND_SCORER)
    codes = set(page_score.codes)
    assert {"agency_dateline", "agency_byline", "agency_copyright", "agency_author"} <= codes
    view = render_explanation(story, page_score)
    assert f"Page score <b>{page_score.probability:.3f}</b>" in view
    assert ("<b>flagged</b>" in view) == page_score.flagged and page_score.flagged
    rows = re.findall(r'<tr class="reason" data-code="([^"]+)"><td class="w[^"]*">([^<]+)</td>', view)
    assert [code for code, _ in rows] == list(page_score.codes)
    assert [float(weight) for _, weight in rows] == pytest.approx([r.weight for r in page_score.reasons], abs=1e-3)
    texts = [b.text for b in story.blocks]
    expected = {
        "agency_dateline": texts.index(STORY[0]),
        "agency_byline": texts.index("By Reuters"),
        "agency_copyright": texts.index("© Reuters"),
    }
    items = {position: inner for position, _, inner in block_items(view)}
    for code, position in expected.items():
        row = re.search(rf'data-code="{code}">.*?</tr>', view, re.DOTALL).group(0)
        assert f'href="#block-{position}"' in row
        assert re.search(rf'<mark data-reason="[^"]*\b{code}\b[^"]*">', items[position]), code
    dateline = re.search(r'<mark data-reason="agency_dateline">([^<]*)</mark>', items[expected["agency_dateline"]])
    assert dateline and dateline.group(1) == "WASHINGTON (Reuters) -"  # the evidence only, not its context
    # Metadata reasons are listed but point at no block.
    author = re.search(r'data-code="agency_author">.*?</tr>', view, re.DOTALL).group(0)
    assert "page metadata" in author and "href=" not in author


def test_score_unavailable_says_why(story: Document, tmp_path: Path) -> None:
    with pytest.raises(ModelError) as failure:
        score(story, scorer=str(tmp_path / "missing.json"))
    view = render_explanation(story, None, score_error=str(failure.value))
    header = re.search(r'<div id="page-score" class="unavailable">(.*?)</div>', view).group(1)
    assert header.startswith("Page score unavailable: no page scorer at ")
    assert "missing.json" in header
    assert 'id="reasons"' not in view and "<mark data-reason" not in view
    assert len(block_items(view)) == len(story.blocks)


def test_locate_evidence_across_blocks_and_without_the_appended_agency_name() -> None:
    texts = ["Menu", "the end of the story.", "(Reporting by A; Editing by B)", "© Reuters", "Share"]
    spanning = Reason("agency_copyright", 'story.\n(Reporting by A; Editing by B)\n© Reuters')
    assert locate_evidence(texts, spanning) == [(1, 15, 21), (2, 0, 30), (3, 0, 9)]
    assert locate_evidence(texts, Reason("agency_byline", "© Reuters (Reuters)")) == [(3, 0, 9)]
    # Kept blocks joined while a dropped block sat between them: found line by line.
    gapped = Reason("agency_copyright", "the end of the story.\n© Reuters")
    assert locate_evidence(texts, gapped) == [(1, 0, 21), (3, 0, 9)]
    assert locate_evidence(texts, Reason("agency_author", "author: Reuters (Reuters)")) == []
    assert locate_evidence(texts, Reason("press_release", "not on this page")) == []
    assert set(REASON_CODES) >= METADATA_CODES


# ----------------------------------------------------------------------------- gold


def test_gold_marks_blocks_wrongly_kept_and_wrongly_dropped(story: Document) -> None:
    # The model's (here: our) verdicts keep the footer and drop the second paragraph.
    footer = "Contact us | Privacy policy | Terms of use"
    document = with_verdicts(story, (CONTENT - {STORY[1]}) | {footer})
    gold = "Council approves budget\nBy Reuters\n" + "\n\n".join(STORY) + "\n© Reuters"
    view = render_explanation(document, None, gold_text=gold)
    classes = {position: cls.split() for position, cls, _ in block_items(view)}
    texts = [b.text for b in document.blocks]
    assert "wrong-kept" in classes[texts.index(footer)]
    assert "wrong-dropped" in classes[texts.index(STORY[1])]
    assert sum("wrong-kept" in c for c in classes.values()) == 1
    assert sum("wrong-dropped" in c for c in classes.values()) == 1
    assert "wrongly kept <b>1</b>" in view and "wrongly dropped <b>1</b>" in view
    assert "wrong-" not in "".join(cls for _, cls, _ in block_items(render_explanation(document, None)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab cd.", max_size=12), max_size=6),
    st.text(alphabet="ab cd.", max_size=30),
)
def test_gold_verdicts_match_the_training_alignment(texts: list[str], gold: str) -> None:
    from training.labels import align_labels

    labels, counts = align_labels(texts, gold)
    expected = [None if n == 0 else bool(label) for label, n in zip(labels, counts)]
    assert gold_verdicts(texts, gold) == expected


# ----------------------------------------------------------------------------- command


def _args(*argv: str) -> argparse.Namespace:
    return add_explain_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_command_reads_stdin_with_gold_and_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scorer = tmp_path / "scorer.json"
    scorer.write_text(json.dumps(HAND_SCORER.to_json()))
    monkeypatch.setenv("CLASSIFIER_SCORER", str(scorer))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(PAGE.encode()))))
    gold = tmp_path / "gold.txt"
    gold.write_text("\n".join(STORY), encoding="utf-8")
    out = tmp_path / "view.html"
    assert run_explain(_args("-", "-o", str(out), "--url", "https://news.example/a", "--threshold", "0.2", "--gold", str(gold))) == 0
    view = out.read_text(encoding="utf-8")
    assert "block threshold <b>0.200</b>" in view and "https://news.example/a" in view
    assert 'id="reasons"' in view and "wrongly kept <b>" in view
    assert re.search(r"explain: \d+ blocks, \d+ kept -> .*view\.html \(\d+ KiB\) in \d+\.\d+ s", capsys.readouterr().err)


def test_command_without_a_scorer_and_with_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLASSIFIER_SCORER", str(tmp_path / "absent.json"))
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "view.html"
    assert run_explain(_args(str(page), "-o", str(out))) == 0
    assert "Page score unavailable: no page scorer at" in out.read_text(encoding="utf-8")
    assert "(page score unavailable)" in capsys.readouterr().err
    assert run_explain(_args(str(tmp_path / "nope.html"), "-o", str(out))) == 1
    assert "cannot read input" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _args(str(page), "--threshold", "1.5")


def test_the_command_runs_as_a_process(tmp_path: Path) -> None:
    out = tmp_path / "view.html"
    done = subprocess.run(
        [sys.executable, "-m", "classifier", "explain", str(REAL_PAGE), "-o", str(out), "--url", REAL_URL],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"explain: 54 blocks, \d+ kept", done.stderr)
    assert len(block_items(out.read_text(encoding="utf-8"))) == 54


# ----------------------------------------------------------------------------- real browser


def chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={profile}",
    ]
    env = {**os.environ, "HOME": str(profile)}
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=90, env=env, check=False)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, b"", None
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        previous = line
    return width, height, rows


def count_colour(rows: list[bytes], rgb: tuple[int, int, int]) -> int:
    needle = bytes(rgb)
    return sum(sum(1 for x in range(0, len(row), 3) if row[x : x + 3] == needle) for row in rows)


def test_real_page_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium_path()
    if browser is None:
        message = "chromium not installed: apt-get install chromium (Debian package; /usr/bin/chromium)"
        if os.environ.get("PAGESIEVE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (PAGESIEVE_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    page = gzip.decompress(REAL_PAGE.read_bytes()).decode("utf-8")
    # A hostile paragraph in the story: shown as text, never run.
    trap = '&lt;img src=x onerror="document.body.dataset.pwned=1"&gt;&lt;script&gt;document.title="pwned"&lt;/script&gt;'
    anchor = '<div id="trendmd-suggestions">'
    assert anchor in page
    page = page.replace(anchor, f"<p>{trap} a note readers can see at the end.</p>{anchor}", 1)
    document = extract(page, REAL_URL)
    assert any('onerror="document.body' in b.text for b in document.blocks)
    page_score = score(document, scorer=HAND_SCORER)
    view = tmp_path / "view.html"
    view.write_text(render_explanation(document, page_score), encoding="utf-8")

    # As it opens: runs of dropped blocks folded, every kept block shown.
    folded = run_chromium(browser, tmp_path / "profile", "--dump-dom", view.as_uri())
    opened = json.loads(re.search(r'id="view-summary">(.*?)</script>', folded.stdout, re.DOTALL).group(1))
    blocks = document.blocks
    kept = sum(b.is_content for b in blocks)
    assert opened["folded"] > 0 and opened["visible"] == len(blocks) - opened["folded"] >= kept
    # Unfolded (?fold=0): everything.
    dom = run_chromium(browser, tmp_path / "profile", "--dump-dom", view.as_uri() + "?fold=0")
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<script type="application/json" id="view-summary">(.*?)</script>', dom.stdout, re.DOTALL)
    assert found, "the view wrote no summary"
    seen = json.loads(found.group(1))
    assert seen["computed"] is True, "the view's script did not run"
    # Every block present, visible, in order, with its probability shown.
    assert seen["blocks"] == seen["visible"] == seen["probabilities_shown"] == len(blocks)
    assert seen["in_order"] is True
    assert (seen["kept"], seen["dropped"]) == (kept, len(blocks) - kept) and 0 < kept < len(blocks)
    assert seen["text_chars"] == pytest.approx(sum(len(b.text) for b in blocks), rel=0.02)
    # Kept and dropped blocks look different, each kind alike: border and strike-through.
    assert len(seen["kept_styles"]) == 1 and len(seen["dropped_styles"]) == 1
    kept_border, _, kept_line, kept_ink = seen["kept_styles"][0].split("|")
    dropped_border, _, dropped_line, dropped_ink = seen["dropped_styles"][0].split("|")
    assert (kept_border, kept_line) == ("solid", "none")
    assert (dropped_border, dropped_line) == ("dotted", "line-through") and dropped_ink != kept_ink
    assert seen["tint_monotonic"] is True and seen["tint_range"][1] - seen["tint_range"][0] > 0.2
    assert seen["features_present"] == len(blocks) and seen["features_open"] == 0
    # The header shows the score and every reason; text evidence is marked in its block.
    assert seen["score_text"].startswith(f"Page score {page_score.probability:.3f}")
    assert [r["code"] for r in seen["reasons"]] == list(page_score.codes)
    assert all(r["shown"] for r in seen["reasons"])
    in_text = {r["code"]: r for r in seen["reasons"] if r["code"] not in METADATA_CODES}
    assert {"agency_dateline", "agency_byline", "agency_copyright"} <= set(in_text)
    assert all(r["marked"] and r["target"] for r in in_text.values())
    texts = [b.text for b in blocks]
    dateline = next(i for i, t in enumerate(texts) if t.startswith("WASHINGTON (Reuters)"))
    assert in_text["agency_dateline"]["target"] == f"block-{dateline}"
    # Nothing from the page ran, and the view fits the window.
    assert seen["scripts"] == 2 and seen["images"] == 0
    assert "pwned" not in dom.stdout.replace("document.body.dataset.pwned", "").replace('document.title="pwned"', "")
    assert "&lt;script&gt;document.title=" in dom.stdout
    assert seen["page_width"] <= seen["viewport_width"]

    # What the screen shows (boilerplate folded): kept borders, dropped folds, marked evidence.
    shot = tmp_path / "view.png"
    taken = run_chromium(browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,900", view.as_uri())
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1000, 900)
    assert count_colour(rows, (26, 127, 55)) > 500  # kept blocks' solid left border
    assert count_colour(rows, (175, 184, 193)) > 20  # the dotted border of folded dropped runs
    assert count_colour(rows, (255, 211, 61)) > 300  # the evidence marks
    assert len({row[x : x + 3] for row in rows[::7] for x in range(0, len(row), 21)}) > 40


def test_a_document_without_analysis_renders_without_features(story: Document) -> None:
    bare = dataclasses.replace(story, analysis=None)
    view = render_explanation(bare, None)
    assert len(block_items(view)) == len(story.blocks)
    assert '<details class="features' not in view


def test_each_block_says_which_features_pushed_it_and_how_much(story: Document) -> None:
    from classifier import load_model
    from classifier.explain.why import phrase

    model = load_model()
    view = render_explanation(story, None, model=model)
    items = block_items(view)
    whys = [re.search(r'<ul class="why"[^>]*>(.*?)</ul>', inner) for _, _, inner in items]
    assert all(whys) and len(whys) == len(story.blocks)
    assert story.analysis is not None
    contributions, _ = model.trees.contributions(story.analysis.features)
    first = re.findall(r'<li class="(pos|neg)" title="([^ ]+) = [^"]*">([+-][\d.]+) ([^<]*)</li>', whys[0].group(1))
    strongest = np.argsort(-np.abs(contributions[0]))[: len(first)]
    assert [name for _, name, _, _ in first] == [STAGE_ONE_NAMES[i] for i in strongest]
    assert [float(weight) for _, _, weight, _ in first] == pytest.approx(contributions[0][strongest], abs=0.006)
    assert all((kind == "pos") == (float(weight) > 0) for kind, _, weight, _ in first)
    assert [html_unescape(words) for _, _, _, words in first] == [phrase(STAGE_ONE_NAMES[i]) for i in strongest]
    assert '<ul class="why"' not in render_explanation(story, None)  # no model given: no reasons


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
