"""The device registry (astrobrian.devices): the devices offered, refusing one that cannot run
here in one line, recognising any standalone device, bounded `make -j`. Nothing is compiled."""

from __future__ import annotations

import os
import sys

import pytest

from astrobrian import devices
from astrobrian.errors import InputError

INSTALL = "pip install 'astrobrian[cuda]'"


@pytest.fixture
def no_brian2cuda(monkeypatch):
    """Brian2CUDA not importable (whether or not it is installed here)."""
    monkeypatch.setitem(sys.modules, "brian2cuda", None)


def test_offered_devices():
    assert devices.device_names() == ("runtime", "cpp_standalone", "cuda_standalone")
    assert devices.DEVICES == devices.device_names()
    assert "runtime" in devices.available_devices() and "cpp_standalone" in devices.available_devices()


def test_labels_and_standalone_by_name():
    assert devices.device_label("runtime") == "Brian2 runtime (numpy target)"
    assert devices.device_label("cpp_standalone") == "Brian2 cpp_standalone (-O1)"
    assert devices.device_label("cuda_standalone") == "Brian2CUDA cuda_standalone"
    assert not devices.is_standalone_device("runtime")
    assert devices.is_standalone_device("cpp_standalone") and devices.is_standalone_device("cuda_standalone")
    with pytest.raises(InputError):
        devices.device_label("gpu")


def test_check_device_accepts_the_brian2_devices():
    assert devices.check_device("runtime") == "runtime"
    assert devices.check_device("cpp_standalone") == "cpp_standalone"


@pytest.mark.parametrize("name", ["gpu", "cuda", "", 3, None])
def test_check_device_refuses_an_unknown_name(name):
    with pytest.raises(InputError) as err:
        devices.check_device(name, field="--device")
    assert err.value.field == "--device"
    assert err.value.expected == "one of runtime, cpp_standalone, cuda_standalone"
    assert len(str(err.value).splitlines()) == 1


def test_check_device_refuses_cuda_without_brian2cuda_in_one_line(no_brian2cuda):
    with pytest.raises(InputError) as err:
        devices.check_device("cuda_standalone")
    message = str(err.value)
    assert err.value.field == "device" and err.value.got == "cuda_standalone"
    assert len(message.splitlines()) == 1
    assert "Brian2CUDA" in message and INSTALL in message and "3.12" in message
    assert "cuda_standalone" not in devices.available_devices()


def test_use_device_checks_first(no_brian2cuda):
    from brian2.devices.device import get_device

    with pytest.raises(InputError, match="Brian2CUDA"):
        with devices.use_device("cuda_standalone"):
            pytest.fail("the body must not run")
    with pytest.raises(InputError, match="one of runtime"):
        with devices.use_device("gpu"):
            pytest.fail("the body must not run")
    assert not devices.is_standalone(get_device())


def test_is_standalone_recognises_any_cpp_standalone_device():
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import RuntimeDevice, get_device

    class GPUStandaloneDevice(CPPStandaloneDevice):  # how Brian2CUDA's device is built
        pass

    assert devices.is_standalone(GPUStandaloneDevice())
    assert devices.is_standalone(CPPStandaloneDevice())
    assert not devices.is_standalone(RuntimeDevice())
    assert not devices.is_standalone()  # the runtime device is active in the test suite
    assert isinstance(get_device(), RuntimeDevice)


def test_is_standalone_on_an_active_subclass_device(tmp_path):
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import all_devices, device, reset_device, set_device

    class GPUStandaloneDevice(CPPStandaloneDevice):
        pass

    all_devices["dev_test_gpu_standalone"] = GPUStandaloneDevice()
    try:
        set_device("dev_test_gpu_standalone", directory=str(tmp_path), build_on_run=False)
        try:
            assert devices.is_standalone()
        finally:
            device.reinit()
            reset_device("runtime")
    finally:
        del all_devices["dev_test_gpu_standalone"]
    assert not devices.is_standalone()


def test_make_jobs_is_the_cores_available():
    n = devices.make_jobs()
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert n == expected >= 1
    assert devices.bounded_make_args(["-j"]) == [f"-j{n}"]
    assert devices.bounded_make_args(["-j4", "-s"]) == ["-j4", "-s"]  # an explicit choice is kept
    assert devices.bounded_make_args([]) == []


