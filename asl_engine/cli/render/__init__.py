"""How executions look to people on the command line, one job per module.

Everything here reads history events, never the interpreter, so the same renderers serve a live
execution (``asl run --trace``), a finished one (``asl run --history``) and a file saved earlier or
fetched from AWS (``asl history``).

* ``events``: history events as the renderers see them, and which state visit each belongs to;
* ``text``: short texts (durations, cut strings, compact JSON, a folded path of states);
* ``table``: the history table of ``--history`` and ``asl history``;
* ``terminal``: whole lines and one status line on a stream, from several threads;
* ``trace``: the live event log of ``--trace`` and ``--trace-file``;
* ``progress``: the one-line progress display, and ``EngineProbe``, the one place that looks inside a
  running execution for what its events cannot say (the next timer, a Distributed Map's counts);
* ``waits``: what the definition says about Wait states and retry intervals (their deadlines, and
  which of them are long enough to deserve a hint about ``--clock virtual``).
"""
