"""Bulk scoring on a Dask cluster: the engine's Dask executor, and rows as a dask bag or dataframe.

Input files travel to the workers as paths (`Source`s), never as records: each task reads one
input where it runs, scores it with the same pure generator as the local executor
(`classifier.bulk.pages.score_records`), and sends back results without page bodies. The model
is loaded once per Dask worker process and kept on the worker object (no module-level state).
With a per-page `timeout` or `max_memory`, each Dask worker keeps one killable sandbox process
(`classifier.bulk.sandbox.PagePool`) that holds the model, as the local executor does; that
needs non-daemonic Dask workers (``distributed.worker.daemon: False``, which ``--dask local``
sets), and otherwise pages are scored in the worker thread without a deadline (the summary
says so).

* `run_dask(inputs, output, options, address=...)`: the ``--dask ADDRESS`` path of the CLI; the
  same engine (`classifier.bulk.engine.run_with`) as a local run, so the same parts, resume,
  assembly and summary, and the same output.
* `score_bag(inputs, ...)` / `score_dataframe(inputs, ...)`: rows as a dask bag of dicts (or a
  dask dataframe) for users who compose their own pipelines.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .engine import ModelLoader, model_loader_of, run_with
from .items import Item, page_record
from .output import Rescore
from .pages import PageFn, score_page, score_records
from .records import expand_inputs, iter_records
from .rows import BulkOptions, PageOptions, ReadOptions, Record, Row, Source, Summary, error_row, row_kinds
from .sandbox import PagePool, PoolStats

_STATE_ATTR = "_pagesieve_state"

#: What a task returns per record: (skip reason, damage message, offset, row or None, whether
#: the damage stopped the reading of the input).
Result = tuple[str | None, str | None, int, Row | None, bool]


def _worker_state() -> dict[Any, Any] | None:
    """A dict kept on the current Dask worker (None outside a distributed worker)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None
    state: dict[Any, Any] = worker.__dict__.setdefault(_STATE_ATTR, {"lock": threading.Lock()})
    return state


def worker_model(loader: Callable[[], Any] | None) -> Any:
    """The model of this Dask worker, loaded by `loader` on first use (once per process)."""
    if loader is None:
        return None
    state = _worker_state()
    if state is None:
        return loader()
    key = ("model", repr(loader))
    with state["lock"]:
        if key not in state:
            state[key] = loader()
        return state[key]


def _worker_pool(page_fn: PageFn, loader: Callable[[], Any] | None, options: BulkOptions) -> Any:
    """This worker's sandbox pool (one killable process), or None where it cannot have one."""
    if multiprocessing.current_process().daemon:
        return None
    state = _worker_state()
    if state is None:
        return None
    key = ("pool", repr(page_fn), repr(loader), options.page, options.timeout, options.max_memory)
    with state["lock"]:
        if key not in state:
            pool: PagePool[Any] = PagePool(
                page_fn=page_fn,
                error_fn=error_row,
                workers=1,
                model_loader=loader,
                page_options=options.page,
                timeout=options.timeout,
                max_memory=options.max_memory,
            )
            state[key] = pool.__enter__()
        return state[key]


def score_source_task(
    source: Source,
    options: BulkOptions,
    page_fn: PageFn,
    model_loader: Callable[[], Any] | None,
) -> tuple[list[Result], bool]:
    """Score one input on a worker: its per-record results and whether a sandbox was used."""
    records = iter_records(source, options.reading())
    pool = None
    if options.timeout is not None or options.max_memory is not None:
        pool = _worker_pool(page_fn, model_loader, options)
    results: list[Result] = []
    state = _worker_state()
    if pool is not None and state is not None:
        with state["lock"]:  # one sandbox per worker: one task at a time uses it
            for item, row in pool.imap((Item(0, r) for r in records), page_record):
                record = item.record
                results.append((record.skip, record.error, record.offset, row, record.input_incomplete))
        return results, True
    model = worker_model(model_loader)
    for record, row in score_records(records, page_fn=page_fn, model=model, options=options.page):
        results.append((record.skip, record.error, record.offset, row, record.input_incomplete))
    return results, False


def _client(address: str, workers: int) -> tuple[Any, Any]:
    import dask
    from distributed import Client, LocalCluster

    if address == "local":
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
        return Client(cluster), cluster
    return Client(address), None


