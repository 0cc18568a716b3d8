"""Bulk scoring: one row per HTML page of WARC, JSONL and folder inputs.

The layers, from the inside out:

* `score_page(record, *, model, options) -> Row`: decode (HTTP charset first), extract, score,
  one row. This is the default *page function*; every layer takes another one as `page_fn`
  (module-level, so that it pickles) for tests and for users with their own scoring.
* `score_records(records, ...)`: the pure generator, datatrove-style: records in, ``(record,
  row or None)`` out, in order, every page that raises turned into an error row. It runs
  anywhere: in a Dask task, in Spark's ``mapPartitions`` (see README.md, "Under Spark"), in a notebook.
  `score_file()` wraps it for one input path and yields rows only.
* `run(inputs, output, options=BulkOptions(...))`: the local engine behind ``python -m
  classifier score``: a pool of killable workers (`classifier.sandbox`) with a per-page
  deadline and memory limit, the model loaded once per worker, pages handed out one at a time
  (so large files are split across workers too), rows written in input order (so the output is
  the same for any number of workers), one atomic part per input (`classifier.parts`) so a
  rerun resumes, and the assembly (syndication, hosts CSV, summary) at the end.

Row fields are documented on `Row`. ``reasons`` is a list of ``{"code", "evidence", "weight"}``
objects (evidence cut to `PageOptions.evidence_chars`), so users see why a page was flagged.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal

from .hosts import host_of
from .io import Record, Source, decode_content_encoding, expand_inputs, iter_records

if TYPE_CHECKING:  # pragma: no cover
    from .extract import Favor
    from .parts import PartWriter

#: Reason code the scorer emits when the same text is on N >= 2 registered domains.
DUP_REASON = "same_text_on_N_domains"


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class Row:
    """One output row: a scored HTML page, or an error at a place in the input.

    * `source`: the input file (``-`` for stdin); `offset`: the WARC record's byte offset, the
      JSONL line number (1-based), or 0 for an HTML file.
    * `url` (from the WARC record or the JSONL line; None for HTML files) and its `host`.
    * `farm_probability` / `flagged`: the page score (None on error rows).
    * `reasons`: ``[{"code", "evidence", "weight"}]``, the scorer's evidence.
    * `content_chars`: characters of main text; `boilerplate_share`: the share of the page's
      block text that is not main content (0..1).
    * `title`, `published`, `author`, `language`, `canonical_url`: what the page says about
      itself (`Document.title` and `Document.metadata`; None where it does not say).
    * `error`: None, or what went wrong (exception, timeout, memory, damaged input).
    * `dup_domains`: None unless ``--syndication``: how many registered domains carry
      near-identical main text (1 = only this one; None when the text is too short to compare).
    * `text`: the main text, only with ``--text``.

    `threshold` and `signature` travel with the row between workers and the assembly (the
    page threshold, for rescoring with `dup_domains`; the MinHash of the text) and are not
    written to the output.
    """

    source: str
    offset: int
    url: str | None = None
    host: str | None = None
    farm_probability: float | None = None
    flagged: bool | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    content_chars: int | None = None
    boilerplate_share: float | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    error: str | None = None
    dup_domains: int | None = None
    text: str | None = None
    threshold: float | None = field(default=None, repr=False, compare=False)
    signature: str | None = field(default=None, repr=False, compare=False)

    def to_dict(self, *, with_text: bool = False, hidden: bool = False) -> dict[str, Any]:
        """The row as written: `text` only `with_text`; `hidden` adds ``_threshold``/``_sig``."""
        out = {name: getattr(self, name) for name in OUTPUT_FIELDS}
        out["reasons"] = [dict(reason) for reason in self.reasons]
        if with_text:
            out["text"] = self.text
        if hidden:
            out["_threshold"] = self.threshold
            out["_sig"] = self.signature
        return out


OUTPUT_FIELDS = (
    "source",
    "offset",
    "url",
    "host",
    "farm_probability",
    "flagged",
    "reasons",
    "content_chars",
    "boilerplate_share",
    "title",
    "published",
    "author",
    "language",
    "canonical_url",
    "error",
    "dup_domains",
)


@dataclass(frozen=True, slots=True)
class PageOptions:
    """How each page is scored (these change the rows, so they key the resume parts).

    `with_text` (False) keeps the main text in the row; `threshold` (None: the model's) is the
    block threshold and `favor` ("balanced") the per-page cut's leaning, both passed to
    `classifier.extract`; `syndication` (False) computes the MinHash
    signature of the main text; `evidence_chars` (200) cuts each reason's evidence.
    """

    with_text: bool = False
    threshold: float | None = None
    favor: Favor = "balanced"
    syndication: bool = False
    evidence_chars: int = 200

    def __post_init__(self) -> None:
        # A bad option fails here, not on every page.
        from .extract import check_decision

        check_decision(self.threshold, self.favor)


def error_row(record: Record, message: str) -> Row:
    """The row for a record that could not be scored (or damaged input at its offset)."""
    return Row(source=record.source, offset=record.offset, url=record.url, host=host_of(record.url) or None, error=message)


def row_from_document(record: Record, doc: Any, page_score: Any, options: PageOptions) -> Row:
    """Build the row of a page from its `Document` and `PageScore`."""
    total = sum(len(block.text) for block in doc.blocks)
    content = sum(len(block.text) for block in doc.blocks if block.is_content)
    share = 1.0 - content / total if total else 0.0
    signature = None
    if options.syndication:
        from .syndication import text_signature

        signature = text_signature(doc.text)
    reasons = [
        {"code": r.code, "evidence": (r.evidence or "")[: options.evidence_chars], "weight": float(r.weight)}
        for r in page_score.reasons
    ]
    return Row(
        source=record.source,
        offset=record.offset,
        url=record.url,
        host=host_of(record.url) or None,
        farm_probability=float(page_score.probability),
        flagged=bool(page_score.flagged),
        reasons=reasons,
        content_chars=len(doc.text),
        boilerplate_share=round(max(0.0, min(1.0, share)), 6),
        title=doc.title,
        published=doc.metadata.published,
        author=doc.metadata.author,
        language=doc.metadata.language,
        canonical_url=doc.metadata.canonical_url,
        text=doc.text if options.with_text else None,
        threshold=float(page_score.threshold),
        signature=signature,
    )


def score_page(record: Record, *, model: Any = None, options: PageOptions = PageOptions()) -> Row:
    """Decode, extract and score one page record (the default page function).

    Bytes are decoded with `classifier.decode.decode_html` (the record's HTTP charset first);
    a JSONL ``html`` string is used as it is. Exceptions propagate: the callers turn them into
    error rows.
    """
    from .decode import decode_html
    from .extract import (
        extract,  # the core, imported lazily so that readers work without it
    )

    body = record.body
    if isinstance(body, bytes):
        body = decode_html(decode_content_encoding(body, record.content_encoding), record.http_charset)
    doc = extract(body or "", url=record.url, threshold=options.threshold, favor=options.favor, model=model)
    return row_from_document(record, doc, doc.score(), options)


def load_default_model(path: str | None = None) -> Any:
    """Load the given model, else `$CLASSIFIER_MODEL`'s, else the shipped one; the default
    `model_loader` of every engine."""
    from .model import load_model

    return load_model(path)


PageFn = Callable[..., Row]


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
    No timeout here (use `run()` or `classifier.sandbox.PagePool` for that).
    """
    fn = page_fn or score_page
    for record in records:
        if record.error is not None:
            yield record, error_row(record, record.error)
        elif record.skip is not None:
            yield record, None
        else:
            try:
                row = fn(record, model=model, options=options)
            except Exception as exc:  # noqa: BLE001 - every page becomes a row
                row = error_row(record, f"{type(exc).__name__}: {exc}"[:500])
            yield record, row


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

    Load the model once per process and pass it as `model` (see README.md, "Under Spark").
    """
    for source in expand_inputs([path]):
        records = iter_records(source, html_field=html_field, url_field=url_field)
        for _, row in score_records(records, page_fn=page_fn, model=model, options=options):
            if row is not None:
                yield row


# --------------------------------------------------------------------------- the engine


@dataclass(frozen=True, slots=True)
class BulkOptions:
    """Options of a bulk run (the CLI flags), with their defaults.

    `workers` (None: every core; 0: score in this process, without timeouts), `timeout`
    (30 s per page; None for none), `max_memory` (bytes of resident memory per worker; None for
    no limit), `limit` (stop after this many pages; None), `html_field`/`url_field` (JSONL
    field names), `warc_reader` (``auto``: fastwarc, warcio as fallback), `output_format`
    (``jsonl`` or ``parquet``), `hosts_path` (per-host CSV), `summary_path` (summary JSON),
    `progress` (a tqdm bar when stderr is a terminal), `resume` (skip inputs whose part is
    complete), `model_path` (None: the shipped model), `page` (`PageOptions`).
    """

    workers: int | None = None
    timeout: float | None = 30.0
    max_memory: int | None = None
    limit: int | None = None
    html_field: str = "html"
    url_field: str = "url"
    warc_reader: Literal["auto", "fastwarc", "warcio"] = "auto"
    output_format: Literal["jsonl", "parquet"] = "jsonl"
    hosts_path: str | None = None
    summary_path: str | None = None
    progress: bool = True
    resume: bool = True
    model_path: str | None = None
    page: PageOptions = PageOptions()

    def resolved_workers(self) -> int:
        return (os.cpu_count() or 1) if self.workers is None else max(0, self.workers)


@dataclass(slots=True)
class Summary:
    """What a run did; `reconciles` checks records read = rows written + records skipped."""

    inputs: int = 0
    inputs_completed: int = 0
    inputs_resumed: int = 0
    inputs_partial: int = 0
    records_read: int = 0
    rows_written: int = 0
    rows_with_error: int = 0
    pages_scored: int = 0
    pages_scored_now: int = 0  # by this run (not in inputs resumed from an earlier one)
    skipped: dict[str, int] = field(default_factory=dict)
    damaged: list[dict[str, Any]] = field(default_factory=list)
    inputs_unread: list[dict[str, Any]] = field(default_factory=list)
    timeouts: int = 0
    memory_kills: int = 0
    worker_deaths: int = 0
    workers: int = 0
    elapsed_s: float = 0.0
    pages_per_s: float = 0.0
    output: str = "-"
    notes: list[str] = field(default_factory=list)

    @property
    def records_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def reconciles(self) -> bool:
        return self.records_read == self.rows_written + self.records_skipped

    @property
    def exit_status(self) -> int:
        """0: every input read to its end and every record accounted for (bad JSONL lines and
        page errors are rows); 3: some input was missing or could not be read to its end
        (everything readable was still scored, with an error row at the damage); 1: the
        counts do not reconcile (a bug)."""
        if not self.reconciles:
            return 1
        return 3 if self.inputs_unread else 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["records_skipped"] = self.records_skipped
        out["reconciles"] = self.reconciles
        out["exit_status"] = self.exit_status
        return out

    def text(self) -> str:
        skipped = ", ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items())) or "none"
        lines = [
            (
                f"pagesieve score: {self.inputs} inputs ({self.inputs_resumed} already done, "
                f"{self.inputs_partial} partial), {self.workers} workers, {self.elapsed_s:.1f} s, "
                f"{self.pages_scored_now} pages scored now ({self.pages_per_s:.1f} pages/s)"
            ),
            (
                f"records read {self.records_read} = rows written {self.rows_written} + skipped "
                f"{self.records_skipped} ({skipped}): {'ok' if self.reconciles else 'MISMATCH'}"
            ),
            (
                f"rows with error {self.rows_with_error} (timeouts {self.timeouts}, memory "
                f"{self.memory_kills}, worker deaths {self.worker_deaths}); output {self.output}"
            ),
        ]
        if self.damaged:
            lines.append(f"damaged records {len(self.damaged)}; inputs not read to their end {len(self.inputs_unread)}")
        for damage in self.damaged[:20]:
            lines.append(f"  {damage['source']} at offset {damage['offset']}: {damage['error']}")
        if len(self.damaged) > 20:
            lines.append(f"  ... and {len(self.damaged) - 20} more (see --summary)")
        lines.extend(self.notes)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Item:
    """What flows through the pool: a record of input `index`, or its start/end marker."""

    index: int
    record: Record | None = None
    end: bool = False
    complete: bool = True


def _record_of(item: _Item) -> Record | None:
    record = item.record
    return record if record is not None and record.is_page else None


class _InlinePool:
    """`PagePool`'s interface, scoring in this process (``workers=0``): no timeouts."""

    def __init__(self, page_fn: PageFn, model: Any, options: PageOptions) -> None:
        self.page_fn, self.model, self.options = page_fn, model, options
        from .sandbox import PoolStats

        self.stats = PoolStats()

    def __enter__(self) -> _InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, items: Iterable[_Item], record_of: Callable[[_Item], Record | None]) -> Iterator[tuple[_Item, Row | None]]:
        for item in items:
            record = record_of(item)
            if record is None:
                yield item, None
                continue
            try:
                row = self.page_fn(record, model=self.model, options=self.options)
            except Exception as exc:  # noqa: BLE001
                row = error_row(record, f"{type(exc).__name__}: {exc}"[:500])
            yield item, row


def _items(
    todo: Sequence[tuple[int, Source]], options: BulkOptions, stdin: IO[bytes] | None
) -> Iterator[_Item]:
    pages = 0
    for index, source in todo:
        yield _Item(index)
        limited = False
        for record in iter_records(
            source,
            html_field=options.html_field,
            url_field=options.url_field,
            warc_reader=options.warc_reader,
            stdin=stdin,
        ):
            yield _Item(index, record)
            if record.is_page:
                pages += 1
                if options.limit is not None and pages >= options.limit:
                    limited = True
                    break
        yield _Item(index, end=True, complete=not limited)
        if limited:
            return


def run(
    inputs: Sequence[str],
    output: str | None,
    options: BulkOptions = BulkOptions(),
    *,
    page_fn: PageFn | None = None,
    model_loader: Callable[[], Any] | None | Literal["default"] = "default",
    rescore: Callable[[dict[str, Any], int, list[str]], dict[str, Any]] | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    progress_stream: IO[str] | None = None,
) -> Summary:
    """Score `inputs` into `output` (a path, or None / ``-`` for stdout) and return the summary.

    `page_fn` (default `score_page`) and `model_loader` (default: `load_default_model` with
    `options.model_path`; None: no model) must be module-level functions when workers > 0.
    `rescore(row, dup_domains, domains)` applies the cross-crawl term (default
    `apply_dup_domains`). Raises `classifier.sandbox.SandboxError` if the workers cannot start.
    """
    from .parts import PartStore
    from .sandbox import PagePool

    started = time.monotonic()
    fn = page_fn or score_page
    loader = functools.partial(load_default_model, options.model_path) if model_loader == "default" else model_loader
    sources = expand_inputs(inputs)
    store = PartStore.for_output(output, options)
    todo = [(i, s) for i, s in enumerate(sources) if not (options.resume and store.is_complete(s))]
    workers = options.resolved_workers()
    progress = _progress_bar(options, progress_stream)

    if workers == 0:
        pool: Any = _InlinePool(fn, loader() if loader is not None else None, options.page)
    else:
        pool = PagePool(
            page_fn=fn,
            error_fn=error_row,
            workers=workers,
            model_loader=loader,
            page_options=options.page,
            timeout=options.timeout,
            max_memory=options.max_memory,
        )
    writer: PartWriter | None = None
    written: set[Source] = set()
    try:
        with pool:
            for item, row in pool.imap(_items(todo, options, stdin), _record_of):
                if item.record is None and not item.end:
                    writer = store.open_part(sources[item.index])
                    written.add(sources[item.index])
                elif item.end:
                    assert writer is not None
                    writer.finish(complete=item.complete)
                    writer = None
                else:
                    assert writer is not None
                    record = item.record
                    if row is None and record.error is not None:
                        row = error_row(record, record.error)
                    writer.add(record, row)
                    if row is not None and progress is not None:
                        progress.update(1)
            stats = pool.stats
    except BaseException:
        if writer is not None:
            writer.abort()  # the input being read is redone by the next run
        raise
    finally:
        if progress is not None:
            progress.close()

    return finish_run(
        store,
        sources,
        todo,
        output,
        options=options,
        workers=workers,
        stats=stats,
        started=started,
        rescore=rescore,
        stdout=stdout,
        written=written,
    )


def finish_run(
    store: Any,
    sources: Sequence[Source],
    todo: Sequence[tuple[int, Source]],
    output: str | None,
    *,
    options: BulkOptions,
    workers: int,
    stats: Any,
    started: float,
    rescore: Callable[[dict[str, Any], int, list[str]], dict[str, Any]] | None = None,
    stdout: IO[bytes] | None = None,
    notes: Sequence[str] = (),
    written: set[Source] | None = None,
) -> Summary:
    """Assemble the parts into the output and build (and maybe write) the summary."""
    from .parts import assemble

    summary = Summary(inputs=len(sources), workers=workers, output=output or "-", notes=list(notes))
    summary.timeouts, summary.memory_kills, summary.worker_deaths = stats.timeouts, stats.memory_kills, stats.worker_deaths
    assemble(
        store,
        sources,
        output,
        options=options,
        summary=summary,
        rescore=rescore or apply_dup_domains,
        stdout=stdout,
        written=written,
        fresh={source for _, source in todo},
    )
    summary.inputs_resumed = len(sources) - len(todo)
    summary.elapsed_s = round(time.monotonic() - started, 3)
    summary.pages_per_s = round(summary.pages_scored_now / summary.elapsed_s, 2) if summary.elapsed_s else 0.0
    if options.summary_path:
        from .io import atomic_path

        with atomic_path(options.summary_path) as tmp:
            tmp.write_text(json.dumps(summary.to_dict(), indent=2))
    return summary


def _progress_bar(options: BulkOptions, stream: IO[str] | None) -> Any:
    stream = stream or sys.stderr
    if not options.progress or not getattr(stream, "isatty", lambda: False)():
        return None
    from tqdm import tqdm

    return tqdm(total=None, unit="page", file=stream, dynamic_ncols=True, desc="scoring")


# --------------------------------------------------------------------------- cross-crawl term


def apply_dup_domains(row: dict[str, Any], dup_domains: int, domains: list[str]) -> dict[str, Any]:
    """Set `dup_domains` on a row and add the cross-crawl term to its page score.

    Uses the scorer's ``classifier.score.rescore_with_dup_domains(score: PageScore,
    dup_domains: int, domains: Sequence[str]) -> PageScore`` when it exists (it must give what
    ``doc.score(dup_domains=N)`` gives). Without it the row gets the reason with weight 0 and
    an unchanged probability.
    """
    row["dup_domains"] = dup_domains
    if row.get("error") is not None or row.get("farm_probability") is None:
        return row
    try:
        from .score import rescore_with_dup_domains as hook  # type: ignore[attr-defined]
    except ImportError:
        hook = None
    if hook is not None:
        from .types import PageScore, Reason

        before = PageScore(
            probability=row["farm_probability"],
            flagged=row["flagged"],
            threshold=float(row["_threshold"]) if row.get("_threshold") is not None else 0.5,
            reasons=tuple(Reason(r["code"], r.get("evidence", ""), r.get("weight", 0.0)) for r in row["reasons"]),
        )
        after = hook(before, dup_domains, domains)
        row["farm_probability"] = float(after.probability)
        row["flagged"] = bool(after.flagged)
        row["reasons"] = [{"code": r.code, "evidence": r.evidence, "weight": float(r.weight)} for r in after.reasons]
    elif dup_domains >= 2:
        shown = ", ".join(domains[:5]) + (", ..." if len(domains) > 5 else "")
        row["reasons"] = [*row["reasons"], {"code": DUP_REASON, "evidence": f"{dup_domains} domains: {shown}", "weight": 0.0}]
    return row
