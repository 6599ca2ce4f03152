"""Brian2 devices for astrobrian runs: 'runtime' (numpy, or cython when available),
'cpp_standalone' and, with Brian2CUDA installed, 'cuda_standalone'. One home for selecting a
device, building standalone projects after the runs of a protocol, and going back to the
runtime device.

The devices themselves come from Brian2's registry (`brian2.devices.device.all_devices`):
astrobrian keeps a small record per device it offers (label for manifests, whether it is a
standalone device, the import that registers it, how to install it) and activates it by name.
A standalone device is any `CPPStandaloneDevice` (Brian2CUDA's device is a subclass); every
standalone device is driven the same way: a build folder, runs collected until `finish_runs`,
-O1 without fast-math, ccache when installed, and `make -jN` bounded by the cores available.
"""

from __future__ import annotations

import importlib
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .errors import InputError

#: cpp_standalone build flags: -O1 compiles fast and, without -ffast-math, keeps results equal
#: to the numpy target to round-off
STANDALONE_COMPILE_ARGS = ["-w", "-O1", "-std=c++11"]
#: nvcc flags of cuda_standalone: Brian2CUDA's default adds -use_fast_math, which would break
#: agreement with the other devices
CUDA_COMPILE_ARGS = ["-w"]
#: Brian2's preference holding the arguments of the standalone `make` call (default ['-j']:
#: as many compilers at once as there are files)
MAKE_ARGS_PREF = "devices.cpp_standalone.extra_make_args_unix"

_CUDA_INSTALL = ("cuda_standalone needs Brian2CUDA: pip install 'astrobrian[cuda]' "
                 "(Python ≥ 3.12 and an NVIDIA GPU with the CUDA toolkit)")


@dataclass(frozen=True)
class DeviceInfo:
    """A Brian2 device astrobrian offers."""

    name: str  #: the name in Brian2's registry (`set_device(name)`)
    label: str  #: how manifests name it
    standalone: bool  #: a CPPStandaloneDevice: runs are collected, then built and run by finish_runs()
    module: str | None = None  #: the import that registers the device in Brian2's registry
    install: str = ""  #: one line: how to get the device when `module` is missing
    #: Brian2 preferences set while the device is active (and restored afterwards)
    prefs: dict[str, list[str]] = field(default_factory=dict)


_OFFERED: dict[str, DeviceInfo] = {
    info.name: info for info in (
        DeviceInfo("runtime", "Brian2 runtime (numpy target)", standalone=False),
        DeviceInfo("cpp_standalone", "Brian2 cpp_standalone (-O1)", standalone=True,
                   prefs={"codegen.cpp.extra_compile_args_gcc": STANDALONE_COMPILE_ARGS}),
        DeviceInfo("cuda_standalone", "Brian2CUDA cuda_standalone", standalone=True, module="brian2cuda",
                   install=_CUDA_INSTALL,
                   prefs={"codegen.cpp.extra_compile_args_gcc": STANDALONE_COMPILE_ARGS,
                          "devices.cuda_standalone.cuda_backend.extra_compile_args_nvcc": CUDA_COMPILE_ARGS}),
    )
}


def device_names() -> tuple[str, ...]:
    """Every device astrobrian offers, installed or not."""
    return tuple(_OFFERED)


#: the devices astrobrian offers (see `check_device` for whether one can run here)
DEVICES = device_names()


def device_info(name: str) -> DeviceInfo:
    """The record of an offered device (InputError for any other name)."""
    if not isinstance(name, str) or name not in _OFFERED:
        raise InputError("device", f"one of {', '.join(DEVICES)}", name)
    return _OFFERED[name]


def check_device(name: str, field: str = "device") -> str:
    """Return `name` if it is an offered device that can be activated here, else raise
    InputError(field, ...) whose message is one line: the offered names for an unknown name,
    how to install the device for a missing package."""
    if not isinstance(name, str) or name not in _OFFERED:
        raise InputError(field, f"one of {', '.join(DEVICES)}", name)
    info = _OFFERED[name]
    if info.module:
        try:
            importlib.import_module(info.module)  # registers the device in Brian2's registry
        except ImportError:
            raise InputError(field, f"an installed device: {info.install}", name) from None
        except Exception as err:  # noqa: BLE001 - a broken install: say so in one line
            reason = " ".join(str(err).split()) or type(err).__name__
            raise InputError(field, f"a working device: importing {info.module} failed ({reason})", name) from None
    from brian2.devices.device import all_devices

    if name not in all_devices:
        raise InputError(field, f"a device registered with Brian2 (after importing {info.module or 'brian2'})", name)
    return name


def available_devices() -> tuple[str, ...]:
    """The offered devices that can be activated here."""
    out = []
    for name in _OFFERED:
        try:
            out.append(check_device(name))
        except InputError:
            pass
    return tuple(out)


def device_label(name: str) -> str:
    """How manifests name device `name`, e.g. 'Brian2 cpp_standalone (-O1)'."""
    return device_info(name).label


