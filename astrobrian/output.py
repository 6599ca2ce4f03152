"""Result folders: checked before any work starts, and written as a whole set or not at all.

`check_output_folder` finds what would make writing fail after a long run (the path is a file,
lies under a file, a folder that cannot be written, a result name taken by a folder) and says
so at once, naming the option. `result_set` stages every file of a result set in a hidden
folder beside the target and publishes them only when all were written: an error or an
interruption leaves the previous results (or nothing) and no staging folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError
from .provenance import current_umask


def _existing_ancestor(path: Path) -> Path:
    """The nearest folder at or above `path` that exists (refusing a file on the way)."""
    for candidate in [path, *path.parents]:
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(".")


def _probe_writable(folder: Path) -> bool:
    """True when a file can really be created in `folder` (read-only mounts, immutable folders
    and permissions are all caught; `os.access` is wrong for root)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".astrobrian_probe_", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def check_output_folder(path: str | Path, names: Iterable[str] = (), field: str = "--out") -> Path:
    """Refuse an output folder that cannot receive `names` (one line naming `field`); nothing
    is created. Returns the path.

    Parameters
    ----------
    path : str or Path
        The output folder (need not exist).
    names : iterable of str
        The file names the result set will write into it.
    field : str
        The option named in errors.

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(field, "a folder for the results (this path is an existing file)", str(path))
    base = _existing_ancestor(path)
    if not base.is_dir():
        raise InputError(field, f"a folder path (its parent {base} is a file, not a folder)", str(path))
    if not _probe_writable(base):
        raise InputError(field, f"a folder this user can write to ({base} is read-only)", str(path))
    if path.is_dir():
        for name in names:
            target = path / name
            if target.exists() and not target.is_file():
                raise InputError(field, f"a folder where {name} can be written ({target} is a folder or "
                                 "not a regular file)", str(path))
    return path


@contextmanager
def result_set(path: str | Path, names: Iterable[str] = (), field: str = "--out") -> Iterator[Path]:
    """Stage a result set: yields a hidden folder beside `path` to write every file into;
    on success the files replace their namesakes in `path` (created if needed; when it did not
    exist the whole folder appears in one rename) and a file of `names` this set did not write
    (an earlier run's figure) is removed, so the folder holds one run's results; on any error or
    interruption nothing is published and the staging folder is removed.

    Parameters
    ----------
    path : str or Path
        The output folder (checked by `check_output_folder`).
    names : iterable of str
        The file names the result set will write.
    field : str
        The option named in errors.

    Yields
    ------
    Path
        The staging folder.
    """
    path = check_output_folder(path, names, field)
    base = _existing_ancestor(path)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name or 'results'}.staging.", dir=base))
    try:
        yield staging
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes 0700; a published folder gets the usual mode
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staging, path)
        else:
            written = {item.name for item in staging.iterdir()}
            for name in sorted(written):
                os.replace(staging / name, path / name)
            staging.rmdir()
            for name in names:
                if name not in written and (path / name).is_file():
                    (path / name).unlink()  # from an earlier run: not part of this result set
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


__all__ = ["check_output_folder", "result_set"]
