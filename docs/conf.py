"""Sphinx configuration for propcrm's documentation."""

import enum
import sys
from pathlib import Path

import sphinx.application
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
# The rules reference is generated at build time by a local extension (docs/_ext).
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

import propcrm

project = "propcrm"
author = "propcrm maintainers"
copyright = "2026, propcrm maintainers"
release = propcrm.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "rules_reference",
    "mutation_results",
    "myst_parser",  # the changelog is Markdown
    "sphinx_copybutton",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

html_theme = "furo"
html_title = f"propcrm {release}"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

# The reference documents types from the standard library and attrs by name only.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpicky = False

exclude_patterns = ["_build"]


def _list_enum_members(
    app: object, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """Show every member of an enum in the reference, documented or not."""
    if isinstance(obj, enum.Enum) and what == "class":
        return False
    return None


class _Migrations(SphinxDirective):
    """``.. propcrm-migrations::``: each schema step by name, with its SQL, from the code."""

    def run(self) -> list[nodes.Node]:
        from propcrm.storage.sqlite import MIGRATIONS

        steps = nodes.definition_list()
        for migration in MIGRATIONS:
            sql = ";\n".join(migration.statements) + ";"
            block = nodes.literal_block(sql, sql, language="sql")
            steps += nodes.definition_list_item(
                "",
                nodes.term("", "", nodes.literal(migration.name, migration.name)),
                nodes.definition("", block),
            )
        return [steps]


def _public_bases(app: object, name: str, obj: object, options: object, bases: list[type]) -> None:
    """Show only public base classes: private parts (mixins) are the module's business."""
    public = [b for b in bases if not any(p.startswith("_") for p in b.__module__.split("."))]
    bases[:] = public or [object]


def setup(app: sphinx.application.Sphinx) -> None:
    """Register the reference's own autodoc rules and directives."""
    app.connect("autodoc-skip-member", _list_enum_members)
    app.connect("autodoc-process-bases", _public_bases)
    app.add_directive("propcrm-migrations", _Migrations)
