"""A process that imports asl-engine once, then forks a fresh child to run each ``asl`` command.

The crash test kills children with SIGKILL dozens of times; starting a Python process that imports
the engine from scratch each time would take seconds. Forked from this single-threaded process, a
child starts in milliseconds, yet it is a process of its own: killing it loses exactly what a crash
of ``asl`` would lose.

Protocol, one JSON document per line: the parent writes ``{"argv": [...], "log": "<file>"}``; this
process answers ``{"pid": N}`` once the child runs, then ``{"pid": N, "status": S}`` when it ended
(S is the exit code, or minus the signal number that ended it). The child's stdout and stderr go
to ``log``.
"""

from __future__ import annotations

import json
import os
import sys

import click

from asl_engine.cli.main import cli


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request["argv"], request["log"])
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"pid": pid, "status": code}), flush=True)


def _child(argv: list[str], log: str) -> None:
    code = 70
    try:
        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        sys.stdin.close()
        try:
            result = cli.main(args=argv, prog_name="asl", standalone_mode=False)
            code = result if isinstance(result, int) else 0
        except click.ClickException as error:
            error.show()
            code = error.exit_code
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException as error:  # reported in the log, for the test to show
            print(f"child failed: {error!r}", file=sys.stderr)
            code = 71
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
