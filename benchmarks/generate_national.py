"""Time generating a national extraction (default one million disruptions).

    /usr/bin/time -v python benchmarks/generate_national.py [ROWS] [OUT]

prints the wall time of ``disruption_qa.sample.generate`` and the files'
sizes; run it under ``/usr/bin/time -v`` for the peak memory.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from disruption_qa.sample import generate


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tmp)
        start = time.perf_counter()
        paths = generate(out, national=True, rows=rows, seed=1)
        took = time.perf_counter() - start
        for p in paths:
            print(f"{p.name}: {p.stat().st_size / 1e6:.1f} MB")
        print(f"{rows:,} national disruptions generated in {took:.1f} s")


if __name__ == "__main__":
    main()
