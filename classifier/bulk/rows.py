"""The data of a bulk run: inputs (`Source`), what is read from them (`Record`), what is written
(`Row`), the options (`PageOptions`, `BulkOptions`) and the account of a run (`Summary`).

`Row` is the one definition of an output row: its fields, in order, with the kind of each
(`ROW_KINDS`), from which the JSONL fields, the Parquet schema (`writers.parquet_schema`) and
the Dask dataframe's meta (`on_dask.dataframe_meta`) all come.
"""

from __future__ import annotations

import operator
import os
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, TypeVar

from ..extraction.decision import Favor, check_decision
from ..hosts import host_of

SourceKind = Literal["warc", "jsonl", "html", "stdin", "missing", "empty", "unknown"]
STDIN = "-"
#: Records larger than this (an HTML file, a JSONL line, a WARC record's block) are error rows,
#: never read whole (`BulkOptions.max_record_bytes`, ``--max-record-bytes``).
DEFAULT_MAX_RECORD_BYTES = 256 * 2**20
#: Reason code of the cross-crawl term (the same text on N >= 2 registered domains).
DUP_REASON = "same_text_on_N_domains"

T = TypeVar("T")


def pickled_by_position(cls: type[T]) -> type[T]:
    """Make the slots dataclass `cls` pickle as its fields' values in order, given back to its
    constructor. (A slots dataclass's own pickling goes through `dataclasses.fields()` on
    every object; the bulk engine sends a record and a row per page between processes, and
    this halves their cost.)"""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if not all(f.init for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: every field must be an argument of the constructor")
    values = operator.attrgetter(*names)

    def __reduce__(self: T) -> tuple[type[T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a path (or ``-`` for stdin) and how to read it."""

    path: str
    kind: SourceKind


@pickled_by_position
@dataclass(frozen=True, slots=True)
class Record:
    """One record read from an input.

    Exactly one of three things: a page (`body` set), a record that is not a page (`skip` is the
    reason, e.g. ``warc_request`` or ``not_html:image/png``), or damaged input (`error` says
    what went wrong at `offset`). `offset` is the WARC record's byte offset, the JSONL line
    number (1-based), or 0 for a single HTML file. `input_incomplete` marks damage that kept
    part of the input from being read (truncation, corrupt compression, a missing file, bytes
    of garbage skipped in a WARC), as opposed to one bad line or record that was read and
    refused.
    """

    source: str
    offset: int
    url: str | None = None
    status: int | None = None  # the HTTP status of a WARC response
    body: bytes | str | None = None
    http_charset: str | None = None
    content_encoding: str | None = None  # the HTTP Content-Encoding left on `body`
    gzip_file: bool = False  # `body` is the bytes of a gzip file (.html.gz), to inflate whole
    skip: str | None = None
    error: str | None = None
    input_incomplete: bool = False
    position: int | None = None  # bytes of the input read up to this record, where known (progress)

    @property
    def is_page(self) -> bool:
        return self.skip is None and self.error is None


def _kind(kind: str, *, hidden: bool = False) -> Any:
    return field(default=None, metadata={"kind": kind, "hidden": hidden}, repr=not hidden, compare=not hidden)


@pickled_by_position
@dataclass(slots=True)
class Row:
    """One output row: a scored HTML page, or an error at a place in the input.

    * `source`: the input file (``-`` for stdin); `offset`: the WARC record's byte offset, the
      JSONL line number (1-based), or 0 for an HTML file.
    * `url` (from the WARC record or the JSONL line; None for HTML files) and its `host`;
      `status`: the HTTP status of a WARC response (None for other inputs).
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

    `threshold`, `signature` and `skeletons` travel with the row between workers and the
    assembly (the page threshold, for rescoring; the MinHash of the text, ``--syndication``; the
    skeletons of the story's sentences as ``[key, filling, sentence]``, ``--site-templates``:
    `classifier.scoring.template.Skeleton`) and are not written to the output.
    """

    source: str = field(metadata={"kind": "string", "hidden": False})
    offset: int = field(metadata={"kind": "int", "hidden": False})
    url: str | None = _kind("string")
    status: int | None = _kind("int")
    host: str | None = _kind("string")
    farm_probability: float | None = _kind("float")
    flagged: bool | None = _kind("bool")
    reasons: list[dict[str, Any]] = field(default_factory=list, metadata={"kind": "reasons", "hidden": False})
    content_chars: int | None = _kind("int")
    boilerplate_share: float | None = _kind("float")
    title: str | None = _kind("string")
    published: str | None = _kind("string")
    author: str | None = _kind("string")
    language: str | None = _kind("string")
    canonical_url: str | None = _kind("string")
    error: str | None = _kind("string")
    dup_domains: int | None = _kind("int")
    text: str | None = _kind("string")
    threshold: float | None = _kind("float", hidden=True)
    signature: str | None = _kind("string", hidden=True)
    skeletons: list[list[Any]] | None = _kind("skeletons", hidden=True)

    def to_dict(self, *, with_text: bool = False, hidden: bool = False) -> dict[str, Any]:
        """The row as written: `text` only `with_text`; `hidden` adds ``_threshold``, ``_sig``
        and ``_skel``."""
        out = {name: getattr(self, name) for name in OUTPUT_FIELDS}
        out["reasons"] = [dict(reason) for reason in self.reasons]
        if with_text:
            out["text"] = self.text
        if hidden:
            out["_threshold"] = self.threshold
            out["_sig"] = self.signature
            out["_skel"] = self.skeletons
        return out


#: Every written field, in order, with its kind: string, int, float, bool or reasons.
ROW_KINDS: dict[str, str] = {f.name: f.metadata["kind"] for f in fields(Row) if not f.metadata["hidden"]}
#: The fields of every row (`text` is added with ``--text``).
OUTPUT_FIELDS: tuple[str, ...] = tuple(name for name in ROW_KINDS if name != "text")


def row_kinds(*, with_text: bool) -> dict[str, str]:
    """The written fields and their kinds, with or without `text`."""
    return {name: kind for name, kind in ROW_KINDS.items() if with_text or name != "text"}


def error_row(record: Record, message: str) -> Row:
    """The row for a record that could not be scored (or damaged input at its offset)."""
    return Row(
        source=record.source,
        offset=record.offset,
        url=record.url,
        status=record.status,
        host=host_of(record.url) or None,
        error=message,
    )


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How inputs are read (these change the rows, so they key the resume parts).

    `html_field`/`url_field`: the JSONL fields (``html``, ``url``); `warc_reader`: the WARC
    library (``auto``: fastwarc, warcio where fastwarc cannot read a file); `max_record_bytes`:
    records larger than this are error rows, never read whole (256 MiB); `http_errors`: also
    score WARC responses whose HTTP status is not 2xx (False: they are skipped, counted by
    status as ``http_404``, ``http_301``, ...).
    """

    html_field: str = "html"
    url_field: str = "url"
    warc_reader: Literal["auto", "fastwarc", "warcio"] = "auto"
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    http_errors: bool = False


@dataclass(frozen=True, slots=True)
class PageOptions:
    """How each page is scored (these change the rows, so they key the resume parts).

    `with_text` (False) keeps the main text in the row; `threshold` (None: the model's) is the
    block threshold and `favor` ("balanced") the per-page cut's leaning, both passed to
    `classifier.extract`; `syndication` (False) computes the MinHash signature of the main
    text; `site_templates` (False) keeps the skeletons of the story's sentences, counted per
    site at the end of the run (`classifier.bulk.site_templates`); `evidence_chars` (200) cuts each reason's evidence; `include_title`,
    `include_captions` and `include_comments` (False) add those blocks to the text (as in
    `classifier.extract`; the score reads the main content alone either way).
    """

    with_text: bool = False
    threshold: float | None = None
    favor: Favor = "balanced"
    syndication: bool = False
    site_templates: bool = False
    evidence_chars: int = 200
    include_title: bool = False
    include_captions: bool = False
    include_comments: bool = False

    def __post_init__(self) -> None:
        check_decision(self.threshold, self.favor)  # a bad option fails here, not on every page


@dataclass(frozen=True, slots=True)
class BulkOptions:
    """Options of a bulk run (the CLI flags), with their defaults.

    `workers` (None: every core; 0: score in this process, without timeouts), `timeout`
    (30 s per page; None for none), `max_memory` (bytes of resident memory per worker; None for
    no limit), `limit` (stop after this many pages; None), `html_field`, `url_field`,
    `warc_reader`, `max_record_bytes` and `http_errors` (as in `ReadOptions`), `output_format`
    (``jsonl`` or ``parquet``), `hosts_path` (per-host CSV), `summary_path` (summary JSON),
    `progress` (a tqdm bar when stderr is a terminal), `resume` (skip inputs whose part is
    complete), `model_path` (None: the default model), `page` (`PageOptions`).
    """

    workers: int | None = None
    timeout: float | None = 30.0
    max_memory: int | None = None
    limit: int | None = None
    html_field: str = "html"
    url_field: str = "url"
    warc_reader: Literal["auto", "fastwarc", "warcio"] = "auto"
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    http_errors: bool = False
    output_format: Literal["jsonl", "parquet"] = "jsonl"
    hosts_path: str | None = None
    summary_path: str | None = None
    progress: bool = True
    resume: bool = True
    model_path: str | None = None
    page: PageOptions = PageOptions()

    def resolved_workers(self) -> int:
        return (os.cpu_count() or 1) if self.workers is None else max(0, self.workers)

    def reading(self) -> ReadOptions:
        """The options of the readers."""
        return ReadOptions(self.html_field, self.url_field, self.warc_reader, self.max_record_bytes, self.http_errors)


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
