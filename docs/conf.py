"""Sphinx configuration for propcrm's documentation."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

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
]

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
