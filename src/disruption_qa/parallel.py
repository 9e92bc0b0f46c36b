"""Work spread over every core: per-organisation work in order, and jobs alongside it.

A national run checks and reports on dozens of organisations, each
independently of the others. A :class:`Pool` belongs to one run and is passed
to the code that uses it. :meth:`Pool.map` forks worker processes that inherit
the run's frames (copy-on-write, nothing pickled on the way in: the task
reaches each worker through the pool's initializer, which a forked process
receives without pickling) and hands each an organisation's index; only the
small results come back. :meth:`Pool.alongside` sets a job aside (the schema
validation; the checks across organisations) for the pool's next map, which runs
the jobs first on its workers while the others take the organisations: the cores stay busy with no more
processes than cores (more busy processes than cores run slower). :meth:`Pool.beside` forks one job at
once, for a small run whose other work stays in this process (one force's schema validation beside its
checks); :meth:`Pool.ready` forks its process before the job is known, to import the job's libraries
while this process reads the data the job is then given. Small runs, one-core machines and platforms
without ``fork`` do the same work in this process.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
import traceback
import warnings
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items a pool costs more than it saves.
MIN_ITEMS = 4

#: Seconds a job forked beside has, from its fork, to answer before it is stopped and run here instead. Its
#: jobs take a second or so (one force's schema run); a forked process stuck on a lock another thread held at
#: the fork must not hold the run up for ever.
BESIDE_TIMEOUT = 120.0

#: An answer from a forked process: its length in bytes, then its pickle.
_LENGTH = 8

#: Seconds an answer under way may go without a byte more before it is given up (its process was stopped).
_STALLED = 10.0


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _outcome(call: Callable[[], R]) -> tuple[bool, object]:
    """``(True, call())``, or ``(False, error)`` when it raised: a job's outcome, kept to be given once asked."""
    try:
        return True, call()
    except Exception as exc:
        return False, exc


def _given(outcome: tuple[bool, object]):
    """The value of a job's outcome (see :func:`_outcome`), or its error raised."""
    ok, value = outcome
    if not ok:
        raise value
    return value


class Alongside(Generic[R]):
    """A job set aside for a pool's next map (see :meth:`Pool.alongside`)."""

    def __init__(self, func: Callable[[object], R], shared: object, pool: Pool | None):
        self.func, self.shared = func, shared
        self._pool = pool  # the pool it waits in, until one takes it or it runs here
        self.future = None  # set when a pool takes the job
        self._value: list = []  # (True, value) or (False, error), once known

    def result(self) -> R:
        """The job's value (or its error, raised again): from the pool that ran it, else computed here, once."""
        if not self._value:
            if self.future is None and self._pool is not None:
                self._pool.forget(self)
            run = self.future.result if self.future is not None else (lambda: self.func(self.shared))
            self._value.append(_outcome(run))
        return _given(self._value[0])


#: Jobs forked beside and not yet answered, and processes made ready and not yet given a job (see :func:`stop_all`).
_running: weakref.WeakSet[Beside | Ready] = weakref.WeakSet()


class Beside(Generic[R]):
    """A job running in a process forked when it was made (see :meth:`Pool.beside`), or in one forked before and
    given it (see :class:`Ready`). Raises OSError when no process can be forked."""

    def __init__(self, func: Callable[[object], R], shared: object, timeout: float | None = None):
        read, write = os.pipe()
        try:
            pid = _fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the forked process: the job's value or error down the pipe, then gone
            _serve(func, shared, write, read)
        os.close(write)
        self._watch(
            func, shared, _Child(pid), read, time.monotonic() + (BESIDE_TIMEOUT if timeout is None else timeout)
        )

    @classmethod
    def _from_ready(cls, func: Callable[[object], R], shared: object, child: _Child, pipe: int, deadline: float):
        """The job ``func(shared)`` given to a process forked before (see :class:`Ready`), answering on ``pipe``."""
        job = cls.__new__(cls)
        job._watch(func, shared, child, pipe, deadline)
        return job

    def _watch(self, func, shared, child: _Child, pipe: int, deadline: float) -> None:
        self.func, self.shared = func, shared
        self._value: list = []  # (True, value) or (False, error), once known
        self._lock = threading.Lock()
        self._child, self._pipe, self._deadline = child, pipe, deadline
        # a job nobody asks for (its caller failed first) is stopped when it is let go, not left waiting to write
        self._abandon = weakref.finalize(self, _stop, child, (pipe,), os.getpid())
        _running.add(self)

    @property
    def _pid(self) -> int:
        return self._child.pid

    def result(self) -> R:
        """The job's value (or its error, raised again), waiting for it if need be. A process that ended without
        an answer (killed, or its answer could not be pickled) or gave none by its deadline has its job run here
        instead."""
        with self._lock:
            if not self._value:
                self._value.append(self._answer())
        return _given(self._value[0])

    def _answer(self) -> tuple[bool, object]:
        """The forked process's answer, read once and the process reaped; else the job run here."""
        answer = None
        if self._pipe is not None:
            # None when stop_all has stopped the job meanwhile: its pipe is closed and its process reaped
            wanted = self._abandon.detach() is not None
            _running.discard(self)
            pipe, self._pipe = self._pipe, None  # read once: closed whatever happens
            if wanted:
                try:
                    answer = _read_answer(pipe, self._deadline)
                finally:  # no answer, or interrupted (Ctrl-C): the process is stopped; a later call runs the job here
                    os.close(pipe)
                    self._child.end(kill=answer is None)
        try:
            ok, value, trace = pickle.loads(answer)
        except Exception:  # (no answer too)
            return _outcome(lambda: self.func(self.shared))
        if trace is not None:  # the forked process's traceback, shown with the error's (as concurrent.futures does)
            value.__cause__ = RemoteTraceback(trace)
        return ok, value


