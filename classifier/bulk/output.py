"""The end of a run: the parts, in input order, -> the output, the hosts CSV and the summary.

`assemble()` streams the parts (`classifier.bulk.parts`) into the final output (JSONL or
Parquet, written to a temporary file and renamed when complete, or stdout). With
``--syndication`` it first indexes every row's MinHash signature
(`classifier.bulk.syndication`) and then adds the cross-crawl term to each row's score
(`apply_dup_domains`); with ``--site-templates`` it counts, in the same first pass, the
skeletons of every row's story per site (`classifier.bulk.site_templates`) and then adds the
site-template term to the score of each row whose story has a skeleton shared by 5 or more
pages of its site (`apply_site_templates`). It counts the run's records into its `Summary`
and writes the per-host CSV (`classifier.bulk.host_stats`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ..scoring.page_score import PageScore, Reason
from ..scoring.score import rescore_with_dup_domains, rescore_with_site_templates
from .host_stats import HostStats, write_hosts_csv
from .parts import PartStore
from .rows import BulkOptions, Source, Summary
from .site_templates import SharedTemplate, SiteSkeletons
from .syndication import SyndicationIndex
from .writers import JsonlWriter, ParquetWriter, atomic_path, open_stdout

Rescore = Callable[[dict[str, Any], int, list[str]], dict[str, Any]]


def apply_dup_domains(row: dict[str, Any], dup_domains: int, domains: list[str]) -> dict[str, Any]:
    """Set `dup_domains` on a row and add the cross-crawl term to its page score
    (`classifier.scoring.score.rescore_with_dup_domains`: what `score(document,
    dup_domains=N)` gives)."""
    row["dup_domains"] = dup_domains
    if not _scored(row):
        return row
    return _with_score(row, rescore_with_dup_domains(_score_of(row), dup_domains, domains))


def apply_site_templates(row: dict[str, Any], shared: SharedTemplate | None) -> dict[str, Any]:
    """Add the site-template term to a row's page score when a skeleton of its story is
    shared by enough pages of its site (`classifier.scoring.score.rescore_with_site_templates`)."""
    if shared is None or not _scored(row):
        return row
    after = rescore_with_site_templates(_score_of(row), shared.pages, shared.domain, shared.sentence)
    return _with_score(row, after)


def _scored(row: dict[str, Any]) -> bool:
    return row.get("error") is None and row.get("farm_probability") is not None


def _score_of(row: dict[str, Any]) -> PageScore:
    return PageScore(
        probability=row["farm_probability"],
        flagged=row["flagged"],
        threshold=float(row["_threshold"]) if row.get("_threshold") is not None else 0.5,
        reasons=tuple(Reason(r["code"], r.get("evidence", ""), r.get("weight", 0.0)) for r in row["reasons"]),
    )


def _with_score(row: dict[str, Any], after: PageScore) -> dict[str, Any]:
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


@dataclass
class RunIndexes:
    """What the first pass over the parts learns of the whole run: the MinHash index
    (``--syndication``) and the skeletons per site (``--site-templates``), each None when off."""

    syndication: SyndicationIndex | None = None
    skeletons: SiteSkeletons | None = None
    evidence_chars: int = 200  # the rows' reasons are cut to it, those added here too

    @classmethod
    def of(cls, store: PartStore, present: list[Source], options: BulkOptions) -> RunIndexes:
        """One pass over the rows of `present`, only if some option needs it."""
        indexes = cls(
            SyndicationIndex() if options.page.syndication else None,
            SiteSkeletons() if options.page.site_templates else None,
            options.page.evidence_chars,
        )
        if indexes.syndication is None and indexes.skeletons is None:
            return indexes
        key = 0
        for source in present:
            for row in store.rows(source):
                if indexes.syndication is not None and row.get("_sig"):
                    indexes.syndication.add(key, row["_sig"], row.get("host"))
                if indexes.skeletons is not None:
                    indexes.skeletons.add(row.get("host"), row.get("url"), row.get("_skel"))
                key += 1
        return indexes

    def rescore(self, key: int, row: dict[str, Any], rescore: Rescore) -> dict[str, Any]:
        """The row (number `key` in the run) with the terms of the run added, their evidence cut
        to `evidence_chars` as the page's own reasons are."""
        if self.syndication is not None and row.get("_sig"):
            count, domains = self.syndication.same_text(key, row["_sig"])
            row = rescore(row, count, domains)
        if self.skeletons is not None:
            row = apply_site_templates(row, self.skeletons.shared(row.get("host"), row.get("url"), row.get("_skel")))
        if self.syndication is not None or self.skeletons is not None:
            for reason in row.get("reasons") or ():
                if isinstance(reason, dict) and isinstance(reason.get("evidence"), str):
                    reason["evidence"] = reason["evidence"][: self.evidence_chars]
        return row


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
    indexes = RunIndexes.of(store, present, options)
    hosts: dict[str, HostStats] | None = {} if options.hosts_path else None
    writer = _Output(output, options.output_format, stdout)
    try:
        key = 0
        for source in present:
            for row in store.rows(source):
                row = indexes.rescore(key, row, rescore)
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
