"""The README's code runs: a snippet readers copy must not be stale."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_a_code_example() -> None:
    """The README shows code, not only prose."""
    assert SNIPPETS


@pytest.mark.parametrize("code", SNIPPETS)
def test_readme_snippet_runs(code: str) -> None:
    """Each python block of the README executes without error."""
    exec(compile(code, str(README), "exec"), {"__name__": "readme"})
