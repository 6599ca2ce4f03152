"""What a run needs against what the machine has: memory is checked before anything is built."""

from __future__ import annotations

import os

from .errors import InputError


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (Linux MemAvailable; None if unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _size(n_bytes: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1000 or unit == "PB":
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.3g} PB"


def require_memory(estimate: float, field: str, what: str, fraction: float = 0.8) -> None:
    """Refuse (InputError naming `field`) a run whose estimated memory exceeds `fraction` of
    the memory available now; `what` says what was estimated (e.g. 'the spiking rung at N = 64, K = 32').

    Parameters
    ----------
    estimate : float
        The estimated memory in bytes.
    field : str
        The name given in the error.
    what : str
        What was estimated, for the message.
    fraction : float
        The share of the available memory a run may use.
    """
    available = available_memory()
    if available is not None and estimate > fraction * available:
        raise InputError(field, f"sizes that fit in memory: {what} needs about {_size(estimate)}, "
                         f"this machine has {_size(available)} available")


__all__ = ["available_memory", "require_memory"]
