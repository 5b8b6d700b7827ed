"""Every example in the guides and in the docstrings runs as shown, in a fresh interpreter.

What runs, page by page (``docs/*.rst``, in page order, one namespace per page, as a
reader who types along in one interpreter session would):

- the examples of every ``.. doctest::`` directive and every bare ``>>>`` block; their
  output is compared as Sphinx's doctest builder compares it (ELLIPSIS,
  IGNORE_EXCEPTION_DETAIL);
- every ``.. code-block:: python`` (or ``py``, ``python3``) block, executed as a script.

What never runs: ``::`` literal blocks, which on these pages show messages and output,
never code; ``.. code-block::`` blocks in other languages (console, toml, sql, ...).

Docstrings are checked one by one, each in an empty namespace, since the reference
shows each on its own. Left out here: the hypothesis strategies in
``propcrm.testing`` (their own tests run them) and the policy-key table
``propcrm._policy_keys``, whose module example still uses its module's own names.

Nothing supplies names behind the reader's back: no ``doctest_global_setup`` in the
Sphinx configuration, no ``testsetup`` or ``testcleanup`` block on any page.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.rst"))
PYTHON_LANGUAGES = {"python", "py", "python3"}

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?P<name>[\w-]+)::\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:[\w-]+:")

# Runs in the fresh interpreter: reads the page's chunks as JSON from standard input.
_RUN_PAGE = """
import doctest, json, sys
page, chunks = json.load(sys.stdin)
flags = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
runner = doctest.DocTestRunner(optionflags=flags)
parser = doctest.DocTestParser()
namespace = {"__name__": "__main__"}
for kind, line, text in chunks:
    name = f"{page}:{line}"
    if kind == "doctest":
        test = parser.get_doctest(text, {}, name, page, line - 1)
        test.globs = namespace  # one namespace for the whole page
        runner.run(test, clear_globs=False)
    else:
        try:
            exec(compile(text, name, "exec"), namespace)
        except Exception:
            import traceback
            print(f"{name}: the code block raised")
            traceback.print_exc(file=sys.stdout)
            runner.failures += 1
sys.exit(1 if runner.failures else 0)
"""

_RUN_DOCSTRINGS = """
import doctest, importlib, pkgutil, sys
import propcrm
flags = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
runner = doctest.DocTestRunner(optionflags=flags)
finder = doctest.DocTestFinder(exclude_empty=True)
tested = 0
for info in pkgutil.walk_packages(propcrm.__path__, "propcrm."):
    if (
        info.name.endswith("__main__")
        or info.name == "propcrm._policy_keys"
        or (info.name.startswith("propcrm.testing.") and "strateg" in info.name)
    ):
        continue
    module = importlib.import_module(info.name)
    for test in finder.find(module, globs={}):
        tested += len(test.examples)
        runner.run(test)  # clears the namespace after each docstring
print(f"{tested} examples")
sys.exit(1 if runner.failures or not tested else 0)
"""


def _block(lines: list[str], start: int, indent: int) -> tuple[int, list[str]]:
    """The lines indented deeper than ``indent`` from ``start``, and the index after them."""
    body: list[str] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
        index += 1
    while body and not body[-1].strip():
        body.pop()
    return index, body


def _dedent(body: list[str]) -> str:
    """The block's text without its common indentation."""
    depth = min(len(line) - len(line.lstrip()) for line in body if line.strip())
    return "\n".join(line[depth:] for line in body) + "\n"


def page_chunks(text: str) -> list[tuple[str, int, str]]:
    """The code of one page to run, in page order: (kind, first line, text) per block."""
    lines = text.splitlines()
    chunks: list[tuple[str, int, str]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        directive = _DIRECTIVE.match(line)
        if directive:
            indent = len(directive["indent"])
            end, body = _block(lines, index + 1, indent)
            # the options come first, then a blank line, then the content
            first = index + 2  # the line after the directive, counted from 1
            while body and (not body[0].strip() or _OPTION.match(body[0].strip())):
                body.pop(0)
                first += 1
            name, argument = directive["name"], directive["argument"].strip()
            if body and name == "doctest":
                chunks.append(("doctest", first, _dedent(body)))
            elif body and name in {"code-block", "sourcecode"} and argument in PYTHON_LANGUAGES:
                chunks.append(("code", first, _dedent(body)))
            index = end
        elif line.lstrip().startswith(">>>"):
            start = index
            while index < len(lines) and lines[index].strip():
                index += 1
            chunks.append(("doctest", start + 1, _dedent(lines[start:index])))
        elif line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            # a literal block: shown, never run
            indent = len(line) - len(line.lstrip())
            index, _ = _block(lines, index + 1, indent)
        else:
            index += 1
    return chunks


def _run(script: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter with the sources on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-c", script],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_rule_finds_doctest_and_python_blocks_only() -> None:
    """Doctest directives, bare >>> blocks and python code blocks run; literal blocks do not."""
    page = (
        "Title\n=====\n\n"
        ".. doctest::\n   :options: +ELLIPSIS\n\n   >>> 1 + 1\n   2\n\n"
        "A message::\n\n    policy: expected a Policy\n\n"
        ".. code-block:: toml\n\n   tz = 1\n\n"
        ".. code-block:: python\n\n   x = 1\n\n"
        ">>> x\n1\n"
    )
    assert page_chunks(page) == [
        ("doctest", 7, ">>> 1 + 1\n2\n"),
        ("code", 20, "x = 1\n"),
        ("doctest", 22, ">>> x\n1\n"),
    ]


def test_no_names_are_supplied_behind_the_reader() -> None:
    """Neither the Sphinx configuration nor any page sets up names the reader cannot see."""
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "doctest_global_setup" not in conf
    hidden = [
        str(path.relative_to(ROOT))
        for path in DOCS.rglob("*.rst")
        if re.search(r"^\s*\.\. test(setup|cleanup)::", path.read_text(encoding="utf-8"), re.M)
    ]
    assert hidden == []


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_page_runs_as_shown(page: Path) -> None:
    """The page's visible code runs top to bottom in a fresh interpreter."""
    chunks = page_chunks(page.read_text(encoding="utf-8"))
    result = _run(_RUN_PAGE, json.dumps([f"docs/{page.name}", chunks]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_docstring_examples_run_as_shown() -> None:
    """Each docstring's examples run alone in an empty namespace."""
    result = _run(_RUN_DOCSTRINGS, "")
    assert result.returncode == 0, result.stdout + result.stderr
