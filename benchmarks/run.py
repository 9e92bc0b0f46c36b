"""The speed and memory benchmark of docs/performance.md.

    .venv/bin/python benchmarks/run.py            # every workload, 3 runs each
    .venv/bin/python benchmarks/run.py --quick    # skip the national workload
    .venv/bin/python benchmarks/run.py --quick --peers ../shared/bench/run.sh   # and the peer comparison
    .venv/bin/python benchmarks/run.py --against main --repeat 7   # before and after a change, alternated

Generates each workload with ``disruption-qa sample``, runs each command
several times as a separate process (as a user would), and prints the median
wall time, the peak memory (the largest process's resident set, and the whole
process tree's proportional set size, sampled: forked workers share pages) and,
for the national workload, the ratio to merely reading the disruptions file
with ``pandas.read_csv(engine="pyarrow")`` in the same run: both to that read
in the benchmark's own process (pandas already imported) and to the same read
run as a process (Python and pandas start-up included, as in the check).
disruption-qa's bytecode is written first, as pip does when it installs a
wheel (``compile_package``); both baselines are timed before the check (a run
straight after a check is slowed by the memory it has just freed).

``--against REV`` measures a change: the one-force and national checks of the
working tree and of git revision REV (a worktree of it, run with this
environment's libraries), one run of each in turn (the first of each untimed,
the order swapped each round), so that both see the same load of a shared
machine. It prints both medians and the change, and exits 1 when the working
tree is more than 10% slower on either workload: on a noisy machine, repeat
with more runs before believing a small change.

| workload | target |
|---|---|
| ``disruption-qa --help`` | under 0.5 s |
| one force, ~5,000 disruptions + master list: ``check`` end to end, report included | under 0.9 s |
| national, 1,000,000 disruptions + 50,000 threats: ``check`` end to end | under 5 s on 2 cores; all processes under 1 GB |
| the same, as a ratio to ``pandas.read_csv(engine="pyarrow")`` of the disruptions | at most 6x on 2 cores (4x the aim on 4 or more) |
| ``--peers``: ``validate`` on the peers' 1,000,000-row file | at most pandera's polars backend in the same run |
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent

#: The year the samples' disruptions happen in (``disruption-qa sample --year``), and the year checked. Without
#: ``check --year`` the period would be the year of the latest Record Date: 2023, which holds only the few records
#: entered in the days before the extraction.
YEAR = ("--year", "2022")


def command() -> list[str]:
    script = BIN / "disruption-qa"
    return [str(script)] if script.exists() else [sys.executable, "-m", "disruption_qa"]


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (Linux /proc)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return pids


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of the processes together: shared pages counted once between them."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def measure(
    args: list[str], *, expect=(0, 1), sample_memory: bool = False, env: dict | None = None, cwd: Path | None = None
) -> tuple[float, float, float | None]:
    """Wall seconds, peak RSS of the largest process (MB) and, with ``sample_memory``, the peak memory
    of the whole process tree (sum of PSS, sampled every 50 ms; MB) of one run of a command.

    Sampling reads /proc/<pid>/smaps_rollup, which costs the kernel a walk of each
    process's page tables: a run that samples is slower, so it is not timed."""
    peak_tree = 0.0
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)

    def sample():
        nonlocal peak_tree
        while not done.wait(0.05):
            peak_tree = max(peak_tree, _pss_mb(_tree(proc.pid)))

    sampled = sample_memory and Path("/proc/self/smaps_rollup").exists()
    if sampled:
        threading.Thread(target=sample, daemon=True).start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    code = os.waitstatus_to_exitcode(status)
    if code not in expect:
        raise SystemExit(f"{' '.join(args)} exited {code}: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024, peak_tree if sampled else None


def runs(label: str, args: list[str], repeat: int, before=None) -> dict:
    """``repeat`` timed runs, then one more that samples the memory of every process."""
    walls, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        wall, peak, _ = measure(args)
        walls.append(wall)
        peaks.append(peak)
    if before:
        before()
    _, _, tree = measure(args, sample_memory=True)
    result = {
        "workload": label,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "peak_mb": max(peaks),
        "tree_mb": tree,
        "runs": walls,
    }
    tree_text = f"{tree:6.0f} MB" if tree is not None else "   n/a"
    print(
        f"{label:<52} median {result['median_s']:7.2f} s   (min {result['min_s']:.2f})"
        f"   peak RSS {result['peak_mb']:6.0f} MB   all processes {tree_text}",
        flush=True,
    )
    return result


def compile_package() -> None:
    """Write disruption-qa's bytecode first, as pip does when it installs a wheel (and Python on a first run).
    With PYTHONDONTWRITEBYTECODE set, as on the project's machine, each run would otherwise compile the
    package's modules from source again: about 0.1 s a run. Where the package's folder cannot be written,
    the benchmark says so and goes on."""
    import importlib.util

    spec = importlib.util.find_spec("disruption_qa")
    if spec is not None and spec.submodule_search_locations:
        done = subprocess.run([sys.executable, "-m", "compileall", "-q", *spec.submodule_search_locations])
        if done.returncode:
            print("(could not write disruption-qa's bytecode: each run compiles it, about 0.1 s)", flush=True)


def generate(out: Path, *args: str) -> None:
    subprocess.run(
        [*command(), "sample", "--out", str(out), "--force", *YEAR, *args], check=True, stdout=subprocess.DEVNULL
    )


def generate_force(work: Path) -> Path:
    """One force's workload: 5,000 disruptions of Cheshire and a master list."""
    generate(work / "force", "--organisations", "Cheshire Constabulary", "--rows", "5000", "--seed", "3")
    return work / "force"


def generate_national(work: Path, rows: int) -> Path:
    """The national workload: ``rows`` disruptions over 56 organisations, and 50,000 threats."""
    start = time.perf_counter()
    generate(work / "national", "--national", "--rows", str(rows), "--seed", "1", "--single-line-summaries")
    print(f"(generated {rows:,} national disruptions in {time.perf_counter() - start:.1f} s)", flush=True)
    return work / "national"


def check_args(data: Path, store: Path, out: Path) -> list[str]:
    """``check``'s arguments for a workload's exports, a history store and an output folder."""
    files = [str(data / "disruptions.csv"), "--threats", str(data / "threats.csv")]
    return ["check", *files, *YEAR, "--history", str(store), "--out", str(out)]


#: ``--against``: the most the working tree may be slower than the revision it is compared with.
SLOWER_LIMIT = 1.10


def against(rev: str, work: Path) -> Path:
    """A git worktree of revision ``rev`` of this repository in ``work``, its bytecode written."""
    tree = work / "against"
    if tree.exists():  # left by a run that was stopped (--keep)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(tree, ignore_errors=True)
    done = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(tree), rev],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"--against {rev}: {done.stderr.strip() or 'git worktree add failed'}")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "src")], check=False)
    return tree


