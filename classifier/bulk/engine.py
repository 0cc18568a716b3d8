"""The bulk engine: inputs -> records -> rows -> one part per input -> the output.

One engine (`run_with`) drives an *executor*, which turns the inputs still to do into a stream
of `(Item, row)` pairs, in input order within each input: the start of an input, each of its
records with its row (None for a record that is not a page), and its end. The engine writes
each input's rows to an atomic part (`classifier.bulk.parts`), so a rerun resumes, and then
assembles the output (`classifier.bulk.output`). Two executors:

* `LocalExecutor`: killable worker processes on this machine (`classifier.bulk.sandbox`) with a
  per-page deadline and memory limit, the model loaded once per worker, pages handed out one
  at a time (so large files are split across workers too), rows in input order (so the output
  is the same for any number of workers); ``workers=0`` scores in this process. With two or
  more workers, a gzip WARC goes to the workers as ranges of its bytes, and the workers find,
  read and score the members in them (`classifier.bulk.members`): the engine neither reads
  nor sends its pages;
* `classifier.bulk.on_dask.DaskExecutor`: one task per input on a Dask cluster.

`run()` and `classifier.bulk.on_dask.run_dask()` are the two entry points; ``python -m
classifier score`` calls them.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal, Protocol

from .items import Item, Reading, collect, is_range, member_items, page_record, retried_members
from .members import RANGE_BYTES, MemberRange, error_of_task, reads_by_members, score_task
from .output import Assembly, Rescore, apply_dup_domains, assemble
from .pages import PageFn, load_extractor, row_of, score_page
from .parts import PartStore, PartWriter
from .records import expand_inputs, iter_records
from .rows import BulkOptions, PageOptions, Record, Row, Source, Summary, error_row
from .sandbox import PagePool, PoolStats
from .writers import atomic_path, json_bytes

ModelLoader = Callable[[], Any] | None | Literal["default"]


class Executor(Protocol):
    """Turns the inputs to do into `(Item, row)` pairs (see the module docstring)."""

    workers: int
    stats: PoolStats
    notes: list[str]

    def results(self, todo: Sequence[tuple[int, Source]]) -> Iterator[tuple[Item, Row | None]]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def model_loader_of(model_loader: ModelLoader, options: BulkOptions) -> Callable[[], Any] | None:
    """The loader a run uses: `load_extractor` of `options.model_path` for "default"."""
    if model_loader == "default":
        return functools.partial(load_extractor, options.model_path)
    return model_loader


class _InlinePool:
    """`PagePool`'s interface, scoring in this process (``workers=0``): no timeouts."""

    def __init__(self, page_fn: PageFn, model: Any, options: PageOptions) -> None:
        self.page_fn, self.model, self.options = page_fn, model, options
        self.stats = PoolStats()

    def __enter__(self) -> _InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, items: Iterable[Item], record_of: Callable[[Item], Record | None]) -> Iterator[tuple[Item, Row | None]]:
        for item in items:
            record = record_of(item)
            yield item, None if record is None else row_of(record, self.page_fn, self.model, self.options)


