"""Print the README's quick-start commands, one per line, exactly as written.

CI runs what a newcomer copies, so the commands are parsed from the README,
never copied into the CI script: the one-line commands of the ``console``
blocks in the "Quick start" section, in order. Exits 1 unless there are
exactly two.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def quick_start_commands(readme: str) -> list[str]:
    """The one-line commands of the console blocks under ``## Quick start``."""
    match = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.M | re.S)
    if match is None:
        return []
    blocks = re.findall(r"^```console\n(.*?)^```", match.group(1), re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def main() -> int:
    commands = quick_start_commands(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if len(commands) != 2:
        print(
            f"expected 2 quick-start commands in the README, found {len(commands)}", file=sys.stderr
        )
        return 1
    print("\n".join(commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
