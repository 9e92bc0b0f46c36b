"""The per-organisation HTML report: in a real browser, accessible, safe and reproducible.

The browser tests open each report in Debian's headless Chromium (installed by
tests/setup.sh), inject axe-core (npm) and assert zero WCAG 2.2 AA violations,
zero console errors and zero network requests. A full-page screenshot of each
is saved under test-output/ for a person to look at.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from disruption_qa import api
from disruption_qa.checks import BY_KEY
from disruption_qa.sample import generate

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
OUTPUT = ROOT / "test-output" / "report_html"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,OptimizationHints",
]
PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']
GENERATED = re.compile(r"Generated \d{2}/\d{2}/\d{4} \d{2}:\d{2}")


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """A synthetic north-west extraction with realistic defects, checked once for the module."""
    folder = tmp_path_factory.mktemp("region")
    generate(folder, region="North West", rows=3000, seed=11)
    out = folder / "out"
    run = api.check(folder / "disruptions.csv", folder / "threats.csv", year=2022)
    api.write(run, out)
    return folder, out, run


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run tests/setup.sh"
    assert AXE.exists(), "axe-core is missing: run tests/setup.sh"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def audit(browser, page_path: Path, screenshot: Path) -> dict:
    """Open a page; return axe violations, console errors, requests and a few DOM facts."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests, errors, dialogs = [], [], []
    url = page_path.resolve().as_uri()
    page.on("request", lambda r: requests.append(r.url) if r.url != url else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    facts = page.evaluate(
        "() => ({scripts: document.querySelectorAll('script').length, imgs: document.querySelectorAll('img').length,"
        " h1: document.querySelector('h1').textContent, h2: [...document.querySelectorAll('h2')].map(h => h.textContent.trim())})"
    )
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    return {"violations": violations, "errors": errors, "requests": requests, "dialogs": dialogs, **facts}


def test_every_report_passes_axe_with_no_errors_or_requests(region, browser):
    _, out, run = region
    reports = sorted(out.glob("*/report.html"))
    assert len(reports) == len(run.results) == 7
    for report in reports:
        found = audit(browser, report, OUTPUT / f"{report.parent.name}.png")
        assert found["violations"] == [], report
        assert found["errors"] == [], report
        assert found["requests"] == [], report
        assert found["scripts"] == 0 and found["imgs"] == 0
        assert (OUTPUT / f"{report.parent.name}.png").stat().st_size > 50_000


def test_report_sections_come_in_order(region, browser):
    _, out, _run = region
    found = audit(browser, out / "cheshire-constabulary" / "report.html", OUTPUT / "cheshire-order.png")
    assert found["h1"] == "Cheshire Constabulary"
    assert found["h2"] == [
        "What to fix first",
        "Indicators",
        "Change over time",
        "Warning signs",
        "Validation problems",
        "Method",
    ]


def test_report_shows_numbers_in_tables_and_charts_with_text(region):
    _, out, run = region
    result = next(r for r in run.results if r.organisation.name == "Cheshire Constabulary")
    html = (out / "cheshire-constabulary" / "report.html").read_text(encoding="utf-8")
    ind = result.indicators
    assert f'<span class="n">{ind.lead_disruptions}</span>' in html
    assert f"{ind.pursue_share * 100:.0f}%" in html
    assert html.count('<svg role="img" aria-label=') == 5  # strand mix, months, lag, two control charts
    for f in result.findings:
        assert f.message.replace("'", "&#39;") in html
    for sha in (f["sha256"] for f in run.validation.files):
        assert sha in html
    # a flagged sign lists its records (at most 50)
    flagged = [f for f in result.findings if f.status == "flagged" and f.records]
    assert flagged
    for f in flagged:
        assert f"Records behind {f.check}" in html
        assert f.records[0] in html
    # and says what it rests on: the inspection's words or the tool's own rule
    for f in (f for f in result.findings if f.status == "flagged"):
        basis = " ".join(BY_KEY[f.check].sections()["Basis"].split())
        assert f"<strong>Basis.</strong> {escape(basis)}" in " ".join(html.split()), f.check
    # the master list's officers, in the indicators
    assert "Lead responsible officers holding them" in html and f">{ind.officers}<" in html


def _rewrite(src: Path, dst: Path, change) -> None:
    with open(src, encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines(keepends=True)
    title, body = lines[:2], "".join(lines[2:])
    rows = list(csv.DictReader(body.splitlines()))
    for i, row in enumerate(rows):
        change(i, row)
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(title)
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_text_from_the_input_never_becomes_markup(region, browser, tmp_path):
    folder, _, _ = region
    hostile = tmp_path / "hostile.csv"
    text_columns = [
        "Disruption ID",
        "Threat ID",
        "Recorded By",
        "Summary",
        "Threat Area",
        "Tactic",
        "4P Strand",
        "Supported Organisation",
        "Recording Organisation",
        "Threat Type",
        "Assessment Category",
        "Disruption Date",
    ]

    def change(i, row):
        if row["Recording Organisation"] != "Cheshire Constabulary":
            return
        column = text_columns[i % len(text_columns)]
        row[column] = PAYLOADS[i % 2] + (str(i) if column in ("Disruption ID",) else "")
        row["Summary"] = PAYLOADS[(i + 1) % 2]

    _rewrite(folder / "disruptions.csv", hostile, change)
    run = api.check(hostile, folder / "threats.csv", year=2022, include_summaries=True)
    out = tmp_path / "out"
    api.write(run, out)
    report = out / "cheshire-constabulary" / "report.html"
    html = report.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html or "&#34;&gt;&lt;img" in html, "the payloads should be shown, escaped"
    assert "<script" not in html.lower() and "<img" not in html.lower()
    found = audit(browser, report, OUTPUT / "hostile.png")
    assert found["scripts"] == 0 and found["imgs"] == 0 and found["dialogs"] == []
    assert found["violations"] == []


def test_summaries_stay_out_unless_asked(region, tmp_path):
    folder, _, _ = region
    marked = tmp_path / "marked.csv"
    _rewrite(folder / "disruptions.csv", marked, lambda i, row: row.update(Summary=f"SECRET-NARRATIVE-{i}"))
    run = api.check(marked, folder / "threats.csv", year=2022)
    asked = api.check(marked, folder / "threats.csv", year=2022, include_summaries=True)
    hidden, shown = tmp_path / "hidden", tmp_path / "shown"
    api.write(run, hidden)
    api.write(asked, shown)
    for path in hidden.rglob("*"):
        if path.is_file():
            assert "SECRET-NARRATIVE" not in path.read_text(encoding="utf-8-sig"), path
    assert "SECRET-NARRATIVE" in (shown / "cheshire-constabulary" / "report.html").read_text(encoding="utf-8")


def test_same_inputs_give_the_same_html_but_the_generated_line(region, tmp_path):
    folder, _, run = region
    first, second = tmp_path / "a", tmp_path / "b"
    api.write(run, first)
    again = api.check(folder / "disruptions.csv", folder / "threats.csv", year=2022)
    api.write(again, second)
    for report in first.glob("*/report.html"):
        a = report.read_text(encoding="utf-8")
        b = (second / report.parent.name / "report.html").read_text(encoding="utf-8")
        assert len(GENERATED.findall(a)) == 1
        assert GENERATED.sub("", a) == GENERATED.sub("", b)


def test_report_is_well_formed_html(region):
    _, out, _ = region

    class Checker(HTMLParser):
        VOID = frozenset(
            {
                "meta",
                "br",
                "link",
                "input",
                "hr",
                "img",
                "col",
                "wbr",
                "source",
                "area",
                "base",
                "param",
                "track",
                "embed",
            }
        )

        def __init__(self):
            super().__init__()
            self.stack = []

        def handle_starttag(self, tag, attrs):
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()

    checker = Checker()
    checker.feed((out / "cheshire-constabulary" / "report.html").read_text(encoding="utf-8"))
    assert checker.stack == []


def test_index_passes_axe_with_no_errors_or_requests(region, browser):
    _, out, _run = region
    found = audit(browser, out / "index.html", OUTPUT / "index.png")
    assert found["violations"] == []
    assert found["errors"] == [] and found["requests"] == []
    assert found["h1"] == "North West region"
    assert "Fair comparison: funnel plots" in found["h2"]


def test_diff_page_passes_axe(browser, tmp_path):
    from disruption_qa.diff import diff_files

    nw = ROOT / "sample_exports" / "north-west-2022"
    result = diff_files(
        nw / "disruptions_2023-01-04.csv",
        nw / "disruptions_2023-07-13.csv",
        threats_old=nw / "threats_2023-01-04.csv",
        threats_new=nw / "threats_2023-07-13.csv",
    )
    api.write(result, tmp_path)
    found = audit(browser, tmp_path / "diff.html", OUTPUT / "diff.png")
    assert found["violations"] == [] and found["errors"] == [] and found["requests"] == []
    assert found["h2"][:2] == ["By organisation", "Disruptions added late"]


def test_validate_report_lists_problems_by_organisation_and_passes_axe(browser, tmp_path):
    small = ROOT / "sample_exports" / "small"
    validation = api.validate(small / "disruptions_broken.csv", small / "threats_broken.csv")
    api.write(validation, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"{len(validation.issues)} cells to fix" in html
    for issue in validation.issues:
        assert str(issue.row) in html
    found = audit(browser, tmp_path / "report.html", OUTPUT / "validate.png")
    assert found["violations"] == [] and found["errors"] == [] and found["requests"] == []


def test_record_rows_escape_every_cell_a_column_at_a_time():
    """The record tables are escaped a column at a time; a cell holding the joint used for that is escaped alone."""
    from types import SimpleNamespace

    from disruption_qa.render.templates import record_rows

    plain = SimpleNamespace(cells=[["D1", 'D"2'], ["<b>", "a & b"]])
    assert str(record_rows(plain)) == (
        '<tr><th scope="row">D1</th><td>&lt;b&gt;</td></tr>\n<tr><th scope="row">D&#34;2</th><td>a &amp; b</td></tr>'
    )
    joint = SimpleNamespace(cells=[["D1", "D2"], ["x\x00<i>", "'"]])
    assert str(record_rows(joint)) == (
        '<tr><th scope="row">D1</th><td>x\x00&lt;i&gt;</td></tr>\n<tr><th scope="row">D2</th><td>&#39;</td></tr>'
    )
    assert str(record_rows(SimpleNamespace(cells=[]))) == ""


def test_each_template_renders_one_context_object():
    """Pages see only ``page`` (charts only ``chart``) and the registered filters: no loose names, no functions."""
    import jinja2.meta

    from disruption_qa.render.templates import FILTERS, environment

    env = environment()
    names = env.list_templates()
    assert {"report.html", "index.html", "validation.html", "diff.html", "_chart.svg"} <= set(names)
    # the one partial given its own names, by the {% with %} of the pages that include it
    own = {"_chart.svg": {"chart"}, "_style.css": set(), "_validation_table.html": {"groups", "caption"}}
    for name in names:
        source = env.loader.get_source(env, name)[0]
        assert jinja2.meta.find_undeclared_variables(env.parse(source)) == own.get(name, {"page"}), name
    assert set(FILTERS) <= set(env.filters)


def test_every_field_of_every_page_context_is_documented():
    import dataclasses
    import inspect

    from disruption_qa.render import pages

    classes = [pages.Page, pages.ReportPage, pages.ReportCharts, pages.IndexPage, pages.FunnelFigure]
    classes += [pages.ControlFigure]
    classes += [pages.ValidationPage, pages.DiffPage]
    for cls in classes:
        assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("), cls  # a docstring of its own
        lines = inspect.getsource(cls).splitlines()
        for f in dataclasses.fields(cls):
            at = [i for i, line in enumerate(lines) if line.strip().startswith(f"{f.name}:")]
            if not at and f.name in {g.name for g in dataclasses.fields(pages.Page)}:
                continue  # inherited from Page, documented there
            assert at and lines[at[0] - 1].strip().startswith("#:"), f"{cls.__name__}.{f.name} has no #: comment"
