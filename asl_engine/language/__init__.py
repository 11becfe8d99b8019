"""The expression languages: JSONPath, JSONata, intrinsic functions, payload templates, Choice rules.

jsonata-python sets ``sys.setrecursionlimit(10000)`` when it is first imported. The engine never
changes process-wide state (a host program keeps its own limit, and ten thousand Python frames can
overflow a thread's C stack, which crashes the process instead of raising ``RecursionError``), so
the package imports jsonata-python here, first, and puts the host's limit back.
"""

import sys as _sys

_host_limit = _sys.getrecursionlimit()
import jsonata as _jsonata  # noqa: E402, F401  (imported for its side effect, undone below)

_sys.setrecursionlimit(_host_limit)
del _host_limit
