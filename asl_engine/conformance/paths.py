"""Where the runner looks by default, relative to the repository root.

The AWS-recorded cases live beside the repository (``../shared/conformance/cases``) and are never
copied into it; a checkout elsewhere (a CI clone) points at them with ``ASL_CONFORMANCE_CASES``.
The project's own cases and the floors live in ``conformance/``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CASES_DIR = Path(
    os.environ.get("ASL_CONFORMANCE_CASES") or REPO_ROOT.parent / "shared" / "conformance" / "cases"
)
PROJECT_CASES_DIR = REPO_ROOT / "conformance" / "cases"
DEFAULT_FLOOR_FILE = REPO_ROOT / "conformance" / "floor.json"
