"""Where the package finds its data: the check catalogue, templates, organisation list.

In a wheel, ``checks/`` and ``templates/`` from the top of the repository are
carried inside the package as ``disruption_qa/_data/``; in a checkout (an
editable install) they are read from the repository itself.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``checks`` or ``templates``, installed or in the checkout."""
    for candidate in (PACKAGE / "_data" / name, PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"disruption-qa is installed without its {name}/ folder")
