"""``.. propcrm-mutation-results::``: the mutation-testing results page, from its data file.

The directive reads ``docs/mutation/results.json`` (written by ``tools/mutation.py``)
when the documentation is built, so every number on the page comes from a recorded
run and none is typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import sphinx.application
from docutils import nodes
from docutils.statemachine import StringList
from mutation_page import render
from sphinx.util.docutils import SphinxDirective

RESULTS = Path("mutation") / "results.json"


class MutationResults(SphinxDirective):
    """Render ``mutation/results.json`` (next to ``conf.py``) as tables and diffs."""

    def run(self) -> list[nodes.Node]:
        path = Path(self.env.srcdir) / RESULTS
        self.env.note_dependency(str(path))
        results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        container = nodes.container()
        self.state.nested_parse(StringList(render(results), str(path)), 0, container)
        return list(container.children)


def setup(app: sphinx.application.Sphinx) -> dict[str, object]:
    """Register the directive."""
    app.add_directive("propcrm-mutation-results", MutationResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