@dataclass
class LocalExecutor:
    """Worker processes on this machine (or this process, for ``workers=0``)."""

    options: BulkOptions
    page_fn: PageFn = score_page
    model_loader: Callable[[], Any] | None = None
    stdin: IO[bytes] | None = None
    notes: list[str] = field(default_factory=list)
    range_bytes: int = RANGE_BYTES  # of a gzip WARC, per task, with two or more workers

    def __post_init__(self) -> None:
        self.workers = self.options.resolved_workers()
        self._pool: Any = None
        self.stats = PoolStats()

    def __enter__(self) -> LocalExecutor:
        if self.workers == 0:
            model = self.model_loader() if self.model_loader is not None else None
            self._pool = _InlinePool(self.page_fn, model, self.options.page)
        else:
            reading = self.options.reading()
            self._pool = PagePool(
                page_fn=functools.partial(score_task, self.page_fn, reading),
                error_fn=functools.partial(error_of_task, reading),
                workers=self.workers,
                model_loader=self.model_loader,
                page_options=self.options.page,
                timeout=self.options.timeout,
                max_memory=self.options.max_memory,
                retried=is_range,
                marks_pages=True,
            )
        self._pool.__enter__()
        self.stats = self._pool.stats
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.__exit__(*exc)

    def results(self, todo: Sequence[tuple[int, Source]]) -> Iterator[tuple[Item, Row | None]]:
        """The items and rows of `todo`, each input's in order. An input whose members the
        workers could not read whole stops there, and is continued after the others: one
        member at a time where a range's worker failed (then by ranges again), by the engine's
        own reader after damage (`_rest_of`)."""
        by_members = self.workers >= 2 and self.options.limit is None
        sources = dict(todo)
        readings: dict[int, Reading] = {}
        items: Iterator[Item] = self._items(todo, by_members=by_members)
        while True:
            later: list[tuple[int, MemberRange | None]] = []  # input, and the range to retry
            passed: dict[int, list[Item]] = {}  # the items of each input in `later` after that
            yield from collect(self._pool.imap(items, page_record), readings, later, passed)
            if not later:
                return
            items = itertools.chain.from_iterable(
                [self._continued(index, sources[index], readings[index], retry, passed[index]) for index, retry in later]
            )

    def _continued(self, index: int, source: Source, reading: Reading, retry: MemberRange | None, passed: list[Item]) -> Iterator[Item]:
        """The rest of an input whose members stopped: the members of `retry` one at a time,
        then the items `passed` over after it (the ranges already read among them); or (no
        `retry`: damage) the engine's own reader's records."""
        if retry is None:
            return self._rest_of(index, source, reading.offsets)
        members = retried_members(index, source, retry, reading.next_member, self.options.max_record_bytes)
        return itertools.chain(members, passed)

    def _rest_of(self, index: int, source: Source, done: list[int]) -> Iterator[Item]:
        """The records of `source` after the `done` ones (their offsets), read by the engine, and
        its end; if the engine's reader does not begin with the same records, an abort (the
        part so far is dropped) and the whole input again."""
        records = iter_records(source, self.options.reading(), stdin=self.stdin)
        for offset in done:
            record = next(records, None)
            if record is None or record.offset != offset:
                yield Item(index, abort=True)
                yield from self._items([(index, source)], by_members=False)
                return
        for record in records:
            yield Item(index, record)
        yield Item(index, end=True)

    def _items(self, todo: Sequence[tuple[int, Source]], *, by_members: bool) -> Iterator[Item]:
        """The inputs' items, in order, reading each input only as the workers need it (gzip
        WARCs member by member when `by_members`); a ``--limit`` cut ends the input in
        progress as incomplete and stops."""
        options, pages = self.options, 0
        for index, source in todo:
            yield Item(index)
            if by_members and reads_by_members(source, options.reading()):
                yield from member_items(index, source, self.range_bytes)
                continue
            limited = False
            for record in iter_records(source, options.reading(), stdin=self.stdin):
                yield Item(index, record)
                if record.is_page:
                    pages += 1
                    if options.limit is not None and pages >= options.limit:
                        limited = True
                        break
            yield Item(index, end=True, complete=not limited)
            if limited:
                return


