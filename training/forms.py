"""`python -m training.forms`: how the scores hold when pages come in another form.

Crawled pages reach users raw, with scripts stripped by an archive or a sanitiser, re-serialised
by another parser, cut short by a crawler's size cap, or as the body alone. The block model is
trained on raw pages (and fragments of their main content, `training.fragments`), in none of
these forms; this measures what each form costs:

- WCXB and AEB, out of fold: each fold's model is fit on the raw pages of both corpora of the
  other folds' sites (weighted and with their fragments, as `training.fit` does) and predicts
  its own sites' pages in every form; WCXB word F1, macro over pages; AEB shingle F1.
- The peers asked for (default trafilatura) on the same transformed pages, in the same run.

The gold text stays the page's whole main content, so a truncated page scores lower for every
tool: compare the tools within a row, and each row with `raw`. One more form is the main
content alone (`content_only`: the gold text as a bare fragment of paragraphs, as an RSS item or
a sanitiser gives it), where a tool should return everything. Three more are the page in another
script (`in_script`): WCXB's pages are nearly all English, so every Latin letter of the text
(and of the gold) is mapped to a Cyrillic one (case kept), to an Arabic one (which has no
case), or to a Chinese character with the spaces between words taken out and full-width
punctuation (as Chinese and Japanese are written), which tells whether the model leans on the
Latin alphabet, on capital letters or on spaces between words; the page goes through lxml for
that, so compare them with the re-serialised row. Words are not delimited in the last form, so
it is scored in character F1 (`training.metrics.character_f1`, macro over pages, on both
corpora), as is a second re-serialised row to compare it with.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import html as html_escaping
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from classifier.extraction.decode import decode_html

from .corpus import LabelledPage, load_aeb, load_wcxb
from .crossval import cross_validate, page_texts
from .dataset import build_dataset
from .evaluate import ROOT
from .fit import CORPUS_WEIGHTS, DEFAULT_AEB, DEFAULT_WCXB, make_model
from .fragments import build_fragments
from .metrics import character_f1
from .peers import available_peers, run_peer, score_aeb, score_wcxb

_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BODY_START = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
UTF8_BOM = b"\xef\xbb\xbf"


def without_scripts(html: str) -> str:
    """What an archive or a sanitiser keeps: no script (JSON-LD included) and no style."""
    return _SCRIPT_OR_STYLE.sub("", html)


def reserialised(html: str) -> str:
    """The page parsed and written back by libxml2 (lxml), another parser than ours."""
    import lxml.html  # a dependency of trafilatura: the `peers` extra

    try:
        return lxml.html.tostring(lxml.html.document_fromstring(html), encoding="unicode")
    except Exception:  # noqa: BLE001 - lxml refuses some documents: the page stays as it was
        return html


def truncated(html: str) -> str:
    """The first half of the page, as a crawler's size cap leaves it."""
    return html[: len(html) // 2]


def body_only(html: str) -> str:
    """The inside of `<body>` alone (no title, no head metadata), as a CMS export gives it."""
    match = _BODY_START.search(html)
    return html[match.end() :] if match else html


def content_only(page: LabelledPage) -> LabelledPage:
    """The page as its main content alone: each line of the gold text a paragraph, no
    `<html>` or `<body>` (an RSS item's HTML, a sanitiser's output, a snippet)."""
    lines = (line.strip() for line in page.main_text.splitlines())
    fragment = "\n".join(f"<p>{html_escaping.escape(line)}</p>" for line in lines if line)
    return dataclasses.replace(page, html=UTF8_BOM + fragment.encode("utf-8"))


# Latin letters to the letters of another script, one to one: the words stay words. Cyrillic
# keeps the case; Arabic and Chinese have none, so upper and lower case map to the same letter.
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC_TABLE = str.maketrans(
    _LATIN + _LATIN.upper(), "абвгдежзийклмнопрстуфхцчшщ" + "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩ"
)
_ARABIC_TABLE = str.maketrans(_LATIN + _LATIN.upper(), "ابتثجحخدذرزسشصضطظعغفقكلمنه" * 2)
_HAN_TABLE = str.maketrans(_LATIN + _LATIN.upper(), "的一是不了人我在有他这中大来上国个到说们为子和你地出" * 2)
_HAN = "\u4e00-\u9fff"
_FULL_WIDTH = str.maketrans(".,!?;:", "。，！？；：")
_PUNCTUATION_AFTER_HAN = re.compile(rf"(?<=[{_HAN}])[.,!?;:](?=\s|$)")
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}。，！？；：])[ \t]+(?=[{_HAN}])")


def _in_han(text: str) -> str:
    """Latin letters to Chinese characters, then as Chinese is written: full-width punctuation
    after them and no space between words (numbers and other text keep their spaces)."""
    text = _PUNCTUATION_AFTER_HAN.sub(lambda match: match.group().translate(_FULL_WIDTH), text.translate(_HAN_TABLE))
    return _SPACE_BETWEEN_HAN.sub("", text)


