"""astrobrian vs NEST 3.10, side by side: the same astrocyte and tripartite network in both simulators.

(a) single astrocyte — NEST's pynest/examples/astrocytes/astrocyte_single.py: one
    astrocyte_lr_1994 (delta_IP3 = 0.2 µM) driven by 1 Hz Poisson spikes of weight 1 for 60 s;
    IP3, Ca, h and the SIC it sends (read in NEST from an aeif_cond_alpha_astro target).
(b) tripartite network — NEST's astrocyte_small_network.py: 10 presynaptic and 10 postsynaptic
    aeif_cond_alpha_astro neurons (I_e = 1000 pA, tau_syn_ex = 2 ms), 5 astrocytes (IP3 = 0.4 µM,
    delta_IP3 = 0.2 µM), TripartiteConnect with pairwise_bernoulli p = 1 and
    third_factor_bernoulli_with_pool p = 1, block pools of 1, for 1 s.
astrobrian builds both from models/ (adex_sic, lr1994_astrocyte) and replays NEST's own
connection list, so the wiring is identical. Departures from the NEST examples, for a
deterministic comparison: both simulators get the same input spike trains (drawn once with
NumPy; spike_generator in NEST, SpikeGeneratorGroup in Brian2) instead of two poisson_generators
(in (b) an extra 50 Hz × 1 nS train per presynaptic neuron desynchronises the otherwise identical
neurons), static synapses replace tsodyks_synapse, and sic_connection has the minimal delay of
one step (astrobrian's SIC acts without delay). NEST integrates neurons with adaptive RKF45,
astrobrian with fixed-step rk4 at the same 0.1 ms, so spike times can drift apart by steps.

Prints the largest deviations and the wall-time ratio; writes JSON (with manifest) and a PNG.

    python benchmarks/nest_side_by_side.py --out benchmarks/out/nest            # needs nest-simulator
    python benchmarks/nest_side_by_side.py --device numpy --astro-ms 10000      # no C++ build
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

import numpy as np

from astrobrian import models
from astrobrian.provenance import manifest, write_atomic, write_json_atomic

DT_MS = 0.1
ASTRO_VARS = {"IP3": "IP3", "Ca_astro": "Ca", "h_IP3R": "h_IP3R"}  # NEST name → astrobrian name


def poisson_times(rng: np.random.Generator, rate_hz: float, duration_ms: float, start_ms: float = 1.0) -> np.ndarray:
    """Poisson spike times on the 0.1 ms grid in [start_ms, duration_ms − 1 ms), at most one per step.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the intervals.
    rate_hz : float
        Mean rate.
    duration_ms : float
        End of the train (the last millisecond stays empty).
    start_ms : float
        Earliest spike time.

    Returns
    -------
    numpy.ndarray
        Sorted spike times in ms.
    """
    n = int(2 * rate_hz * duration_ms / 1000) + 20
    t = start_ms + np.cumsum(rng.exponential(1000.0 / rate_hz, size=n))
    return np.unique(np.round(t[t < duration_ms - 1.0], 1))


# ---- NEST ------------------------------------------------------------------------------------
def nest_kernel(threads: int = 1):
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = DT_MS
    nest.local_num_threads = threads
    return nest


def nest_single_astrocyte(args, times: np.ndarray) -> dict:
    """NEST: one astrocyte fed by a spike_generator, its SIC read from a passive target neuron."""
    start = time.perf_counter()
    nest = nest_kernel()
    astro = nest.Create("astrocyte_lr_1994", params={"delta_IP3": 0.2})
    target = nest.Create("aeif_cond_alpha_astro")
    drive = nest.Create("spike_generator", params={"spike_times": times.tolist()})
    nest.Connect(drive, astro, syn_spec={"weight": 1.0, "delay": 1.0})
    nest.Connect(astro, target, syn_spec={"synapse_model": "sic_connection", "weight": 1.0, "delay": DT_MS})
    mm = nest.Create("multimeter", params={"interval": DT_MS, "record_from": list(ASTRO_VARS)})
    mm_sic = nest.Create("multimeter", params={"interval": DT_MS, "record_from": ["I_SIC"]})
    nest.Connect(mm, astro)
    nest.Connect(mm_sic, target)
    sim = time.perf_counter()
    nest.Simulate(args.astro_ms)
    done = time.perf_counter()
    ev = mm.events
    out = {name: np.asarray(ev[nest_name]) for nest_name, name in ASTRO_VARS.items()}
    out["t_ms"] = np.asarray(ev["times"])
    # NEST records the SIC a neuron will use in the next step; its value is the astrocyte's SIC
    # one delay earlier, i.e. the SIC of the state recorded one step before
    out["SIC"] = np.concatenate([np.asarray(mm_sic.events["I_SIC"])[1:], [np.nan]])
    out["wall_s"], out["simulate_s"] = done - start, done - sim
    return out


def nest_network(args, drive: list[np.ndarray]) -> dict:
    """NEST: astrocyte_small_network wiring with static synapses, extra spike_generator drive."""
    start = time.perf_counter()
    nest = nest_kernel()
    neuron_params = {"tau_syn_ex": 2.0, "I_e": 1000.0, "t_ref": args.t_ref}
    pre = nest.Create("aeif_cond_alpha_astro", args.neurons, params=neuron_params)
    post = nest.Create("aeif_cond_alpha_astro", args.neurons, params=neuron_params)
    astros = nest.Create("astrocyte_lr_1994", args.astrocytes, params={"IP3": 0.4, "delta_IP3": 0.2})
    nest.TripartiteConnect(
        pre, post, astros,
        conn_spec={"rule": "pairwise_bernoulli", "p": 1.0},
        third_factor_conn_spec={"rule": "third_factor_bernoulli_with_pool", "p": 1.0,
                                "pool_size": 1, "pool_type": "block"},
        syn_specs={"primary": {"synapse_model": "static_synapse"},
                   "third_in": {"synapse_model": "static_synapse"},
                   "third_out": {"synapse_model": "sic_connection", "delay": DT_MS}},
    )
    gens = nest.Create("spike_generator", args.neurons, params=[{"spike_times": t.tolist()} for t in drive])
    nest.Connect(gens, pre, "one_to_one", syn_spec={"weight": 1.0, "delay": 1.0})
    mm_n = nest.Create("multimeter", params={"interval": DT_MS, "record_from": ["V_m", "I_SIC"]})
    mm_a = nest.Create("multimeter", params={"interval": DT_MS, "record_from": list(ASTRO_VARS)})
    rec = nest.Create("spike_recorder")
    nest.Connect(mm_n, pre + post)
    nest.Connect(mm_a, astros)
    nest.Connect(pre + post, rec)
    first = {"pre": pre[0].global_id, "post": post[0].global_id, "astro": astros[0].global_id}
    wiring = {}
    for key, (src, tgt) in {"primary": (pre, post), "third_in": (pre, astros), "third_out": (astros, post)}.items():
        c = nest.GetConnections(src, tgt)
        s_first = first["astro"] if key == "third_out" else first["pre"]
        t_first = first["astro"] if key == "third_in" else first["post"]
        wiring[key] = {"i": np.asarray(c.source) - s_first, "j": np.asarray(c.target) - t_first,
                       "weight": np.asarray(c.weight, dtype=float), "delay": np.asarray(c.delay, dtype=float)}
    sim = time.perf_counter()
    nest.Simulate(args.network_ms)
    done = time.perf_counter()

    def by_node(events, names, first_id, n):
        order = np.lexsort((events["times"], events["senders"]))
        out = {}
        for name in names:
            values = np.asarray(events[name])[order]
            out[name] = values.reshape(n, -1)
        return out

    ev_n, ev_a = mm_n.events, mm_a.events
    neurons = by_node(ev_n, ["V_m", "I_SIC"], first["pre"], 2 * args.neurons)
    astro = by_node(ev_a, list(ASTRO_VARS), first["astro"], args.astrocytes)
    spikes = rec.events
    return {
        "V": neurons["V_m"], "I_SIC": neurons["I_SIC"],
        **{name: astro[nest_name] for nest_name, name in ASTRO_VARS.items()},
        "spike_i": np.asarray(spikes["senders"]) - first["pre"], "spike_t": np.asarray(spikes["times"]),
        "wiring": wiring, "wall_s": done - start, "simulate_s": done - sim,
    }


# ---- astrobrian (Brian2) ---------------------------------------------------------------------
def brian_device(args, label: str):
    """Fresh Brian2 scope on the chosen device (a new standalone project per network)."""
    from brian2 import defaultclock, device, get_device, ms, prefs, set_device, start_scope

    start_scope()
    defaultclock.dt = DT_MS * ms
    if args.device == "cpp_standalone":
        if shutil.which("ccache"):
            os.environ.setdefault("CXX", "ccache g++")  # Brian2 runs plain `make`
        if type(get_device()).__name__ == "CPPStandaloneDevice":
            device.reinit()
        set_device("cpp_standalone", directory=str(args.out / f"build_{label}"), build_on_run=True)
    else:
        prefs.codegen.target = args.device


def brian_run(args, net, duration_ms: float) -> tuple[float, float]:
    """Run the network on the device chosen in `args`.

    Parameters
    ----------
    args : argparse.Namespace
        The command line (device, build options).
    net : brian2.Network
        The network to run.
    duration_ms : float
        Simulated time.

    Returns
    -------
    tuple of float
        (wall seconds including code generation and build, seconds of the simulation itself).
    """
    from brian2 import device, ms

    start = time.perf_counter()
    net.run(duration_ms * ms, namespace={})
    wall = time.perf_counter() - start
    run = getattr(device, "_last_run_time", None) if args.device == "cpp_standalone" else wall
    return wall, float(run if run is not None else wall)


def brian_single_astrocyte(args, times: np.ndarray) -> dict:
    """astrobrian: lr1994_astrocyte fed by the same spike train (spike at t − dt, delay 1 ms)."""
    from brian2 import Network, SpikeGeneratorGroup, StateMonitor, ms, pA, umolar

    brian_device(args, "astrocyte")
    spec = models.load("lr1994_astrocyte", delta_IP3="0.2 umolar")
    astro = spec.neuron_group(1, name="astrocyte")
    drive = SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), (times - DT_MS) * ms, name="drive")
    syn = spec.connection("spike_input", drive, astro, name="drive_syn", delay=1 * ms)
    syn.connect()
    syn.weight = 1.0
    mon = StateMonitor(astro, ["IP3", "Ca", "h_IP3R", "SIC"], record=0, when="end", name="mon")
    net = Network(astro, drive, syn, mon)
    wall, run = brian_run(args, net, args.astro_ms - DT_MS)  # records t + dt: NEST's 0.1 … T − 0.1
    out = {name: np.asarray(getattr(mon, name)[0] / umolar) for name in ("IP3", "Ca")}
    out["h_IP3R"] = np.asarray(mon.h_IP3R[0])
    out["SIC"] = np.asarray(mon.SIC[0] / pA)
    out["t_ms"] = np.asarray(mon.t / ms) + DT_MS
    out["wall_s"], out["simulate_s"] = wall, run
    return out


def brian_network(args, drive: list[np.ndarray], wiring: dict) -> dict:
    """astrobrian: the same neurons, astrocytes and NEST's connection list, built and run.

    Parameters
    ----------
    args : argparse.Namespace
        The command line.
    drive : list of numpy.ndarray
        Input spike times (ms) of each generator.
    wiring : dict
        NEST's connections by role ('primary', 'third_in', 'third_out'): source and target
        indices 'i', 'j' and weights, replayed as they are.

    Returns
    -------
    dict
        Recorded traces ('V', 'I_SIC', 'IP3', 'Ca', 'h_IP3R'), spikes ('spike_i', 'spike_t')
        and the wall times ('wall_s', 'simulate_s').
    """
    from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, ms, mV, nS, pA, umolar

    brian_device(args, "network")
    neuron = models.load("adex_sic", preset="nest_small_network", t_ref=f"{args.t_ref} ms")
    astro = models.load("lr1994_astrocyte", delta_IP3="0.2 umolar", init_IP3="0.4 umolar")
    n = args.neurons
    neurons = neuron.neuron_group(2 * n, name="neurons")  # 0…n−1 presynaptic, n…2n−1 postsynaptic
    astros = astro.neuron_group(args.astrocytes, name="astrocytes")
    idx = np.concatenate([np.full(len(t), k) for k, t in enumerate(drive)])
    times = np.concatenate(drive)
    gens = SpikeGeneratorGroup(n, idx, (times - DT_MS) * ms, name="drive")
    objs = [neurons, astros, gens]

    def link(syn, w, weight_unit, name="weight"):
        syn.connect(i=w["i"], j=w["j"])
        setattr(syn, name, w["weight"] * weight_unit)
        syn.delay = w["delay"] * ms
        objs.append(syn)

    link(neuron.connection("excitatory", gens, neurons[:n], name="drive_syn"),
         {"i": np.arange(n), "j": np.arange(n), "weight": np.ones(n), "delay": np.ones(n)}, nS)
    link(neuron.connection("excitatory", neurons[:n], neurons[n:], name="primary"), wiring["primary"], nS)
    link(astro.connection("spike_input", neurons[:n], astros, name="third_in"), wiring["third_in"], 1.0)
    sic = neuron.connection("sic", astros, neurons[n:], name="third_out")
    sic.connect(i=wiring["third_out"]["i"], j=wiring["third_out"]["j"])
    sic.weight = wiring["third_out"]["weight"]
    objs.append(sic)
    mon_n = StateMonitor(neurons, ["V", "I_SIC"], record=True, when="end", name="mon_n")
    mon_a = StateMonitor(astros, ["IP3", "Ca", "h_IP3R"], record=True, when="end", name="mon_a")
    spikes = SpikeMonitor(neurons, name="spikes")
    net = Network(*objs, mon_n, mon_a, spikes)
    wall, run = brian_run(args, net, args.network_ms - DT_MS)
    return {
        "V": np.asarray(mon_n.V / mV), "I_SIC": np.asarray(mon_n.I_SIC / pA),
        "IP3": np.asarray(mon_a.IP3 / umolar), "Ca": np.asarray(mon_a.Ca / umolar), "h_IP3R": np.asarray(mon_a.h_IP3R),
        "spike_i": np.asarray(spikes.i[:]), "spike_t": np.asarray(spikes.t / ms) + DT_MS,  # NEST stamps t + dt
        "wall_s": wall, "simulate_s": run,
    }


# ---- comparison ------------------------------------------------------------------------------
def trace_deviation(nest_trace: np.ndarray, brian_trace: np.ndarray) -> dict:
    """Largest absolute deviation, and relative to the NEST trace's range (NaNs ignored)."""
    m = min(nest_trace.shape[-1], brian_trace.shape[-1])
    d = np.abs(nest_trace[..., :m] - brian_trace[..., :m])
    span = float(np.nanmax(nest_trace) - np.nanmin(nest_trace)) or 1.0
    return {"max_abs": float(np.nanmax(d)), "max_rel_to_range": float(np.nanmax(d) / span),
            "median_abs": float(np.nanmedian(d))}


