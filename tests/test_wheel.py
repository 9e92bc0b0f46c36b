"""The wheel: built from the repository, installed into a fresh virtual environment, it works anywhere.

Slow (it builds the wheel and installs the dependencies from the package
registry into a new environment), but it is the only test that sees the
package as a user gets it: no checkout to fall back on for the check catalogue,
the templates or the organisation list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DISRUPTIONS_BROKEN, DISRUPTIONS_VALID, REPO, THREATS_VALID, inputs_unchanged


def _run(cmd, cwd, timeout=900, pythonpath=None):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    with inputs_unchanged(cmd, cwd):
        return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, venv bin folder, a working folder outside the repository, the wheel file)."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    built = _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist], cwd=REPO)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels = list(dist.glob("disruption_qa-*.whl"))
    assert len(wheels) == 1, wheels
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=root)
    assert made.returncode == 0, made.stderr
    bin_ = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_ / "python"
    pip = _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheels[0]], cwd=root)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    work = root / "elsewhere"
    work.mkdir()
    return python, bin_, work, wheels[0]


def test_installed_from_the_wheel_not_the_checkout(installed):
    python, _, work, _ = installed
    run = _run([python, "-c", "import disruption_qa, sys; print(disruption_qa.__file__); print(sys.prefix)"], cwd=work)
    assert run.returncode == 0, run.stderr
    module, prefix = run.stdout.split()
    assert Path(module).is_relative_to(prefix)
    assert "site-packages" in Path(module).parts
    assert not Path(module).is_relative_to(REPO)


def test_validate_from_another_folder(installed):
    _, bin_, work, _ = installed
    out = work / "out"
    run = _run(
        [bin_ / "disruption-qa", "validate", DISRUPTIONS_VALID, "--threats", THREATS_VALID, "--out", out], cwd=work
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no validation problems found" in run.stdout
    doc = json.loads((out / "validation.json").read_text("utf-8"))
    assert doc["errors"] == [] and [f["rows"] for f in doc["files"]] == [30, 15]

    run = _run([bin_ / "disruption-qa", "validate", DISRUPTIONS_BROKEN, "--out", "rel"], cwd=work)
    assert run.returncode == 1
    assert "did you mean Cheshire Constabulary?" in run.stdout  # the organisation list is packaged
    assert (work / "rel" / "fixes.csv").is_file()

    run = _run([bin_ / "disruption-qa", "validate", THREATS_VALID, "--out", "rel2"], cwd=work)
    assert run.returncode == 2 and "Traceback" not in run.stderr and len(run.stderr.splitlines()) == 1


def _files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    )


#: Lists, as JSON, the files of a shipped folder as the package finds them (through importlib.resources).
LIST_DATA = """
import json, sys
from importlib.resources import files
from disruption_qa.resources import data_dir

def walk(folder, prefix=""):
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from walk(entry, prefix + entry.name + "/")
        elif not entry.name.startswith("."):
            yield prefix + entry.name

found = data_dir(sys.argv[1])
print(json.dumps({"dir": str(found), "package": str(files("disruption_qa")), "prefix": sys.prefix, "files": sorted(walk(found))}))
"""


@pytest.mark.parametrize("name", ["checks", "templates"])
def test_packaged_data_folders(installed, name):
    python, _, work, _ = installed
    run = _run([python, "-c", LIST_DATA, name], cwd=work)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert Path(found["dir"]) == Path(found["package"]) / "_data" / name  # inside the package, where the wheel puts it
    assert Path(found["dir"]).resolve().is_relative_to(Path(found["prefix"]).resolve())
    assert "site-packages" in Path(found["dir"]).parts
    # everything the repository ships in that folder, and nothing else
    assert found["files"] == _files(REPO / name)


@pytest.mark.parametrize("name", ["checks", "templates"])
def test_the_checkout_reads_its_top_level_folders(name):
    """An editable install has no ``_data`` in the package: the repository's own folders are read, live."""
    run = _run([sys.executable, "-c", LIST_DATA, name], cwd=REPO)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert Path(found["package"]) == REPO / "src" / "disruption_qa"
    assert Path(found["dir"]) == REPO / name
    assert found["files"] == _files(REPO / name)


def test_runs_from_the_wheel_as_a_zip_file(installed):
    """Imported straight from the wheel file, the package still finds every file it ships: it reads them through
    importlib.resources, never by a path built from ``__file__``."""
    python, _, work, wheel = installed
    where = _run([python, "-c", "import disruption_qa; print(disruption_qa.__file__)"], cwd=work, pythonpath=wheel)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(wheel)  # the zip file, not the installed copy

    out = work / "zipped"
    run = _run(
        [python, "-m", "disruption_qa", "check", DISRUPTIONS_VALID, "--threats", THREATS_VALID]
        + ["--year", "2022", "--profile", "hmicfrs-2023", "--no-history", "--out", out],
        cwd=work,
        pythonpath=wheel,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # the run read checks/defaults.toml and the profile: a missing one stops it
    index = (out / "index.html").read_text("utf-8")  # the templates
    assert '<h1 id="headline">North West region</h1>' in index
    assert "<code>hmicfrs-2023</code>" in index and "The inspectors' figures" in index  # a shipped profile
    report = (out / "cheshire-constabulary" / "report.html").read_text("utf-8")
    assert '<svg role="img"' in report  # the charts' template

    run = _run(
        [python, "-m", "disruption_qa", "validate", DISRUPTIONS_BROKEN, "--out", "v"], cwd=work, pythonpath=wheel
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "did you mean Cheshire Constabulary?" in run.stdout  # the organisation list
    assert "to fix</h1>" in (work / "v" / "report.html").read_text("utf-8")


def test_organisation_list_loads(installed):
    python, _, work, _ = installed
    code = (
        "from disruption_qa import contract as c; orgs = c.organisations(); "
        "print(len(orgs)); print(orgs['Cheshire Constabulary'].region); print(c.region_of('North West Regional Organised Crime Unit'))"
    )
    run = _run([python, "-c", code], cwd=work)
    assert run.returncode == 0, run.stderr
    count, region, rocu_region = run.stdout.splitlines()
    repo_count = (
        len((REPO / "src" / "disruption_qa" / "data" / "organisations.csv").read_text("utf-8").strip().splitlines()) - 1
    )
    assert int(count) == repo_count
    assert region == rocu_region == "North West"