SCRIPTS: dict[str, Callable[[str], str]] = {
    "Cyrillic": lambda text: text.translate(_CYRILLIC_TABLE),
    "Arabic": lambda text: text.translate(_ARABIC_TABLE),
    "Chinese": _in_han,
}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # lxml refuses them in a tree
_TEXT_ATTRIBUTES = ("content", "alt", "title", "aria-label")
_JSON_LD_ADDRESSES = frozenset({"url", "image", "logo", "sameAs", "mainEntityOfPage"})


def _json_in_script(value: Any, mapping: Callable[[str], str]) -> Any:
    """JSON-LD with its text values mapped (not its keys, `@` values or addresses)."""
    if isinstance(value, str):
        return mapping(value)
    if isinstance(value, list):
        return [_json_in_script(item, mapping) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key.startswith("@") or key in _JSON_LD_ADDRESSES else _json_in_script(item, mapping)
            for key, item in value.items()
        }
    return value


def html_in_script(html: str, script: str = "Cyrillic") -> str:
    """The page with the Latin letters of its text mapped to another script (`SCRIPTS`): text
    nodes, the text attributes (`content`, `alt`, `title`, `aria-label`) and JSON-LD values;
    not tags, classes, ids, addresses, scripts or styles. Parsed and written back by lxml."""
    import lxml.html  # a dependency of trafilatura: the `peers` extra (and of the tests)

    mapping = SCRIPTS[script]
    root = lxml.html.document_fromstring(_CONTROL_CHARACTERS.sub("", html))
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""  # comments have no str tag
        if tag == "script" and (element.get("type") or "").lower() == "application/ld+json" and element.text:
            with contextlib.suppress(ValueError):  # not JSON: left as the page has it
                element.text = json.dumps(_json_in_script(json.loads(element.text), mapping), ensure_ascii=False)
        elif tag and tag not in ("script", "style") and element.text:
            element.text = mapping(element.text)
        if tag:
            for name in _TEXT_ATTRIBUTES:
                value = element.get(name)
                if value and not (name == "content" and element.get("http-equiv")):
                    element.set(name, mapping(value))
        if element.tail:
            element.tail = mapping(element.tail)
    return lxml.html.tostring(root, encoding="unicode")


def in_script(page: LabelledPage, script: str = "Cyrillic") -> LabelledPage:
    """The page and its gold text in another script (`html_in_script`); a page lxml cannot
    read stays as it is, gold included."""
    try:
        html = html_in_script(decode_html(page.html), script)
    except Exception:  # noqa: BLE001 - lxml refuses some documents, such as empty ones
        return page
    return dataclasses.replace(
        page, html=UTF8_BOM + html.encode("utf-8", "replace"), main_text=SCRIPTS[script](page.main_text)
    )


CONTENT_ONLY = "main content only (a fragment)"
IN_SCRIPT = {
    "Cyrillic": "text in Cyrillic letters (via lxml)",
    "Arabic": "text in Arabic letters, no case (via lxml)",
    "Chinese": "text in Chinese characters, no spaces (via lxml; character F1)",
}
RESERIALISED = "re-serialised (lxml)"
RESERIALISED_BY_CHARACTERS = "re-serialised (lxml; character F1)"
CHARACTER_F1_FORMS = frozenset({IN_SCRIPT["Chinese"], RESERIALISED_BY_CHARACTERS})
FORMS: dict[str, Callable[[str], str] | None] = {
    "raw": None,
    "no scripts or styles": without_scripts,
    RESERIALISED: reserialised,
    "body only": body_only,
    "first half": truncated,
}


def transform(pages: list[LabelledPage], form: Callable[[str], str] | None) -> list[LabelledPage]:
    """The pages in another form, re-encoded as UTF-8 with a BOM (which decoding reads first,
    so a stale `<meta charset>` cannot misdecode them)."""
    if form is None:
        return pages
    return [
        dataclasses.replace(
            page, html=UTF8_BOM + form(decode_html(page.html)).encode("utf-8", "replace")
        )
        for page in pages
    ]


def out_of_fold_texts(
    raw_pages: list[LabelledPage], forms: dict[str, list[LabelledPage]], folds: int = 5
) -> dict[str, list[str]]:
    """What `clean()` gives for every page of every form, from models fit on the raw pages of
    the other folds (forms that share one list of pages are analysed once)."""
    raw = build_dataset(raw_pages, corpus_weights=CORPUS_WEIGHTS)
    datasets = {id(raw_pages): raw}  # by the identity of their list of pages
    for pages in forms.values():
        if id(pages) not in datasets:
            datasets[id(pages)] = build_dataset(pages, corpus_weights=CORPUS_WEIGHTS)
    others = [key for key in datasets if key != id(raw_pages)]
    cv = cross_validate(
        raw, make_model, folds=folds, log=lambda line: print(line, file=sys.stderr),
        also_predict=[datasets[key] for key in others], fragments=build_fragments(raw_pages, raw),
    )  # fmt: skip
    probabilities = {id(raw_pages): cv.probabilities, **dict(zip(others, cv.other_probabilities))}
    # build_dataset keeps every page, in order: one text per page
    return {name: page_texts(datasets[id(pages)], probabilities[id(pages)], None) for name, pages in forms.items()}


