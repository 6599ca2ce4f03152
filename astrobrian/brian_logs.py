"""Brian2's log messages: mute named ones for a block, pass every other one on untouched.

Brian2's own `catch_logs` is not usable for this: its handler is never removed when the block
ends (brian2 2.9), so every later message is captured again, and re-logging captured messages
from inside it never ends. A filter on Brian2's handlers for the length of the block has none
of that: it keeps nothing and removes itself.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator


class _MuteNames(logging.Filter):
    """Drops records whose logger name ends with one of `suffixes` (Brian2's message names)."""

    def __init__(self, suffixes: tuple[str, ...]):
        super().__init__()
        self.suffixes = suffixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.endswith(self.suffixes)


@contextmanager
def muted_brian_messages(*suffixes: str) -> Iterator[None]:
    """Within the block, Brian2 messages named `suffixes` (e.g. 'synapses_dt_mismatch',
    'unused_brian_object') are dropped; everything else is logged as usual."""
    mute = _MuteNames(tuple(suffixes))
    handlers = list(logging.getLogger("brian2").handlers)
    for handler in handlers:
        handler.addFilter(mute)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(mute)


__all__ = ["muted_brian_messages"]
