"""The ``propcrm`` command.

``propcrm --version``;

``propcrm policy show [FILE] [--format toml|json]``
    prints the default policy, or the effective policy of a company's file (its
    keys merged over the defaults), as TOML with a comment above every key;
``propcrm policy diff FILE``
    lists each key a company's file changes: its path, the default and the
    company's value;
``propcrm policy check FILE``
    validates a company's policy file;
``propcrm whatif --db PATH --policy FILE``
    shows what another policy would change in a database's stored events
    (``propcrm whatif --help`` lists its options).
``propcrm copy --from SQLITE --to POSTGRES``
    copies a whole store into PostgreSQL, verifying each table's count
    (``propcrm._cli_copy``).
``propcrm demo`` and ``propcrm report``
    live an invented portfolio through the desks and report on it, or report on
    any propcrm database (:mod:`propcrm.demo`, :mod:`propcrm.report`).

Each exits 0, or 2 with every problem of the file listed by dotted path.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from propcrm import __version__, _cli_copy, _cli_whatif
from propcrm._policy_file import as_written, changes, inline
from propcrm.demo._command import add_demo_command
from propcrm.errors import PolicyError
from propcrm.policy import Policy
from propcrm.report._command import add_report_command

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        status: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``propcrm policy show | head``): that is not a failure.
        # Point stdout at devnull so the flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OK
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="propcrm",
        description="Customer-relationship rules for property management.",
    )
    parser.add_argument("--version", action="version", version=f"propcrm {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    policy = commands.add_parser("policy", help="show or check a company's policy")
    policy_commands = policy.add_subparsers(title="policy commands", metavar="ACTION")
    policy.set_defaults(run=lambda _: _usage(policy))

    show = policy_commands.add_parser(
        "show", help="print the default policy, or the effective policy of a file"
    )
    show.add_argument("file", nargs="?", help="a company's policy file (.toml or .json)")
    show.add_argument("--format", choices=("toml", "json"), default="toml")
    show.set_defaults(run=_policy_show)

    diff = policy_commands.add_parser("diff", help="list what a policy file changes")
    diff.add_argument("file", help="the company's policy file (.toml or .json)")
    diff.set_defaults(run=_policy_diff)

    check = policy_commands.add_parser("check", help="validate a policy file (.toml or .json)")
    check.add_argument("file", help="the policy file to check")
    check.set_defaults(run=_policy_check)
    _cli_whatif.add_parser(commands)
    _cli_copy.register(commands)
    add_demo_command(commands)
    add_report_command(commands)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_INVALID


def _load(file: str | None) -> Policy | None:
    """The policy of ``file`` (the defaults without one); ``None`` after reporting problems."""
    if file is None:
        return Policy()
    try:
        return Policy.load(file)
    except PolicyError as e:
        sys.stderr.write(f"{e}\n")
        return None


def _policy_show(args: argparse.Namespace) -> int:
    policy = _load(args.file)
    if policy is None:
        return EXIT_INVALID
    sys.stdout.write(policy.to_json() if args.format == "json" else policy.to_toml())
    return EXIT_OK


def _policy_diff(args: argparse.Namespace) -> int:
    policy = _load(args.file)
    if policy is None:
        return EXIT_INVALID
    company, default = policy.to_file_mapping(), Policy().to_file_mapping()
    if "sets" in company["sla"]:  # written out: compare them with the default sets
        default["sla"]["sets"] = as_written(Policy().to_mapping()["sla"]["sets"])
    found = changes(default, company)
    if not found:
        sys.stdout.write(f"{args.file}: no changes from the defaults\n")
    for change in found:
        sys.stdout.write(f"{change.path}: {inline(change.default)} -> {inline(change.company)}\n")
    return EXIT_OK


def _policy_check(args: argparse.Namespace) -> int:
    if _load(args.file) is None:
        return EXIT_INVALID
    sys.stdout.write(f"{args.file}: ok\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    raise SystemExit(main())