def _read_answer(pipe: int, deadline: float) -> bytes | None:
    """A forked process's answer from ``pipe`` (its length, then its bytes), or None if the pipe closed first,
    the ``deadline`` (of ``time.monotonic``) passed before the answer began, or an answer under way stalled.
    Read to its length, not to the pipe's end: a process forked meanwhile by another thread may hold the pipe
    open. An answer larger than the pipe holds comes as the reader makes room, so once begun it is read to its
    end whatever the deadline."""
    waiting = select.poll()  # not select.select, which takes no descriptor numbered 1024 or more
    waiting.register(pipe, select.POLLIN)
    data = bytearray()
    size = None
    while size is None or len(data) < _LENGTH + size:
        # past the deadline, what is already there is still read
        wait = max(deadline - time.monotonic(), 0.0) if not data else _STALLED
        if not waiting.poll(math.ceil(wait * 1000)):
            return None
        chunk = os.read(pipe, 1 << 20)
        if not chunk:
            return None
        data += chunk
        if size is None and len(data) >= _LENGTH:
            size = int.from_bytes(data[:_LENGTH], "little")
    return bytes(data[_LENGTH:])


class RemoteTraceback(Exception):
    """Where an error was raised in a forked process: its traceback, as text."""

    def __str__(self) -> str:
        return f"\n{self.args[0]}"


def _serve(func: Callable, shared: object, pipe: int, other_end: int) -> None:
    """In a forked process: write ``func(shared)``'s value, or its error and traceback, pickled, to ``pipe``,
    and end the process without running the parent's exit handlers or flushing its buffers."""
    try:
        os.close(other_end)
        try:
            answer = (True, func(shared), None)
        except BaseException as exc:  # handed to the parent, which raises it
            answer = (False, exc, traceback.format_exc())
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(pipe, "wb") as out:
            out.write(len(data).to_bytes(_LENGTH, "little"))
            out.write(data)
    except BaseException:  # unpicklable, or the parent has let the job go: it runs the job itself if it asks
        pass
    finally:
        os._exit(0)