def alternate(label: str, sources: dict[str, Path], args: list[str], repeat: int, before, cwd: Path) -> bool:
    """``repeat`` runs of ``disruption-qa ARGS`` from each source folder in turn (``python -m`` with the folder
    first on the path, run in ``cwd``), after one untimed run of each; the order of the two swaps each round
    (ABBA), so neither always runs first. Prints each median and the change; True when the first is within
    SLOWER_LIMIT of the second."""
    walls: dict[str, list[float]] = {name: [] for name in sources}

    def run(name: str) -> float:
        before()
        env = {**os.environ, "PYTHONPATH": str(sources[name])}
        return measure([sys.executable, "-m", "disruption_qa", *args], env=env, cwd=cwd)[0]

    names = list(sources)
    for name in names:  # warm the disk cache and each tree's bytecode
        run(name)
    for n in range(repeat):
        for name in names if n % 2 == 0 else reversed(names):
            walls[name].append(run(name))
    medians = {name: statistics.median(times) for name, times in walls.items()}
    for name, times in walls.items():
        runs_text = " ".join(f"{t:.2f}" for t in times)
        print(f"{label:<44} {name:<12} median {medians[name]:6.2f} s   (runs: {runs_text})", flush=True)
    new, old = medians.values()
    print(f"{label:<44} {'change':<12} {new / old - 1:+7.1%}", flush=True)
    return new <= old * SLOWER_LIMIT