def is_standalone_device(name: str) -> bool:
    """Whether `name` is a standalone device (by name: nothing is imported or activated)."""
    return device_info(name).standalone


def is_standalone(dev: Any = None) -> bool:
    """Whether `dev` (default: Brian2's active device) is a standalone device: any
    CPPStandaloneDevice, Brian2CUDA's CUDAStandaloneDevice included."""
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    if dev is None:
        from brian2.devices.device import get_device

        dev = get_device()
    return isinstance(dev, CPPStandaloneDevice)


def make_jobs() -> int:
    """How many compilers a standalone `make` runs at once: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def bounded_make_args(args: list[str]) -> list[str]:
    """`args` of the make call with a bare '-j' (unbounded) replaced by '-jN', N = make_jobs();
    any other argument (an explicit -j4, or no -j at all) is kept."""
    return [f"-j{make_jobs()}" if a == "-j" else a for a in args]


@contextmanager
def _preferences(values: dict[str, list[str]]) -> Iterator[None]:
    """Set Brian2 preferences (full names) for the body, then restore them."""
    from brian2 import prefs

    old = {key: list(prefs[key]) for key in values}
    try:
        for key, value in values.items():
            prefs[key] = list(value)
        yield
    finally:
        for key, value in old.items():
            prefs[key] = value


@contextmanager
def _bounded_make() -> Iterator[None]:
    from brian2 import prefs

    with _preferences({MAKE_ARGS_PREF: bounded_make_args(list(prefs[MAKE_ARGS_PREF]))}):
        yield


def finish_runs() -> None:
    """After the run() calls of a protocol: build and execute a standalone project (no-op on
    the runtime device, whose runs have already happened). Works for every standalone device;
    `make` runs with -j bounded by the cores available."""
    from brian2.devices.device import get_device

    dev = get_device()
    if is_standalone(dev) and not getattr(dev, "has_been_run", False):
        # the folder given to use_device (project_dir is only set by a build: None would make
        # Brian2 build in a fresh temporary folder that nothing removes)
        with _bounded_make():
            dev.build(run=True, directory=dev.build_options.get("directory"))


def build_project(directory: str | Path, run: bool = False) -> None:
    """Generate and compile the active standalone device's project in `directory` (and run it when
    `run`), with make -j bounded by the cores; `device.run(run_args=...)` re-runs it afterwards."""
    from brian2.devices.device import get_device

    dev = get_device()
    if not is_standalone(dev):
        raise InputError("device", "a standalone device to build a project", type(dev).__name__)
    with _bounded_make():
        dev.build(run=run, directory=str(directory))


@contextmanager
def use_device(name: str = "runtime", directory: str | Path | None = None, target: str = "numpy") -> Iterator[None]:
    """Run the body on device `name`; afterwards the runtime device is active again.

    A standalone device (cpp_standalone, cuda_standalone) builds in `directory` (a temporary
    folder, removed afterwards, if None) with -O1 and no fast-math (results equal the runtime
    device to round-off), `make -jN` with N the cores available, and ccache when installed.

    Parameters
    ----------
    name : str
        A device offered here: 'runtime', 'cpp_standalone' or 'cuda_standalone' (`check_device`).
    directory : str or Path, optional
        Where a standalone device builds its project (kept afterwards); ignored by 'runtime'.
    target : str
        Brian2's code-generation target on the runtime device ('numpy' by default).
    """
    from brian2 import prefs
    from brian2.devices.device import device, reset_device, set_device

    info = _OFFERED[check_device(name)]
    if not info.standalone:  # (from inside a standalone device's block: that device, untouched, afterwards)
        switched = is_standalone()
        if switched:
            set_device("runtime")
        old_target = prefs.codegen.target
        prefs.codegen.target = target
        try:
            yield
        finally:
            prefs.codegen.target = old_target
            if switched:
                reset_device()
        return
    import tempfile

    own_folder = not directory  # a folder of our own is removed afterwards; a given one is kept
    directory = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="astrobrian_standalone_"))
    old_cxx = os.environ.get("CXX")
    if shutil.which("ccache") and old_cxx is None:
        os.environ["CXX"] = "ccache g++"
    try:
        with _preferences(info.prefs), _bounded_make():
            set_device(info.name, directory=str(directory), build_on_run=False)
            try:
                yield
            finally:
                device.reinit()
                reset_device("runtime")
    finally:
        if old_cxx is None:
            os.environ.pop("CXX", None)
        if own_folder:
            shutil.rmtree(directory, ignore_errors=True)


__all__ = [
    "DEVICES", "STANDALONE_COMPILE_ARGS", "CUDA_COMPILE_ARGS", "MAKE_ARGS_PREF", "DeviceInfo", "device_names",
    "device_info", "check_device", "available_devices", "device_label", "is_standalone_device", "is_standalone",
    "make_jobs", "bounded_make_args", "finish_runs", "build_project", "use_device",
]
