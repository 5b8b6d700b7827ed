"""The propcrm command line."""

import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from propcrm import Policy, __version__
from propcrm.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version."""
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"propcrm {__version__}"


def test_policy_show_toml_is_the_default_policy(capsys: pytest.CaptureFixture[str]) -> None:
    """`policy show` prints the complete default policy as TOML."""
    assert main(["policy", "show"]) == 0
    out = capsys.readouterr().out
    assert Policy.from_mapping(tomllib.loads(out)) == Policy()


def test_policy_show_comments_each_key(capsys: pytest.CaptureFixture[str]) -> None:
    """Each key has its meaning, unit, Chinese term and source above it."""
    assert main(["policy", "show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[lines.index('tz = "Asia/Shanghai"') - 1] == (
        "# the company's time zone; calendars that name none use it (IANA name) · 时区 · Decision"
    )


def test_policy_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`policy show --format json` prints the same policy as JSON."""
    assert main(["policy", "show", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == Policy().to_file_mapping()


def _company(tmp_path: Path, text: str, name: str = "company.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_show_file_prints_the_effective_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`policy show FILE` prints the company's keys merged over the defaults."""
    path = _company(tmp_path, '[grading.resolve_within]\nmajor = "96h"\n')
    assert main(["policy", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert tomllib.loads(out)["grading"]["resolve_within"] == {
        "general": "24h",
        "important": "48h",
        "hot": "48h",
        "major": "96h",
    }
    assert Policy.from_toml(out) == Policy.load(path)


def test_policy_show_of_an_invalid_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The problems go to stderr, nothing to stdout."""
    path = _company(tmp_path, "[vip]\nvalidity_years = 0\n")
    assert main(["policy", "show", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "vip.validity_years: expected an integer from 1 to 20, got 0" in err


def test_policy_diff_lists_path_default_and_company_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line per changed key, in document order of the defaults."""
    text = '[vip]\nvalidity_years = 5\n[grading.resolve_within]\nmajor = "96h"\n'
    assert main(["policy", "diff", str(_company(tmp_path, text))]) == 0
    assert capsys.readouterr().out == (
        'vip.validity_years: 3 -> 5\ngrading.resolve_within.major: "72h" -> "96h"\n'
    )


def test_policy_diff_of_written_sla_sets_names_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sets written out are compared with the default sets, item by item."""
    data = Policy().to_mapping()
    data["sla"]["sets"][0]["targets"][0]["allowance"]["duration"] = "5m"
    path = _company(tmp_path, json.dumps(data), "company.json")
    assert main(["policy", "diff", str(path)]) == 0
    assert capsys.readouterr().out == 'sla.sets[0].targets[0].allowance.duration: "3m" -> "5m"\n'


def test_policy_diff_of_the_defaults_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that changes nothing is reported as such."""
    path = _company(tmp_path, Policy().to_toml())
    assert main(["policy", "diff", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: no changes from the defaults\n"


def test_policy_diff_of_an_invalid_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 with every problem by path, as check does."""
    path = _company(tmp_path, 'tz = "Mars/Olympus"\n')
    assert main(["policy", "diff", str(path)]) == 2
    assert "tz: expected an IANA time-zone name" in capsys.readouterr().err


def test_policy_check_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid file exits 0."""
    path = tmp_path / "company.toml"
    path.write_text(Policy().to_toml(), encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok\n"


def test_policy_check_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid file exits 2 and lists each problem by path."""
    path = tmp_path / "company.json"
    path.write_text('{"tz": 1, "colour": "red"}', encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "colour: unknown key" in err


def test_bare_commands_print_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """With no command, usage goes to stderr and the exit status is 2."""
    assert main([]) == 2
    assert main(["policy"]) == 2
    assert "usage: propcrm" in capsys.readouterr().err


def test_module_entry_point_runs() -> None:
    """`python -m propcrm` is the same command."""
    done = subprocess.run(
        [sys.executable, "-m", "propcrm", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"propcrm {__version__}"


def test_policy_check_of_a_deeply_nested_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file nested beyond reason is an invalid policy, not a crash."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 2
    assert "the document nests too deeply" in capsys.readouterr().err


def test_policy_show_into_a_closed_pipe_exits_quietly() -> None:
    """`propcrm policy show | head -c0` ends with status 0 and no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write fails with a broken pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "propcrm", "policy", "show"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")


class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone away."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self._fd


def test_a_closed_stdout_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the reader goes away, output is dropped and the status is 0."""
    with (tmp_path / "out").open("w") as out:
        monkeypatch.setattr(sys, "stdout", _ClosedPipe(out.fileno()))
        assert main(["policy", "show"]) == 0
