"""Print the README's Python blocks marked for the wheel smoke test, as one script.

``.ci/run`` runs that script with the wheel installed in a fresh virtual environment, from a
directory outside the checkout, so the library examples a reader copies from the README are the ones
proven to work from an installed package. A block is marked by the HTML comment
``<!-- ci: wheel-smoke-test ... -->`` on the line above its opening fence. Standard library only:
it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MARKER = re.compile(r"^\s*<!--\s*ci:\s*wheel-smoke-test\b.*-->\s*$")
FENCE = re.compile(r"^```(\w*)\s*$")


def marked_blocks(text: str) -> list[str]:
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines[:-1]):
        opening = FENCE.match(lines[index + 1])
        if MARKER.match(line) and opening is not None:
            if opening[1] != "python":
                raise SystemExit(
                    f"README line {index + 1}: the wheel-smoke-test marker is above a {opening[1]!r} block"
                )
            end = next(i for i in range(index + 2, len(lines)) if lines[i].startswith("```"))
            blocks.append("\n".join(lines[index + 2 : end]))
    return blocks


def main(readme: str) -> int:
    blocks = marked_blocks(Path(readme).read_text(encoding="utf-8"))
    if not blocks:
        print(f"{readme}: no block is marked <!-- ci: wheel-smoke-test -->", file=sys.stderr)
        return 1
    print("\n\n".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
