"""Whole lines and one status line on a stream, written from several threads."""

from __future__ import annotations

import threading
from typing import IO

from asl_engine.cli.render.text import printable


class TerminalWriter:
    """Writes whole lines to one stream, keeping an optional status line at the bottom.

    The trace writes from the execution's thread while the progress display redraws from the main
    thread; both go through here so that a status line is cleared before a line is printed.
    """

    def __init__(self, stream: IO[str], *, status_enabled: bool = False) -> None:
        self.stream = stream
        self.status_enabled = status_enabled
        self._lock = threading.Lock()
        self._status = ""

    def line(self, text: str) -> None:
        with self._lock:
            if self._status:
                self.stream.write("\r\x1b[K")  # the next status() draws it again, up to date
                self._status = ""
            self.stream.write(printable(text) + "\n")
            self.stream.flush()

    def status(self, text: str) -> None:
        if not self.status_enabled:
            return
        with self._lock:
            if text == self._status:
                return
            self.stream.write("\r\x1b[K" + printable(text))
            self._status = text
            self.stream.flush()

    def clear_status(self) -> None:
        with self._lock:
            if self._status:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._status = ""