class Progress:
    """A progress bar over the bytes of the inputs to do (a total, a percentage and an ETA),
    with inputs done and rows written beside it; none when `options.progress` is off, stderr is
    not a terminal or tqdm (the bulk extra) is missing."""

    def __init__(self, todo: Sequence[tuple[int, Source]], options: BulkOptions, stream: IO[str] | None) -> None:
        self.bar: Any = None
        self.sizes = {index: _size(source) for index, source in todo}
        self.done_bytes = 0  # of the inputs finished
        self.inputs, self.inputs_done, self.rows = len(todo), 0, 0
        stream = stream or sys.stderr
        if not options.progress or not getattr(stream, "isatty", lambda: False)():
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        total = sum(self.sizes.values()) or None
        self.bar = tqdm(total=total, unit="B", unit_scale=True, file=stream, dynamic_ncols=True, desc="scoring")
        self._postfix()

    def _postfix(self) -> None:
        self.bar.set_postfix_str(f"inputs {self.inputs_done}/{self.inputs}, rows {self.rows:,}", refresh=False)

    def record(self, index: int, record: Record, row: bool) -> None:
        if self.bar is None:
            return
        self.rows += row
        self._postfix()
        at = self.bar.n if record.position is None else self.done_bytes + min(record.position, self.sizes.get(index, 0))
        self.bar.update(max(0, at - self.bar.n))  # (redraws at most every tqdm's mininterval)

    def input_done(self, index: int) -> None:
        self.done_bytes += self.sizes.get(index, 0)
        self.inputs_done += 1
        if self.bar is not None:
            self._postfix()
            self.bar.update(max(0, self.done_bytes - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _size(source: Source) -> int:
    try:
        return os.stat(source.path).st_size if source.kind not in ("stdin", "missing", "empty") else 0
    except OSError:
        return 0


def _write_parts(
    executor: Executor, store: PartStore, sources: Sequence[Source], todo: Sequence[tuple[int, Source]], progress: Progress
) -> set[Source]:
    """Consume the executor's results into one part per input; returns the inputs written. An
    input's part stays open until its end comes, which may be after other inputs."""
    writers: dict[int, PartWriter] = {}
    written: set[Source] = set()
    try:
        for item, row in executor.results(todo):
            if item.abort:  # the input is read again: nothing of it is kept
                writers.pop(item.index).abort()
                written.discard(sources[item.index])
            elif item.record is None and not item.end:
                writers[item.index] = store.open_part(sources[item.index])
                written.add(sources[item.index])
            elif item.end:
                writers.pop(item.index).finish(complete=item.complete)
                progress.input_done(item.index)
            else:
                assert item.record is not None
                record = item.record
                if row is None and record.error is not None:
                    row = error_row(record, record.error)
                writers[item.index].add(record, row)
                progress.record(item.index, record, row is not None)
    except BaseException:
        for writer in writers.values():
            writer.abort()  # the inputs being read are redone by the next run
        raise
    return written


def run_with(
    executor: Executor,
    inputs: Sequence[str],
    output: str | None,
    options: BulkOptions,
    *,
    rescore: Rescore | None = None,
    stdout: IO[bytes] | None = None,
    progress_stream: IO[str] | None = None,
) -> Summary:
    """Score `inputs` into `output` with `executor` (see the module docstring)."""
    started = time.monotonic()
    sources = expand_inputs(inputs)
    check_dependencies(sources, options)
    check_outputs(sources, output, options)
    store = PartStore.for_output(output, options)
    try:
        todo = [(i, s) for i, s in enumerate(sources) if not (options.resume and store.is_complete(s))]
        progress = Progress(todo, options, progress_stream)
        try:
            with executor:
                written = _write_parts(executor, store, sources, todo, progress)
        finally:
            progress.close()
        summary = Summary(inputs=len(sources), workers=executor.workers, output=output or "-", notes=list(executor.notes))
        stats = executor.stats
        summary.timeouts, summary.memory_kills, summary.worker_deaths = stats.timeouts, stats.memory_kills, stats.worker_deaths
        assembly = Assembly(store, sources, fresh={source for _, source in todo}, written=written)
        assemble(assembly, output, options=options, summary=summary, rescore=rescore or apply_dup_domains, stdout=stdout)
    finally:
        store.close()
    summary.inputs_resumed = len(sources) - len(todo)
    summary.elapsed_s = round(time.monotonic() - started, 3)
    summary.pages_per_s = round(summary.pages_scored_now / summary.elapsed_s, 2) if summary.elapsed_s else 0.0
    if options.summary_path:
        with atomic_path(options.summary_path) as tmp:
            tmp.write_bytes(json_bytes(summary.to_dict(), indent=2))
    return summary


class MissingExtraError(RuntimeError):
    """A run that needs an optional dependency that is not installed."""


BULK_EXTRA_HINT = "install the bulk extra: pip install 'pagesieve[bulk]' (from a clone: pip install '.[bulk]')"


def check_dependencies(sources: Sequence[Source], options: BulkOptions) -> None:
    """Refuse, before anything is read, a run whose inputs or options need a library that is
    not installed (WARC readers, MinHash for ``--syndication``)."""
    needs = []
    if any(source.kind == "warc" for source in sources) and not (_installed("fastwarc") or _installed("warcio")):
        needs.append("reading WARC files needs fastwarc or warcio")
    if options.page.syndication and not _installed("datasketch"):
        needs.append("--syndication needs datasketch")
    if needs:
        raise MissingExtraError(f"{'; '.join(needs)}: {BULK_EXTRA_HINT}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


class OutputError(ValueError):
    """An output that cannot be written: found before anything is scored."""


def check_outputs(sources: Sequence[Source], output: str | None, options: BulkOptions) -> None:
    """Refuse, before any page is scored, outputs that could not be written or would overwrite
    an input: the output, the summary and the hosts CSV must be files in folders this process
    can write, none of them an input, and no two of them the same file."""
    targets = [(flag, path) for flag, path in (("-o", output), ("--summary", options.summary_path), ("--hosts", options.hosts_path))
               if path not in (None, "-")]  # fmt: skip
    inputs = {os.path.realpath(source.path) for source in sources if source.kind not in ("stdin", "missing", "empty")}
    seen: dict[str, str] = {}
    for flag, path in targets:
        assert path is not None
        real = os.path.realpath(path)
        folder = os.path.dirname(real) or "."
        if os.path.isdir(real):
            raise OutputError(f"{flag} {path} is a folder: name a file")
        if real in inputs:
            raise OutputError(f"{flag} {path} is also an input: it would be overwritten")
        if real in seen:
            raise OutputError(f"{flag} {path} is also given to {seen[real]}")
        if not os.path.isdir(folder):
            raise OutputError(f"{flag} {path}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (os.path.exists(real) and not os.access(real, os.W_OK)):
            raise OutputError(f"{flag} {path}: not writable")
        seen[real] = flag


def run(
    inputs: Sequence[str],
    output: str | None,
    options: BulkOptions = BulkOptions(),
    *,
    page_fn: PageFn | None = None,
    model_loader: ModelLoader = "default",
    rescore: Rescore | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    progress_stream: IO[str] | None = None,
) -> Summary:
    """Score `inputs` into `output` (a path, or None / ``-`` for stdout) on this machine and
    return the summary.

    `page_fn` (default `score_page`) and `model_loader` (default: `load_extractor` of
    `options.model_path`; None: no model) must be module-level functions when workers > 0.
    `rescore(row, dup_domains, domains)` applies the cross-crawl term (default
    `apply_dup_domains`). Raises `classifier.bulk.sandbox.SandboxError` if the workers cannot
    start.
    """
    executor = LocalExecutor(options, page_fn or score_page, model_loader_of(model_loader, options), stdin)
    return run_with(executor, inputs, output, options, rescore=rescore, stdout=stdout, progress_stream=progress_stream)