class Ready:
    """A process forked before its job is known, to make ready for it meanwhile (import its libraries, see
    :meth:`Pool.ready`), then given the job by :meth:`beside`. Raises OSError when no process can be forked."""

    def __init__(self, prepare: Callable[[], object], timeout: float | None = None):
        # the job comes as a pickle in an anonymous file in memory, not down a pipe, where this process would wait
        # for the forked one to read all of it; only its length goes down a pipe, when it is there
        jobs = os.memfd_create("disruption-qa-job", os.MFD_CLOEXEC)
        descriptors = [jobs]
        parent = os.getpid()
        try:
            go, send = os.pipe()
            descriptors += (go, send)
            read, write = os.pipe()
            descriptors += (read, write)
            pid = _fork()
        except OSError:
            for fd in descriptors:
                os.close(fd)
            raise
        wait = max(BESIDE_TIMEOUT if timeout is None else timeout, 0.0)
        if pid == 0:
            _serve_given(prepare, jobs, go, write, (send, read), wait, parent)
        os.close(go)
        os.close(write)
        self._child, self._jobs, self._send, self._pipe = _Child(pid), jobs, send, read
        self._deadline = time.monotonic() + wait
        # let go without a job (the run failed first, or turned out large): stopped, not left waiting
        self._abandon = weakref.finalize(self, _stop, self._child, (jobs, send, read), os.getpid())
        _running.add(self)

    def beside(self, func: Callable[[object], R], shared: object) -> Beside[R] | _Done[R]:
        """Give the forked process its job, ``func(shared)``, as :meth:`Pool.beside` would start it; once only.
        Where the job cannot be pickled, or the process was stopped meanwhile, it goes to a process forked now."""
        try:
            data = pickle.dumps((func, shared), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            data = None
        # None when the process was stopped (stop_all, or given a job already)
        if data is None or self._abandon.detach() is None:
            self._abandon()
            return _beside_now(func, shared)
        _running.discard(self)
        try:
            done = 0
            while done < len(data):
                done += os.pwrite(self._jobs, memoryview(data)[done:], done)
            os.write(self._send, len(data).to_bytes(_LENGTH, "little"))
        except OSError:  # the file or the process gone: no answer will come, and the job runs here when asked
            pass
        finally:
            os.close(self._jobs)
            os.close(self._send)
        return Beside._from_ready(func, shared, self._child, self._pipe, self._deadline)

    def drop(self) -> None:
        """Let the process go without a job."""
        self._abandon()


def _serve_given(
    prepare: Callable[[], object],
    jobs: int,
    go: int,
    pipe: int,
    other_ends: tuple[int, ...],
    wait: float,
    parent: int,
) -> None:
    """In a process forked by :class:`Ready` from the process ``parent``: ``prepare()``, then wait up to ``wait``
    seconds for the job's length on ``go`` and read its pickle from ``jobs``, and serve it as :func:`_serve`
    does. Ends without an answer when the job does not come: the pipe closes (the job was let go), or the
    parent ends (a process it forked later may hold the pipe open)."""
    try:
        for fd in other_ends:
            os.close(fd)
        waiting = select.poll()
        waiting.register(go, select.POLLIN)
        with contextlib.suppress(AttributeError, OSError):  # where there are pidfds (Linux 5.3 on)
            waiting.register(os.pidfd_open(parent), select.POLLIN)  # readable once the process has ended
        if os.getppid() != parent:  # ended before it could be watched
            os._exit(0)
        with contextlib.suppress(Exception):  # a failure here shows, if it matters, when the job runs
            prepare()
        ready = dict(waiting.poll(math.ceil(wait * 1000)))
        head = os.read(go, _LENGTH) if ready.get(go) else b""
        if len(head) < _LENGTH:
            os._exit(0)
        size, data = int.from_bytes(head, "little"), bytearray()
        while len(data) < size:
            chunk = os.pread(jobs, size - len(data), len(data))
            if not chunk:
                os._exit(0)
            data += chunk
        os.close(jobs)
        func, shared = pickle.loads(data)
    except BaseException:
        os._exit(0)
    _serve(func, shared, pipe, go)


def _beside_now(func: Callable[[object], R], shared: object, timeout: float | None = None) -> Beside[R] | _Done[R]:
    """``func(shared)`` started in a process forked now, or done here where none can be."""
    try:
        return Beside(func, shared, timeout)
    except OSError:  # no process to be had (EAGAIN, ENOMEM): done here, as on one core
        return _Done(func(shared))


def _fork() -> int:
    """``os.fork()``, without Python 3.12's warning of a fork in a process with threads."""
    with warnings.catch_warnings():
        # Python 3.12 warns of a fork in a process with threads (the reader's, pyarrow's): a lock held by one of
        # them at the fork stays held in the forked process. Such a process misses its deadline and its job runs
        # in the process that forked it (see Beside.result).
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _stop(child: _Child, descriptors: tuple[int, ...], owner: int) -> None:
    """Stop a forked job whose answer is no longer wanted, and reap its process: only in the process that
    forked it (``owner``), not in a process forked from that one later, which holds copies of its objects."""
    if os.getpid() != owner:
        return
    for fd in descriptors:
        os.close(fd)
    child.end(kill=True)


class _Child:
    """A forked process: its number, and where the system gives one (Linux 5.3 on) a descriptor of it (a
    pidfd), which always means that process: where SIGCHLD is ignored the system reaps children itself and
    may give a number to another process, so only through the descriptor is a child killed then."""

    def __init__(self, pid: int):
        self.pid = pid
        try:
            self.fd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):  # not Linux, or an older kernel
            self.fd = None

    def end(self, *, kill: bool) -> None:
        """Reap the process, killing it first if asked, and let its descriptor go."""
        reaped_by_system = signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN
        try:
            if kill:
                with contextlib.suppress(ProcessLookupError):  # ended already
                    if self.fd is not None:
                        signal.pidfd_send_signal(self.fd, signal.SIGKILL)
                    elif not reaped_by_system:
                        os.kill(self.pid, signal.SIGKILL)
            # a process that could not be killed, its number perhaps another's, is not waited for
            unkillable = kill and self.fd is None and reaped_by_system
            with contextlib.suppress(ChildProcessError):  # reaped already
                os.waitpid(self.pid, os.WNOHANG if unkillable else 0)
        finally:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


