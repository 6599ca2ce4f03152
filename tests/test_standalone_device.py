"""One tripartite network, two Brian2 devices: numpy runtime and cpp_standalone agree.

The network is NEST's astrocyte_small_network idea, shrunk: four adex_sic neurons driven by
fixed Poisson spike trains (drawn once with NumPy, so both devices see the same input), coupled
by excitatory and inhibitory alpha synapses, all projecting onto one lr1994_astrocyte whose
slow inward current feeds back into every neuron. Spike times must agree exactly and state
traces to round-off. The standalone build runs in a child process (this file run as a script),
so the device switch never leaks into other tests. Cost on 2 cores: 27 s (the -O1 build is
~20 s), ~10 s when ccache is installed and warm; measured deviations are ≤ 4e-16 relative.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (shutil.which("make") and (shutil.which("g++") or os.environ.get("CXX"))),
                       reason="cpp_standalone needs make and a C++ compiler"),
]

DURATION_MS = 500.0
N_NEURONS = 4
DRIVE_RATE_HZ = 2000.0
TRACES = {"neurons": ("V", "w", "g_ex", "g_in", "I_SIC"), "astrocyte": ("IP3", "Ca", "h_IP3R")}
ROUND_OFF = 1e-9  # relative to each trace's largest magnitude


def poisson_drive(n: int, rate_hz: float, duration_ms: float, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Independent Poisson trains (indices, times in ms on the 0.1 ms grid, one spike per step at most)."""
    rng = np.random.default_rng(seed)
    indices, times = [], []
    for k in range(n):
        t = np.cumsum(rng.exponential(1000.0 / rate_hz, size=int(2 * rate_hz * duration_ms / 1000) + 10))
        t = np.unique(np.round(t[t < duration_ms - 0.1], 1))
        indices.append(np.full(len(t), k))
        times.append(t)
    return np.concatenate(indices), np.concatenate(times)


def run_network(device: str = "numpy", directory: str | None = None) -> dict[str, np.ndarray]:
    """Build and run the small tripartite network on `device`; spikes and traces as SI arrays."""
    from brian2 import (
        Network,
        SpikeGeneratorGroup,
        SpikeMonitor,
        StateMonitor,
        defaultclock,
        ms,
        nS,
        prefs,
        set_device,
        start_scope,
    )

    from astrobrian import models

    start_scope()
    defaultclock.dt = 0.1 * ms
    if device == "cpp_standalone":
        from astrobrian.devices import STANDALONE_COMPILE_ARGS

        prefs.codegen.cpp.extra_compile_args_gcc = list(STANDALONE_COMPILE_ARGS)
        set_device("cpp_standalone", directory=directory, build_on_run=True)
    else:
        prefs.codegen.target = device

    neuron = models.load("adex_sic", preset="nest_brunel", t_ref="2 ms")
    astro = models.load("lr1994_astrocyte", delta_IP3="0.2 umolar", init_IP3="0.4 umolar")
    neurons = neuron.neuron_group(N_NEURONS, name="neurons")
    astrocyte = astro.neuron_group(1, name="astrocyte")
    indices, times = poisson_drive(N_NEURONS, DRIVE_RATE_HZ, DURATION_MS)
    drive = SpikeGeneratorGroup(N_NEURONS, indices, times * ms, name="drive")

    drive_syn = neuron.connection("excitatory", drive, neurons, name="drive_syn")
    drive_syn.connect(j="i")
    drive_syn.weight = 2 * nS
    exc = neuron.connection("excitatory", neurons[:3], neurons, name="exc")
    exc.connect(condition="i != j")
    exc.weight = 1 * nS
    exc.delay = 2 * ms
    inh = neuron.connection("inhibitory", neurons[3:], neurons, name="inh")
    inh.connect(condition="i != j")
    inh.weight = 4 * nS
    inh.delay = 1 * ms
    to_astro = astro.connection("spike_input", neurons, astrocyte, name="to_astro")
    to_astro.connect()
    to_astro.weight = 1.0
    sic = neuron.connection("sic", astrocyte, neurons, name="sic")
    sic.connect()
    sic.weight = 20.0

    spikes = SpikeMonitor(neurons, name="spikes")
    neuron_mon = StateMonitor(neurons, list(TRACES["neurons"]), record=True, name="neuron_mon")
    astro_mon = StateMonitor(astrocyte, list(TRACES["astrocyte"]), record=True, name="astro_mon")
    net = Network(neurons, astrocyte, drive, drive_syn, exc, inh, to_astro, sic, spikes, neuron_mon, astro_mon)
    net.run(DURATION_MS * ms, namespace={})

    out = {"spike_i": np.asarray(spikes.i[:]), "spike_t": np.asarray(spikes.t[:])}
    for mon, names in ((neuron_mon, TRACES["neurons"]), (astro_mon, TRACES["astrocyte"])):
        for var in names:
            out[var] = np.asarray(getattr(mon, var))
    return out


if __name__ == "__main__":  # the cpp_standalone side, run by the test in a child process
    target = Path(sys.argv[1])
    np.savez(target / "standalone.npz", **run_network("cpp_standalone", str(target / "build")))


def test_numpy_and_cpp_standalone_give_the_same_spikes_and_traces(tmp_path):
    from brian2 import prefs

    env = dict(os.environ)
    if shutil.which("ccache") and "CXX" not in env:  # Brian2 runs plain `make`: repeats hit the cache
        env["CXX"] = "ccache g++"
    start = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, str(tmp_path)], capture_output=True, text=True, timeout=900,
                           env=env)
    assert child.returncode == 0, child.stdout[-2000:] + child.stderr[-4000:]
    standalone = dict(np.load(tmp_path / "standalone.npz"))
    built = time.perf_counter() - start

    previous = prefs.codegen.target
    try:
        runtime = run_network("numpy")
    finally:
        prefs.codegen.target = previous
    numpy_s = time.perf_counter() - start - built
    print(f"cpp_standalone (build + run, child process) {built:.1f} s; numpy {numpy_s:.1f} s")

    assert len(runtime["spike_t"]) > 40, "the network should fire"
    assert runtime["I_SIC"].max() > 0, "the astrocyte's SIC should reach the neurons within the run"
    np.testing.assert_array_equal(standalone["spike_i"], runtime["spike_i"])
    np.testing.assert_array_equal(standalone["spike_t"], runtime["spike_t"])
    for names in TRACES.values():
        for var in names:
            scale = np.abs(runtime[var]).max()
            np.testing.assert_allclose(standalone[var], runtime[var], rtol=0, atol=ROUND_OFF * scale, err_msg=var)
