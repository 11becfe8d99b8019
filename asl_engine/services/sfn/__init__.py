"""``aws-sdk:sfn``: Step Functions' own API against this engine's machines, executions and tokens."""