def compare(rev: str, work: Path, opts) -> int:
    """``--against``: the working tree against ``rev`` on the one-force and national checks, alternated."""
    tree = against(rev, work)
    try:
        sources = {"this tree": ROOT / "src", rev: tree / "src"}
        store = work / "history.sqlite"

        def fresh():
            store.unlink(missing_ok=True)

        force = check_args(generate_force(work), store, work / "out")
        ok = alternate("one force, 5,000 disruptions", sources, force, opts.repeat, fresh, work)
        if not opts.quick:
            national = check_args(generate_national(work, opts.rows), store, work / "out")
            ok &= alternate(f"national, {opts.rows:,} disruptions", sources, national, opts.repeat, fresh, work)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)
    if not ok:
        print(f"the working tree is more than {SLOWER_LIMIT - 1:.0%} slower than {rev}", flush=True)
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each workload (default 3)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="national disruptions (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="skip the national workload")
    parser.add_argument("--keep", type=Path, help="keep the generated workloads in this folder")
    parser.add_argument(
        "--peers",
        type=Path,
        metavar="RUN_SH",
        help="also run the peer comparison script (../shared/bench/run.sh): a bare read, pandera's pandas and"
        " polars backends and disruption-qa validate on one generated file (needs its peers venv; see the script)",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="compare the working tree with git revision REV: the one-force and national checks (not with --quick),"
        " runs alternated; exit 1 when more than 10%% slower; --peers is not run with it",
    )
    opts = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    work = opts.keep or Path(tempfile.mkdtemp(prefix="dqa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    compile_package()
    if opts.against:
        try:
            code = compare(opts.against, work, opts)
        finally:
            if not opts.keep:
                shutil.rmtree(work, ignore_errors=True)
        raise SystemExit(code)
    results = [runs("disruption-qa --help", [*command(), "--help"], max(5, opts.repeat))]

    force = generate_force(work)
    store = work / "force-history.sqlite"
    results.append(
        runs(
            f"one force, 5,000 disruptions: check {' '.join(YEAR)}",
            [*command(), *check_args(force, store, work / "force-out")],
            opts.repeat,
            before=lambda: store.unlink(missing_ok=True),
        )
    )

    if not opts.quick:
        national = generate_national(work, opts.rows)
        # the reads first: one straight after a check is slowed by the memory the check has just freed
        import pandas as pd

        reads = []
        for _ in range(opts.repeat):
            start = time.perf_counter()
            pd.read_csv(national / "disruptions.csv", engine="pyarrow", skiprows=2)
            reads.append(time.perf_counter() - start)
        baseline = statistics.median(reads)
        read_process = runs(
            "the read as a process (python -c ...)",
            [
                sys.executable,
                "-c",
                f"import pandas; pandas.read_csv({str(national / 'disruptions.csv')!r}, engine='pyarrow', skiprows=2)",
            ],
            opts.repeat,
        )
        nstore = work / "national-history.sqlite"
        check = runs(
            f"national, {opts.rows:,} disruptions: check {' '.join(YEAR)}",
            [*command(), *check_args(national, nstore, work / "national-out")],
            opts.repeat,
            before=lambda: nstore.unlink(missing_ok=True),
        )
        results.append(check)
        print(f"{'pandas.read_csv(engine=pyarrow), in this process':<52} median {baseline:7.2f} s")
        print(f"{'ratio of check to that read in this process':<52} {check['median_s'] / baseline:7.1f}x")
        print(f"{'ratio of check to that read as a process':<52} {check['median_s'] / read_process['median_s']:7.1f}x")
    if opts.peers is not None:
        peers(opts.peers, opts.rows)
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)


def peers(script: Path, rows: int) -> None:
    """The peer comparison, as docs/performance.md quotes it: ``script`` run from the project root with this
    environment's disruption-qa, its lines printed as they come."""
    if not script.is_file():
        raise SystemExit(f"{script}: no such script (the peer comparison is ../shared/bench/run.sh)")
    tool = command()[0] if len(command()) == 1 else None
    print("peers:", flush=True)
    done = subprocess.run(["bash", str(script), str(rows), *([tool] if tool else [])], cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{script} failed ({done.returncode})")


if __name__ == "__main__":
    main()
