"""The README's code runs and shows what it states: a snippet readers copy must not be stale."""

import doctest
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_a_code_example() -> None:
    """The README shows code, not only prose."""
    assert SNIPPETS


def test_readme_snippets_state_their_results() -> None:
    """Each python block is a session (``>>>``) whose results are written out, not comments."""
    for code in SNIPPETS:
        assert code.startswith(">>> "), code[:60]
        assert "# ->" not in code


@pytest.mark.parametrize("code", SNIPPETS)
def test_readme_snippet_shows_its_real_results(code: str) -> None:
    """Each python block runs as a doctest: every result it shows is the one it gets."""
    test = doctest.DocTestParser().get_doctest(
        code, {"__name__": "readme"}, "README", str(README), 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def _quick_start_commands() -> list[str]:
    import importlib.util

    path = README.parent / ".ci" / "readme_commands.py"
    spec = importlib.util.spec_from_file_location("readme_commands", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    commands: list[str] = module.quick_start_commands(README.read_text(encoding="utf-8"))
    return commands


def test_quick_start_is_two_one_line_commands() -> None:
    """The quick start is exactly two commands, the main job first, then the tests."""
    first, second = _quick_start_commands()
    assert first.startswith("python3 -m venv .venv && ")
    assert "propcrm " in first
    assert second.startswith("python3 -m venv .venv && ")
    assert second.endswith("-m pytest")


def test_quick_start_needs_no_activated_environment() -> None:
    """Every program the quick start runs after creating the venv is the venv's own."""
    for command in _quick_start_commands():
        for part in command.split(" && ")[1:]:
            assert part.startswith(".venv/bin/"), part
