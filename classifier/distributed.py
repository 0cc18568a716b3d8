"""Bulk scoring on a Dask cluster (named ``distributed`` so it never shadows the ``dask`` package).

Input files travel to the workers as paths (`classifier.io.Source`), never as records: each
task reads one input where it runs, scores it with the same pure generator as the local engine
(`classifier.bulk.score_records`), and sends back rows only. The model is loaded once per Dask
worker process and kept on the worker object (no module-level state). With a per-page
`timeout` or `max_memory`, each Dask worker keeps one killable sandbox process
(`classifier.sandbox.PagePool`) that holds the model, as in the local engine; that needs
non-daemonic Dask workers (``distributed.worker.daemon: False``, which ``--dask local`` sets),
and otherwise pages are scored in the worker thread without a deadline (the summary says so).

* `run_dask(inputs, output, options, address=...)`: the ``--dask ADDRESS`` path of the CLI; the
  same parts, resume, assembly and summary as `classifier.bulk.run`, so the output is the same.
* `score_bag(inputs, ...)` / `score_dataframe(inputs, ...)`: rows as a dask bag of dicts (or a
  dask dataframe) for users who compose their own pipelines.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, Any, Literal

from .bulk import (
    BulkOptions,
    PageFn,
    PageOptions,
    Row,
    Summary,
    _Item,
    _record_of,
    error_row,
    finish_run,
    load_default_model,
    score_page,
    score_records,
)
from .io import Source, expand_inputs, iter_records

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
    from .sandbox import PagePool

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
    records = iter_records(
        source, html_field=options.html_field, url_field=options.url_field, warc_reader=options.warc_reader
    )
    pool = None
    if options.timeout is not None or options.max_memory is not None:
        pool = _worker_pool(page_fn, model_loader, options)
    results: list[Result] = []
    state = _worker_state()
    if pool is not None and state is not None:
        with state["lock"]:  # one sandbox per worker: one task at a time uses it
            for item, row in pool.imap((_Item(0, r) for r in records), _record_of):
                record = item.record
                if row is None and record.error is not None:
                    row = error_row(record, record.error)
                results.append((record.skip, record.error, record.offset, row, record.ends_input))
        return results, True
    model = worker_model(model_loader)
    for record, row in score_records(records, page_fn=page_fn, model=model, options=options.page):
        results.append((record.skip, record.error, record.offset, row, record.ends_input))
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


def run_dask(
    inputs: Sequence[str],
    output: str | None,
    options: BulkOptions = BulkOptions(),
    *,
    address: str = "local",
    client: Any = None,
    page_fn: PageFn | None = None,
    model_loader: Callable[[], Any] | None | Literal["default"] = "default",
    rescore: Callable[[dict[str, Any], int, list[str]], dict[str, Any]] | None = None,
    stdout: IO[bytes] | None = None,
) -> Summary:
    """`classifier.bulk.run` on Dask: one task per input, parts written here as tasks finish.

    `address` is a scheduler address or ``local`` (a LocalCluster of `options.workers`
    processes, one thread each); pass `client` to reuse a connected client. ``--limit`` and
    stdin input are not supported here (stdin is local by nature).
    """
    from distributed import as_completed

    from .parts import PartStore
    from .sandbox import PoolStats

    started = time.monotonic()
    fn = page_fn or score_page
    loader = functools.partial(load_default_model, options.model_path) if model_loader == "default" else model_loader
    sources = expand_inputs(inputs)
    if any(s.kind == "stdin" for s in sources):
        raise ValueError("stdin input cannot be distributed: score it without --dask")
    if options.limit is not None:
        raise ValueError("--limit is not supported with --dask")
    store = PartStore.for_output(output, options)
    todo = [(i, s) for i, s in enumerate(sources) if not (options.resume and store.is_complete(s))]
    workers = options.resolved_workers() or (os.cpu_count() or 1)
    own_client, cluster = (client, None) if client is not None else _client(address, workers)
    notes: list[str] = []
    unsandboxed = 0
    try:
        n_workers = max(1, len(own_client.scheduler_info().get("workers", {})) or workers)
        pending = iter(todo)
        futures: dict[Any, Source] = {}
        window = 2 * n_workers  # bounded: results of at most this many inputs in memory

        def submit_next() -> Any:
            nxt = next(pending, None)
            if nxt is None:
                return None
            future = own_client.submit(score_source_task, nxt[1], options, fn, loader, pure=False)
            futures[future] = nxt[1]
            return future

        for _ in range(window):
            if submit_next() is None:
                break
        completed = as_completed(list(futures))
        for future in completed:
            source = futures.pop(future)
            results, sandboxed = future.result()
            unsandboxed += not sandboxed and (options.timeout is not None or options.max_memory is not None)
            writer = store.open_part(source)
            for skip, damage, offset, row, ends_input in results:
                writer.add_result(skip, damage, offset, row, ends_input=ends_input)
            writer.finish(complete=True)
            del results
            future = submit_next()
            if future is not None:
                completed.add(future)
    finally:
        if client is None:
            own_client.close()
            if cluster is not None:
                cluster.close()
    if unsandboxed:
        notes.append(
            f"{unsandboxed} inputs were scored without the per-page timeout/memory limit "
            "(daemonic Dask workers: set distributed.worker.daemon to False)"
        )
    return finish_run(
        store,
        sources,
        todo,
        output,
        options=options,
        workers=workers,
        stats=PoolStats(),
        started=started,
        rescore=rescore,
        stdout=stdout,
        notes=notes,
    )


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
        records = iter_records(source, html_field=html_field, url_field=url_field)
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
    model_loader: Callable[[], Any] | None | Literal["default"] = "default",
    model_path: str | None = None,
) -> Any:
    """A dask bag of row dicts (`classifier.bulk.Row.to_dict`), one partition per input file.

    Inputs are expanded here (globs, folders) and shipped as paths. Rows keep input order
    within each partition. No timeout and no syndication here: compose them yourself, or use
    `run_dask`.
    """
    import dask.bag as db

    loader = functools.partial(load_default_model, model_path) if model_loader == "default" else model_loader
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


def score_dataframe(inputs: Sequence[str], **kwargs: Any) -> Any:
    """`score_bag` as a dask dataframe (``reasons`` stays a column of Python lists)."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise RuntimeError("score_dataframe needs pandas: pip install 'dask[dataframe]'") from exc

    options: PageOptions = kwargs.get("options", PageOptions())
    columns: dict[str, Any] = {
        "source": "object",
        "offset": "int64",
        "url": "object",
        "host": "object",
        "farm_probability": "float64",
        "flagged": "object",
        "reasons": "object",
        "content_chars": "float64",
        "boilerplate_share": "float64",
        "title": "object",
        "published": "object",
        "author": "object",
        "language": "object",
        "canonical_url": "object",
        "error": "object",
        "dup_domains": "object",
    }
    if options.with_text:
        columns["text"] = "object"
    meta = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    return score_bag(inputs, **kwargs).to_dataframe(meta=meta)
