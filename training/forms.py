"""`python -m training.forms`: how the scores hold when pages come in another form.

Crawled pages reach users raw, with scripts stripped by an archive or a sanitiser, re-serialised
by another parser, cut short by a crawler's size cap, or as the body alone. The block model is
trained on raw pages (and fragments of their main content, `training.fragments`), in none of
these forms; this measures what each form costs:

- WCXB (out-of-fold): each fold's model is fit on the raw pages of the other folds' sites (and
  their fragments, as `training.fit` does) and predicts its own sites' pages in every form;
  word F1, macro over pages.
- AEB (evaluation only): the shipped model on every form of the pages; shingle F1.
- The peers asked for (default trafilatura) on the same transformed pages, in the same run.

The gold text stays the page's whole main content, so a truncated page scores lower for every
tool: compare the tools within a row, and each row with `raw`. One more form is the main
content alone (`content_only`: the gold text as a bare fragment of paragraphs, as an RSS item or
a sanitiser gives it), where a tool should return everything. Two more are the page in another
script (`in_script`): WCXB's pages are nearly all English, so every Latin letter of the text
(and of the gold) is mapped to a Cyrillic one (case kept), or to an Arabic one (which has no
case), which tells whether the model leans on the Latin alphabet or on capital letters; the
page goes through lxml for that, so compare them with the re-serialised row.
"""

from __future__ import annotations

import argparse
import dataclasses
import html as html_escaping
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from classifier import clean, load_model
from classifier.model import SHIPPED_MODEL
from classifier.decode import decode_html

from .corpus import LabelledPage, load_aeb, load_wcxb
from .crossval import cross_validate, wcxb_scores
from .dataset import build_dataset
from .evaluate import DEFAULT_AEB, ROOT
from .fit import DEFAULT_CORPUS, make_model
from .fragments import build_fragments
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
    except Exception:  # noqa: BLE001  (lxml refuses some documents: the page stays as it was)
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
# keeps the case; Arabic has none, so upper and lower case map to the same letter.
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنه"
SCRIPTS: dict[str, dict[int, int]] = {
    "Cyrillic": str.maketrans(_LATIN + _LATIN.upper(), "абвгдежзийклмнопрстуфхцчшщ" + "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩ"),
    "Arabic": str.maketrans(_LATIN + _LATIN.upper(), _ARABIC + _ARABIC),
}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # lxml refuses them in a tree
_TEXT_ATTRIBUTES = ("content", "alt", "title", "aria-label")
_JSON_LD_ADDRESSES = frozenset({"url", "image", "logo", "sameAs", "mainEntityOfPage"})


def _json_in_script(value: Any, table: dict[int, int]) -> Any:
    """JSON-LD with its text values mapped (not its keys, `@` values or addresses)."""
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, list):
        return [_json_in_script(item, table) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key.startswith("@") or key in _JSON_LD_ADDRESSES else _json_in_script(item, table)
            for key, item in value.items()
        }
    return value


def html_in_script(html: str, script: str = "Cyrillic") -> str:
    """The page with the Latin letters of its text mapped to another script (`SCRIPTS`): text
    nodes, the text attributes (`content`, `alt`, `title`, `aria-label`) and JSON-LD values;
    not tags, classes, ids, addresses, scripts or styles. Parsed and written back by lxml."""
    import lxml.html  # a dependency of trafilatura: the `peers` extra (and of the tests)

    table = SCRIPTS[script]
    root = lxml.html.document_fromstring(_CONTROL_CHARACTERS.sub("", html))
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""  # comments have no str tag
        if tag == "script" and (element.get("type") or "").lower() == "application/ld+json" and element.text:
            try:
                element.text = json.dumps(_json_in_script(json.loads(element.text), table), ensure_ascii=False)
            except ValueError:
                pass  # not JSON: left as the page has it
        elif tag and tag not in ("script", "style") and element.text:
            element.text = element.text.translate(table)
        if tag:
            for name in _TEXT_ATTRIBUTES:
                value = element.get(name)
                if value and not (name == "content" and element.get("http-equiv")):
                    element.set(name, value.translate(table))
        if element.tail:
            element.tail = element.tail.translate(table)
    return lxml.html.tostring(root, encoding="unicode")


