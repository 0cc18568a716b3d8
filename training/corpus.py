"""Loaders for labelled pages (HTML plus gold main-content text).

This module owns the on-disk corpus formats the training and evaluation code
read, and turns each into a stream of :class:`LabelledPage`:

* :func:`load_wcxb` - a WCXB-format folder: ``html/<id>.html.gz``,
  ``ground-truth/<id>.json`` (gold text in ``ground_truth.main_content``, page
  type in ``_internal.page_type.primary``) and ``metadata.json``
  (``files: {id: {url, domain, page_type}}``).
* :func:`load_jsonl` - JSON Lines (``.jsonl`` or ``.jsonl.gz``), one page per
  line with ``url``, ``html`` (a string), ``main_text`` and optionally
  ``page_type`` and ``id``.
* :func:`load_aeb` - the ScrapingHub/Zyte article-extraction-benchmark folder:
  ``html/<id>.html.gz`` and ``ground-truth.json`` (``id -> {articleBody,
  url}``); every page has type ``"article"``. It trains beside the others; its
  figures are reported out of fold only.
* :func:`load_farm_news` - the farm set's news pages labelled block by block
  (``extraction-labels.jsonl``, convention in ``docs/news-labelling.md``): each
  block's role, and the ``body`` blocks as the gold text.

It re-exports :func:`classifier.hosts.registered_domain`, the grouping key for GroupKFold so
that pages of one site never straddle a train/validation split.

The HTML is returned as the raw bytes found on disk (un-gzipped); decoding is
left to the consumer.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.extraction.roles import ROLES  # the roles of docs/news-labelling.md, in a fixed order
from classifier.hosts import registered_domain

__all__ = [
    "ROLES",
    "LabelledPage",
    "load_aeb",
    "load_farm_news",
    "load_corpus",
    "load_jsonl",
    "load_wcxb",
    "registered_domain",
]

UNKNOWN_PAGE_TYPE = "unknown"



@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One page with its gold main-content text.

    ``domain`` is the registered domain (eTLD+1) of ``url``, see
    :func:`registered_domain`; use it as the cross-validation group.
    """

    page_id: str
    url: str
    domain: str
    page_type: str
    html: bytes
    main_text: str
    corpus: str = "unknown"  # wcxb, aeb, farm (news pages labelled block by block), jsonl
    roles: tuple[str, ...] | None = None  # each block's role, where the page is labelled block by block
    digest: str | None = None  # SHA-1 of the block texts the roles were given to


def _read_gzip(path: Path) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read()


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_wcxb(
    folder: str | os.PathLike[str], *, skip_empty_gold: bool = False
) -> Iterator[LabelledPage]:
    """Yield the pages of a WCXB-format folder in sorted id order.

    Pages listed in ``metadata.json`` come first; when it is absent, every
    ``html/*.html.gz`` with a ground-truth file is used.  A page whose ground
    truth has no (or a ``null``) ``main_content`` gets ``main_text=""``; with
    ``skip_empty_gold=True`` pages whose gold text is empty or whitespace are
    skipped instead (WCXB dev has 21 such pages, mostly failed annotations of
    product/listing/collection pages).  The page type comes from
    ``_internal.page_type.primary``, falling back to ``metadata.json``.
    """
    root = Path(folder)
    meta_path = root / "metadata.json"
    files: dict[str, dict[str, Any]] = {}
    if meta_path.exists():
        files = dict(_read_json(meta_path).get("files", {}))
    if not files:
        for html_path in (root / "html").glob("*.html.gz"):
            files[html_path.name[: -len(".html.gz")]] = {}
    for page_id in sorted(files):
        meta = files[page_id] or {}
        gt_path = root / "ground-truth" / f"{page_id}.json"
        html_path = root / "html" / f"{page_id}.html.gz"
        if not gt_path.exists() or not html_path.exists():
            continue
        record = _read_json(gt_path)
        gold = record.get("ground_truth") or {}
        main_text = gold.get("main_content") or ""
        if skip_empty_gold and not main_text.strip():
            continue
        page_type = (
            ((record.get("_internal") or {}).get("page_type") or {}).get("primary")
            or meta.get("page_type")
            or UNKNOWN_PAGE_TYPE
        )
        url = record.get("url") or meta.get("url") or ""
        domain = registered_domain(url) or registered_domain(meta.get("domain", ""))
        yield LabelledPage(
            page_id=page_id,
            url=url,
            domain=domain,
            page_type=page_type,
            html=_read_gzip(html_path),
            main_text=main_text,
            corpus="wcxb",
        )


def _jsonl_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p for p in path.iterdir() if p.name.endswith(".jsonl") or p.name.endswith(".jsonl.gz")
        )
    return [path]


