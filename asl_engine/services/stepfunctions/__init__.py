"""AWS Step Functions: nested executions behind ``arn:aws:states:::states:startExecution``."""

from asl_engine.services.stepfunctions.executions import StartExecutionTask, StateMachines

__all__ = ["StartExecutionTask", "StateMachines"]
