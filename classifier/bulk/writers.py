"""Writers of rows: JSONL and Parquet, and `atomic_path()`, which makes a file appear only once
it is complete."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .rows import row_kinds


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class JsonlWriter:
    """Write row dicts as JSON lines to a binary stream (one object per line, UTF-8)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, row: dict[str, Any]) -> None:
        self.stream.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        self.stream.write(b"\n")

    def close(self) -> None:
        self.stream.flush()


def _require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "--format parquet needs pyarrow: pip install 'pagesieve[parquet]'"
        ) from exc
    return pyarrow


def parquet_schema(*, with_text: bool = True) -> Any:
    """The Parquet schema of a row (`classifier.bulk.rows.Row`, with or without `text`)."""
    pa = _require_pyarrow()
    reasons = pa.list_(pa.struct([("code", pa.string()), ("evidence", pa.string()), ("weight", pa.float64())]))
    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "reasons": reasons}
    return pa.schema([(name, types[kind]) for name, kind in row_kinds(with_text=with_text).items()])


class ParquetWriter:
    """Write row dicts to a Parquet file in row groups of `batch_size` rows (default 10,000)."""

    def __init__(self, sink: str | os.PathLike[str] | IO[bytes], *, batch_size: int = 10_000) -> None:
        pa = _require_pyarrow()
        import pyarrow.parquet as pq

        self._pa = pa
        self.schema = parquet_schema()
        self.batch_size = batch_size
        self._rows: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(sink, self.schema)

    def write(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            names = self.schema.names
            table = self._pa.Table.from_pylist(
                [{name: row.get(name) for name in names} for row in self._rows], schema=self.schema
            )
            self._writer.write_table(table)
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def open_stdout() -> IO[bytes]:
    """The process's binary stdout (a BytesIO stand-in when stdout has no buffer)."""
    return getattr(sys.stdout, "buffer", None) or io.BytesIO()
