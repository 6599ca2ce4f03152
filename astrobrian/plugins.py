"""Plug-ins: modules outside astrobrian that register rungs, knockouts or protocol kinds when imported.

The `astrobrian` command imports every module named by an installed package under the entry-point
group `astrobrian.plugins` and every module listed (comma-separated) in the environment variable
ASTROBRIAN_PLUGINS before it runs, so that protocol files can name what they register
(docs/extending.md#plug-ins).
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import entry_points

from .errors import InputError

#: the entry-point group a package declares its plug-in modules under
ENTRY_POINT_GROUP = "astrobrian.plugins"
#: the environment variable listing plug-in modules, comma-separated
ENVIRONMENT_VARIABLE = "ASTROBRIAN_PLUGINS"


def load_plugins() -> list[str]:
    """Import every plug-in module (entry points first, then ASTROBRIAN_PLUGINS, each once).

    Returns
    -------
    list of str
        The modules imported. A module that cannot be imported is an InputError naming where it
        was listed and the import's own error, in one line.
    """
    loaded = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()
        except Exception as err:  # a broken plug-in is the user's to fix: one line, not a traceback
            raise InputError(f"plug-in {entry.name} (entry point {ENTRY_POINT_GROUP})", "an importable module",
                             f"{entry.value}: {type(err).__name__}: {err}") from None
        loaded.append(entry.value)
    for name in (part.strip() for part in os.environ.get(ENVIRONMENT_VARIABLE, "").split(",")):
        if not name or name in loaded:
            continue
        try:
            importlib.import_module(name)
        except Exception as err:
            raise InputError(ENVIRONMENT_VARIABLE, "comma-separated importable module names",
                             f"{name}: {type(err).__name__}: {err}") from None
        loaded.append(name)
    return loaded


__all__ = ["load_plugins", "ENTRY_POINT_GROUP", "ENVIRONMENT_VARIABLE"]
