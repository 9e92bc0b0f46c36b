"""The warning-sign checks: one module per check, named by its stable ID.

``CATALOGUE`` lists every check class in ID order. IDs are stable: a retired
check's ID is never reused or renumbered.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..results import CLEAR, FLAGGED, NOT_APPLICABLE, Finding
from .base import Check, Context, Param


def _discover() -> list[type[Check]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name[:1] == "w" and info.name[1:4].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found += [
                obj
                for obj in vars(module).values()
                if isinstance(obj, type)
                and issubclass(obj, Check)
                and obj is not Check
                and obj.__module__ == module.__name__
            ]
    return sorted(found, key=lambda c: c.id)


CATALOGUE: list[type[Check]] = _discover()
BY_KEY: dict[str, type[Check]] = {**{c.id: c for c in CATALOGUE}, **{c.name: c for c in CATALOGUE}}

__all__ = ["BY_KEY", "CATALOGUE", "CLEAR", "FLAGGED", "NOT_APPLICABLE", "Check", "Context", "Finding", "Param"]
