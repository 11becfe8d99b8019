"""A Distributed Map's run: the driver that keeps AWS's semantics, and the executors that run children.

``executor.py`` is the protocol (what crosses to an executor and what comes back), ``driver.py``
the Map Run itself, ``inputs.py`` and ``results.py`` the items in and the results out (both
streamed), ``child.py`` one child execution, ``records.py`` the finished children a Map Run keeps,
``in_process.py`` the default executor (``lone_task.py`` its plain calls for children that are one
Task answered at once). Executors that run children in other processes live in
``asl_engine.executors``.
"""
