"""Compiled templates are kept in the user's cache folder between runs, and never stop a run."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from disruption_qa.render import templates


def fresh_environment():
    templates.environment.cache_clear()
    return templates.environment()


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield tmp_path / "cache"
    templates.environment.cache_clear()


def test_a_template_compiled_once_is_loaded_compiled_by_the_next_run(cache_home, monkeypatch):
    first = fresh_environment().get_template("_chart.svg")
    kept = list(cache_home.glob("disruption-qa/templates-*/*"))
    assert kept, "the compiled template is kept"

    def compile_again(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", compile_again)
    second = fresh_environment().get_template("_chart.svg")  # from the cache: compile() is never called
    assert second is not first and second.root_render_func.__code__.co_code == first.root_render_func.__code__.co_code


def test_a_changed_template_is_compiled_again(cache_home):
    sources = {"page": "one"}
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: sources[name]), bytecode_cache=templates.BytecodeCache()
    )
    assert env.get_template("page").render() == "one"
    sources["page"] = "two"
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: sources[name]), bytecode_cache=templates.BytecodeCache()
    )
    assert env.get_template("page").render() == "two"


def test_a_cache_folder_that_cannot_be_written_is_no_cache(cache_home):
    cache_home.parent.mkdir(parents=True, exist_ok=True)
    cache_home.write_text("a file where the folder would go")
    template = fresh_environment().get_template("_chart.svg")
    assert template.render is not None
    assert cache_home.read_text() == "a file where the folder would go"


def test_a_damaged_cache_file_is_compiled_again(cache_home):
    first = fresh_environment().get_template("_chart.svg")
    kept = list(cache_home.glob("disruption-qa/templates-*/*"))
    for file in kept:
        file.write_bytes(b"not bytecode")
    second = fresh_environment().get_template("_chart.svg")
    assert second.root_render_func.__code__.co_code == first.root_render_func.__code__.co_code
    assert all(file.read_bytes() != b"not bytecode" for file in kept)  # written again, compiled


def test_a_damaged_cache_file_that_starts_right_is_compiled_again(cache_home):
    from jinja2.bccache import bc_magic

    first = fresh_environment().get_template("_chart.svg")
    for file in cache_home.glob("disruption-qa/templates-*/*"):
        file.write_bytes(bc_magic + b"\x80\x02garbage")
    second = fresh_environment().get_template("_chart.svg")
    assert second.root_render_func.__code__.co_code == first.root_render_func.__code__.co_code


def test_changed_filters_are_a_new_cache(cache_home, monkeypatch, tmp_path):
    """jinja2 works some filters out when it compiles a template: a release with other filters (format.py or
    templates.py) must not use templates compiled with the old ones, though the templates are the same."""
    from disruption_qa import format as fmt

    before = templates.BytecodeCache().directory
    changed = tmp_path / "format.py"
    changed.write_text(Path(fmt.__file__).read_text("utf-8") + "\n# another release\n", "utf-8")
    monkeypatch.setattr(fmt, "__file__", str(changed))
    assert templates.BytecodeCache().directory != before
