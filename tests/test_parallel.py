"""Work on every core: forked per-organisation work and the background schema run give what one process gives."""

from __future__ import annotations

import os

import pytest

from disruption_qa import api, parallel, validation

from conftest import REPO

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


def test_in_background_returns_the_result_or_raises_the_error(two_cores):
    future = parallel.in_background(lambda shared: (os.getpid(), sum(shared)), list(range(1000)))
    pid, total = future.result()
    assert total == 499500 and pid != os.getpid()
    with pytest.raises(ValueError, match="broken 7"):
        parallel.in_background(_fail, 7).result()


def test_in_background_without_a_second_core_runs_here(one_core):
    future = parallel.in_background(lambda shared: os.getpid(), None)
    assert isinstance(future, parallel.Finished) and future.result() == os.getpid()


def test_a_forked_run_gives_what_one_process_gives(tmp_path, monkeypatch, two_cores):
    # the sample's seven organisations are checked and written by forked workers,
    # the schemas run in the background (forced: the sample is small)
    monkeypatch.setattr(validation, "BACKGROUND_ROWS", 0)
    started = []
    real = parallel.in_background
    monkeypatch.setattr(parallel, "in_background", lambda func, shared: started.append(func) or real(func, shared))
    forked = api.check_files(JANUARY, JANUARY_THREATS, year=2022)
    assert started == [validation._issues]
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


def _sleep_then(shared):
    import time

    time.sleep(shared)
    return "done"


def test_a_background_job_keeps_its_core(two_cores):
    """While the schema run goes on in the background, per-organisation work stays in this process
    (three busy processes on two cores were slower than two); afterwards it forks again."""
    future = parallel.in_background(_sleep_then, 1.0)
    assert parallel.free_cores() == 1
    assert {pid for pid, _ in parallel.map_organisations(_pid_and_square, 0, list(range(10)))} == {os.getpid()}
    assert future.result() == "done"
    for _ in range(100):  # the future's callback gives the core back just after the result is set
        if parallel.free_cores() == 2:
            break
        import time

        time.sleep(0.01)
    assert parallel.free_cores() == 2
    assert os.getpid() not in {pid for pid, _ in parallel.map_organisations(_pid_and_square, 0, list(range(10)))}