def spike_agreement(nest: dict, brian: dict, n_cells: int) -> dict:
    """Counts, and the shift between each neuron's k-th NEST and k-th astrobrian spike.

    Parameters
    ----------
    nest, brian : dict
        Each simulator's spikes: senders 'spike_i' and times 'spike_t' (ms).
    n_cells : int
        Number of neurons compared.

    Returns
    -------
    dict
        Spike counts, the number of neurons with equal counts and the spike-time shifts.
    """
    shifts, same_count, first_split = [], 0, []
    for k in range(n_cells):
        a = np.sort(nest["spike_t"][nest["spike_i"] == k])
        b = np.sort(brian["spike_t"][brian["spike_i"] == k])
        m = min(len(a), len(b))
        diff = np.abs(a[:m] - b[:m])
        shifts.append(diff)
        same_count += int(len(a) == len(b))
        split = np.nonzero(diff > 1e-6)[0]
        if len(split):
            first_split.append(float(min(a[split[0]], b[split[0]])))
    shifts = np.concatenate(shifts) if shifts else np.zeros(0)
    return {"nest_spikes": int(len(nest["spike_t"])), "astrobrian_spikes": int(len(brian["spike_t"])),
            "neurons_with_equal_counts": same_count, "neurons": n_cells,
            "identical_times": int(np.sum(shifts < 1e-6)), "within_one_step": int(np.sum(shifts < DT_MS + 1e-6)),
            "median_shift_ms": float(np.median(shifts)) if len(shifts) else None,
            "max_shift_ms": float(shifts.max()) if len(shifts) else None,
            "earliest_divergence_ms": min(first_split) if first_split else None}


