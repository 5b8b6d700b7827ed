"""The public face: every public name imports, is typed, and is in the reference docs."""

import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import propcrm

DOCS = Path(__file__).resolve().parent.parent / "docs"
PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(propcrm.__path__, "propcrm.")
    if not any(part.startswith("_") for part in info.name.split("."))
)


def _reference_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.rst")))


def _documented_names() -> set[str]:
    """Qualified names the reference documents, via automodule (its __all__) or autoX."""
    text = _reference_text()
    names: set[str] = set()
    for module_name in re.findall(r"^\.\. automodule:: (\S+)", text, flags=re.M):
        module = importlib.import_module(module_name)
        names.update(f"{module_name}.{n}" for n in getattr(module, "__all__", ()))
    names.update(re.findall(r"^\.\. auto(?:class|function|data|exception):: (\S+)", text, re.M))
    return names


def test_all_is_importable() -> None:
    """Every name in propcrm.__all__ exists (ruff's RUF022 keeps the list sorted)."""
    for name in propcrm.__all__:
        assert hasattr(propcrm, name), name


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_module_has_an_all(module_name: str) -> None:
    """Each public module curates its names (ruff's RUF022 keeps the list sorted)."""
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    assert all(hasattr(module, name) for name in exported)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_module_is_in_the_reference(module_name: str) -> None:
    """A module nobody can find in the docs does not exist for users."""
    assert re.search(rf"^\.\. automodule:: {re.escape(module_name)}\s*$", _reference_text(), re.M)


def test_every_top_level_name_is_documented() -> None:
    """Each name re-exported by propcrm is documented where it is defined or re-exported."""
    documented = _documented_names()
    missing = []
    for name in propcrm.__all__:
        if name == "__version__":
            continue
        obj = getattr(propcrm, name)
        home = f"{getattr(obj, '__module__', 'propcrm')}.{name}"
        if home not in documented and f"propcrm.{name}" not in documented:
            missing.append(name)
    assert missing == []


def _public_callables() -> list[tuple[str, object]]:
    found = []
    for module_name in ["propcrm", *PUBLIC_MODULES]:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.append((f"{module_name}.{name}", obj))
    return found


@pytest.mark.parametrize(("qualname", "obj"), _public_callables())
def test_public_callables_have_resolvable_type_hints(qualname: str, obj: object) -> None:
    """Type hints of the public API resolve at runtime (no dangling forward references)."""
    target = obj.__init__ if inspect.isclass(obj) else obj  # type: ignore[misc]
    typing.get_type_hints(target)
    if inspect.isfunction(obj):
        assert "return" in typing.get_type_hints(obj), f"{qualname} has no return annotation"
