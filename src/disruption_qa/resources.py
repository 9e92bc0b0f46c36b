"""Where the package finds the files it ships: the check catalogue, the templates, the organisation list.

Every shipped file is read through :mod:`importlib.resources`, as a
:class:`~importlib.resources.abc.Traversable` (``joinpath``, ``iterdir``,
``read_text``, ``read_bytes``), never by building a file-system path from
``__file__``: so the package reads its data wherever it is imported from,
an unpacked wheel or a zip file.

The organisation list lives in the package itself (``disruption_qa/data/``).
``checks/`` and ``templates/`` are the user-facing catalogue and pages, kept at
the top of the repository where users look for them; the two ways the package
is installed find them as follows.

* **The wheel** (``pip install .`` or from an index): the build copies them
  into the package as ``disruption_qa/_data/checks`` and
  ``disruption_qa/_data/templates`` (``[tool.hatch.build.targets.wheel.force-include]``
  in ``pyproject.toml``), so ``files("disruption_qa") / "_data" / name`` holds them.
* **The checkout** (``pip install -e .``): hatchling's editable install puts
  ``src/`` on ``sys.path``, so ``files("disruption_qa")`` is
  ``src/disruption_qa`` itself and has no ``_data``; the folders are then
  read from the top of the repository, two levels above it, live, so an edit
  to a template or a profile shows in the next run without reinstalling.

Other ways were weighed and left: a ``src/disruption_qa/_data`` symlink to
the top-level folders breaks on Windows checkouts and puts a second copy in
the sdist, and hatchling's editable ``force-include`` copies the files into
``site-packages`` at install time, beside the package rather than in it, where
they would go stale as soon as the checkout's are edited.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

#: The folders ``checks`` and ``templates`` inside an installed wheel.
PACKAGED = "_data"


def data_dir(name: str) -> Traversable:
    """The folder ``checks`` or ``templates``: inside the installed package, or at the top of the checkout."""
    packaged = files("disruption_qa").joinpath(PACKAGED, name)
    if packaged.is_dir():
        return packaged
    checkout = _checkout()
    if checkout is not None and (checkout / name).is_dir():
        return checkout / name
    raise FileNotFoundError(f"disruption-qa is installed without its {name}/ folder")


def _checkout() -> Path | None:
    """The repository the package is imported from (``src/disruption_qa`` under it), or None when installed."""
    package = files("disruption_qa")
    if not isinstance(package, Path):  # imported from a zip file: no checkout around it
        return None
    src = package.resolve().parent
    return src.parent if src.name == "src" and (src.parent / "pyproject.toml").is_file() else None


def organisations_csv() -> Traversable:
    """The organisation list shipped with the package (``disruption_qa/data/organisations.csv``)."""
    return files("disruption_qa").joinpath("data", "organisations.csv")
