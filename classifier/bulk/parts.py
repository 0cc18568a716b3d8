"""Resumable output of a bulk run: one atomic part per input, then the assembly.

Rows of each input go to ``OUTPUT.parts/KEY.jsonl`` through a temporary file that is renamed
when the input has been read to its end; ``KEY.json`` (written last, atomically) records what
the input contained (records read, rows, skips by reason, damage) and whether it is complete.
That file is the completion marker: a rerun with the same output and options skips every input
whose marker says complete, and redoes the others from scratch, so a killed run loses nothing
and duplicates nothing. KEY hashes the input's absolute path, size and mtime with the options
that change rows (`PageOptions`, JSONL field names, model path), so a changed input or option
is scored again.

`classifier.bulk.output` then streams the parts in input order into the final output. Parts
stay beside the output, so a rerun is cheap; delete the ``.parts`` folder to start over. With
stdout as output the parts live in a temporary folder that is removed at the end (no resume).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .rows import BulkOptions, Record, Row, Source
from .writers import JsonlWriter, atomic_path

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
    _keys: dict[Source, str] = field(default_factory=dict, repr=False)

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
        if source not in self._keys:  # stdin gets one random key per run
            self._keys[source] = self.key(source)
        return self._keys[source]

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
