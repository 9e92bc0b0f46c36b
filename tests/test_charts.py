"""Charts: inline SVG laid out from numbers, text as text, reproducible, and no script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from disruption_qa.contract import STRANDS
from disruption_qa.render import charts


def _months(first: str, last: str) -> pd.DataFrame:
    months = pd.period_range(first, last, freq="M")
    return pd.DataFrame(
        {s: [i + n for i in range(len(months))] for n, s in enumerate(STRANDS)},
        index=[m.strftime("%b %Y") for m in months],
    )


def test_monthly_chart_is_valid_svg_with_its_totals_and_labels():
    table = _months("2022-01", "2022-12")
    svg = charts.monthly(table, 'Records each month & "by strand"')
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img" and root.get("aria-label") == 'Records each month & "by strand"'
    elements = list(root.iter("{http://www.w3.org/2000/svg}text"))
    texts = [t.text for t in elements]
    totals = [t.text for t in elements if t.get("font-size") == "10"]  # the small numbers on top of the columns
    assert totals == [str(sum(row)) for row in table.itertuples(index=False)]
    assert texts.count("Jan") == 1 and "Dec" in texts  # one year: months without the year
    assert "<script" not in svg and not re.search(r"\son\w+=", svg)  # no script, no event handlers
    assert svg == charts.monthly(table, 'Records each month & "by strand"')  # reproducible


def test_a_period_over_several_years_puts_the_year_on_each_january():
    texts = re.findall(r">([^<]+)</text>", charts.monthly(_months("2019-01", "2023-12"), "five years"))
    assert [t for t in texts if t.startswith("Jan")] == [f"Jan {y}" for y in range(2019, 2024)]


def test_strand_mix_bars_are_as_wide_as_their_shares():
    svg = charts.strand_mix(
        [("Cheshire Constabulary", {"Pursue": 0.5, "Prevent": 0.25, "Protect": 0.25, "Prepare": 0.0}, 8)], "mix"
    )
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="24', svg)]
    assert len(widths) == 3 and abs(widths[0] - 2 * widths[1]) < 0.3 and abs(widths[1] - widths[2]) < 0.3
    assert ">50%<" in svg and ">25%<" in svg and "Cheshire Constabulary" in svg


def _render_imports() -> dict[str, set[str]]:
    """Which modules of ``disruption_qa.render`` each one imports, at the top or inside a function."""
    import ast
    from pathlib import Path

    folder = Path(charts.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for module in modules:
        found = set()
        for node in ast.walk(ast.parse((folder / f"{module}.py").read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:  # from . import x / from .x import y
                    names = [node.module] if node.module else [a.name for a in node.names]
                elif node.level == 0 and (node.module or "").startswith("disruption_qa.render."):
                    names = [node.module.split(".")[2]]
                else:
                    names = []
                found |= {n.split(".")[0] for n in names} & modules
        graph[module] = found - {module}
    return graph


def test_the_render_modules_import_each_other_without_a_cycle():
    graph = _render_imports()
    assert "html" not in graph["charts"] and "templates" in graph["charts"]  # the environment is shared, not borrowed
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, " -> ".join(path + [module])
        if module not in done:
            for imported in sorted(graph[module]):
                visit(imported, path + [module])
            done.add(module)

    for module in sorted(graph):
        visit(module, [])
