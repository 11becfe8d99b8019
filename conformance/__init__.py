"""``python -m conformance``: the conformance runner (the code is in ``asl_engine.conformance``).

This directory also holds the pass-rate floors (``floor.json``) and the project's own cases
(``cases/``, same format as the AWS-recorded ones).
"""
