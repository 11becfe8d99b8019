#!/usr/bin/env python
"""asl-engine's benchmark suite: ``python benchmarks/run.py --help`` (see benchmarks/README.md)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from any directory

from benchmarks.cli import main

if __name__ == "__main__":
    sys.exit(main())
