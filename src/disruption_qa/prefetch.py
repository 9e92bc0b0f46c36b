"""An input file's bytes and SHA-256, read on a spare core while the command line starts.

Starting Python and importing pandas and pandera takes the better part of a
second on one core, and a national export takes a few tenths more to read from
disk and to hash. The console script starts reading the files it was given
(:func:`start`) before those imports, in a thread: reading a file and hashing
it run outside Python's lock, so they go on beside the imports. The reader then
takes the bytes (:func:`take`) instead of reading the file again. This module
imports nothing heavy, so that it can be started first.

A file that cannot be read here is read again by the reader, which says why
in the user's terms; a file never taken is let go when the process ends.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import Future
from pathlib import Path

_started: dict[str, tuple[Future, Future]] = {}
_lock = threading.Lock()


def _key(path: str | Path) -> str:
    return os.path.abspath(os.fspath(path))


def start(*paths: str | Path | None) -> None:
    """Read and hash each file given (and not None) in a thread, in order."""
    jobs = []
    with _lock:
        for path in paths:
            if path is None or _key(path) in _started:
                continue
            futures = (Future(), Future())
            _started[_key(path)] = futures
            jobs.append((Path(path), *futures))
    if jobs:
        threading.Thread(target=_work, args=(jobs,), name="prefetch", daemon=True).start()


def _work(jobs: list[tuple[Path, Future, Future]]) -> None:
    for path, data, digest in jobs:
        read = hashed = None
        try:  # both, or neither: the reader reads the file again, and says why it cannot
            read = path.read_bytes() if path.is_file() else None
            hashed = hashlib.sha256(read).hexdigest() if read is not None else None
        except BaseException:  # (out of memory, say)
            read = hashed = None
        finally:
            data.set_result(read if hashed is not None else None)
            digest.set_result(hashed)


def take(path: str | Path) -> tuple[bytes, Future] | None:
    """The bytes of ``path`` read by :func:`start` and a future of their SHA-256 (hex), once; None when the file
    was not started, or could not be read."""
    with _lock:
        futures = _started.pop(_key(path), None)
    if futures is None:
        return None
    data = futures[0].result()
    return None if data is None else (data, futures[1])