def _jsonl_stem(path: Path) -> str:
    name = path.name
    for suffix in (".jsonl.gz", ".jsonl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def load_jsonl(path: str | os.PathLike[str]) -> Iterator[LabelledPage]:
    """Yield pages from a ``.jsonl``/``.jsonl.gz`` file (or a folder of them).

    Required fields per line: ``url``, ``html`` (str, stored as UTF-8 bytes)
    and ``main_text``; optional ``page_type`` (default ``"unknown"``) and
    ``id`` (default ``"<file stem>:<line number>"``).  Blank lines are
    skipped; a line missing a required field raises ``ValueError`` naming
    the file and line.
    """
    for file_path in _jsonl_files(Path(path)):
        opener = gzip.open if file_path.name.endswith(".gz") else open
        stem = _jsonl_stem(file_path)
        with opener(file_path, "rt", encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                missing = [k for k in ("url", "html", "main_text") if row.get(k) is None]
                if missing:
                    raise ValueError(
                        f"{file_path}:{line_no}: missing field(s) {', '.join(missing)}"
                    )
                html = row["html"]
                if not isinstance(html, str):
                    raise TypeError(f"{file_path}:{line_no}: field html must be a string")
                yield LabelledPage(
                    page_id=str(
                        row.get("id") if row.get("id") is not None else f"{stem}:{line_no}"
                    ),
                    url=row["url"],
                    domain=registered_domain(row["url"]),
                    page_type=row.get("page_type") or UNKNOWN_PAGE_TYPE,
                    html=html.encode("utf-8"),
                    main_text=row["main_text"],
                    corpus="jsonl",
                )


def load_aeb(folder: str | os.PathLike[str]) -> Iterator[LabelledPage]:
    """Yield the article-extraction-benchmark pages in sorted id order.

    Gold text is ``articleBody``; ``page_type`` is always ``"article"``.
    """
    root = Path(folder)
    truth: dict[str, dict[str, Any]] = _read_json(root / "ground-truth.json")
    for page_id in sorted(truth):
        html_path = root / "html" / f"{page_id}.html.gz"
        if not html_path.exists():
            continue
        entry = truth[page_id] or {}
        url = entry.get("url") or ""
        yield LabelledPage(
            page_id=page_id,
            url=url,
            domain=registered_domain(url),
            page_type="article",
            html=_read_gzip(html_path),
            main_text=entry.get("articleBody") or "",
            corpus="aeb",
        )


def expand_roles(ranges: list[list[Any]], blocks: int, where: str) -> tuple[str, ...]:
    """Per-block roles from `[first, last, role]` ranges that cover `blocks` blocks in order."""
    roles: list[str] = []
    for first, last, role in ranges:
        if first != len(roles) or last < first or role not in ROLES:
            raise ValueError(f"{where}: bad range {[first, last, role]}")
        roles.extend([role] * (last - first + 1))
    if len(roles) != blocks:
        raise ValueError(f"{where}: the ranges cover {len(roles)} blocks, the page has {blocks}")
    return tuple(roles)


def load_farm_news(folder: str | os.PathLike[str]) -> Iterator[LabelledPage]:
    """The farm set's news pages labelled block by block (`extraction-labels.jsonl`), in id
    order. The gold text is the page's ``body`` blocks; their texts are known only once the page
    is walked, so `main_text` is left empty here and filled in by `training.dataset`."""
    root = Path(folder)
    for line in (root / "extraction-labels.jsonl").open(encoding="utf-8"):
        if not line.strip():
            continue
        record = json.loads(line)
        url = record.get("url") or ""
        where = f"{root / 'extraction-labels.jsonl'}: {record['id']}"
        yield LabelledPage(
            page_id=f"farm-{record['id']}",
            url=url,
            domain=registered_domain(url) or record["id"],
            page_type="news",
            html=_read_gzip(root / "pages" / f"{record['id']}.html.gz"),
            main_text="",
            corpus="farm",
            roles=expand_roles(record["roles"], int(record["blocks"]), where),
            digest=record["digest"],
        )


def load_corpus(path: str | os.PathLike[str]) -> Iterator[LabelledPage]:
    """Dispatch on the layout: WCXB folder, AEB folder, farm folder (news pages labelled block by
    block), or JSONL file/folder."""
    p = Path(path)
    if p.is_dir() and (p / "ground-truth").is_dir():
        return load_wcxb(p)
    if p.is_dir() and (p / "ground-truth.json").is_file():
        return load_aeb(p)
    if p.is_dir() and (p / "extraction-labels.jsonl").is_file():
        return load_farm_news(p)
    return load_jsonl(p)
