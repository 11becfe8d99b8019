"""Durable executions: the journal an execution records, and its replay (see ``recorder``)."""
