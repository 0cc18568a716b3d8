"""Writers of rows: JSONL and Parquet, and `atomic_path()`, which makes a file appear only once
it is complete.

No character can fail a writer. Text read from pages can hold lone surrogates (an emoji cut in
half in a truncated JSON-LD value, a "\\udc80" escape in a JSONL line), which UTF-8 cannot
encode; file names and URLs that are not valid UTF-8 hold them too, as Python's
surrogateescape keeps undecodable bytes. The rule, decided here once for every output (JSONL,
Parquet, CSV, JSON files, stdout):

* in the identifiers of a record, `source` and `url` (`IDENTIFIER_FIELDS`), a lone surrogate is
  kept as the JSON escape ``\\udcXX`` (in JSONL and JSON files, where `json.loads` gives it back,
  and `os.fsencode(row["source"])` the file name's bytes), or as those six characters of text
  (in Parquet and CSV, whose strings must be valid UTF-8);
* in every other text (titles, authors, evidence, main text, errors), a lone surrogate becomes
  U+FFFD, the replacement character: it is damage, not information.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .rows import row_kinds

#: Row fields that name where a record came from: their lone surrogates are kept as escapes.
IDENTIFIER_FIELDS = frozenset({"source", "url"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (valid UTF-8 from here on)."""
    return _LONE_SURROGATE.sub("\ufffd", text) if not text.isascii() else text


def escape_surrogates(text: str) -> str:
    """`text` with every lone surrogate written as the six characters ``\\udcXX``."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def safe_value(value: Any, *, identifier: bool = False) -> Any:
    """`value` (a row field: text, number, list or dict of them) with its lone surrogates
    replaced, or (`identifier`) left for the encoder to escape."""
    if isinstance(value, str):
        return value if identifier else replace_surrogates(value)
    if isinstance(value, list):
        return [safe_value(item) for item in value]
    if isinstance(value, dict):
        return {key: safe_value(item) for key, item in value.items()}
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with the rule of the module docstring applied to every field."""
    return {name: safe_value(value, identifier=name in IDENTIFIER_FIELDS) for name, value in row.items()}


def json_bytes(value: Any, *, indent: int | None = None, errors: str = "backslashreplace") -> bytes:
    """`value` as UTF-8 JSON that cannot fail: the lone surrogates left in it (identifiers, file
    names in a summary) are written as ``\\udcXX`` escapes. `errors="strict"` raises
    `UnicodeEncodeError` on them instead."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return text.encode("utf-8", errors)  # backslashreplace: a lone surrogate -> the JSON escape \udcXX


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
        try:  # most rows hold no lone surrogate: then `safe_row` would change nothing
            line = json_bytes(row, errors="strict")
        except UnicodeEncodeError:
            line = json_bytes(safe_row(row))
        self.stream.write(line)
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
            rows = [{name: _parquet_value(name, row.get(name)) for name in names} for row in self._rows]
            table = self._pa.Table.from_pylist(rows, schema=self.schema)
            self._writer.write_table(table)
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _parquet_value(name: str, value: Any) -> Any:
    """A field as Parquet takes it: valid UTF-8 (identifiers' lone surrogates as text escapes)."""
    if name in IDENTIFIER_FIELDS and isinstance(value, str):
        return escape_surrogates(value)
    return safe_value(value)


def open_stdout() -> IO[bytes]:
    """The process's binary stdout (a BytesIO stand-in when stdout has no buffer)."""
    return getattr(sys.stdout, "buffer", None) or io.BytesIO()