def in_script(page: LabelledPage, script: str = "Cyrillic") -> LabelledPage:
    """The page and its gold text in another script (`html_in_script`); a page lxml cannot
    read stays as it is, gold included."""
    try:
        html = html_in_script(decode_html(page.html), script)
    except Exception:  # noqa: BLE001  (lxml refuses some documents, such as empty ones)
        return page
    return dataclasses.replace(
        page, html=UTF8_BOM + html.encode("utf-8", "replace"), main_text=page.main_text.translate(SCRIPTS[script])
    )


CONTENT_ONLY = "main content only (a fragment)"
IN_SCRIPT = {
    "Cyrillic": "text in Cyrillic letters (via lxml)",
    "Arabic": "text in Arabic letters, no case (via lxml)",
}
FORMS: dict[str, Callable[[str], str] | None] = {
    "raw": None,
    "no scripts or styles": without_scripts,
    "re-serialised (lxml)": reserialised,
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


def wcxb_out_of_fold(
    raw_pages: list[LabelledPage], forms: dict[str, list[LabelledPage]], folds: int = 5
) -> dict[str, dict[str, float]]:
    """WCXB F1 per form of models fit on the raw pages of the other folds."""
    raw = build_dataset(raw_pages)
    others = {name: build_dataset(pages) for name, pages in forms.items() if pages is not raw_pages}
    cv = cross_validate(
        raw, make_model, folds=folds, log=lambda line: print(line, file=sys.stderr),
        also_predict=list(others.values()), fragments=build_fragments(raw_pages, raw),
    )  # fmt: skip
    predicted = dict(zip(others, cv.other_probabilities))
    return {
        name: wcxb_scores(others.get(name, raw), predicted.get(name, cv.probabilities), None)[0]
        for name in forms
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.forms", description=__doc__.split("\n")[0])
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--aeb", type=Path, default=DEFAULT_AEB, help="AEB folder (evaluation only)")
    parser.add_argument("--peers", default="trafilatura", help="comma-separated peers ('' for none)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "forms.json")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL, help="the model run on AEB (default: the shipped one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    forms = dict(FORMS)
    try:
        import lxml.html  # noqa: F401

        with_lxml = True
    except ImportError:
        print("lxml is not installed (pip install 'pagesieve[peers]'): no re-serialised or other-script form", file=sys.stderr)
        forms.pop("re-serialised (lxml)")
        with_lxml = False
    peers = available_peers([name for name in args.peers.split(",") if name])

    wcxb = list(load_wcxb(args.wcxb))
    wcxb_forms = {name: transform(wcxb, form) for name, form in forms.items()}
    wcxb_forms[CONTENT_ONLY] = [content_only(page) for page in wcxb]
    aeb = list(load_aeb(args.aeb)) if (args.aeb / "ground-truth.json").exists() else []
    aeb_forms = {name: transform(aeb, form) for name, form in forms.items()}
    aeb_forms[CONTENT_ONLY] = [content_only(page) for page in aeb]
    names = [*forms, CONTENT_ONLY]
    if with_lxml:
        for script, name in IN_SCRIPT.items():
            wcxb_forms[name] = [in_script(page, script) for page in wcxb]
            aeb_forms[name] = [in_script(page, script) for page in aeb]
            names.append(name)

    results: dict[str, dict[str, Any]] = {name: {} for name in names}
    print("pagesieve on WCXB (out-of-fold)", file=sys.stderr)
    for name, scores in wcxb_out_of_fold(wcxb, wcxb_forms).items():
        results[name]["pagesieve wcxb"] = scores["overall"]
    model = load_model(args.model)
    for name, pages in aeb_forms.items():
        if pages:
            texts = [clean(page.html, page.url, model=model) for page in pages]
            results[name]["pagesieve aeb"] = score_aeb(pages, texts)["f1"]
    for peer in peers:
        print(f"running {peer}", file=sys.stderr)
        for name in names:
            results[name][f"{peer} wcxb"] = score_wcxb(wcxb_forms[name], run_peer(peer, wcxb_forms[name]))["f1"]["overall"]
            if aeb_forms[name]:
                results[name][f"{peer} aeb"] = score_aeb(aeb_forms[name], run_peer(peer, aeb_forms[name]))["f1"]

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
    "CONTENT_ONLY", "FORMS", "IN_SCRIPT", "SCRIPTS", "body_only", "content_only", "html_in_script", "in_script",
    "main", "reserialised", "transform", "truncated", "without_scripts",
]  # fmt: skip

if __name__ == "__main__":
    raise SystemExit(main())
