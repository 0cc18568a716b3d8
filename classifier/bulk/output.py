"""The end of a run: the parts, in input order, -> the output, the hosts CSV and the summary.

`assemble()` streams the parts (`classifier.bulk.parts`) into the final output (JSONL or
Parquet, written to a temporary file and renamed when complete, or stdout). With
``--syndication`` it first indexes every row's MinHash signature
(`classifier.bulk.syndication`) and then adds the cross-crawl term to each row's score
(`apply_dup_domains`). It counts the run's records into its `Summary` and writes the per-host
CSV (`classifier.bulk.host_stats`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ..scoring.page_score import PageScore, Reason
from ..scoring.score import rescore_with_dup_domains
from .host_stats import HostStats, write_hosts_csv
from .parts import PartStore
from .rows import BulkOptions, Source, Summary
from .syndication import SyndicationIndex
from .writers import JsonlWriter, ParquetWriter, atomic_path, open_stdout

Rescore = Callable[[dict[str, Any], int, list[str]], dict[str, Any]]


def apply_dup_domains(row: dict[str, Any], dup_domains: int, domains: list[str]) -> dict[str, Any]:
    """Set `dup_domains` on a row and add the cross-crawl term to its page score
    (`classifier.scoring.score.rescore_with_dup_domains`: what `score(document,
    dup_domains=N)` gives)."""
    row["dup_domains"] = dup_domains
    if row.get("error") is not None or row.get("farm_probability") is None:
        return row
    before = PageScore(
        probability=row["farm_probability"],
        flagged=row["flagged"],
        threshold=float(row["_threshold"]) if row.get("_threshold") is not None else 0.5,
        reasons=tuple(Reason(r["code"], r.get("evidence", ""), r.get("weight", 0.0)) for r in row["reasons"]),
    )
    after = rescore_with_dup_domains(before, dup_domains, domains)
    row["farm_probability"] = float(after.probability)
    row["flagged"] = bool(after.flagged)
    row["reasons"] = [{"code": r.code, "evidence": r.evidence, "weight": float(r.weight)} for r in after.reasons]
    return row


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


@dataclass
class Assembly:
    """What goes into the output: the run's `sources` in order, those this run read (`fresh`,
    not resumed) and those it wrote a part for (`written`, complete or cut by ``--limit``)."""

    store: PartStore
    sources: Sequence[Source]
    fresh: set[Source]
    written: set[Source] = field(default_factory=set)

    def present(self, summary: Summary) -> list[Source]:
        """The sources whose parts enter the output, with their counts added to `summary`: a
        complete part, or a partial one (``--limit``) this run wrote; never a stale partial
        part left by an earlier run."""
        present = []
        for source in self.sources:
            meta = self.store.meta(source)
            if meta is None or not (meta["complete"] or source in self.written):
                continue
            present.append(source)
            summary.records_read += meta["records_read"]
            for reason, count in meta["skipped"].items():
                summary.skipped[reason] = summary.skipped.get(reason, 0) + count
            summary.damaged.extend(meta["damaged"])
            summary.inputs_unread.extend(meta["unread"])
            summary.inputs_completed += bool(meta["complete"])
            summary.inputs_partial += not meta["complete"]
        return present


def _syndication_index(store: PartStore, present: list[Source]) -> SyndicationIndex:
    index = SyndicationIndex()
    key = 0
    for source in present:
        for row in store.rows(source):
            if row.get("_sig"):
                index.add(key, row["_sig"], row.get("host"))
            key += 1
    return index


def _count(row: dict[str, Any], fresh: bool, summary: Summary, hosts: dict[str, HostStats] | None) -> None:
    summary.rows_written += 1
    error = row.get("error") is not None
    if error:
        summary.rows_with_error += 1
    else:
        summary.pages_scored += 1
        summary.pages_scored_now += fresh
    if hosts is not None:
        hosts.setdefault(row.get("host") or "", HostStats()).add(row)


def assemble(
    assembly: Assembly,
    output: str | None,
    *,
    options: BulkOptions,
    summary: Summary,
    rescore: Rescore = apply_dup_domains,
    stdout: IO[bytes] | None = None,
) -> None:
    """Write the final output from the parts, in input order, and fill `summary`."""
    store = assembly.store
    present = assembly.present(summary)
    index = _syndication_index(store, present) if options.page.syndication else None
    hosts: dict[str, HostStats] | None = {} if options.hosts_path else None
    writer = _Output(output, options.output_format, stdout)
    try:
        key = 0
        for source in present:
            for row in store.rows(source):
                if index is not None and row.get("_sig"):
                    count, domains = index.same_text(key, row["_sig"])
                    row = rescore(row, count, domains)
                key += 1
                for hidden in [name for name in row if name.startswith("_")]:
                    del row[hidden]
                writer.write(row)
                _count(row, source in assembly.fresh, summary, hosts)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.abort()
        raise
    writer.publish()
    if hosts is not None and options.hosts_path:
        write_hosts_csv(options.hosts_path, hosts)
    store.cleanup()