def stop_all() -> None:
    """Stop every job forked beside and not yet answered, and every process made ready and not given a job.
    For a process about to end by ``os._exit`` (:func:`disruption_qa.runtime.leave`), which runs no finalizer:
    no job is left running on its own, holding the command's output open."""
    for job in list(_running):
        job._abandon()  # were it asked after all, the job would run here (see Beside._answer)


class _Done(Generic[R]):
    """A value worked out where it was asked for (no second core, or no ``fork``), as :class:`Beside` gives it."""

    def __init__(self, value: R):
        self.value = value

    def result(self) -> R:
        return self.value


@dataclass
class _Task:
    """What one map's workers run: ``func(shared, items[i])``, and the jobs set aside."""

    func: Callable
    shared: object
    items: Sequence
    jobs: list[Alongside] = field(default_factory=list)


# A worker process's task, set by the pool's initializer in that (forked) process only; never in the parent.
_worker_task: _Task | None = None


def _adopt(task: _Task) -> None:
    global _worker_task
    _worker_task = task


def _run_item(index: int):
    return _worker_task.func(_worker_task.shared, _worker_task.items[index])


def _run_job(index: int):
    job = _worker_task.jobs[index]
    return job.func(job.shared)


class Pool:
    """The worker processes of one run: where its per-organisation work and its set-aside job go.

    ``workers``: how many processes (default: the cores this process may use);
    1 does everything in this process.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or available_cores()
        self._waiting: list[Alongside] = []

    @property
    def forks(self) -> bool:
        """Whether work can go to forked processes on another core."""
        return self.workers >= 2 and "fork" in multiprocessing.get_all_start_methods()

    def alongside(self, func: Callable[[object], R], shared: object) -> Alongside[R]:
        """Set ``func(shared)`` aside to run on a spare core beside the next :meth:`map`; the jobs set aside run
        first, in the order they were set aside.

        ``.result()`` gives its value (or raises its exception), running it here if no
        map has taken it. Where there is no second core or no ``fork``, it runs when asked.
        """
        job = Alongside(func, shared, self if self.forks else None)
        if self.forks:
            self._waiting.append(job)
        return job

    def beside(self, func: Callable[[object], R], shared: object, timeout: float | None = None) -> Beside[R] | _Done[R]:
        """Start ``func(shared)`` now in a forked process, on a spare core, while this process goes on;
        ``.result()`` waits for its value (or raises its exception). For a small run whose other work stays in
        this process: its next :meth:`map` does not wait for it, and it does not count among the map's workers.
        A forked process that gives no answer within ``timeout`` seconds of its fork (default
        :data:`BESIDE_TIMEOUT`) is stopped, and the job runs here when asked.
        Where there is no second core or no ``fork``, it runs here and now."""
        return _beside_now(func, shared, timeout) if self.forks else _Done(func(shared))

    def ready(self, prepare: Callable[[], object], timeout: float | None = None) -> Ready | None:
        """A process forked now that runs ``prepare()`` (imports the libraries its job will need) while this
        one goes on, for a job given later by ``.beside(func, shared)``: the job then starts with its libraries
        imported. ``timeout``: seconds from the fork for the answer, as :meth:`beside`'s. None where
        :meth:`beside` would not fork, or where there is no file in memory to hand the job over (not Linux)."""
        if not self.forks or not hasattr(os, "memfd_create"):
            return None
        try:
            return Ready(prepare, timeout)
        except OSError:
            return None

    def forget(self, job: Alongside) -> None:
        """Take ``job`` out of the waiting list (it is being run elsewhere)."""
        if job in self._waiting:
            self._waiting.remove(job)

    def map(
        self,
        func: Callable[[object, T], R],
        shared: object,
        items: Sequence[T],
        progress: Callable[[str], None] | None = None,
        describe: Callable[[int, T], str] | None = None,
    ) -> list[R]:
        """``[func(shared, item) for item in items]``, on every core when it pays.

        ``progress`` hears ``describe(i, item)`` as each item is done, in order.
        A job set aside by :meth:`alongside` runs first, on one of the workers.
        """
        jobs = self._waiting[:]
        count = min(len(items) + len(jobs), self.workers)
        forked = self.forks and count >= 2 and (len(items) >= MIN_ITEMS or bool(jobs))
        results: list[R] = []
        if not forked:
            for i, item in enumerate(items):
                results.append(func(shared, item))
                if progress and describe:
                    progress(describe(i, item))
            return results
        self._waiting.clear()
        context = multiprocessing.get_context("fork")
        task = _Task(func, shared, items, jobs)
        with ProcessPoolExecutor(count, mp_context=context, initializer=_adopt, initargs=(task,)) as pool:
            for n, job in enumerate(jobs):  # queued first, so a worker starts on it at once
                job.future = pool.submit(_run_job, n)
            for i, result in enumerate(pool.map(_run_item, range(len(items)), chunksize=1)):
                results.append(result)
                if progress and describe:
                    progress(describe(i, items[i]))
        return results
