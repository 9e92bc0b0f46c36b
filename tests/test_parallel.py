"""Work on every core: forked per-organisation work and the background schema run give what one process gives."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import sys
import threading
import time
import weakref

import pytest
from conftest import REPO

from disruption_qa import api, engine, parallel, validation
from disruption_qa.errors import InputError
from disruption_qa.parallel import Pool, RemoteTraceback
from disruption_qa.reading import read_export

JANUARY = REPO / "sample_exports" / "north-west-2022" / "disruptions_2023-01-04.csv"
JANUARY_THREATS = REPO / "sample_exports" / "north-west-2022" / "threats_2023-01-04.csv"


def two_cores() -> Pool:
    """Forks even on a one-core machine, so the forked path is what is tested."""
    return Pool(workers=2)


def _pid_and_square(shared, item):
    return os.getpid(), item * item + shared


def _stuck_when_forked(parent: int) -> int:
    """A job that never answers from a forked process (it sleeps a minute) and gives ``parent``'s pid when it
    runs in the process ``parent``."""
    if os.getpid() != parent:
        time.sleep(60)
    return os.getpid()


def test_map_forks_and_keeps_order():
    heard = []
    out = two_cores().map(_pid_and_square, 1, list(range(20)), heard.append, lambda i, item: f"{i}:{item}")
    assert [value for _, value in out] == [i * i + 1 for i in range(20)]
    assert {pid for pid, _ in out} and os.getpid() not in {pid for pid, _ in out}  # the work ran in workers
    assert heard == [f"{i}:{i}" for i in range(20)]


def test_map_stays_in_this_process_when_small_or_one_core():
    assert {pid for pid, _ in two_cores().map(_pid_and_square, 0, [1, 2, 3])} == {os.getpid()}
    assert {pid for pid, _ in Pool(workers=1).map(_pid_and_square, 0, list(range(10)))} == {os.getpid()}


def _fail(shared):
    raise ValueError(f"broken {shared}")


def test_a_job_alongside_runs_first_in_the_next_map_and_returns_its_result():
    pool = two_cores()
    job = pool.alongside(lambda shared: (os.getpid(), sum(shared)), list(range(1000)))
    out = pool.map(_pid_and_square, 0, [1, 2])  # few items: forked for the job's sake
    pid, total = job.result()
    assert total == 499500 and pid != os.getpid() and job.future is not None
    assert [value for _, value in out] == [1, 4] and os.getpid() not in {p for p, _ in out}
    # taken once: the next map does not run it again
    assert {p for p, _ in pool.map(_pid_and_square, 0, [1, 2])} == {os.getpid()}


def test_a_job_alongside_raises_its_error():
    pool = two_cores()
    job = pool.alongside(_fail, 7)
    pool.map(_pid_and_square, 0, list(range(6)))
    with pytest.raises(ValueError, match="broken 7"):
        job.result()


def test_a_job_no_map_took_runs_when_asked_once_and_never_in_a_later_map():
    pool = two_cores()
    job = pool.alongside(lambda shared: (os.getpid(), shared), 5)
    assert job.result() == (os.getpid(), 5) and job.result() == (os.getpid(), 5)
    assert {p for p, _ in pool.map(_pid_and_square, 0, [1, 2])} == {os.getpid()}  # no job left: not forked
    first = pool.alongside(lambda shared: (os.getpid(), "first"), None)
    second = pool.alongside(lambda shared: (os.getpid(), "second"), None)  # both set aside run in the next map
    pool.map(_pid_and_square, 0, list(range(6)))
    assert first.future is not None and second.future is not None
    assert first.result()[1] == "first" and second.result()[1] == "second"
    assert os.getpid() not in {first.result()[0], second.result()[0]}
    taken = pool.alongside(lambda shared: os.getpid(), None)
    pool.forget(taken)  # taken out of the waiting list: it runs when asked, here
    pool.map(_pid_and_square, 0, list(range(6)))
    assert taken.future is None and taken.result() == os.getpid()


def test_a_job_alongside_without_a_second_core_runs_when_asked():
    pool = Pool(workers=1)
    job = pool.alongside(lambda shared: os.getpid(), None)
    pool.map(_pid_and_square, 0, list(range(6)))
    assert job.future is None and job.result() == os.getpid()


def test_a_job_set_aside_in_one_pool_is_never_run_by_another():
    job = two_cores().alongside(lambda shared: os.getpid(), None)
    other = two_cores()
    assert {p for p, _ in other.map(_pid_and_square, 0, [1, 2])} == {os.getpid()}  # nothing to fork for
    assert job.future is None and job.result() == os.getpid()


def test_a_job_alongside_that_failed_here_is_not_run_again():
    calls = []

    def failing(shared):
        calls.append(shared)
        raise ValueError("broken once")

    pool = two_cores()
    job = pool.alongside(failing, 1)
    for _ in range(2):
        with pytest.raises(ValueError, match="broken once"):
            job.result()
    assert calls == [1]
    pool.map(_pid_and_square, 0, [1, 2])
    assert calls == [1]


def test_a_job_beside_runs_in_another_process_and_returns_its_result():
    parent = os.getpid()
    job = two_cores().beside(lambda shared: (os.getpid(), os.getppid(), sum(shared)), list(range(1000)))
    pid, its_parent, total = job.result()
    assert total == 499500 and pid != parent and its_parent == parent
    assert job.result() == (pid, its_parent, total)  # asked again: the same answer, not a second run


def test_a_job_beside_raises_its_error_with_where_it_was_raised():
    job = two_cores().beside(_fail, 8)
    for _ in range(2):
        with pytest.raises(ValueError, match="broken 8") as raised:
            job.result()
        # the forked process's traceback comes with it, for a bug report
        assert isinstance(raised.value.__cause__, RemoteTraceback)
        assert "in _fail" in str(raised.value.__cause__)


def test_a_job_beside_that_nobody_asks_for_is_stopped_when_let_go():
    parent = os.getpid()

    def slow_and_large(shared):
        if os.getpid() != parent:
            time.sleep(60)  # its answer would never be read: it must not wait for ever
        return "x" * shared

    job = two_cores().beside(slow_and_large, 1 << 20)
    pid = job._pid
    os.kill(pid, 0)  # running
    let_go = time.monotonic()
    del job
    gc.collect()
    with pytest.raises(ChildProcessError):  # stopped, and its process reaped
        os.waitpid(pid, os.WNOHANG)
    assert time.monotonic() - let_go < 30  # killed, not waited for (it sleeps a minute)


def test_a_job_beside_starts_at_once_and_its_process_is_reaped_once_answered(tmp_path):
    started = tmp_path / "started"
    job = two_cores().beside(lambda shared: shared.write_text("yes") and os.getpid(), started)
    for _ in range(200):  # nobody has asked for the answer yet
        if started.exists():
            break
        time.sleep(0.05)
    assert started.read_text() == "yes"
    pid = job.result()
    with pytest.raises(ChildProcessError):  # no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_a_job_beside_answers_two_threads_asking_at_once():
    from concurrent.futures import ThreadPoolExecutor

    job = two_cores().beside(lambda shared: (time.sleep(0.3), os.getpid(), shared)[1:], "both")
    with ThreadPoolExecutor(2) as threads:
        answers = list(threads.map(lambda _: job.result(), range(2)))
    assert answers[0] == answers[1] and answers[0][1] == "both" and answers[0][0] != os.getpid()


def test_a_job_beside_whose_reading_is_interrupted_stops_its_process_and_runs_here_if_asked_again(monkeypatch):
    parent = os.getpid()
    job = two_cores().beside(_stuck_when_forked, parent)
    pid = job._pid

    class Interrupted:
        def register(self, *args):
            pass

        def poll(self, *args):
            raise KeyboardInterrupt

    monkeypatch.setattr(parallel.select, "poll", Interrupted)
    asked = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        job.result()
    monkeypatch.undo()
    with pytest.raises(ChildProcessError):  # stopped and reaped, not left running
        os.waitpid(pid, os.WNOHANG)
    assert time.monotonic() - asked < 30  # killed, not waited for (it sleeps a minute)
    assert job.result() == parent  # asked again: run here, the file descriptor not read twice


def test_a_job_beside_that_misses_its_deadline_is_stopped_and_runs_here():
    parent = os.getpid()
    # a forked process stuck for good (a lock another thread held at the fork): the run must not wait for ever
    job = two_cores().beside(_stuck_when_forked, parent, 0.5)
    pid = job._pid
    asked = time.monotonic()
    assert job.result() == parent  # run here instead
    assert time.monotonic() - asked < 30
    with pytest.raises(ChildProcessError):  # stopped and reaped
        os.waitpid(pid, os.WNOHANG)


def test_a_job_beside_that_answered_in_time_is_not_run_again_when_asked_late():
    job = two_cores().beside(lambda shared: os.getpid(), None, 0.5)
    time.sleep(1.5)  # its answer waits in the pipe; the deadline has passed
    assert job.result() != os.getpid()


def test_a_large_answer_asked_for_after_the_deadline_is_read_to_its_end():
    # more than the pipe holds: the forked process writes it as the reader makes room, past the deadline
    jobs = [two_cores().beside(lambda shared: (os.getpid(), b"x" * shared), 4 << 20, 0.3) for _ in range(4)]
    time.sleep(1.5)
    for job in jobs:
        pid, data = job.result()
        assert pid != os.getpid() and len(data) == 4 << 20  # the forked process's answer, not a run here


def test_a_job_beside_that_misses_its_deadline_where_children_are_reaped_by_the_system():
    parent = os.getpid()
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        job = two_cores().beside(_stuck_when_forked, parent, 0.5)
        pid = job._pid
        asked = time.monotonic()
        assert job.result() == parent
        assert time.monotonic() - asked < 30  # killed through its descriptor, not waited for
        for _ in range(100):  # the system reaps it once it is killed
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the forked process is still running")
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_a_job_beside_is_answered_when_its_pipe_is_numbered_above_1023():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 2048), hard), hard))
    held = []
    try:
        while len(held) < 1100:
            held.append(os.open(os.devnull, os.O_RDONLY))
        job = two_cores().beside(lambda shared: (os.getpid(), shared), 42)
        assert job._pipe >= 1024
        pid, answer = job.result()
        assert answer == 42 and pid != os.getpid()  # read from the forked process, not run here after an error
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_job_stopped_by_stop_all_leaves_a_descriptor_numbered_as_its_pipe_alone(tmp_path):
    parent = os.getpid()
    job = two_cores().beside(_stuck_when_forked, parent)
    pipe = job._pipe
    job._abandon()  # as stop_all does, before it marks the pipe closed: a result() asked in between
    other = tmp_path / "other"
    other.write_bytes(b"\xff" * 64)
    fd = os.open(other, os.O_RDONLY)
    try:
        assert fd == pipe  # the pipe's number is another file's now
        assert job.result() == parent  # run here: the other file is not read as an answer
        os.fstat(fd)  # nor closed
    finally:
        os.close(fd)


def test_a_job_beside_has_the_default_deadline(monkeypatch):
    monkeypatch.setattr(parallel, "BESIDE_TIMEOUT", 0.5)
    parent = os.getpid()
    job = two_cores().beside(_stuck_when_forked, parent)
    assert job.result() == parent


def test_a_job_beside_is_answered_while_another_process_holds_its_pipe_open():
    holders = []

    def answer_then_leave_a_holder(shared):
        # a process forked while the pipe was open (by another thread, or here) keeps its writing end open:
        # the answer is read to its length, not to the pipe's end
        holder = os.fork()
        if holder == 0:
            time.sleep(60)
            os._exit(0)
        return os.getpid(), holder, shared

    job = two_cores().beside(answer_then_leave_a_holder, "kept")
    asked = time.monotonic()
    try:
        pid, holder, shared = job.result()
        holders.append(holder)
        assert shared == "kept" and pid != os.getpid()  # the forked process's answer, not a run here
        assert time.monotonic() - asked < 30  # not held up by the process that keeps the pipe open
    finally:
        for holder in holders:
            with contextlib.suppress(ProcessLookupError):
                os.kill(holder, signal.SIGKILL)


def test_a_job_beside_works_where_children_are_reaped_by_the_system():
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # as some servers and daemons run
    try:
        assert two_cores().beside(lambda shared: shared * 2, 21).result() == 42
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_a_job_beside_that_cannot_fork_runs_here_and_leaves_no_descriptor_open(monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # EAGAIN: too many processes

    open_before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_fork)
    job = two_cores().beside(lambda shared: (os.getpid(), shared), 3)
    assert job.result() == (os.getpid(), 3)
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_jobs_beside_are_stopped_when_the_command_ends_at_once(monkeypatch):
    from disruption_qa import runtime

    parent = os.getpid()
    job = two_cores().beside(lambda shared: None if os.getpid() == parent else time.sleep(60), None)
    pid = job._pid
    ended = []
    monkeypatch.setattr(runtime.os, "_exit", ended.append)  # leave() ends the process without finalizers
    runtime.leave(2)
    assert ended == [2]
    with pytest.raises(ChildProcessError):  # stopped and reaped: not left holding the command's output
        os.waitpid(pid, os.WNOHANG)
    monkeypatch.undo()
    assert job.result() is None  # asked after all: run here, its closed pipe not read


def test_a_job_beside_whose_process_ends_without_an_answer_runs_here():
    parent = os.getpid()

    def dies_if_forked(shared):
        if os.getpid() != parent:
            os._exit(9)  # killed, or out of memory: no answer comes back
        return os.getpid(), shared

    assert two_cores().beside(dies_if_forked, 3).result() == (parent, 3)


def test_a_job_beside_whose_answer_cannot_be_pickled_runs_here():
    # a lambda cannot be pickled: the forked process cannot hand it back
    answer = two_cores().beside(lambda shared: (os.getpid(), lambda: shared), 4).result()
    assert answer[0] == os.getpid() and answer[1]() == 4


def test_a_job_beside_without_a_second_core_runs_here_and_now():
    calls = []
    job = Pool(workers=1).beside(lambda shared: calls.append(shared) or os.getpid(), 5)
    assert calls == [5] and job.result() == os.getpid()
    with pytest.raises(ValueError, match="broken 6"):  # its error is raised where it was asked for
        Pool(workers=1).beside(_fail, 6)


#: Set by a ready process's preparation (see the tests below), in that process.
_prepared: list = []


def _prepare_here() -> None:
    _prepared.append(os.getpid())


def _prepared_and(shared):
    """A job telling where it ran, what was prepared there, and what it was given."""
    return os.getpid(), list(_prepared), shared


def test_a_ready_process_prepares_then_runs_the_job_it_is_given():
    parent = os.getpid()
    ready = two_cores().ready(_prepare_here)
    job = ready.beside(_prepared_and, b"x" * (4 << 20))  # more than a pipe holds
    pid, prepared, shared = job.result()
    assert pid == ready._child.pid != parent and prepared == [pid] and shared == b"x" * (4 << 20)
    assert _prepared == []  # prepared over there, not here
    with pytest.raises(ChildProcessError):  # answered and reaped
        os.waitpid(pid, os.WNOHANG)


def test_a_ready_process_is_given_its_job_without_waiting_for_its_preparation(tmp_path):
    # the preparation waits for a file made once the job is given: were giving the job to wait for the
    # preparation, neither would ever go on, and the preparation would give up after 30 s
    flag = tmp_path / "given"

    def wait_for_the_flag():
        for _ in range(3000):
            if flag.exists():
                return _prepared.append("flag seen")
            time.sleep(0.01)

    ready = two_cores().ready(wait_for_the_flag)
    job = ready.beside(_prepared_and, b"y" * (4 << 20))
    flag.touch()
    assert job.result()[1:] == (["flag seen"], b"y" * (4 << 20))


def test_a_ready_process_whose_preparation_fails_still_runs_its_job():
    def broken():
        raise ValueError("no library")

    pid, prepared, shared = two_cores().ready(broken).beside(_prepared_and, 5).result()
    assert pid != os.getpid() and prepared == [] and shared == 5


def test_a_ready_process_let_go_without_a_job_is_stopped():
    pool = two_cores()
    dropped = pool.ready(_prepare_here)
    pid = dropped._child.pid
    dropped.drop()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    forgotten = pool.ready(_prepare_here)
    pid = forgotten._child.pid
    del forgotten
    gc.collect()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_ready_process_whose_job_cannot_be_pickled_hands_it_to_a_process_forked_now():
    parent = os.getpid()
    ready = two_cores().ready(_prepare_here)
    first = ready._child.pid
    job = ready.beside(lambda shared: (os.getpid(), _prepared[:], shared), 6)  # a lambda cannot be pickled
    pid, prepared, shared = job.result()
    assert pid not in (parent, first) and prepared == [] and shared == 6
    with pytest.raises(ChildProcessError):  # the ready process was stopped
        os.waitpid(first, os.WNOHANG)


def test_a_ready_process_stopped_when_the_command_ends_runs_its_job_elsewhere_if_given_after(monkeypatch):
    from disruption_qa import runtime

    ready = two_cores().ready(_prepare_here)
    pid = ready._child.pid
    monkeypatch.setattr(runtime.os, "_exit", lambda code: None)
    runtime.leave(2)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    monkeypatch.undo()
    answer, parent = ready.beside(_prepared_and, 7).result(), os.getpid()
    assert answer[0] not in (parent, pid) and answer[1:] == ([], 7)  # in a process forked then


def test_a_ready_process_stuck_in_its_preparation_misses_its_deadline_and_the_job_runs_here():
    parent = os.getpid()
    ready = two_cores().ready(lambda: _stuck_when_forked(parent), 0.5)
    pid = ready._child.pid
    assert ready.beside(_prepared_and, 8).result() == (parent, [], 8)
    with pytest.raises(ChildProcessError):  # killed and reaped
        os.waitpid(pid, os.WNOHANG)


def _descriptors() -> set[int]:
    gc.collect()
    return {int(fd) for fd in os.listdir("/proc/self/fd")}


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc")
def test_a_ready_process_leaves_no_descriptor_open_whatever_becomes_of_it():
    pool = two_cores()
    before = _descriptors()
    ready = pool.ready(_prepare_here)
    # its job's file, the pipe the job's length goes down and the one its answer comes up (the other ends are
    # the forked process's), and the process's own descriptor (a pidfd, where there are)
    assert len(_descriptors() - before) == 3 + (ready._child.fd is not None)
    ready.drop()
    assert _descriptors() == before
    job = pool.ready(_prepare_here).beside(_prepared_and, 1)
    assert job.result()[2] == 1
    del job
    assert _descriptors() == before
    job = pool.ready(_prepare_here).beside(lambda shared: shared, 2)  # cannot be pickled: forked then
    assert job.result() == 2
    del job
    assert _descriptors() == before
    unasked = pool.ready(_prepare_here).beside(_stuck_when_forked, os.getpid())
    del unasked
    assert _descriptors() == before


def test_a_ready_process_whose_parent_is_killed_ends_though_a_later_process_holds_its_pipe():
    # the parent: a process forked here that makes a ready process, forks another (which inherits the ready
    # one's pipe ends, as a pool's workers would) and is killed; the ready process must not wait for its job
    heard, said = os.pipe()
    parent = os.fork()
    if parent == 0:
        try:
            os.close(heard)
            pool = two_cores()
            ready = pool.ready(_prepare_here)
            later = pool.beside(time.sleep, 60)
            os.write(said, ready._child.pid.to_bytes(8, "little") + later._pid.to_bytes(8, "little"))
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    os.close(said)
    told = os.read(heard, 16)
    os.close(heard)
    os.waitpid(parent, 0)
    pid, later = int.from_bytes(told[:8], "little"), int.from_bytes(told[8:], "little")
    try:
        watched = os.pidfd_open(pid)
    except ProcessLookupError:  # ended already
        watched = None
    try:
        if watched is not None:
            poller = select.poll()
            poller.register(watched, select.POLLIN)
            assert poller.poll(20_000), "the ready process still waits for a job from a parent that is gone"
    finally:
        if watched is not None:
            os.close(watched)
        with contextlib.suppress(ProcessLookupError):
            os.kill(later, signal.SIGKILL)


def test_where_no_job_can_be_handed_over_in_memory_the_schemas_are_forked_after_the_read(monkeypatch, tmp_path):
    monkeypatch.delattr(os, "memfd_create")
    pool = two_cores()
    assert pool.ready(_prepare_here) is None
    _note_schema_process(monkeypatch, tmp_path / "pid")
    run = api.check(JANUARY, JANUARY_THREATS, year=2022, organisations=["Cheshire Constabulary"], pool=pool)
    assert int((tmp_path / "pid").read_text()) != os.getpid() and run.validation.issues  # by Pool.beside


def test_no_ready_process_without_a_second_core():
    assert Pool(workers=1).ready(_prepare_here) is None


def _given_jobs(monkeypatch, pool: Pool) -> list:
    """The jobs the pool's ready processes are given from now on (see validation.ready_for), each as a weak
    reference (a job let go is stopped) with the pid of the process it went to."""
    jobs = []
    real = parallel.Ready.beside

    def beside(self, func, shared):
        pid = self._child.pid
        job = real(self, func, shared)
        jobs.append((weakref.ref(job), pid))
        return job

    monkeypatch.setattr(parallel.Ready, "beside", beside)
    return jobs


#: Where _issues_noting_pid notes the process it ran in.
_NOTE = None


def _issues_noting_pid(job):
    """The schema run (validation._issues), noting in the file _NOTE which process ran it; picklable by name."""
    _NOTE.write_text(str(os.getpid()))
    return _real_issues(job)


_real_issues = validation._issues


def _note_schema_process(monkeypatch, note) -> None:
    """From now on, the schema run notes in the file ``note`` which process ran it."""
    monkeypatch.setattr(validation, "_issues", _issues_noting_pid)
    monkeypatch.setattr(sys.modules[__name__], "_NOTE", note)


def test_one_force_schemas_run_beside_its_checks(monkeypatch, tmp_path):
    # one organisation's checks stay in this process; its schemas go to a process forked before the read, which
    # imported pandera meanwhile
    pool = two_cores()
    jobs = _given_jobs(monkeypatch, pool)
    _note_schema_process(monkeypatch, tmp_path / "pid")
    run = api.check(JANUARY, JANUARY_THREATS, year=2022, organisations=["Cheshire Constabulary"], pool=pool)
    assert len(jobs) == 1 and int((tmp_path / "pid").read_text()) == jobs[0][1] != os.getpid()  # run over there
    alone = api.check(JANUARY, JANUARY_THREATS, year=2022, organisations=["Cheshire Constabulary"], pool=Pool(1))
    assert [i.to_dict() for i in run.validation.issues] == [i.to_dict() for i in alone.validation.issues]
    assert run.validation.issues and [r.to_dict() for r in run.results] == [r.to_dict() for r in alone.results]


def test_a_large_file_gets_no_ready_process_and_its_ready_one_is_let_go_when_large(monkeypatch):
    pool = two_cores()
    assert validation.ready_for(JANUARY, Pool(workers=1)) is None
    assert validation.ready_for(JANUARY.with_name("none.csv"), pool) is None  # refused by the read, not here
    monkeypatch.setattr(validation, "READY_BYTES", 0)  # taken for large before the read: no process made ready
    assert validation.ready_for(JANUARY, pool) is None
    monkeypatch.undo()
    made = []
    real = pool.ready
    monkeypatch.setattr(pool, "ready", lambda prepare: made.append(real(prepare)) or made[-1])
    monkeypatch.setattr(validation, "BACKGROUND_ROWS", 0)  # large once read: its schemas go alongside the checks
    run = api.check(JANUARY, JANUARY_THREATS, year=2022, pool=pool)
    assert len(made) == 1 and run.validation.issues
    with pytest.raises(ChildProcessError):  # the ready process was stopped and reaped
        os.waitpid(made[0]._child.pid, os.WNOHANG)


def _noted_preparations(monkeypatch, effect=None) -> list[str]:
    """The threads validation._prepare is called on from now on (``effect`` runs in it), with two cores to
    overlap on even on a one-core machine, as ``two_cores`` forks."""
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    seen = []

    def prepare():
        seen.append(threading.current_thread().name)
        if effect is not None:
            effect()

    monkeypatch.setattr(validation, "_prepare", prepare)
    return seen


def _preparing() -> int:
    """How many threads are making pandera ready now."""
    return [t.name for t in threading.enumerate()].count("prepare-schemas")


def test_without_a_ready_process_pandera_is_made_ready_on_a_thread_while_the_files_are_read(monkeypatch):
    seen = _noted_preparations(monkeypatch, lambda: time.sleep(0.2))
    with validation.prepared_meanwhile(None):
        assert _preparing() == 1  # under way, not awaited
    assert seen == ["prepare-schemas"]
    assert _preparing() == 0  # over on leaving: safe to fork
    seen.clear()
    api.validate(JANUARY)  # no pool (the validate command): on a thread
    assert seen == ["prepare-schemas"]
    seen.clear()
    monkeypatch.setattr(validation, "READY_BYTES", 0)  # a large file: its schemas run on a worker, which imports
    api.check(JANUARY, JANUARY_THREATS, year=2022, pool=two_cores())
    with validation.prepared_meanwhile(Pool(workers=1)):
        pass
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)  # one core: nothing to overlap
    api.validate(JANUARY)
    assert seen == []


def test_the_thread_making_pandera_ready_ends_with_the_read_says_nothing_and_fails_nothing(monkeypatch):
    def fail():
        time.sleep(0.2)
        raise ImportError("no pandera here")

    seen = _noted_preparations(monkeypatch, fail)
    escaped = []  # what a thread's uncaught exception would be printed with
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    with pytest.raises(InputError, match="no such file"), validation.prepared_meanwhile(None):
        read_export(JANUARY.with_name("none.csv"))
    assert seen == ["prepare-schemas"]
    assert _preparing() == 0  # waited for on leaving
    assert api.validate(JANUARY).issues  # the schema run imports and builds for itself
    assert escaped == []  # the thread's failure was not printed


def test_export_kinds_pickle_as_themselves():
    from disruption_qa import contract

    for kind in (contract.DISRUPTIONS, contract.THREATS):
        assert pickle.loads(pickle.dumps(kind)) is kind


def test_a_job_beside_is_left_alone_by_a_process_forked_later_that_lets_its_copy_go():
    # a pool's workers, forked while the job runs, hold copies of it: dropping theirs must not stop it
    parent = os.getpid()
    job = two_cores().beside(lambda shared: (time.sleep(0.5), os.getpid(), shared)[1:], 7)
    worker = os.fork()
    if worker == 0:
        try:
            del job
            gc.collect()
        finally:
            os._exit(0)
    os.waitpid(worker, 0)
    pid, value = job.result()
    assert value == 7 and pid != parent  # answered by its own process, not run again here


def test_a_check_that_fails_after_its_schemas_started_leaves_no_process_behind(monkeypatch):
    from disruption_qa.errors import InputError

    pool = two_cores()
    jobs = _given_jobs(monkeypatch, pool)

    def refuse():  # the user's mistake, found once the schemas are running
        with pytest.raises(InputError, match="unknown organisation"):
            api.check(JANUARY, JANUARY_THREATS, year=2022, organisations=["Nowhere Constabulary"], pool=pool)

    refuse()
    gc.collect()
    assert len(jobs) == 1
    with pytest.raises(ChildProcessError):  # stopped and reaped, whether or not it had finished
        os.waitpid(jobs[0][1], os.WNOHANG)


def test_a_forked_run_gives_what_one_process_gives(tmp_path, monkeypatch):
    # the sample's seven organisations are checked and written by forked workers,
    # the schemas run beside them (forced: the sample is small)
    monkeypatch.setattr(validation, "BACKGROUND_ROWS", 0)
    pool = two_cores()
    forked = api.check(JANUARY, JANUARY_THREATS, year=2022, pool=pool)
    api.write(forked, tmp_path / "forked", pool=pool)

    alone = api.check(JANUARY, JANUARY_THREATS, year=2022, pool=Pool(workers=1))
    api.write(alone, tmp_path / "alone", pool=Pool(workers=1))

    assert [i.to_dict() for i in forked.validation.issues] == [i.to_dict() for i in alone.validation.issues]
    assert forked.validation.issues  # the sample has problems to compare
    assert [r.to_dict() for r in forked.results] == [r.to_dict() for r in alone.results]
    assert sum(r.indicators.validation_errors for r in alone.results) > 0
    for result in alone.results:
        for name in ("results.json", "fixes.csv", "report.html"):
            a = (tmp_path / "alone" / result.slug / name).read_text(encoding="utf-8")
            b = (tmp_path / "forked" / result.slug / name).read_text(encoding="utf-8")
            if name == "report.html":  # apart from the generated-at line
                a, b = ([line for line in text.splitlines() if "Generated" not in line] for text in (a, b))
            assert a == b, (result.slug, name)


def test_the_schema_run_goes_beside_the_checks_on_a_spare_core(monkeypatch):
    monkeypatch.setattr(validation, "BACKGROUND_ROWS", 0)
    pool = two_cores()
    jobs = []
    real = pool.alongside
    monkeypatch.setattr(pool, "alongside", lambda func, shared: jobs.append(real(func, shared)) or jobs[-1])
    monkeypatch.setattr(engine, "ACROSS_ROWS", 0)
    run = api.check(JANUARY, JANUARY_THREATS, year=2022, pool=pool)
    # the schema run, then the checks across organisations (W117), both taken by the checks' map
    assert len(jobs) == 2 and all(job.future is not None for job in jobs)
    assert run.validation.issues == jobs[0].result()
    across = jobs[1].result()
    assert set(across) == {"W117"}
    assert {name: f.status for name, f in across["W117"].items()} == {
        r.organisation.name: next(f.status for f in r.findings if f.check == "W117") for r in run.results
    }


def test_an_unwritable_folder_in_a_worker_is_the_usual_input_error(tmp_path):
    from disruption_qa.errors import InputError

    run = api.check(JANUARY, JANUARY_THREATS, year=2022)
    (tmp_path / "lancashire-constabulary").write_text("a file where a folder should be")
    with pytest.raises(InputError, match=r"lancashire-constabulary/results\.json: cannot be written"):
        api.write(run, tmp_path, pool=two_cores())
