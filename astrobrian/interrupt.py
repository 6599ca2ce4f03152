"""Ctrl+C and SIGTERM stop a command at once, and never get lost.

`StopOnSignal` (around each command, in `astrobrian.cli.main`) makes SIGTERM behave like
Ctrl+C: both raise KeyboardInterrupt in the main thread, also inside a Brian2 run (whose own
handler would only end the current `Network.run` and let the program go on). Python drops an
exception raised inside a finalizer (a `__del__`, a weakref callback: Brian2's object trackers
run them at every collection) with an "Exception ignored" message; such a lost stop is raised
again, out of the finalizer, and silently. Code that catches the stop to clean up calls
`acknowledge()` first, so that no further KeyboardInterrupt breaks the clean-up; a write that
must not be cut runs under `deferred()`. `exit_now` ends a stopped process without the slow
interpreter teardown.
"""

from __future__ import annotations

import _thread
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

#: the signals that stop a command
SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)
#: a stop not seen to propagate is raised again after this long (a bare `except:` swallowed it)
RETRY_S = 0.5
#: a stop lost in a finalizer is raised again after this long (out of the finalizer by then)
LOST_RETRY_S = 0.02


class _State:
    """The stop of the command running now: the signal, whether its clean-up has begun."""

    def __init__(self) -> None:
        self.active = False
        self.signum: int | None = None
        self.acknowledged = False
        self.lost = threading.Event()
        self.watcher: threading.Thread | None = None
        self.deferring = 0
        self.deferred: int | None = None


_state = _State()


def requested() -> int | None:
    """The signal that asked the running command to stop, or None."""
    return _state.signum


def acknowledge() -> None:
    """The KeyboardInterrupt of a stop has reached code that cleans up: raise no more of them."""
    if _state.signum is not None:
        _state.acknowledged = True


@contextmanager
def deferred() -> Iterator[None]:
    """A stop that arrives inside is raised at its end (a checkpoint line is written whole, or
    not at all, and the sweep knows which)."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
    if not _state.deferring and _state.deferred is not None and not _state.acknowledged:
        signum, _state.deferred = _state.deferred, None
        _stop(signum)


def _handler(signum: int, frame: Any) -> None:
    if _state.acknowledged:
        return  # the clean-up is under way and the command stops when it ends
    if _state.deferring:
        _state.deferred = signum
        return
    _stop(signum)


def _stop(signum: int) -> None:
    first = _state.signum is None
    _state.signum = signum
    if first and _state.active:
        _state.watcher = threading.Thread(target=_watch, name="astrobrian-stop", daemon=True)
        _state.watcher.start()
    raise KeyboardInterrupt


def _watch() -> None:
    """Raise the stop again until something acknowledges it (or the command ends)."""
    since = time.monotonic()
    while _state.active and not _state.acknowledged:
        lost = _state.lost.wait(LOST_RETRY_S)
        if not _state.active or _state.acknowledged:
            return
        if lost:
            time.sleep(LOST_RETRY_S)  # let the finalizer that dropped it return
        if lost or time.monotonic() - since >= RETRY_S:
            _state.lost.clear()
            since = time.monotonic()
            if _state.active and not _state.acknowledged and not _state.deferring and _state.signum is not None:
                _raise_again(_state.signum)


def _raise_again(signum: int) -> None:
    """The signal once more, to the main thread only (a real one wakes a blocked wait)."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident, signum)
    else:
        _thread.interrupt_main(signum)


def _unraisable(previous: Any) -> Any:
    def hook(unraisable: Any) -> None:
        if _state.signum is not None and isinstance(unraisable.exc_value, KeyboardInterrupt):
            _state.lost.set()  # raised inside a finalizer and dropped there: raise it again
            return
        previous(unraisable)

    return hook


class StopOnSignal:
    """Ctrl+C and SIGTERM raise KeyboardInterrupt at once while inside, all restored on exit;
    an error a stop caused leaves as the stop; `signal_name` names the signal. Brian2 runs
    are stopped too once `brian2()` is called (or when `brian2`)."""

    def __init__(self, brian2: bool = False):
        self.want_brian2 = brian2
        self.signal_name: str | None = None
        self._saved: dict[int, Any] = {}
        self._hook: Any = None
        self._pref: Any = None
        self._on = False

    def __enter__(self) -> "StopOnSignal":
        if threading.current_thread() is not threading.main_thread() or _state.active:
            return self  # signals are only handled in the main thread; nested: the outer one acts
        _state.__init__()
        _state.active = True
        for sig in SIGNALS:
            self._saved[sig] = signal.signal(sig, _handler)
        self._hook = sys.unraisablehook
        sys.unraisablehook = _unraisable(self._hook)
        self._on = True
        if self.want_brian2 or "brian2" in sys.modules:
            try:
                self.brian2()
            except BaseException as err:  # stopped during Brian2's import (seconds)
                self.__exit__(type(err), err, err.__traceback__)
                raise
        return self

    def brian2(self) -> None:
        """Import Brian2 if needed and stop its runs at once: its first Ctrl+C would only end
        the current `Network.run` (its import installs that handler over this one)."""
        if not self._on:
            return
        from brian2 import prefs

        if self._pref is None:
            self._pref = prefs.core.stop_on_keyboard_interrupt
        prefs.core.stop_on_keyboard_interrupt = False
        signal.signal(signal.SIGINT, _handler)

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if not self._on:
            return False
        signum = _state.signum
        _state.acknowledged = True
        _state.active = False
        _state.lost.set()
        if _state.watcher is not None:
            _state.watcher.join(1.0)
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        sys.unraisablehook = self._hook
        if self._pref is not None:
            from brian2 import prefs

            prefs.core.stop_on_keyboard_interrupt = self._pref
        _state.__init__()
        self._on = False
        if signum is not None:
            self.signal_name = signal.Signals(signum).name
            if exc is not None and not isinstance(exc, KeyboardInterrupt):
                raise KeyboardInterrupt() from exc
        return False


def exit_now(code: int) -> None:
    """End the process at once with `code`, after the exit handlers (Brian2 removes its debug
    files there) and with the output flushed: a stopped command skips the interpreter's
    teardown, which takes seconds with Brian2 and its dependencies loaded."""
    import atexit
    import os

    if threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:  # the process is ending: a second Ctrl+C must not break the exit handlers
            signal.signal(sig, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


__all__ = ["StopOnSignal", "acknowledge", "deferred", "requested", "exit_now", "SIGNALS"]
