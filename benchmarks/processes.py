"""The environment of a measured Python process: with bytecode caches, as users run Python.

A development shell may set ``PYTHONDONTWRITEBYTECODE`` (this project's does): every process then
compiles every module it imports from source, and pytest rewrites the asserts of every module of a
plugin's package again, which is what such a process measures instead of the import (about four
fifths of ``import`` time and seconds of a pytest run). An installed package has its ``.pyc`` files
(pip writes them), so the process-level benchmarks drop the variable.
"""

from __future__ import annotations

import os


def compiled_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
