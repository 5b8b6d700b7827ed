"""The ``propcrm`` command.

``propcrm --version``; ``propcrm policy show [--format toml|json]`` prints the
complete default policy a company can start its own from; ``propcrm policy
check FILE`` validates a company's policy file (exit 0, or exit 2 with every
problem listed by dotted path).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from propcrm import __version__
from propcrm.errors import PolicyError
from propcrm.policy import Policy

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

    show = policy_commands.add_parser("show", help="print the complete default policy")
    show.add_argument("--format", choices=("toml", "json"), default="toml")
    show.set_defaults(run=_policy_show)

    check = policy_commands.add_parser("check", help="validate a policy file (.toml or .json)")
    check.add_argument("file", help="the policy file to check")
    check.set_defaults(run=_policy_check)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_INVALID


def _policy_show(args: argparse.Namespace) -> int:
    policy = Policy()
    sys.stdout.write(policy.to_json() if args.format == "json" else policy.to_toml())
    return EXIT_OK


def _policy_check(args: argparse.Namespace) -> int:
    try:
        Policy.load(args.file)
    except PolicyError as e:
        sys.stderr.write(f"{e}\n")
        return EXIT_INVALID
    sys.stdout.write(f"{args.file}: ok\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    raise SystemExit(main())
