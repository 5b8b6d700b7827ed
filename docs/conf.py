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

# Docstrings shown by autodoc are doctested here as well as by pytest (--doctest-modules):
# give them every name their own module exports, as they would have at home.
doctest_global_setup = """
import importlib as _importlib
import pkgutil as _pkgutil
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import propcrm

for _info in _pkgutil.walk_packages(propcrm.__path__, "propcrm."):
    if _info.name.endswith("__main__"):
        continue
    _module = _importlib.import_module(_info.name)
    globals().update({_n: getattr(_module, _n) for _n in getattr(_module, "__all__", ())})
from propcrm import *
"""

exclude_patterns = ["_build"]


def _public_bases(app, name, obj, options, bases):
    """Show only public base classes: private parts (mixins) are the module's business."""
    public = [b for b in bases if not any(p.startswith("_") for p in b.__module__.split("."))]
    bases[:] = public or [object]


def setup(app):
    """Hide the private mixins a public class is put together from."""
    app.connect("autodoc-process-bases", _public_bases)
