"""Every script in ``examples/`` runs as shown, in a fresh interpreter, from the repository root."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_the_examples_are_found() -> None:
    """The examples folder holds the scripts the README and the docs point to."""
    names = {path.name for path in EXAMPLES}
    assert {
        "quick_start.py",
        "policy_check.py",
        "web_handler.py",
        "sla_report_from_csv.py",
        "custom_storage_adapter.py",
    } <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs(script: Path) -> None:
    """The script exits 0 with the sources on the path and warnings as errors."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, str(script.relative_to(ROOT))],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