def _joined(first: dict[str, list[LabelledPage]], second: dict[str, list[LabelledPage]]) -> dict[str, list[LabelledPage]]:
    """Each form's pages of both corpora in one list; forms that share their pages in both
    share the joined list too (so they are analysed once)."""
    joined: dict[tuple[int, int], list[LabelledPage]] = {}
    return {name: joined.setdefault((id(pages), id(second[name])), pages + second[name]) for name, pages in first.items()}


def form_score(
    pages: list[LabelledPage], texts: list[str], corpus: Literal["wcxb", "aeb"], by_characters: bool = False
) -> float:
    """A corpus's score of the texts: WCXB word F1 or AEB shingle F1, or for text without
    spaces between words, character F1 (macro over pages) on either."""
    if by_characters:
        return float(np.mean([character_f1(text, page.main_text).f1 for page, text in zip(pages, texts)]))
    if corpus == "wcxb":
        return float(score_wcxb(pages, texts)["f1"]["overall"])
    return float(score_aeb(pages, texts)["f1"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.forms", description=__doc__.split("\n")[0])
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--aeb", type=Path, default=DEFAULT_AEB, help="AEB folder")
    parser.add_argument("--peers", default="trafilatura", help="comma-separated peers ('' for none)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "forms.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    forms = dict(FORMS)
    try:
        import lxml.html  # noqa: F401

        with_lxml = True
    except ImportError:
        print("lxml is not installed (pip install 'pagesieve[peers]'): no re-serialised or other-script form", file=sys.stderr)
        forms.pop(RESERIALISED)
        with_lxml = False
    peers = available_peers([name for name in args.peers.split(",") if name])

    wcxb = list(load_wcxb(args.wcxb))
    aeb = list(load_aeb(args.aeb)) if (args.aeb / "ground-truth.json").exists() else []
    corpora: dict[Literal["wcxb", "aeb"], dict[str, list[LabelledPage]]] = {"wcxb": {}, "aeb": {}}
    for by_form, pages in ((corpora["wcxb"], wcxb), (corpora["aeb"], aeb)):
        by_form.update({name: transform(pages, form) for name, form in forms.items()})
        by_form[CONTENT_ONLY] = [content_only(page) for page in pages]
        if with_lxml:
            for script, name in IN_SCRIPT.items():
                if name in CHARACTER_F1_FORMS:  # with the row it compares with, by characters too
                    by_form[RESERIALISED_BY_CHARACTERS] = by_form[RESERIALISED]
                by_form[name] = [in_script(page, script) for page in pages]
    names = list(corpora["wcxb"])

    results: dict[str, dict[str, Any]] = {name: {} for name in names}
    print("pagesieve on WCXB and AEB (out of fold)", file=sys.stderr)
    both = _joined(corpora["wcxb"], corpora["aeb"])
    for name, texts in out_of_fold_texts(wcxb + aeb, both).items():
        parts: tuple[tuple[Literal["wcxb", "aeb"], list[str]], ...] = (("wcxb", texts[: len(wcxb)]), ("aeb", texts[len(wcxb) :]))
        for corpus, part in parts:
            if corpora[corpus].get(name):
                results[name][f"pagesieve {corpus}"] = form_score(corpora[corpus][name], part, corpus, name in CHARACTER_F1_FORMS)
    for tool in peers:
        print(f"running {tool}", file=sys.stderr)
        for corpus, by_form in corpora.items():
            outputs: dict[int, list[str]] = {}  # forms that share their pages are run once
            for name, pages in by_form.items():
                if not pages:
                    continue
                if id(pages) not in outputs:
                    outputs[id(pages)] = run_peer(tool, pages)
                results[name][f"{tool} {corpus}"] = form_score(pages, outputs[id(pages)], corpus, name in CHARACTER_F1_FORMS)

    columns = [f"{tool} {corpus}" for tool in ("pagesieve", *peers) for corpus in ("wcxb", "aeb")]
    columns = [column for column in columns if any(column in row for row in results.values())]
    lines = ["| form | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in results.items():
        cells = [f"{row[column]:.3f}" if column in row else "-" for column in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out} ({time.perf_counter() - started:.0f}s)", file=sys.stderr)
    return 0


__all__ = [
    "CHARACTER_F1_FORMS", "CONTENT_ONLY", "FORMS", "IN_SCRIPT", "RESERIALISED", "RESERIALISED_BY_CHARACTERS",
    "SCRIPTS", "body_only", "content_only", "form_score", "html_in_script", "in_script", "main",
    "out_of_fold_texts", "reserialised", "transform", "truncated", "without_scripts",
]  # fmt: skip

if __name__ == "__main__":
    raise SystemExit(main())