@dataclass
class DaskExecutor:
    """One task per input on a Dask cluster (`address`, or "local" for a LocalCluster of
    `options.workers` processes, one thread each; or a connected `client`). At most twice as
    many inputs as workers are in flight, so results of a bounded number of inputs are held."""

    options: BulkOptions
    page_fn: PageFn = score_page
    model_loader: Callable[[], Any] | None = None
    address: str = "local"
    client: Any = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workers = self.options.resolved_workers() or (os.cpu_count() or 1)
        self.stats = PoolStats()
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        if self.client is not None:
            self._client = self.client
        else:
            self._client, self._cluster = _client(self.address, self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is None:
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()

    def results(self, todo: Sequence[tuple[int, Source]]) -> Iterator[tuple[Item, Row | None]]:
        from distributed import as_completed

        options = self.options
        n_workers = max(1, len(self._client.scheduler_info().get("workers", {})) or self.workers)
        pending = iter(todo)
        futures: dict[Any, tuple[int, Source]] = {}

        def submit_next() -> Any:
            following = next(pending, None)
            if following is None:
                return None
            future = self._client.submit(score_source_task, following[1], options, self.page_fn, self.model_loader, pure=False)
            futures[future] = following
            return future

        for _ in range(2 * n_workers):
            if submit_next() is None:
                break
        unsandboxed = 0
        completed = as_completed(list(futures))
        for future in completed:
            index, source = futures.pop(future)
            results, sandboxed = future.result()
            unsandboxed += not sandboxed and (options.timeout is not None or options.max_memory is not None)
            yield Item(index), None
            for skip, damage, offset, row, input_incomplete in results:
                record = Record(source.path, offset, skip=skip, error=damage, input_incomplete=input_incomplete)
                yield Item(index, record), row
            yield Item(index, end=True), None
            del results
            following = submit_next()
            if following is not None:
                completed.add(following)
        if unsandboxed:
            self.notes.append(
                f"{unsandboxed} inputs were scored without the per-page timeout/memory limit "
                "(daemonic Dask workers: set distributed.worker.daemon to False)"
            )


def run_dask(
    inputs: Sequence[str],
    output: str | None,
    options: BulkOptions = BulkOptions(),
    *,
    address: str = "local",
    client: Any = None,
    page_fn: PageFn | None = None,
    model_loader: ModelLoader = "default",
    rescore: Rescore | None = None,
    stdout: IO[bytes] | None = None,
) -> Summary:
    """`classifier.bulk.engine.run` on Dask: one task per input, parts written here as tasks
    finish. ``--limit`` and stdin input are not supported here (stdin is local by nature)."""
    if any(source.kind == "stdin" for source in expand_inputs(inputs)):
        raise ValueError("stdin input cannot be distributed: score it without --dask")
    if options.limit is not None:
        raise ValueError("--limit is not supported with --dask")
    loader = model_loader_of(model_loader, options)
    executor = DaskExecutor(options, page_fn or score_page, loader, address=address, client=client)
    return run_with(executor, inputs, output, options, rescore=rescore, stdout=stdout)


# --------------------------------------------------------------------------- bag / dataframe API


def _bag_partition(
    sources: Sequence[Source],
    *,
    options: PageOptions,
    html_field: str,
    url_field: str,
    page_fn: PageFn,
    model_loader: Callable[[], Any] | None,
) -> list[dict[str, Any]]:
    # a list, not a generator: partitions are pickled when they move between workers
    model = worker_model(model_loader)
    rows = []
    for source in sources:
        records = iter_records(source, ReadOptions(html_field=html_field, url_field=url_field))
        for _, row in score_records(records, page_fn=page_fn, model=model, options=options):
            if row is not None:
                rows.append(row.to_dict(with_text=options.with_text))
    return rows


def score_bag(
    inputs: Sequence[str],
    *,
    options: PageOptions = PageOptions(),
    html_field: str = "html",
    url_field: str = "url",
    page_fn: PageFn | None = None,
    model_loader: ModelLoader = "default",
    model_path: str | None = None,
) -> Any:
    """A dask bag of row dicts (`classifier.bulk.rows.Row.to_dict`), one partition per input file.

    Inputs are expanded here (globs, folders) and shipped as paths. Rows keep input order
    within each partition. No timeout, no syndication and no site templates here (they need the
    whole run): compose them yourself, or use `run_dask`.
    """
    import dask.bag as db

    loader = model_loader_of(model_loader, BulkOptions(model_path=model_path))
    sources = [s for s in expand_inputs(inputs) if s.kind != "stdin"]
    bag = db.from_sequence(sources, npartitions=max(1, len(sources)))
    return bag.map_partitions(
        _bag_partition,
        options=options,
        html_field=html_field,
        url_field=url_field,
        page_fn=page_fn or score_page,
        model_loader=loader,
    )


def dataframe_meta(*, with_text: bool) -> Any:
    """The empty pandas frame that describes the rows (`classifier.bulk.rows.ROW_KINDS`):
    nullable integers and booleans as floats and objects, as pandas holds them with gaps."""
    import pandas as pd

    dtypes = {"string": "object", "int": "float64", "float": "float64", "bool": "object", "reasons": "object"}
    kinds = row_kinds(with_text=with_text)
    columns = {name: dtypes[kind] for name, kind in kinds.items()}
    columns["offset"] = "int64"  # every row has one
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def score_dataframe(inputs: Sequence[str], **kwargs: Any) -> Any:
    """`score_bag` as a dask dataframe (``reasons`` stays a column of Python lists)."""
    try:
        import pandas  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("score_dataframe needs pandas: pip install 'dask[dataframe]'") from exc
    options: PageOptions = kwargs.get("options", PageOptions())
    return score_bag(inputs, **kwargs).to_dataframe(meta=dataframe_meta(with_text=options.with_text))
