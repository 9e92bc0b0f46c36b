"""Errors a user can cause and fix: each becomes one clear line and exit code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """An input file (or option) that cannot be used at all.

    The message is one line a user can act on; the command line prints it with
    the file's name and exits with code 2, never with a traceback.
    """

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = str(path) if path is not None else None
        self.detail = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


def file_system_error(exc: OSError, path: str | Path, doing: str = "cannot be written") -> InputError:
    """An operating-system failure on ``path`` as one line: what could not be done, and why."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return InputError(f"{doing}: the output folder is a file, or lies under one", path)
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{doing}: it is a folder", path)
    return InputError(f"{doing} ({exc.strerror or exc})", path)


def kind_of(path: str | Path, doing: str = "cannot be read") -> str | None:
    """``"file"``, ``"folder"`` or None (nothing there) for ``path``; a path that cannot be looked at (under a
    folder the user cannot search) is an :class:`InputError` naming it and saying what cannot be done."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise file_system_error(exc, path, doing) from None
    return "folder" if stat.S_ISDIR(mode) else "file"
