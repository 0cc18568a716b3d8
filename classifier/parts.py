"""Resumable output of a bulk run: one atomic part per input, then the assembly.

Rows of each input go to ``OUTPUT.parts/KEY.jsonl`` through a temporary file that is renamed
when the input has been read to its end; ``KEY.json`` (written last, atomically) records what
the input contained (records read, rows, skips by reason, damage) and whether it is complete.
That file is the completion marker: a rerun with the same output and options skips every input
whose marker says complete, and redoes the others from scratch, so a killed run loses nothing
and duplicates nothing. KEY hashes the input's absolute path, size and mtime with the options
that change rows (`PageOptions`, JSONL field names, model path), so a changed input or option
is scored again.

`assemble()` then streams the parts in input order into the final output (JSONL or Parquet,
atomically, or stdout): it applies syndication (`classifier.syndication`) when asked, writes the
per-host CSV, and fills the run's `Summary`. Parts stay beside the output, so a rerun is cheap;
delete the ``.parts`` folder to start over. With stdout as output the parts live in a temporary
folder that is removed at the end (no resume).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .io import JsonlWriter, ParquetWriter, Record, Source, atomic_path, open_stdout

if TYPE_CHECKING:  # pragma: no cover
    from .bulk import BulkOptions, Row, Summary

# Bumped whenever rows change shape (3: page metadata columns), so old parts are not resumed.
PART_FORMAT = 3


def options_fingerprint(options: BulkOptions) -> str:
    """A hash of everything in `options` that changes the rows of an input."""
    payload = {
        "format": PART_FORMAT,
        "page": asdict(options.page),
        "html_field": options.html_field,
        "url_field": options.url_field,
        "warc_reader": options.warc_reader,
        "model_path": os.path.abspath(options.model_path) if options.model_path else None,
    }
    return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass
class PartWriter:
    """Rows and counts of one input, written to a temporary file until `finish()`."""

    source: Source
    rows_path: Path
    meta_path: Path
    with_text: bool
    records_read: int = 0
    rows: int = 0
    rows_with_error: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    damaged: list[dict[str, Any]] = field(default_factory=list)
    unread: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._tmp = self.rows_path.with_name(f".{self.rows_path.name}.tmp-{os.getpid()}")
        self._stream = open(self._tmp, "wb")  # noqa: SIM115 - closed in finish()/abort()
        self._writer = JsonlWriter(self._stream)

    def add(self, record: Record, row: Row | None) -> None:
        """Account for one record: its row, or its skip reason."""
        self.add_result(record.skip, record.error, record.offset, row, ends_input=record.ends_input)

    def add_result(
        self, skip: str | None, damage: str | None, offset: int, row: Row | None, *, ends_input: bool = False
    ) -> None:
        self.records_read += 1
        if damage is not None:
            entry = {"source": self.source.path, "offset": offset, "error": damage}
            self.damaged.append(entry)
            if ends_input:
                self.unread.append(entry)
        if row is None:
            self.skipped[skip or "unknown"] += 1
            return
        self.rows += 1
        self.rows_with_error += row.error is not None
        self._writer.write(row.to_dict(with_text=self.with_text, hidden=True))

    def finish(self, *, complete: bool = True) -> None:
        """Publish the part (rename), then its marker; `complete` False for a --limit cut."""
        self._stream.close()
        os.replace(self._tmp, self.rows_path)
        meta = {
            "format": PART_FORMAT,
            "source": self.source.path,
            "kind": self.source.kind,
            "complete": complete,
            "records_read": self.records_read,
            "rows": self.rows,
            "rows_with_error": self.rows_with_error,
            "skipped": dict(sorted(self.skipped.items())),
            "damaged": self.damaged,
            "unread": self.unread,
        }
        with atomic_path(self.meta_path) as tmp:
            tmp.write_text(json.dumps(meta, indent=1))

    def abort(self) -> None:
        self._stream.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()


@dataclass
class PartStore:
    """The folder of parts of one output (see the module docstring)."""

    folder: Path
    fingerprint: str
    with_text: bool = False
    ephemeral: bool = False
    _key_cache: dict[Source, str] = field(default_factory=dict, repr=False)

    @classmethod
    def for_output(cls, output: str | None, options: BulkOptions) -> PartStore:
        fingerprint = options_fingerprint(options)
        with_text = options.page.with_text
        if output in (None, "-"):
            folder = Path(tempfile.mkdtemp(prefix="pagesieve-parts-"))
            return cls(folder, fingerprint, with_text, ephemeral=True)
        target = Path(output)
        folder = target.with_name(target.name + ".parts")
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(".*.tmp-*"):  # left by a killed run
            with contextlib.suppress(OSError):
                stale.unlink()
        return cls(folder, fingerprint, with_text)

    def key(self, source: Source) -> str:
        if source.kind == "stdin":
            return f"stdin-{uuid.uuid4().hex}"  # stdin cannot be resumed
        path = os.path.abspath(source.path)
        try:
            stat = os.stat(path)
            ident = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            ident = "missing"
        digest = hashlib.sha1(f"{self.fingerprint}\0{path}\0{ident}\0{source.kind}".encode()).hexdigest()
        return digest[:24]

    def _key(self, source: Source) -> str:
        if source not in self._key_cache:  # stdin gets one random key per run
            self._key_cache[source] = self.key(source)
        return self._key_cache[source]

    def meta(self, source: Source) -> dict[str, Any] | None:
        path = self.folder / f"{self._key(source)}.json"
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if meta.get("format") != PART_FORMAT or not (self.folder / f"{self._key(source)}.jsonl").exists():
            return None
        return meta

    def is_complete(self, source: Source) -> bool:
        meta = self.meta(source)
        return bool(meta and meta.get("complete"))

    def open_part(self, source: Source) -> PartWriter:
        key = self._key(source)
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"{key}.json").unlink()  # no stale marker while it is rewritten
        return PartWriter(source, self.folder / f"{key}.jsonl", self.folder / f"{key}.json", self.with_text)

    def rows(self, source: Source) -> Iterator[dict[str, Any]]:
        with open(self.folder / f"{self._key(source)}.jsonl", "rb") as handle:
            for line in handle:
                yield json.loads(line)

    def cleanup(self) -> None:
        if self.ephemeral:
            shutil.rmtree(self.folder, ignore_errors=True)


# --------------------------------------------------------------------------- assembly


@dataclass
class _HostStats:
    pages: int = 0
    errors: int = 0
    flagged: int = 0
    probability_sum: float = 0.0


class _Output:
    """The final output: written to a temporary file, published by `publish()` (or stdout)."""

    def __init__(self, output: str | None, fmt: str, stdout: IO[bytes] | None) -> None:
        self._context: Any = None
        self._handle: IO[bytes] | None = None
        if output in (None, "-"):
            stream = stdout or open_stdout()
            self.writer: Any = ParquetWriter(stream) if fmt == "parquet" else JsonlWriter(stream)
            return
        self._context = atomic_path(output)
        tmp = self._context.__enter__()
        if fmt == "parquet":
            self.writer = ParquetWriter(str(tmp))
        else:
            self._handle = open(tmp, "wb")  # noqa: SIM115 - closed in publish()/abort()
            self.writer = JsonlWriter(self._handle)

    def write(self, row: dict[str, Any]) -> None:
        self.writer.write(row)

    def publish(self) -> None:
        self.writer.close()
        if self._handle is not None:
            self._handle.close()
        if self._context is not None:
            self._context.__exit__(None, None, None)

    def abort(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._context is not None:
            self._context.__exit__(RuntimeError, RuntimeError(), None)


def assemble(
    store: PartStore,
    sources: Sequence[Source],
    output: str | None,
    *,
    options: BulkOptions,
    summary: Summary,
    rescore: Callable[[dict[str, Any], int, list[str]], dict[str, Any]],
    stdout: IO[bytes] | None = None,
    written: set[Source] | None = None,
    fresh: set[Source] | None = None,
) -> None:
    """Write the final output from the parts, in input order, and fill `summary`.

    A part enters the output if it is complete, or partial (``--limit``) and `written` by this
    run; a partial part left by an earlier run is not mixed in. The pages of the `fresh`
    sources (those this run read, not resumed) are also counted in `pages_scored_now`.
    """
    present = []
    for source in sources:
        meta = store.meta(source)
        if meta is None or not (meta["complete"] or (written is not None and source in written)):
            continue  # not reached (--limit), never started, or a stale partial part
        present.append(source)
        summary.records_read += meta["records_read"]
        for reason, count in meta["skipped"].items():
            summary.skipped[reason] = summary.skipped.get(reason, 0) + count
        summary.damaged.extend(meta["damaged"])
        summary.inputs_unread.extend(meta["unread"])
        summary.inputs_completed += bool(meta["complete"])
        summary.inputs_partial += not meta["complete"]

    index = None
    if options.page.syndication:
        from .syndication import SyndicationIndex

        index = SyndicationIndex()
        key = 0
        for source in present:
            for row in store.rows(source):
                if row.get("_sig"):
                    index.add(key, row["_sig"], row.get("host"))
                key += 1

    hosts: dict[str, _HostStats] = {}
    writer = _Output(output, options.output_format, stdout)
    try:
        key = 0
        for source in present:
            for row in store.rows(source):
                if index is not None and row.get("_sig"):
                    domains = index.same_text_domains(key, row["_sig"])
                    row = rescore(row, len(domains), domains)
                key += 1
                for hidden in [name for name in row if name.startswith("_")]:
                    del row[hidden]
                writer.write(row)
                summary.rows_written += 1
                if row.get("error") is not None:
                    summary.rows_with_error += 1
                else:
                    summary.pages_scored += 1
                    if fresh is not None and source in fresh:
                        summary.pages_scored_now += 1
                if options.hosts_path:
                    stats = hosts.setdefault(row.get("host") or "", _HostStats())
                    if row.get("error") is not None:
                        stats.errors += 1
                    else:
                        stats.pages += 1
                        stats.flagged += bool(row.get("flagged"))
                        stats.probability_sum += row.get("farm_probability") or 0.0
    except BaseException:
        with contextlib.suppress(Exception):
            writer.abort()
        raise
    writer.publish()
    if options.hosts_path:
        write_hosts_csv(options.hosts_path, hosts)
    store.cleanup()


def write_hosts_csv(path: str, hosts: dict[str, _HostStats]) -> None:
    """Per host: pages scored, error rows, flagged pages, share flagged, mean probability.

    Sorted by flagged pages, then pages (both descending), then host, so farms come first.
    """
    order = sorted(hosts.items(), key=lambda kv: (-kv[1].flagged, -kv[1].pages, kv[0]))
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["host", "pages", "errors", "flagged", "share_flagged", "mean_probability"])
        for host, stats in order:
            share = stats.flagged / stats.pages if stats.pages else 0.0
            mean = stats.probability_sum / stats.pages if stats.pages else 0.0
            out.writerow([host, stats.pages, stats.errors, stats.flagged, f"{share:.4f}", f"{mean:.4f}"])
