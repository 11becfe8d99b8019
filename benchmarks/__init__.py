"""asl-engine's benchmark suite (issue 7): workloads W1-W7, our engine against its peers and a floor.

Run ``python benchmarks/run.py --help``. The suite is a measuring instrument, not a test: every run
checks the engine's answer against the workload's expected output, and a wrong answer is reported
as a failure, never as a timing.
"""
