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
    "pictures",  # charts and diagrams drawn from the code at build time
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

# Links to Python's and attrs' documentation resolve against inventories read from
# Debian's documentation packages (python3.11-doc, python-attr-doc,
# python-hypothesis-doc, python-pytest-doc), so a build needs
# no network; `.ci/run` installs them. Without them the links stay plain text.
_INVENTORIES = {
    "python": ("https://docs.python.org/3", Path("/usr/share/doc/python3.11/html/objects.inv")),
    "attrs": (
        "https://www.attrs.org/en/stable",
        Path("/usr/share/doc/python-attr-doc/html/objects.inv"),
    ),
    "hypothesis": (
        "https://hypothesis.readthedocs.io/en/latest",
        Path("/usr/share/doc/python-hypothesis-doc/html/objects.inv"),
    ),
    "pytest": (
        "https://docs.pytest.org/en/stable",
        Path("/usr/share/doc/python-pytest-doc/html/objects.inv"),
    ),
}
intersphinx_mapping: dict[str, tuple[str, str | None]] = {
    name: (url, str(inventory))
    for name, (url, inventory) in _INVENTORIES.items()
    if inventory.exists()
}

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


# Names the reference shows but that have no page of their own: type variables, private
# protocols and aliases behind public signatures, and classes of libraries with no
# inventory on an offline machine (holidays, psycopg's pool).
nitpick_ignore_regex = [
    (r"py:(class|obj)", r"(.*\.)?[TR]"),
    (r"py:class", r"(propcrm\._complaints_policy\.)?HasGrading"),
    (r"py:class", r"HolidaysArg"),
    (r"py:class", r"propcrm\.privacy\._Sealed"),
    (r"py:class", r"propcrm\._calendar_hot\.Calendar"),
    (r"py:class", r"holidays\..*"),
    (r"py:class", r"(psycopg_pool\.)?ConnectionPool"),
]

# Signatures written with ``from datetime import datetime`` (or ``st.`` for hypothesis'
# strategies) show a short name; resolve it as the library's class.
_SHORT_NAMES = {
    "date": "datetime.date",
    "datetime": "datetime.datetime",
    "time": "datetime.time",
    "timedelta": "datetime.timedelta",
    "tzinfo": "datetime.tzinfo",
    "Decimal": "decimal.Decimal",
    "st.SearchStrategy": "hypothesis.strategies.SearchStrategy",
}


def _short_names(
    app: sphinx.application.Sphinx, env: object, node: nodes.Element, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve a short ``datetime``/``Decimal``/``st.SearchStrategy`` name through intersphinx."""
    target = node.get("reftarget")
    if node.get("refdomain") != "py" or target not in _SHORT_NAMES:
        return None
    from sphinx.ext import intersphinx

    node["reftarget"] = _SHORT_NAMES[target]
    return intersphinx.missing_reference(app, env, node, contnode)  # type: ignore[arg-type]


def setup(app: sphinx.application.Sphinx) -> None:
    """Register the reference's own autodoc rules and directives."""
    app.connect("missing-reference", _short_names)
    app.connect("autodoc-skip-member", _list_enum_members)
    app.connect("autodoc-process-bases", _public_bases)
    app.add_directive("propcrm-migrations", _Migrations)
