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
import fcntl
import glob
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
from typing import IO, Any

from .rows import BulkOptions, Record, Row, Source
from .writers import JsonlWriter, atomic_path, json_bytes

# Bumped whenever rows or keys change (4: part keys of file names that are not UTF-8; 5: rows
# carry the story's skeletons, ``--site-templates``), so old parts are not resumed.
PART_FORMAT = 5


def options_fingerprint(options: BulkOptions) -> str:
    """A hash of everything in `options` that changes the rows of an input."""
    payload = {
        "format": PART_FORMAT,
        "page": asdict(options.page),
        "html_field": options.html_field,
        "url_field": options.url_field,
        "warc_reader": options.warc_reader,
        "max_record_bytes": options.max_record_bytes,
        "http_errors": options.http_errors,
        "model_path": os.path.abspath(options.model_path) if options.model_path else None,
    }
    return hashlib.sha1(json.dumps(payload, sort_keys=True).encode("utf-8", "surrogatepass")).hexdigest()


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
        self.add_result(record.skip, record.error, record.offset, row, input_incomplete=record.input_incomplete)

    def add_result(
        self, skip: str | None, damage: str | None, offset: int, row: Row | None, *, input_incomplete: bool = False
    ) -> None:
        self.records_read += 1
        if damage is not None:
            entry = {"source": self.source.path, "offset": offset, "error": damage}
            self.damaged.append(entry)
            if input_incomplete:
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
            tmp.write_bytes(json_bytes(meta, indent=1))

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
    lock: IO[bytes] | None = field(default=None, repr=False)
    _keys: dict[Source, str] = field(default_factory=dict, repr=False)

    @classmethod
    def for_output(cls, output: str | None, options: BulkOptions) -> PartStore:
        """The parts of `output` (a temporary folder for stdout), locked for this run: a
        second run on the same output refuses to start (`OutputBusyError`). Leftovers of a
        killed run (temporary parts, a half-written output) are removed once the lock is held."""
        fingerprint = options_fingerprint(options)
        with_text = options.page.with_text
        if output in (None, "-"):
            folder = Path(tempfile.mkdtemp(prefix="pagesieve-parts-"))
            return cls(folder, fingerprint, with_text, ephemeral=True)
        target = Path(output)
        folder = target.with_name(target.name + ".parts")
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder / LOCK_NAME, target)
        leftovers = [*folder.glob(".*.tmp-*"), *target.parent.glob(f".{glob.escape(target.name)}.tmp-*")]
        for stale in leftovers:
            with contextlib.suppress(OSError):
                stale.unlink()
        return cls(folder, fingerprint, with_text, lock=lock)

    def close(self) -> None:
        """Release the output's lock (also released when the process ends, however it ends)."""
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def key(self, source: Source) -> str:
        if source.kind == "stdin":
            return f"stdin-{uuid.uuid4().hex}"  # stdin cannot be resumed
        path = os.path.abspath(source.path)
        try:
            stat = os.stat(path)
            ident = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            ident = "missing"
        # os.fsencode: a file name that is not UTF-8 (its bytes kept as surrogates) has a key too.
        digest = hashlib.sha1(b"\0".join((self.fingerprint.encode(), os.fsencode(path), ident.encode(), source.kind.encode())))
        return digest.hexdigest()[:24]

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


LOCK_NAME = ".lock"


class OutputBusyError(RuntimeError):
    """Another run is writing the same output."""


def _lock(path: Path, output: Path) -> IO[bytes]:
    """An exclusive lock on `path` (flock: the kernel releases it when the process ends, even
    after kill -9), holding this process's id; `OutputBusyError` when another run holds it."""
    handle = open(path, "a+b")  # noqa: SIM115 - held until the run ends (PartStore.close)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().decode("ascii", "replace").strip() or "another process"
        handle.close()
        raise OutputBusyError(
            f"another run is writing {output} (process {holder}); wait for it to end, or choose another -o"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()).encode())
    handle.flush()
    return handle
