"""Brian2 devices for astrobrian runs: 'runtime' (numpy, or cython when available) and
'cpp_standalone'. One home for selecting a device, building standalone projects after the
runs of a protocol, and going back to the runtime device."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import InputError

DEVICES = ("runtime", "cpp_standalone")
#: cpp_standalone build flags: -O1 compiles fast and, without -ffast-math, keeps results equal
#: to the numpy target to round-off
STANDALONE_COMPILE_ARGS = ["-w", "-O1", "-std=c++11"]


def is_standalone() -> bool:
    from brian2.devices.device import get_device

    return type(get_device()).__name__ == "CPPStandaloneDevice"


def finish_runs() -> None:
    """After the run() calls of a protocol: build and execute a standalone project (no-op on
    the runtime device, whose runs have already happened)."""
    from brian2.devices.device import get_device

    dev = get_device()
    if is_standalone() and not getattr(dev, "has_been_run", False):
        # the folder given to use_device (project_dir is only set by a build: None would make
        # Brian2 build in a fresh temporary folder that nothing removes)
        dev.build(run=True, directory=dev.build_options.get("directory"))


@contextmanager
def use_device(name: str = "runtime", directory: str | Path | None = None, target: str = "numpy") -> Iterator[None]:
    """Run the body on device `name`; afterwards the runtime device is active again.

    cpp_standalone builds in `directory` (a temporary folder, removed afterwards, if None) with -O1 and no
    fast-math (results equal the runtime device to round-off); ccache is used when installed.
    """
    from brian2 import prefs
    from brian2.devices.device import device, reset_device, set_device

    if name not in DEVICES:
        raise InputError("device", f"one of {', '.join(DEVICES)}", name)
    old_target = prefs.codegen.target
    if name == "runtime":
        prefs.codegen.target = target
        try:
            yield
        finally:
            prefs.codegen.target = old_target
        return
    import tempfile

    own_folder = not directory  # a folder of our own is removed afterwards; a given one is kept
    directory = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="astrobrian_standalone_"))
    old_args = list(prefs.codegen.cpp.extra_compile_args_gcc)
    old_cxx = os.environ.get("CXX")
    if shutil.which("ccache") and old_cxx is None:
        os.environ["CXX"] = "ccache g++"
    prefs.codegen.cpp.extra_compile_args_gcc = list(STANDALONE_COMPILE_ARGS)
    set_device("cpp_standalone", directory=str(directory), build_on_run=False)
    try:
        yield
    finally:
        device.reinit()
        reset_device("runtime")
        prefs.codegen.cpp.extra_compile_args_gcc = old_args
        if old_cxx is None:
            os.environ.pop("CXX", None)
        if own_folder:
            shutil.rmtree(directory, ignore_errors=True)
