"""A small progress bar on stderr (no dependency): one redrawn line on a terminal, plain lines
otherwise (logs, CI)."""

from __future__ import annotations

import sys
import time
import weakref
from typing import TextIO

#: bars whose terminal line is still open (drawn, not yet ended by a newline)
_OPEN: "weakref.WeakSet[ProgressBar]" = weakref.WeakSet()


class ProgressBar:
    """`bar(done, total, label, final)` draws `[#####.....] done/total label (elapsed)`; on a
    terminal the line is closed when `final` (default: done ≥ total, for totals known up front)."""

    def __init__(self, stream: TextIO | None = None, width: int = 24):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.start = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0

    def __call__(self, done: int, total: int, label: str = "", final: bool | None = None) -> None:
        filled = min(self.width, int(self.width * done / max(1, total)))
        bar = "#" * filled + "." * (self.width - filled)
        line = f"[{bar}] {done}/{total} {label} ({time.perf_counter() - self.start:.0f} s)"
        if self.tty:
            pad = max(0, self._last - len(line))
            end = done >= total if final is None else final
            self.stream.write("\r" + line + " " * pad + ("\n" if end else ""))
            self._last = 0 if end else len(line)
            (_OPEN.discard if end else _OPEN.add)(self)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def end_lines() -> None:
    """End the terminal line of every bar still drawing, so that a message printed next (an
    interruption, an error) starts on a line of its own."""
    for bar in list(_OPEN):
        bar.stream.write("\n")
        bar.stream.flush()
        bar._last = 0
    _OPEN.clear()
