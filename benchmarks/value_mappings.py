"""What reading with value mappings costs: ``disruption-qa validate`` on a national export written in the
contract's values, against the same export written in a force's codes with the config that maps them.

    .venv/bin/python benchmarks/value_mappings.py [--rows 1000000] [--repeat 5]

Generates the national sample (``disruption-qa sample --national``), rewrites its 4P Strand and Disruption
Type columns in codes (``PUR``, ``4P - Prevent`` ..., ``Lead``/``Support``), then runs both alternately, each
run a separate process with its own output folder, and prints the median wall time of each and their ratio.
Target (issue 18): under 10% more with the mappings.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
STRANDS = {"Pursue": "PUR", "Prevent": "4P - Prevent", "Protect": "4P - Protect", "Prepare": "PREP"}
TYPES = {"Lead Disruption": "Lead", "Support Disruption": "Support"}
CONFIG = """
[values."4P Strand"]
PUR = "Pursue"
"4P - Prevent" = "Prevent"
"4P - Protect" = "Protect"
PREP = "Prepare"

[values."Disruption Type"]
Lead = "Lead Disruption"
Support = "Support Disruption"
"""


def coded_copy(source: Path, target: Path) -> None:
    """``source`` with its strand and type columns in codes, title lines kept."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    lines = source.open("rb")
    title = [lines.readline(), lines.readline()]
    lines.close()
    table = pv.read_csv(
        source,
        read_options=pv.ReadOptions(skip_rows=2),
        convert_options=pv.ConvertOptions(strings_can_be_null=False, column_types=None),
    )
    table = table.cast(pa.schema([pa.field(f.name, pa.string()) for f in table.schema]))
    for column, codes in (("4P Strand", STRANDS), ("Disruption Type", TYPES)):
        values = table[column]
        for value, code in codes.items():
            values = pc.if_else(pc.equal(values, value), code, values)
        table = table.set_column(table.schema.get_field_index(column), column, values)
    with target.open("wb") as out:
        out.writelines(title)
        pv.write_csv(table, out, pv.WriteOptions(quoting_style="needed"))


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    tool = str(BIN / "disruption-qa")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(
            [tool, "sample", "--national", "--rows", str(options.rows), "--seed", "1", "--year", "2022"]
            + ["--single-line-summaries", "--out", str(tmp / "national")],
            check=True,
            capture_output=True,
        )
        plain = tmp / "national" / "disruptions.csv"
        coded = tmp / "coded.csv"
        coded_copy(plain, coded)
        config = tmp / "codes.toml"
        config.write_text(CONFIG, "utf-8")
        times: dict[str, list[float]] = {"contract values": [], "codes with mappings": []}
        for n in range(options.repeat):
            times["contract values"].append(timed([tool, "validate", str(plain), "--out", str(tmp / f"a{n}")]))
            times["codes with mappings"].append(
                timed([tool, "validate", str(coded), "--config", str(config), "--out", str(tmp / f"b{n}")])
            )
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, values in times.items():
            print(f"{name:22} median {medians[name]:.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
        ratio = medians["codes with mappings"] / medians["contract values"]
        print(f"with mappings / without: {ratio:.3f} ({(ratio - 1) * 100:+.1f}%; target under +10%)")


if __name__ == "__main__":
    main()
