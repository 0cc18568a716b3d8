"""One record -> one row: decode, extract, score (the default page function), and the pure
generator over records.

* `score_page(record, *, model, options) -> Row` is the default *page function*; every layer of
  the engine takes another one as `page_fn` (module-level, so that it pickles) for tests and
  for users with their own scoring. `model` is what the run's model loader returned: an
  `Extractor` (the default loader, `load_extractor`), a `LoadedModel`, or None for the
  default model.
* `score_records(records, ...)` is the pure generator, datatrove-style: records in, ``(record,
  row or None)`` out, in order, every page that raises turned into an error row. It runs
  anywhere: in a Dask task, in Spark's ``mapPartitions`` (README.md, "Under Spark"), in a
  notebook. `score_file()` wraps it for one input path and yields rows only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..extraction.decode import gunzip_whole
from ..extraction.document import Document
from ..extraction.extract import Extractor, extractor_for
from ..extraction.model import LoadedModel
from ..hosts import host_of
from ..scoring.page_score import PageScore
from ..scoring.score import score, score_and_skeletons
from ..scoring.template import Skeleton
from .records import expand_inputs, iter_records
from .rows import PageOptions, ReadOptions, Record, Row, error_row
from .syndication import text_signature
from .warc import decode_content_encoding

PageFn = Callable[..., Row]


def load_extractor(path: str | None = None) -> Extractor:
    """The extractor of the model at `path`, else `$CLASSIFIER_MODEL`'s, else the shipped one:
    the default model loader of every engine (once per worker process)."""
    return Extractor(path)


def row_from_document(
    record: Record, document: Document, page_score: PageScore, options: PageOptions, skeletons: tuple[Skeleton, ...] = ()
) -> Row:
    """The row of a page from its `Document`, `PageScore` and, with ``--site-templates``, the
    skeletons of its story (`score_and_skeletons`)."""
    reasons = [
        {"code": r.code, "evidence": (r.evidence or "")[: options.evidence_chars], "weight": float(r.weight)}
        for r in page_score.reasons
    ]
    return Row(
        source=record.source,
        offset=record.offset,
        url=record.url,
        status=record.status,
        host=host_of(record.url) or None,
        farm_probability=float(page_score.probability),
        flagged=bool(page_score.flagged),
        reasons=reasons,
        content_chars=len(document.text),
        boilerplate_share=round(max(0.0, min(1.0, document.boilerplate_share)), 6),
        title=document.title,
        published=document.metadata.published,
        author=document.metadata.author,
        language=document.metadata.language,
        canonical_url=document.metadata.canonical_url,
        text=document.text if options.with_text else None,
        threshold=float(page_score.threshold),
        signature=text_signature(document.text) if options.syndication else None,
        skeletons=[[s.key, s.filling, s.sentence] for s in skeletons] if options.site_templates else None,
    )


def score_page(record: Record, *, model: Extractor | LoadedModel | None = None, options: PageOptions = PageOptions()) -> Row:
    """Decode, extract and score one page record (the default page function).

    The page comes from `record_page`, decoded by `extract` with the record's HTTP charset.
    Exceptions propagate: the callers turn them into error rows.
    """
    extractor = model if isinstance(model, Extractor) else extractor_for(model)
    document = extractor.extract(
        record_page(record), url=record.url, http_charset=record.http_charset, threshold=options.threshold, favor=options.favor,
        include_title=options.include_title, include_captions=options.include_captions, include_comments=options.include_comments,
        roles=False,
    )  # fmt: skip
    if options.site_templates:
        page_score, skeletons = score_and_skeletons(document)
        return row_from_document(record, document, page_score, options, skeletons)
    return row_from_document(record, document, score(document), options)


def record_page(record: Record) -> str | bytes:
    """The page of a record as `extract` takes it: a gzip file inflated (whole, bounded), an
    HTTP Content-Encoding undone (bounded), bytes left for `extract` to decode (with
    `record.http_charset` first); a JSONL ``html`` string as it is. Damage raises
    (`CompressedDataError`): an error row."""
    body = record.body
    if not isinstance(body, bytes):
        return body or ""
    return gunzip_whole(body) if record.gzip_file else decode_content_encoding(body, record.content_encoding)


def score_records(
    records: Iterable[Record],
    *,
    page_fn: PageFn | None = None,
    model: Any = None,
    options: PageOptions = PageOptions(),
) -> Iterator[tuple[Record, Row | None]]:
    """The pure generator: ``(record, row)`` per record, in order, in this process.

    Pages go through `page_fn` (default `score_page`); a page that raises becomes an error row;
    a damaged-input record becomes an error row; a record that is not a page gives ``None``.
    No timeout here (use `classifier.bulk.engine.run` or `classifier.bulk.sandbox.PagePool`).
    """
    fn = page_fn or score_page
    for record in records:
        yield record, row_of(record, fn, model, options)


def row_of(record: Record, page_fn: PageFn, model: Any, options: PageOptions) -> Row | None:
    """The row of one record in this process: an error row for damage or a page that raises,
    None for a record that is not a page."""
    if record.error is not None:
        return error_row(record, record.error)
    if record.skip is not None:
        return None
    try:
        return page_fn(record, model=model, options=options)
    except Exception as exc:  # noqa: BLE001 - every page becomes a row
        return error_row(record, f"{type(exc).__name__}: {exc}"[:500])


def score_file(
    path: str,
    *,
    model: Any = None,
    page_fn: PageFn | None = None,
    options: PageOptions = PageOptions(),
    html_field: str = "html",
    url_field: str = "url",
) -> Iterator[Row]:
    """Rows of one input path (a WARC, JSONL or HTML file, or a folder), in order.

    Make the extractor once per process and pass it as `model` (README.md, "Under Spark").
    """
    for source in expand_inputs([path]):
        records = iter_records(source, ReadOptions(html_field=html_field, url_field=url_field))
        for _, row in score_records(records, page_fn=page_fn, model=model, options=options):
            if row is not None:
                yield row