def figure(single: tuple[dict, dict], network: tuple[dict, dict], args, path: Path) -> None:
    """Traces of both simulators side by side: the single astrocyte and the small network.

    Parameters
    ----------
    single, network : tuple of dict
        (NEST, astrobrian) recordings of each scenario.
    args : argparse.Namespace
        The command line (for the title).
    path : Path
        The PNG file written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    (sn, sb), (nn, nb) = single, network
    fig, axes = plt.subplots(4, 2, figsize=(12, 10), sharex="col")
    t_s = sn["t_ms"] / 1000
    for ax, (name, unit) in zip(axes[:, 0], [("IP3", "µM"), ("Ca", "µM"), ("h_IP3R", ""), ("SIC", "pA")]):
        ax.plot(t_s, sn[name], color="k", lw=2.5, alpha=0.45, label="NEST 3.10")
        ax.plot(sb["t_ms"] / 1000, sb[name], color="tab:red", lw=0.9, label="astrobrian")
        ax.set_ylabel(f"{name} ({unit})" if unit else name)
    axes[0, 0].set_title("(a) single astrocyte, 1 Hz input")
    axes[0, 0].legend(frameon=False, fontsize=8)
    axes[-1, 0].set_xlabel("time (s)")
    t = np.arange(1, nn["Ca"].shape[1] + 1) * DT_MS
    tb = np.arange(1, nb["Ca"].shape[1] + 1) * DT_MS
    n = args.neurons
    panels = [("Ca", "astrocyte Ca (µM), astrocyte 0", nn["Ca"][0], nb["Ca"][0]),
              ("I_SIC", "I_SIC (pA), postsynaptic neuron 0", nn["I_SIC"][n], nb["I_SIC"][n]),
              ("V", "V (mV), postsynaptic neuron 0", nn["V"][n], nb["V"][n])]
    for ax, (_, label, a, b) in zip(axes[:3, 1], panels):
        ax.plot(t, a, color="k", lw=2.5, alpha=0.45)
        ax.plot(tb, b, color="tab:red", lw=0.9)
        ax.set_ylabel(label, fontsize=8)
    ax = axes[3, 1]
    ax.plot(nn["spike_t"], nn["spike_i"], "|", color="k", ms=7, alpha=0.5, label="NEST")
    ax.plot(nb["spike_t"], nb["spike_i"] + 0.3, "|", color="tab:red", ms=5, label="astrobrian")
    ax.set_ylabel("neuron (pre, then post)", fontsize=8)
    ax.set_xlabel("time (ms)")
    axes[0, 1].set_title(f"(b) tripartite network: {2 * n} aeif neurons, {args.astrocytes} astrocytes")
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/nest"), help="output folder")
    ap.add_argument("--seed", type=int, default=0, help="seed of the shared input spike trains")
    ap.add_argument("--device", choices=["cpp_standalone", "numpy", "cython"], default="cpp_standalone",
                    help="Brian2 target for astrobrian")
    ap.add_argument("--astro-ms", type=float, default=60000.0, help="(a) duration, ms (NEST example: 60 s)")
    ap.add_argument("--astro-rate", type=float, default=1.0, help="(a) Poisson input rate, Hz")
    ap.add_argument("--network-ms", type=float, default=1000.0, help="(b) duration, ms (NEST example: 1 s)")
    ap.add_argument("--neurons", type=int, default=10, help="(b) presynaptic = postsynaptic neurons")
    ap.add_argument("--astrocytes", type=int, default=5, help="(b) astrocytes (block pools of 1)")
    ap.add_argument("--drive-rate", type=float, default=50.0, help="(b) extra input per presynaptic neuron, Hz")
    ap.add_argument("--t-ref", type=float, default=0.0, help="(b) neuron refractory period, ms (NEST default 0)")
    args = ap.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(args.seed)
    astro_input = poisson_times(rng, args.astro_rate, args.astro_ms)
    drive = [poisson_times(rng, args.drive_rate, args.network_ms) for _ in range(args.neurons)]

    single_nest = nest_single_astrocyte(args, astro_input)
    single_brian = brian_single_astrocyte(args, astro_input)
    net_nest = nest_network(args, drive)
    net_brian = brian_network(args, drive, net_nest["wiring"])

    single = {name: trace_deviation(single_nest[name], single_brian[name]) for name in ("IP3", "Ca", "h_IP3R", "SIC")}
    network = {name: trace_deviation(net_nest[name], net_brian[name]) for name in ("IP3", "Ca", "h_IP3R", "I_SIC", "V")}
    network["spikes"] = spike_agreement(net_nest, net_brian, 2 * args.neurons)
    timing = {
        "single_astrocyte": {
            "nest_simulate_s": single_nest["simulate_s"],
            "nest_wall_s": single_nest["wall_s"],
            "astrobrian_simulate_s": single_brian["simulate_s"],
            "astrobrian_wall_s": single_brian["wall_s"],
        },
        "network": {"nest_simulate_s": net_nest["simulate_s"], "nest_wall_s": net_nest["wall_s"],
                    "astrobrian_simulate_s": net_brian["simulate_s"], "astrobrian_wall_s": net_brian["wall_s"]},
    }
    for part in timing.values():
        part["ratio_simulate_astrobrian_over_nest"] = part["astrobrian_simulate_s"] / part["nest_simulate_s"]
        part["ratio_wall_astrobrian_over_nest"] = part["astrobrian_wall_s"] / part["nest_wall_s"]

    import nest

    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    result = {"manifest": manifest(args.seed, params, device=f"brian2 {args.device}; NEST {nest.__version__}"),
              "single_astrocyte": single, "network": network, "timing": timing,
              "input_spikes": {"single_astrocyte": int(len(astro_input)), "network": int(sum(map(len, drive)))}}
    write_json_atomic(args.out / "nest_side_by_side.json", result)
    figure((single_nest, single_brian), (net_nest, net_brian), args, args.out / "nest_side_by_side.png")

    print(f"(a) single astrocyte, {args.astro_ms / 1000:g} s, {len(astro_input)} input spikes")
    for name, d in single.items():
        print(f"    {name:<7} max |Δ| {d['max_abs']:.3g} ({d['max_rel_to_range']:.2g} of range)")
    print(f"(b) network, {args.network_ms:g} ms, {2 * args.neurons} neurons, {args.astrocytes} astrocytes")
    for name, d in network.items():
        if name != "spikes":
            print(
                f"    {name:<7} max |Δ| {d['max_abs']:.3g} ({d['max_rel_to_range']:.2g} of range), "
                f"median {d['median_abs']:.3g}"
            )
    print(f"    spikes  {network['spikes']}")
    for part, tm in timing.items():
        print(f"    time {part}: NEST {tm['nest_simulate_s']:.2f} s simulate ({tm['nest_wall_s']:.2f} s in all); "
              f"astrobrian {tm['astrobrian_simulate_s']:.2f} s simulate ({tm['astrobrian_wall_s']:.2f} s with build); "
              f"ratio {tm['ratio_simulate_astrobrian_over_nest']:.2f} "
              f"(with build {tm['ratio_wall_astrobrian_over_nest']:.1f})")
    print(f"wrote {args.out / 'nest_side_by_side.json'} and .png")
    return result


if __name__ == "__main__":
    main()
