"""Killable worker processes with a per-page deadline and memory limit.

`PagePool.imap()` sends page records to worker processes and yields the results in input
order. Each worker loads the model once (through `model_loader`) and then calls the page
function for every record it gets, in the order it gets them. A worker holds up to `1 +
prefetch` records at a time: the next page waits in its connection while it scores one, so it
never idles while the parent reads the input and hands pages out (the connection's send buffer
is enlarged to hold a page, so that handing one to a busy worker does not wait for it). The
parent watches every busy worker (a page's time starts when the worker is done with the one
before):

* past `timeout` seconds on one page (and its row not already in the connection: the parent
  may have been held up; with `marks_pages`, a task of several pages starts the clock again
  for each of its pages), the worker is killed (SIGKILL: a page stuck in C code cannot be
  interrupted any other way), the page becomes an error row, and a fresh worker takes its
  place;
* past `max_memory` bytes of resident memory (read from ``/proc`` on Linux, checked every
  `poll_interval` seconds; elsewhere an ``RLIMIT_AS`` set inside the worker), likewise;
* a worker that dies (segfault, OOM killer) turns its page into an error row and is replaced.

The pages a killed or dead worker held besides the one it was scoring go to the next worker.

Items that are not pages (skipped records, damaged-input records, markers) pass through the
pool without reaching a worker, keeping their place in the order. At most `window` items are
between reading and output at any time, so memory stays bounded whatever the input size.

This follows datatrove's ``ExtractorSandbox``: the deadline lives in the library, not the CLI.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: How long a worker may take to start and load the model before the run gives up.
STARTUP_TIMEOUT = 600.0
#: The send buffer asked for on each worker's connection: room for the pages it holds.
SEND_BUFFER_BYTES = 8 * 2**20
#: Workers that may die one after another while starting (killed, out of memory) before the run
#: gives up: a worker that dies while starting is replaced, up to this many times in a row.
STARTUP_RETRIES = 3
#: A dead worker's pipes close before the kernel lets it be reaped: how long to wait for its
#: exit code (so that the error row names it, not None).
EXIT_CODE_WAIT = 1.0


class SandboxError(RuntimeError):
    """A worker could not start (for example the model failed to load)."""


@dataclass(slots=True)
class PoolStats:
    """What the pool had to do besides scoring pages."""

    timeouts: int = 0
    memory_kills: int = 0
    worker_deaths: int = 0
    # Tasks of several pages (`PagePool.retried`) that timed out, ran out of memory or killed
    # their worker: their pages are scored again one by one, and a page's failure counted then.
    tasks_retried: int = 0
    respawns: int = 0


def _worker_main(
    conn: Connection,
    page_fn: Callable[..., Any],
    error_fn: Callable[[Any, str], Any],
    model_loader: Callable[[], Any] | None,
    page_options: Any,
    max_memory: int | None,
    clock: Any = None,
) -> None:
    """Worker loop: load the model, then answer (seq, record) with (seq, row) until None. A
    parent gone (an interrupted run) ends it quietly. `clock`: the shared double in which a
    task of several pages marks when each page begins (`page_fn` gets `page_started`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if max_memory and not sys.platform.startswith("linux"):
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    try:
        model = model_loader() if model_loader is not None else None
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which stops the run
        with contextlib.suppress(OSError):
            conn.send(("fatal", f"model failed to load: {type(exc).__name__}: {exc}"))
        return
    marks: dict[str, Callable[[], None]] = {}
    if clock is not None:

        def page_started() -> None:
            clock.value = time.monotonic()

        marks["page_started"] = page_started
    with contextlib.suppress(OSError, EOFError):  # BrokenPipeError, ConnectionResetError: parent gone
        conn.send(("ready", os.getpid()))
        while (message := conn.recv()) is not None:
            seq, record = message
            try:
                row = page_fn(record, model=model, options=page_options, **marks)
            except Exception as exc:  # noqa: BLE001 - every page becomes a row
                row = error_fn(record, failure_message(exc))
            conn.send(("row", (seq, row)))


def failure_message(exc: Exception) -> str:
    """The error of a page whose function raised `exc` in a worker."""
    if isinstance(exc, MemoryError):
        return "memory limit exceeded (MemoryError)"
    return f"{type(exc).__name__}: {exc}"[:500]


def _rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            resident = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return resident * os.sysconf("SC_PAGE_SIZE")


def _enlarge_send_buffer(conn: Connection) -> None:
    """Ask for a send buffer of `SEND_BUFFER_BYTES` on the parent's end of a worker's connection
    (a Unix socket pair; the system may grant less, and nothing where it is a pipe)."""
    try:
        duplicate = os.dup(conn.fileno())
    except (OSError, ValueError):
        return
    try:
        endpoint = socket.socket(fileno=duplicate)  # owns the copy from here on
    except OSError:  # not a socket
        os.close(duplicate)
        return
    with endpoint, contextlib.suppress(OSError):
        endpoint.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)


