"""Work on every core: forked per-organisation work and the background schema run give what one process gives."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from conftest import REPO

from disruption_qa import api, parallel, validation

JANUARY = REPO / "sample_exports" / "north-west-2022" / "disruptions_2023-01-04.csv"
JANUARY_THREATS = REPO / "sample_exports" / "north-west-2022" / "threats_2023-01-04.csv"


@pytest.fixture
def two_cores(monkeypatch):
    """Fork even on a one-core machine, so the forked path is what is tested."""
    monkeypatch.setattr(parallel, "workers", lambda: 2)


@pytest.fixture
def one_core(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)


def _pid_and_square(shared, item):
    return os.getpid(), item * item + shared


def test_map_organisations_forks_and_keeps_order(two_cores):
    heard = []
    out = parallel.map_organisations(_pid_and_square, 1, list(range(20)), heard.append, lambda i, item: f"{i}:{item}")
    assert [value for _, value in out] == [i * i + 1 for i in range(20)]
    assert {pid for pid, _ in out} and os.getpid() not in {pid for pid, _ in out}  # the work ran in workers
    assert heard == [f"{i}:{i}" for i in range(20)]


def test_map_organisations_stays_in_this_process_when_small_or_one_core(two_cores, monkeypatch):
    assert {pid for pid, _ in parallel.map_organisations(_pid_and_square, 0, [1, 2, 3])} == {os.getpid()}
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert {pid for pid, _ in parallel.map_organisations(_pid_and_square, 0, list(range(10)))} == {os.getpid()}


def _fail(shared):
    raise ValueError(f"broken {shared}")


def test_a_job_alongside_runs_first_in_the_next_pool_and_returns_its_result(two_cores):
    job = parallel.alongside(lambda shared: (os.getpid(), sum(shared)), list(range(1000)))
    out = parallel.map_organisations(_pid_and_square, 0, [1, 2])  # few items: forked for the job's sake
    pid, total = job.result()
    assert total == 499500 and pid != os.getpid() and job.future is not None
    assert [value for _, value in out] == [1, 4] and os.getpid() not in {p for p, _ in out}
    # taken once: the next pool does not run it again
    assert {p for p, _ in parallel.map_organisations(_pid_and_square, 0, [1, 2])} == {os.getpid()}


def test_a_job_alongside_raises_its_error(two_cores):
    job = parallel.alongside(_fail, 7)
    parallel.map_organisations(_pid_and_square, 0, list(range(6)))
    with pytest.raises(ValueError, match="broken 7"):
        job.result()


def test_a_job_no_pool_took_runs_when_asked(two_cores):
    job = parallel.alongside(lambda shared: (os.getpid(), shared), 5)
    assert job.result() == (os.getpid(), 5) and job.result() == (os.getpid(), 5)
    assert parallel._waiting == []  # and no later pool runs it
    stale = parallel.alongside(lambda shared: os.getpid(), None)
    newer = parallel.alongside(lambda shared: "newer", None)  # one job at a time: the older one runs when asked
    parallel.map_organisations(_pid_and_square, 0, list(range(6)))
    assert newer.future is not None and newer.result() == "newer"
    assert stale.future is None and stale.result() == os.getpid()


def test_a_job_alongside_without_a_second_core_runs_when_asked(one_core):
    job = parallel.alongside(lambda shared: os.getpid(), None)
    parallel.map_organisations(_pid_and_square, 0, list(range(6)))
    assert job.future is None and job.result() == os.getpid()


def test_a_forked_run_gives_what_one_process_gives(tmp_path, monkeypatch, two_cores):
    # the sample's seven organisations are checked and written by forked workers,
    # the schemas run beside them (forced: the sample is small)
    monkeypatch.setattr(validation, "BACKGROUND_ROWS", 0)
    jobs = []
    real = parallel.alongside
    monkeypatch.setattr(parallel, "alongside", lambda func, shared: jobs.append(real(func, shared)) or jobs[-1])
    forked = api.check_files(JANUARY, JANUARY_THREATS, year=2022)
    assert [j.func for j in jobs] == [validation._issues] and jobs[0].future is not None  # run by the checks' pool
    api.write_check(forked, tmp_path / "forked", history=None)

    monkeypatch.setattr(parallel, "workers", lambda: 1)
    alone = api.check_files(JANUARY, JANUARY_THREATS, year=2022)
    api.write_check(alone, tmp_path / "alone", history=None)

    assert [i.to_dict() for i in forked.validation.issues] == [i.to_dict() for i in alone.validation.issues]
    assert forked.validation.issues  # the sample has problems to compare
    assert [r.to_dict() for r in forked.results] == [r.to_dict() for r in alone.results]
    assert sum(r.indicators["validation_errors"] for r in alone.results) > 0
    for result in alone.results:
        for name in ("results.json", "fixes.csv"):
            a = (tmp_path / "alone" / result.slug / name).read_bytes()
            assert a == (tmp_path / "forked" / result.slug / name).read_bytes(), (result.slug, name)


def test_an_unwritable_folder_in_a_worker_is_the_usual_input_error(tmp_path, two_cores):
    from disruption_qa.errors import InputError

    run = api.check_files(JANUARY, JANUARY_THREATS, year=2022)
    (tmp_path / "lancashire-constabulary").write_text("a file where a folder should be")
    with pytest.raises(InputError, match=r"lancashire-constabulary/results\.json: cannot be written"):
        api.write_check(run, tmp_path, history=None)


def test_a_job_alongside_that_failed_here_is_not_run_again(two_cores):
    calls = []

    def failing(shared):
        calls.append(shared)
        raise ValueError("broken once")

    job = parallel.alongside(failing, 1)
    parallel.forget_waiting()  # as a run that stopped early does: no pool takes it
    for _ in range(2):
        with pytest.raises(ValueError, match="broken once"):
            job.result()
    assert calls == [1] and parallel._waiting == []


def test_a_run_stopped_on_bad_input_leaves_no_job_for_the_next_pool(two_cores, monkeypatch):
    from disruption_qa.errors import InputError

    monkeypatch.setattr(validation, "BACKGROUND_ROWS", 0)
    with pytest.raises(InputError, match="--from"):
        api.check_files(JANUARY, JANUARY_THREATS, start=dt.date(2022, 1, 1))
    assert parallel._waiting == []
