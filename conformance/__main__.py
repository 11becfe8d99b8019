"""``python -m conformance [CASES_DIR]... [--cases DIR] [--json FILE] [--filter S] [-v]``."""

from asl_engine.cli.conformance import conformance_command

if __name__ == "__main__":
    conformance_command.main(prog_name="python -m conformance")