def test_use_device_cpp_standalone_bounds_make_and_restores_everything(tmp_path):
    from brian2 import prefs
    from brian2.devices.device import get_device

    make_before = list(prefs[devices.MAKE_ARGS_PREF])
    gcc_before = list(prefs.codegen.cpp.extra_compile_args_gcc)
    cxx_before = os.environ.get("CXX")
    build = tmp_path / "build"
    with devices.use_device("cpp_standalone", directory=build):
        assert devices.is_standalone()
        assert type(get_device()).__name__ == "CPPStandaloneDevice"
        assert get_device().build_options["directory"] == str(build)
        assert prefs[devices.MAKE_ARGS_PREF] == [f"-j{devices.make_jobs()}"]
        assert prefs.codegen.cpp.extra_compile_args_gcc == devices.STANDALONE_COMPILE_ARGS
    assert not devices.is_standalone()
    assert prefs[devices.MAKE_ARGS_PREF] == make_before
    assert prefs.codegen.cpp.extra_compile_args_gcc == gcc_before
    assert os.environ.get("CXX") == cxx_before


def test_use_device_own_folder_is_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with devices.use_device("cpp_standalone"):
        from brian2.devices.device import get_device

        folder = get_device().build_options["directory"]
        assert os.path.isdir(folder)
    assert not os.path.exists(folder)


def test_use_device_restores_make_args_after_an_error(tmp_path):
    from brian2 import prefs

    before = list(prefs[devices.MAKE_ARGS_PREF])
    with pytest.raises(RuntimeError):
        with devices.use_device("cpp_standalone", directory=tmp_path / "build"):
            raise RuntimeError("boom")
    assert prefs[devices.MAKE_ARGS_PREF] == before
    assert not devices.is_standalone()


def test_runtime_device_sets_the_target_and_restores_it():
    from brian2 import prefs

    before = prefs.codegen.target
    with devices.use_device("runtime", target="numpy"):
        assert prefs.codegen.target == "numpy" and not devices.is_standalone()
    assert prefs.codegen.target == before


def test_finish_runs_is_a_no_op_on_runtime():
    devices.finish_runs()  # nothing to build
    assert not devices.is_standalone()


def test_cli_run_on_cuda_without_brian2cuda_is_one_line_naming_the_extra(bad_input, tmp_path, no_brian2cuda):
    out = tmp_path / "out"
    line = bad_input(["run", "--device", "cuda_standalone", "--quiet", "--out", out],
                     ["device", "Brian2CUDA", INSTALL], out=out)
    assert "cuda_standalone" in line


@pytest.fixture
def fake_brian2cuda(monkeypatch):
    """A stand-in for Brian2CUDA: importing it registers 'cuda_standalone', a CPPStandaloneDevice
    subclass whose build records its arguments and the preferences it would compile with, and
    compiles nothing. Where the real Brian2CUDA is installed, the stand-in takes its place for the
    test only (monkeypatch restores the module and the device afterwards)."""
    import types

    from brian2 import prefs
    from brian2.core.preferences import BrianPreference
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import all_devices

    nvcc = "devices.cuda_standalone.cuda_backend.extra_compile_args_nvcc"
    if nvcc not in prefs:
        prefs.register_preferences("devices.cuda_standalone.cuda_backend", "stand-in for Brian2CUDA's",
                                   extra_compile_args_nvcc=BrianPreference(default=["-w", "-use_fast_math"],
                                                                           docs="nvcc flags"))

    class FakeCUDAStandaloneDevice(CPPStandaloneDevice):
        builds: list = []

        def build(self, **kwargs):
            self.builds.append({"kwargs": kwargs, "make": list(prefs[devices.MAKE_ARGS_PREF]),
                                "nvcc": list(prefs[nvcc]), "gcc": list(prefs.codegen.cpp.extra_compile_args_gcc)})
            self.has_been_run = True

    fake = FakeCUDAStandaloneDevice()
    module = types.ModuleType("brian2cuda")
    monkeypatch.setitem(sys.modules, "brian2cuda", module)
    monkeypatch.setitem(all_devices, "cuda_standalone", fake)
    return fake


def test_cuda_standalone_is_driven_like_cpp_standalone(fake_brian2cuda, tmp_path):
    from brian2 import prefs
    from brian2.devices.device import get_device

    nvcc = "devices.cuda_standalone.cuda_backend.extra_compile_args_nvcc"
    nvcc_before, make_before = list(prefs[nvcc]), list(prefs[devices.MAKE_ARGS_PREF])
    assert devices.check_device("cuda_standalone") == "cuda_standalone"
    assert "cuda_standalone" in devices.available_devices()
    build = tmp_path / "build"
    with devices.use_device("cuda_standalone", directory=build):
        assert get_device() is fake_brian2cuda and devices.is_standalone()
        assert get_device().build_options["directory"] == str(build)
        devices.finish_runs()
        devices.finish_runs()  # built once
    assert fake_brian2cuda.builds == [{"kwargs": {"run": True, "directory": str(build)},
                                       "make": [f"-j{devices.make_jobs()}"], "nvcc": devices.CUDA_COMPILE_ARGS,
                                       "gcc": devices.STANDALONE_COMPILE_ARGS}]
    assert not devices.is_standalone()
    assert prefs[nvcc] == nvcc_before and prefs[devices.MAKE_ARGS_PREF] == make_before
