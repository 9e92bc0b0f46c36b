"""HTML pages from ``templates/`` with jinja2 (autoescape on): self-contained, no script.

Each page is one typed context (:mod:`.pages`) rendered by its template as the
single object ``page``; the environment, the loader over the shipped templates
and the filters are in :mod:`.templates`. Anything that came from an input file
is escaped (see :mod:`.templates`); the only markup inserted unescaped is each
chart's SVG, itself rendered from ``templates/_chart.svg`` with autoescape on.
A page is reproducible: the same inputs give the same bytes apart from the
generated-at line in the footer.
"""

from __future__ import annotations

import datetime as dt

from .pages import DiffPage, IndexPage, Page, ReportPage, ValidationPage
from .templates import compile_templates, environment

__all__ = ["compile_templates", "render", "render_diff", "render_index", "render_report", "render_validation"]


def render(page: Page) -> str:
    """A page's HTML: its template rendered with the page as its one context object."""
    return environment().get_template(page.template).render(page=page)


def render_report(data, *, now: dt.datetime | None = None) -> str:
    """The report of one organisation (a :class:`~disruption_qa.report.ReportData`)."""
    return render(ReportPage.build(data, now=now))


def render_index(comparison, *, files: list[dict], title: str, now: dt.datetime | None = None) -> str:
    """The regional or national index: the side-by-side table, funnel plots, inspectors' figures."""
    return render(IndexPage.build(comparison, files=files, title=title, now=now))


def render_diff(diff, *, now: dt.datetime | None = None) -> str:
    """What changed between two extractions."""
    return render(DiffPage.build(diff, now=now))


def render_validation(validation, *, now: dt.datetime | None = None) -> str:
    """The ``validate`` report: every problem, grouped by organisation and rule."""
    return render(ValidationPage.build(validation, now=now))
