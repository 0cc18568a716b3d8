"""Peer extractors (trafilatura, resiliparse, jusText, readability) on our benchmarks.

This module owns how the peer tools are called and scored, so that every
comparison in the project runs them the same way:

* every tool gets the same input: the page bytes decoded with
  :func:`decode_html` (UTF-8, ``errors="replace"``).  All pages of WCXB dev and
  of the AEB set are valid UTF-8 (the benchmark files were stored as UTF-8,
  even where a ``<meta charset>`` still names another encoding), so this
  decoding is lossless there and does not let any tool's own charset sniffing
  help or hurt it;
* each tool runs with its defaults (:data:`PEERS` says exactly what is called);
* each page runs under a per-page timeout in a worker process that is killed
  and restarted on a time-out (the bulk engine's sandbox, `classifier.bulk.sandbox`);
  a timed-out or failing page counts as an empty extraction.

Use it as a library (:func:`run_peer`, :func:`available_peers`,
:func:`score_wcxb`, :func:`score_aeb`) or from the command line::

    python -m training.peers [--wcxb DIR] [--aeb DIR] [--out FILE.json]

which writes WCXB word F1 (overall and per page type) and AEB
precision/recall/F1 per tool to JSON and prints a Markdown table.

WCXB scores cover every page, including the 21 dev pages whose gold text is
empty or missing (an empty extraction scores 1.0 there); that convention
reproduces the published dev numbers (trafilatura 2.3.1 0.818, resiliparse
0.776, jusText with the English stoplist 0.691, readability 0.703 vs 0.702
published; AEB trafilatura F1 0.953).  ``score_wcxb`` also reports the
variant without those pages under ``nonempty_gold``.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import importlib.util
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.bulk.sandbox import PagePool

from .corpus import LabelledPage, load_aeb, load_wcxb
from .metrics import aeb_score, macro_by_type, word_f1

__all__ = [
    "PEERS",
    "PeerRun",
    "available_peers",
    "decode_html",
    "extract",
    "main",
    "page_language",
    "run_peer",
    "run_peer_detailed",
    "score_aeb",
    "score_wcxb",
]

DEFAULT_WCXB = Path(__file__).resolve().parent.parent / "data" / "wcxb-dev"
DEFAULT_AEB_CANDIDATES = (Path(__file__).resolve().parent.parent / "data" / "aeb",)
DEFAULT_TIMEOUT = 60.0

_HTML_LANG_RE = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})", re.IGNORECASE)

#: ISO 639-1 code -> jusText stoplist name (languages jusText ships).
_JUSTEXT_STOPLISTS: dict[str, str] = {
    "af": "Afrikaans",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "gl": "Galician",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "is": "Icelandic",
    "it": "Italian",
    "ka": "Georgian",
    "kk": "Kazakh",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mk": "Macedonian",
    "mr": "Marathi",
    "ms": "Malay",
    "nb": "Norwegian_Bokmal",
    "nl": "Dutch",
    "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sq": "Albanian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "vi": "Vietnamese",
}

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


def decode_html(html: bytes | str) -> str:
    """The one decoding every peer gets: UTF-8 with ``errors="replace"``."""
    if isinstance(html, str):
        return html
    return html.decode("utf-8", errors="replace")


def page_language(html: str) -> str | None:
    """Lower-case primary language subtag of ``<html lang=...>``, if any."""
    match = _HTML_LANG_RE.search(html[:20000])
    return match.group(1).lower() if match else None


# ---------------------------------------------------------------------------
# The extractors (each takes decoded HTML and the page URL, returns text)
# ---------------------------------------------------------------------------


def _trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, output_format="txt") or ""


def _resiliparse(html: str, url: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html, main_content=True) or ""


def _justext_with(html: str, stoplist_name: str) -> str:
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist(stoplist_name))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _justext(html: str, url: str) -> str:
    return _justext_with(html, "English")


def _justext_lang(html: str, url: str) -> str:
    lang = page_language(html)
    return _justext_with(html, _JUSTEXT_STOPLISTS.get(lang or "", "English"))


def _fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment with line breaks at block elements."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    # Iterative pre/post-order walk: (element, closing?) so deep trees are fine.
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if closing:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
            continue
        if tag is None or tag in _SKIP_TAGS:  # comments, processing instructions, scripts
            if el.tail:
                parts.append(el.tail)
            continue
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _readability(html: str, url: str) -> str:
    from readability import Document

    return _fragment_text(Document(html).summary(html_partial=True))


@dataclass(frozen=True, slots=True)
class PeerSpec:
    """How one peer is called: its import module, distribution and function."""

    module: str
    distribution: str
    function: Callable[[str, str], str]
    description: str


#: The peers, in reporting order.  ``justext`` always uses the English
#: stoplist (this reproduces the published WCXB number); ``justext_lang`` picks
#: the stoplist from ``<html lang>`` (English when absent or unknown).
PEERS: dict[str, PeerSpec] = {
    "trafilatura": PeerSpec(
        "trafilatura", "trafilatura", _trafilatura, "trafilatura.extract(html, output_format='txt')"
    ),
    "resiliparse": PeerSpec(
        "resiliparse",
        "Resiliparse",
        _resiliparse,
        "resiliparse.extract.html2text.extract_plain_text(html, main_content=True)",
    ),
    "justext": PeerSpec(
        "justext",
        "jusText",
        _justext,
        "justext.justext(html, get_stoplist('English')); non-boilerplate paragraphs",
    ),
    "justext_lang": PeerSpec(
        "justext",
        "jusText",
        _justext_lang,
        "justext.justext(html, get_stoplist(<html lang> or English)); non-boilerplate paragraphs",
    ),
    "readability": PeerSpec(
        "readability",
        "readability-lxml",
        _readability,
        "readability.Document(html).summary(html_partial=True), block-aware text",
    ),
}
DEFAULT_PEERS = ("trafilatura", "resiliparse", "justext", "justext_lang", "readability")


def available_peers(names: Iterable[str] = DEFAULT_PEERS) -> list[str]:
    """The subset of ``names`` whose package is importable."""
    return [n for n in names if importlib.util.find_spec(PEERS[n].module) is not None]


def peer_version(name: str) -> str | None:
    """Installed version of the peer's distribution, if known."""
    try:
        return importlib.metadata.version(PEERS[name].distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def extract(name: str, html: bytes | str, url: str = "") -> str:
    """Run peer ``name`` on one page in this process (no time-out)."""
    return PEERS[name].function(decode_html(html), url)


# ---------------------------------------------------------------------------
# Running a peer over many pages with a per-page time-out
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class PeerRun:
    """Outputs of one peer over a page list, with failure counts and timing."""

    name: str
    texts: list[str]
    seconds: float = 0.0
    timeouts: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Job:
    """One page for a peer: decoded HTML and its URL."""

    html: str
    url: str


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a peer made of one page: "ok" and its text, "err" or "timeout" and why."""

    status: str
    text: str


def _warm_up(name: str) -> str:
    """Load the peer (imports, lazy tables) in a worker, so the first page's time-out is fair;
    the worker's "model" is the peer's name."""
    try:
        PEERS[name].function("<html><body><p>warm up</p></body></html>", "")
    except Exception as exc:  # noqa: BLE001 - the real pages will report it
        print(f"[peers] {name} warm-up failed: {exc!r}", file=sys.stderr)
    return name


def _peer_page(job: _Job, *, model: str, options: object = None) -> _Outcome:
    return _Outcome("ok", PEERS[model].function(job.html, job.url))


def _peer_failure(job: _Job, message: str) -> _Outcome:
    return _Outcome("timeout" if message.startswith("timeout") else "err", message)


def _as_inputs(pages: Sequence[LabelledPage | bytes | str]) -> list[tuple[bytes | str, str]]:
    return [(p.html, p.url) if isinstance(p, LabelledPage) else (p, "") for p in pages]


def run_peer_detailed(
    name: str,
    pages: Sequence[LabelledPage | bytes | str],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: Callable[[str, int, int], None] | None = None,
) -> PeerRun:
    """Run peer ``name`` on every page; failures and time-outs give ``""``.

    With ``timeout=None`` the peer runs in this process (fast, no guard);
    otherwise in a spawned worker process that is killed and restarted when a
    page takes longer than ``timeout`` seconds.
    """
    if name not in PEERS:
        raise KeyError(f"unknown peer {name!r}; known: {', '.join(PEERS)}")
    inputs = _as_inputs(pages)
    run = PeerRun(name=name, texts=[])
    start = time.perf_counter()
    jobs = (_Job(decode_html(html), url) for html, url in inputs)
    if timeout is None:
        outcomes: Iterable[_Outcome] = (_in_process(name, job) for job in jobs)
        _collect(run, outcomes, len(inputs), progress)
    else:
        pool: PagePool[_Job] = PagePool(
            page_fn=_peer_page,
            error_fn=_peer_failure,
            workers=1,
            model_loader=functools.partial(_warm_up, name),
            timeout=timeout,
            start_method="spawn",
        )
        with pool:
            _collect(run, (outcome for _, outcome in pool.imap(jobs, lambda job: job)), len(inputs), progress)
    run.seconds = time.perf_counter() - start
    return run


def _in_process(name: str, job: _Job) -> _Outcome:
    try:
        return _peer_page(job, model=name)
    except Exception as exc:  # noqa: BLE001 - a peer failure is data, not a crash
        return _peer_failure(job, f"{type(exc).__name__}: {exc}")


def _collect(
    run: PeerRun, outcomes: Iterable[_Outcome], total: int, progress: Callable[[str, int, int], None] | None
) -> None:
    for i, outcome in enumerate(outcomes):
        run.texts.append(outcome.text if outcome.status == "ok" else "")
        if outcome.status == "timeout":
            run.timeouts.append(i)
        elif outcome.status != "ok":
            run.errors[i] = outcome.text
        if progress is not None:
            progress(run.name, i + 1, total)


def run_peer(
    name: str,
    pages: Sequence[LabelledPage | bytes | str],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[str]:
    """Extracted text of peer ``name`` for each page (``""`` on failure)."""
    return run_peer_detailed(name, pages, timeout=timeout).texts


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def score_wcxb(pages: Sequence[LabelledPage], texts: Sequence[str]) -> dict[str, Any]:
    """WCXB word F1 macro-averaged overall and per page type.

    ``all`` scores every page (an empty gold text with an empty extraction
    counts 1.0, see :func:`training.metrics.word_f1`); ``nonempty_gold``
    leaves out pages whose gold main content has no token.
    """
    if len(pages) != len(texts):
        raise ValueError("pages and texts differ in length")
    per_page = [word_f1(text, page.main_text) for page, text in zip(pages, texts)]
    with_gold = [
        (page.page_type, prf.f1)
        for page, prf in zip(pages, per_page)
        if page.main_text and any(ch.isalnum() for ch in page.main_text)
    ]
    return {
        "f1": macro_by_type((page.page_type, prf.f1) for page, prf in zip(pages, per_page)),
        "precision": macro_by_type(
            (page.page_type, prf.precision) for page, prf in zip(pages, per_page)
        )["overall"],
        "recall": macro_by_type((page.page_type, prf.recall) for page, prf in zip(pages, per_page))[
            "overall"
        ],
        "n": len(per_page),
        "nonempty_gold": {"f1": macro_by_type(with_gold), "n": len(with_gold)},
    }


def score_aeb(pages: Sequence[LabelledPage], texts: Sequence[str]) -> dict[str, Any]:
    """AEB shingle precision/recall/F1 with bootstrap standard deviations."""
    if len(pages) != len(texts):
        raise ValueError("pages and texts differ in length")
    result = aeb_score(zip(texts, (p.main_text for p in pages)))
    return {
        "precision": result.precision,
        "recall": result.recall,
        "f1": result.f1,
        "f1_std": result.f1_std,
        "precision_std": result.precision_std,
        "recall_std": result.recall_std,
        "accuracy": result.accuracy,
        "n": result.n,
    }


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _default_aeb() -> Path | None:
    return next((p for p in DEFAULT_AEB_CANDIDATES if (p / "ground-truth.json").is_file()), None)


def markdown_table(results: dict[str, Any], page_types: Sequence[str]) -> str:
    """Markdown table: one row per tool, WCXB overall + per type, AEB P/R/F1."""
    header = ["tool", "WCXB F1", *page_types, "AEB P", "AEB R", "AEB F1"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, res in results.items():
        wcxb = (res.get("wcxb") or {}).get("f1", {})
        aeb = res.get("aeb") or {}
        cells = [f"{name} {res.get('version') or ''}".strip()]
        cells.append(f"{wcxb['overall']:.3f}" if "overall" in wcxb else "-")
        cells += [f"{wcxb[t]:.3f}" if t in wcxb else "-" for t in page_types]
        if aeb:
            cells += [
                f"{aeb['precision']:.3f}",
                f"{aeb['recall']:.3f}",
                f"{aeb['f1']:.3f} ± {aeb['f1_std']:.3f}",
            ]
        else:
            cells += ["-", "-", "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _evaluate_tool(
    name: str,
    wcxb_pages: Sequence[LabelledPage],
    aeb_pages: Sequence[LabelledPage],
    timeout: float | None,
    outputs_dir: Path | None,
) -> dict[str, Any]:
    res: dict[str, Any] = {"version": peer_version(name), "call": PEERS[name].description}
    for label, pages, scorer in (
        ("wcxb", wcxb_pages, score_wcxb),
        ("aeb", aeb_pages, score_aeb),
    ):
        if not pages:
            continue
        run = run_peer_detailed(name, pages, timeout=timeout)
        res[label] = scorer(pages, run.texts)
        res[label]["seconds"] = round(run.seconds, 1)
        res[label]["timeouts"] = [pages[i].page_id for i in run.timeouts]
        res[label]["errors"] = {pages[i].page_id: msg for i, msg in run.errors.items()}
        if outputs_dir is not None:
            outputs_dir.mkdir(parents=True, exist_ok=True)
            with open(outputs_dir / f"{label}-{name}.json", "w", encoding="utf-8") as handle:
                json.dump(
                    {p.page_id: t for p, t in zip(pages, run.texts)},
                    handle,
                    ensure_ascii=False,
                )
        print(
            f"[peers] {name} on {label}: {len(pages)} pages in {run.seconds:.0f}s, "
            f"{len(run.timeouts)} time-outs, {len(run.errors)} errors",
            file=sys.stderr,
            flush=True,
        )
    return res


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.peers",
        description="Score the installed peer extractors on WCXB and the AEB set.",
    )
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB, help="WCXB-format folder")
    parser.add_argument(
        "--aeb", type=Path, default=None, help="AEB folder (default: data/aeb)"
    )
    parser.add_argument("--no-wcxb", action="store_true", help="skip WCXB")
    parser.add_argument("--no-aeb", action="store_true", help="skip AEB")
    parser.add_argument("--out", type=Path, default=None, help="write results JSON here")
    parser.add_argument(
        "--peers",
        default=",".join(DEFAULT_PEERS),
        help=f"comma-separated subset of {', '.join(PEERS)} (default: %(default)s)",
    )
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per page")
    parser.add_argument("--jobs", type=int, default=2, help="tools run concurrently")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set only")
    parser.add_argument("--outputs-dir", type=Path, default=None, help="save per-page extractions")
    args = parser.parse_args(argv)

    wanted = [n.strip() for n in args.peers.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in PEERS]
    if unknown:
        parser.error(f"unknown peer(s): {', '.join(unknown)}")
    names = available_peers(wanted)
    for missing in sorted(set(wanted) - set(names)):
        print(
            f"[peers] skipping {missing}: package {PEERS[missing].distribution} not installed",
            file=sys.stderr,
        )

    wcxb_pages: list[LabelledPage] = [] if args.no_wcxb else list(load_wcxb(args.wcxb))
    aeb_dir = args.aeb or _default_aeb()
    aeb_pages: list[LabelledPage] = []
    if not args.no_aeb:
        if aeb_dir is None:
            print("[peers] no AEB folder found; skipping AEB", file=sys.stderr)
        else:
            aeb_pages = list(load_aeb(aeb_dir))
    if args.limit is not None:
        wcxb_pages, aeb_pages = wcxb_pages[: args.limit], aeb_pages[: args.limit]

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            n: pool.submit(_evaluate_tool, n, wcxb_pages, aeb_pages, args.timeout, args.outputs_dir)
            for n in names
        }
        results = {n: futures[n].result() for n in names}

    page_types = sorted({p.page_type for p in wcxb_pages})
    payload = {
        "decoding": "utf-8, errors='replace'",
        "timeout_seconds": args.timeout,
        "wcxb": str(args.wcxb) if wcxb_pages else None,
        "aeb": str(aeb_dir) if aeb_pages else None,
        "tools": results,
    }
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    print(markdown_table(results, page_types))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
