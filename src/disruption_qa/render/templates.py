"""The jinja2 environment over the shipped ``templates/``, and the filters the templates format with.

Both the pages (:mod:`.html`) and the charts (:mod:`.charts`) render through
this one environment; neither imports the other for it. Templates are read
through :mod:`importlib.resources` (:func:`disruption_qa.resources.data_dir`),
so they load from an installed wheel, a zip file or the checkout alike.

Autoescape is on: anything that came from an input file is escaped by the
template engine or, in the rows of the record tables (:func:`record_rows`), by
the same escape function before the rows are put together. Each template
renders one typed context object (the page's, from :mod:`.pages`, or a
:class:`~.charts.Chart`); how values are written (percentages, numbers, dates)
is the filters' work, registered here, so no function is passed in a context.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .. import __version__
from .. import format as fmt
from ..resources import data_dir


class TraversableLoader(jinja2.BaseLoader):
    """Templates read from an :mod:`importlib.resources` folder (a wheel's, a zip file's or the checkout's).

    jinja2's ``PackageLoader`` would do for the wheel, but it reads one folder
    of the package, and in a checkout the templates sit outside it.
    """

    def __init__(self, root: Traversable) -> None:
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        source = self.root.joinpath(*template.split("/"))
        if not source.is_file():
            raise jinja2.TemplateNotFound(template)
        # shipped templates do not change while the package is loaded: always up to date
        return source.read_text("utf-8"), str(source), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self._names(self.root, ""))

    def _names(self, folder: Traversable, prefix: str) -> list[str]:
        names = []
        for entry in folder.iterdir():
            if entry.is_dir():
                names += self._names(entry, f"{prefix}{entry.name}/")
            elif not entry.name.startswith("."):
                names.append(prefix + entry.name)
        return names


def record_rows(sign) -> Markup:
    """The body rows of a sign's record table (the first cell of each names the record).

    Escaped a column at a time, the column's cells joined around a character no
    cell holds: one call instead of one a cell (17,000 rows in a national run).
    """
    columns = [_escaped(column) for column in sign.cells]
    return Markup(
        "\n".join(
            f'<tr><th scope="row">{first}</th>' + "".join(f"<td>{cell}</td>" for cell in rest) + "</tr>"
            for first, *rest in zip(*columns)
        )
    )


def _escaped(cells: list[str], joint: str = "\x00") -> list[str]:
    joined = joint.join(cells)
    if joined.count(joint) != len(cells) - 1:  # a cell holds the joint (or there are none): one at a time
        return [str(escape(cell)) for cell in cells]
    return str(escape(joined)).split(joint)


#: How the index page words a force's place on a funnel plot.
FUNNEL_STATUS = {
    "within": "within the limits",
    "alert-high": "alert: above the 95% limit",
    "alert-low": "alert: below the 95% limit",
    "outlier-high": "outlier: above the 99.8% limit",
    "outlier-low": "outlier: below the 99.8% limit",
}


def funnel_status(status: str) -> str:
    """A funnel point's status in words."""
    return FUNNEL_STATUS[status]


FILTERS: dict[str, Callable] = {
    "pct": fmt.share,
    "num": fmt.number,
    "uk_date": fmt.date,
    "record_rows": record_rows,
    "funnel_status": funnel_status,
}


def shown(value):
    """Every ``{{ expression }}`` of a page, before it is escaped: text with its control characters made
    visible (``\\x1b``), so no value from an export hides in a report; markup (a chart) stays markup."""
    if isinstance(value, Markup):
        return Markup(fmt.visible(str(value)))
    return fmt.visible(value) if isinstance(value, str) else value


#: How the templates are compiled (the bytecode cache's folder is named after these).
OPTIONS = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


class BytecodeCache(jinja2.FileSystemBytecodeCache):
    """The templates compiled by an earlier run, kept in the user's cache folder: compiling them costs more than
    reading a small force's export. jinja2 recompiles a template whose source has changed. What else a compiled
    template depends on names the folder: jinja2's version, the compile options, and the code of the filters
    (jinja2 works some of them out at compile time), that is, this module and :mod:`disruption_qa.format`. A
    cache that cannot be read or written is no cache: the run goes on without it."""

    def __init__(self) -> None:
        import hashlib

        import platformdirs

        settings = hashlib.sha256(f"{jinja2.__version__} {__version__} {sorted(OPTIONS.items())}".encode())
        for module in (__file__, fmt.__file__):
            with suppress(OSError, TypeError):  # (a package run from a zip file: its version stands for them)
                settings.update(Path(module).read_bytes())
        folder = Path(platformdirs.user_cache_dir("disruption-qa", appauthor=False))
        super().__init__(str(folder / f"templates-{settings.hexdigest()[:16]}"))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable or damaged: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with suppress(OSError):
            Path(self.directory).mkdir(parents=True, exist_ok=True, mode=0o700)
            super().dump_bytecode(bucket)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        finalize=shown,
        loader=TraversableLoader(data_dir("templates")),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates do not change during a run: no check each time one is used
        bytecode_cache=BytecodeCache(),
        **OPTIONS,
    )
    env.filters.update(FILTERS)
    return env


def compile_templates() -> None:
    """Compile every template now, so that forked report workers inherit them compiled."""
    env = environment()
    for name in env.list_templates():
        env.get_template(name)
