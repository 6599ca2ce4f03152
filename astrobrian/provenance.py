"""Provenance and safe output: a manifest beside every result, files written atomically."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

_PACKAGES = ("astrobrian", "numpy", "scipy", "matplotlib", "brian2")


def versions() -> dict[str, str]:
    """Installed versions of Python and the packages results depend on (no imports needed)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def manifest(seed: int, parameters: dict[str, Any], device: str = "cpu (numpy)") -> dict[str, Any]:
    """Versions, seed, device, platform, command line and every parameter of a run.

    Parameters
    ----------
    seed : int
        The run's seed.
    parameters : dict
        Every parameter of the run (JSON-able).
    device : str
        The device, in words.

    Returns
    -------
    dict
        'created' (UTC, ISO 8601), 'command', 'seed', 'device', 'platform', 'versions' and
        'parameters'.
    """
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
        "seed": seed,
        "device": device,
        "platform": {"system": platform.platform(), "machine": platform.machine(), "cpus": os.cpu_count()},
        "versions": versions(),
        "parameters": parameters,
    }


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def to_json(obj: Any) -> str:
    """JSON text of results (NumPy arrays and scalars converted, non-finite floats → null)."""
    return json.dumps(_jsonable(obj), indent=2, ensure_ascii=False)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, write) -> Path:
    """Write via a temporary file in the same folder, then rename: a crash leaves no half file.

    `write(tmp_path)` produces the content.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; results get the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: str | Path, obj: Any) -> Path:
    """Atomically write `obj` as JSON."""
    text = to_json(obj)
    return write_atomic(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))