@dataclass(slots=True, eq=False)  # a worker is itself: `in` the pool compares identity
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    tasks: deque[tuple[int, Any]] = field(default_factory=deque)  # (seq, record) sent, oldest first
    started: float = 0.0  # when the worker began the oldest task
    pid: int | None = None
    spawned: float = field(default_factory=time.monotonic)
    # Shared with the worker (`PagePool.marks_pages`): when it began the page it is on, in a
    # task of several pages (`time.monotonic()`, the same clock in every process).
    clock: Any = None

    @property
    def page_began(self) -> float:
        """When the page the worker is scoring began, as far as the parent knows."""
        return self.started if self.clock is None else max(self.started, self.clock.value)

    @property
    def busy(self) -> tuple[int, Any] | None:
        """The task the worker is scoring, or None."""
        return self.tasks[0] if self.tasks else None


@dataclass
class PagePool(Generic[T]):
    """A pool of killable page workers (see the module docstring).

    `page_fn(record, *, model, options) -> row` runs in the workers; `error_fn(record, message)
    -> row` builds the error row for a page that timed out, ran out of memory or killed its
    worker (it runs in the parent). Both, and `model_loader`, must be picklable (module-level
    functions). `workers` >= 1; `timeout` and `max_memory` (bytes) are per page, None for none;
    `prefetch` (>= 0) pages wait at each worker besides the one it scores. `marks_pages`:
    `page_fn` also gets `page_started`, a function a task of several pages calls as each of
    its pages begins, so that `timeout` applies to each page, not to the task.
    `start_method` is a multiprocessing start method (default ``forkserver`` where available:
    fresh workers that do not inherit the parent's threads).
    """

    page_fn: Callable[..., Any]
    error_fn: Callable[[Any, str], Any]
    workers: int = 1
    model_loader: Callable[[], Any] | None = None
    page_options: Any = None
    timeout: float | None = None
    max_memory: int | None = None
    window: int = 256
    poll_interval: float = 0.2
    prefetch: int = 2
    start_method: str | None = None
    stats: PoolStats = field(default_factory=PoolStats)
    # Which tasks hold several pages, whose failure `error_fn` turns into a retry of each page
    # (counted in `stats.tasks_retried`, not as a page's timeout, memory kill or death).
    retried: Callable[[Any], bool] | None = None
    marks_pages: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.prefetch < 0:
            raise ValueError("prefetch must be >= 0")
        method = self.start_method
        if method is None:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self._ctx = multiprocessing.get_context(method)
        self._pool: list[_Worker] = []
        self._startup_failures = 0
        # Every worker's connection and exit sentinel, registered while it lives: one selector
        # for the run instead of one per wait (data: the worker, and whether it is the sentinel).
        self._selector: selectors.BaseSelector | None = None

    # ------------------------------------------------------------------ lifecycle

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        clock = self._ctx.RawValue("d", 0.0) if self.marks_pages else None
        process = self._ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child, self.page_fn, self.error_fn, self.model_loader, self.page_options, self.max_memory, clock),
            daemon=True,
            name="pagesieve-worker",
        )
        process.start()
        child.close()
        _enlarge_send_buffer(parent)
        worker = _Worker(process=process, conn=parent, clock=clock)
        selector = self._selector
        assert selector is not None
        selector.register(parent, selectors.EVENT_READ, (worker, False))
        selector.register(process.sentinel, selectors.EVENT_READ, (worker, True))
        return worker

    def _unregister(self, worker: _Worker) -> None:
        if self._selector is None:
            return
        for handle in (worker.conn, worker.process.sentinel):
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(handle)

    def _kill(self, worker: _Worker) -> None:
        self._unregister(worker)
        with contextlib.suppress(Exception):
            worker.process.kill()
        worker.process.join(5)
        with contextlib.suppress(Exception):
            worker.conn.close()

    def __enter__(self) -> PagePool[T]:
        self._selector = selectors.DefaultSelector()
        try:
            for _ in range(self.workers):
                self._pool.append(self._spawn())
        except BaseException:  # an interrupt while starting: stop the workers already started
            self.close(wait=0.0)
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # Leaving on an error or an interrupt, the pages in flight are dropped anyway: stop
        # the workers at once instead of waiting for them to finish their pages.
        self.close(wait=0.0 if exc_type is not None else 5.0)

    def close(self, wait: float = 5.0) -> None:
        """Stop every worker: politely (up to `wait` seconds for all), then by force."""
        for worker in self._pool:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
        deadline = time.monotonic() + wait
        for worker in self._pool:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                self._kill(worker)
            self._unregister(worker)
            with contextlib.suppress(Exception):
                worker.conn.close()
        self._pool = []
        if self._selector is not None:
            self._selector.close()
            self._selector = None

    # ------------------------------------------------------------------ the loop

    def imap(self, items: Iterable[T], record_of: Callable[[T], Any | None]) -> Iterator[tuple[T, Any]]:
        """Yield ``(item, row)`` for every item, in input order.

        `record_of(item)` returns the page record to score, or None for an item that passes
        through untouched (then ``row`` is None).
        """
        if not self._pool:
            raise RuntimeError("use the pool as a context manager")
        source = iter(items)
        exhausted = False
        next_seq = 0
        next_out = 0
        done: dict[int, tuple[T, Any]] = {}
        waiting: dict[int, T] = {}  # dispatched items by seq
        backlog: list[tuple[int, Any]] = []  # records taken back from a killed worker

        while True:
            # 1. hand out work to ready workers with room (reading input only as needed)
            for worker in self._pool:
                while worker.ready and len(worker.tasks) <= self.prefetch:
                    task = None
                    if backlog:
                        task = backlog.pop(0)
                    while task is None and not exhausted and next_seq - next_out < self.window:
                        try:
                            item = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                        seq, next_seq = next_seq, next_seq + 1
                        record = record_of(item)
                        if record is None:
                            done[seq] = (item, None)
                        else:
                            waiting[seq] = item
                            task = (seq, record)
                    if task is None or not self._send(worker, task, done, waiting, backlog):
                        break

            # 2. emit what is ready, in order
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

            if exhausted and not waiting and not backlog and next_out == next_seq:
                return

            # 3. wait for results, deaths or deadlines
            now = time.monotonic()
            busy = [w for w in self._pool if w.busy is not None]
            starting = [w for w in self._pool if not w.ready]
            if any(now - w.spawned > STARTUP_TIMEOUT for w in starting):
                raise SandboxError(f"a worker did not start within {STARTUP_TIMEOUT:.0f} s")
            wait_for = self.poll_interval if (self.max_memory or starting) else None
            if self.timeout is not None and busy:
                until = min(w.page_began for w in busy) + self.timeout - now
                wait_for = max(0.0, until if wait_for is None else min(wait_for, until))
            if not busy and not starting:
                continue  # every worker is idle: step 1 hands out the next page
            assert self._selector is not None
            for key, _ in self._selector.select(wait_for):
                found, died = key.data
                if found in self._pool:
                    self._receive(found, died, done, waiting, backlog)
            self._enforce_limits(done, waiting, backlog)

    # ------------------------------------------------------------------ helpers

    def _send(
        self,
        worker: _Worker,
        task: tuple[int, Any],
        done: dict[int, tuple[T, Any]],
        waiting: dict[int, T],
        backlog: list[tuple[int, Any]],
    ) -> bool:
        """Hand `task` to the worker (a worker that was idle starts it now). A worker gone is
        handled as dead (it is replaced) and the task goes to the next one: False."""
        try:
            worker.conn.send(task)
        except (BrokenPipeError, OSError):
            backlog.insert(0, task)
            # The rows it sent before it died come first: the page it died on is the oldest
            # task it holds once they are read, not the oldest it was sent.
            while worker in self._pool:
                self._receive(worker, True, done, waiting, backlog)
            return False
        if not worker.tasks:
            worker.started = time.monotonic()
        worker.tasks.append(task)
        return True

    def _receive(
        self,
        worker: _Worker,
        died: bool,
        done: dict[int, tuple[T, Any]],
        waiting: dict[int, T],
        backlog: list[tuple[int, Any]],
    ) -> None:
        message = None
        try:
            # Readable (not `died`): a message has come, and recv() reads it whole (a worker
            # writes each at once), so only a dead worker's connection needs the poll.
            if not died or worker.conn.poll():
                message = worker.conn.recv()
        except (EOFError, OSError):
            message = None
        if message is None:
            if died or not worker.process.is_alive():
                self._worker_died(worker, done, waiting, backlog)
            return
        kind, payload = message
        if kind == "ready":
            worker.ready = True
            worker.pid = payload
            self._startup_failures = 0
            self._check_idle_memory(worker)
        elif kind == "fatal":
            raise SandboxError(payload)
        else:
            seq, row = payload
            worker.tasks.popleft()  # rows come back in the order the tasks went out
            worker.started = time.monotonic()  # the next task, if any, starts now
            done[seq] = (waiting.pop(seq), row)

    def _worker_died(
        self, worker: _Worker, done: dict[int, tuple[T, Any]], waiting: dict[int, T], backlog: list[tuple[int, Any]]
    ) -> None:
        worker.process.join(EXIT_CODE_WAIT)
        code = worker.process.exitcode
        if not worker.ready:
            self._startup_failures += 1
            if self._startup_failures > STARTUP_RETRIES:
                self._kill(worker)
                raise SandboxError(
                    f"workers exited while starting {self._startup_failures} times in a row (last exit code {code})"
                )
            self.stats.worker_deaths += 1
            self._replace(worker, backlog)
            return
        if worker.tasks:
            seq, record = worker.tasks.popleft()
            self._count_failure(record, "worker_deaths")
            reason = f"worker died while scoring this page (exit code {code})"
            done[seq] = (waiting.pop(seq), self.error_fn(record, reason))
        else:
            self.stats.worker_deaths += 1
        self._replace(worker, backlog)

    def _count_failure(self, task: Any, kind: str) -> None:
        """Count a page's timeout, memory kill or death (`kind`: a `PoolStats` field), or a retried task."""
        if self.retried is not None and self.retried(task):
            self.stats.tasks_retried += 1
        else:
            setattr(self.stats, kind, getattr(self.stats, kind) + 1)

    def _check_idle_memory(self, worker: _Worker) -> None:
        """Refuse a memory limit that an idle worker, model loaded, already exceeds: every page
        would become an error row."""
        if not self.max_memory or not sys.platform.startswith("linux"):
            return
        rss = _rss_bytes(worker.process.pid)
        if rss is not None and rss > self.max_memory:
            raise SandboxError(
                f"the memory limit ({self.max_memory / 2**20:.0f} MiB) is below what an idle worker "
                f"uses with the model loaded ({rss / 2**20:.0f} MiB): raise --max-memory"
            )

    def _replace(self, worker: _Worker, backlog: list[tuple[int, Any]]) -> None:
        """Kill the worker and start another; the pages it held but was not scoring go first
        to the next workers, in their order."""
        self._kill(worker)
        backlog[:0] = worker.tasks
        worker.tasks.clear()
        index = self._pool.index(worker)
        self._pool[index] = self._spawn()
        self.stats.respawns += 1

    def _read_rows_sent(
        self, worker: _Worker, done: dict[int, tuple[T, Any]], waiting: dict[int, T], backlog: list[tuple[int, Any]]
    ) -> None:
        """Read the rows a worker past its deadline has already sent: the engine may have been
        held up (a busy or stalled machine) while its page ended in time, and a page is timed
        out only if its row has not come. The next page's time starts when its row is read."""
        while worker in self._pool and worker.busy is not None and worker.conn.poll():
            self._receive(worker, False, done, waiting, backlog)

    def _enforce_limits(self, done: dict[int, tuple[T, Any]], waiting: dict[int, T], backlog: list[tuple[int, Any]]) -> None:
        now = time.monotonic()
        for worker in list(self._pool):
            if worker.busy is None:
                continue
            if self.timeout is not None and now - worker.page_began > self.timeout:
                self._read_rows_sent(worker, done, waiting, backlog)
                if worker not in self._pool or worker.busy is None:
                    continue
            seq, record = worker.busy
            reason = None
            if self.timeout is not None and now - worker.page_began > self.timeout:
                reason = f"timeout: page took longer than {self.timeout:g} s"
                self._count_failure(record, "timeouts")
            elif self.max_memory and sys.platform.startswith("linux"):
                rss = _rss_bytes(worker.process.pid)
                if rss is not None and rss > self.max_memory:
                    reason = f"memory limit exceeded: {rss / 2**20:.0f} MiB > {self.max_memory / 2**20:.0f} MiB"
                    self._count_failure(record, "memory_kills")
            if reason is not None:
                done[seq] = (waiting.pop(seq), self.error_fn(record, reason))
                worker.tasks.popleft()
                self._replace(worker, backlog)
