"""A new rung, a new knockout and a new protocol kind are each one registration, from outside the
package: a toy rung and a toy knockout run through a recall protocol and a capacity sweep."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from astrobrian import protocols, sweep_protocols
from astrobrian.abstract import knockouts as knockout_table
from astrobrian.abstract.knockouts import FEATURES, Knockouts, KnockoutType, register_knockout, unregister_knockout
from astrobrian.errors import InputError
from astrobrian.network import MemoryNetwork, RecallRun, Rung, get_rung, register_rung, unregister_rung
from astrobrian.runner import run_protocol


# ---- the toy rung: pairwise rate neurons, dx/dt = (−x + W tanh(x) + b)/τ, written as Brian2 equations
@dataclass
class ToyRateNetwork(MemoryNetwork):
    """The toy rung's network: the cue is an input b for cue_duration (units of τ)."""

    def present(self, cue, cue_duration, duration, cue_strength):
        from brian2 import second

        from astrobrian.network.base import run_checked

        self.neurons.b = cue_strength * cue
        run_checked(self.network, cue_duration * second)
        self.neurons.b = 0
        run_checked(self.network, (duration - cue_duration) * second)

    def read_out(self, cue, target, cue_duration, threshold):
        from brian2 import second

        from astrobrian.patterns import overlaps
        from astrobrian.recall import recall_report

        t = np.asarray(self.monitors["x"].t / second)
        x = np.asarray(self.monitors["x"].x).T
        ov = overlaps(np.where(x >= 0, 1.0, -1.0), self.patterns)
        report = recall_report(t, ov, ov[-1], target, cue_duration, float(cue @ self.patterns[:, target] / cue.size),
                               threshold)
        return RecallRun(t, ov, ov[-1], report, {"x": x})


def build_toy_network(patterns, *, seed: int = 0, dt: float = 0.05, gain: float = 2.0, knockouts=None,
                      name: str = "toy") -> ToyRateNetwork:
    """Pairwise Hebbian weights W = gain·ΞΞᵀ/N (zero diagonal); knockouts through their table entries."""
    from brian2 import Network, NeuronGroup, StateMonitor, Synapses, second

    xi = np.asarray(patterns, dtype=float)
    n = xi.shape[0]
    knock = knockouts or Knockouts()
    knockout_table.require_features(knock, {"toy_weights"}, "on the toy rung")
    effects = knock.effects(n, None)
    neurons = NeuronGroup(n, "dx/dt = (-x + I_rec + b)/(1*second) : 1\nI_rec : 1\nb : 1", method="euler",
                          dt=dt * second, name=f"{name}_neurons")
    synapses = Synapses(neurons, neurons, "w : 1\nI_rec_post = w*tanh(x_pre) : 1 (summed)", name=f"{name}_synapses")
    pre, post = np.nonzero(~np.eye(n, dtype=bool))
    synapses.connect(i=pre, j=post)
    w = gain * effects.coupling * (xi @ xi.T) / n
    synapses.w = w[post, pre]
    knock.apply_brian2_hooks(synapses, (post, pre))
    monitor = StateMonitor(neurons, "x", record=True, name=f"{name}_x")
    net = Network(neurons, synapses, monitor, name=f"{name}_network")
    return ToyRateNetwork("toy-rate", net, neurons, synapses, {}, {"x": monitor}, xi,
                          {"N": n, "gain": gain, "knockouts": knock.describe(), "seed": seed})


def _prune(synapses, pairs, fraction, knockouts):
    """The toy knockout's Brian2 hook: a random fraction of the weights (chosen by the seed) set to 0."""
    rng = np.random.default_rng(knockouts.seed)
    cut = rng.random(len(pairs[0])) < fraction
    synapses.w = np.where(cut, 0.0, np.asarray(synapses.w))


@pytest.fixture
def toy_registered(monkeypatch):
    """The toy rung, its feature and the toy knockout, registered for one test and removed after."""
    monkeypatch.setitem(FEATURES, "toy_weights", "pairwise toy weights (the toy rung)")
    register_rung(Rung("toy-rate", build_toy_network, "a toy pairwise rate rung (tests/test_extending.py)",
                       time_unit="tau_n", features=frozenset({"toy_weights"}), abstract_model="hopfield",
                       units="pairwise", memory_bytes=(0.0, 100.0, 100.0)))
    register_knockout(KnockoutType(
        "toy_silencing", "the toy weights (T and W × (1 − f)), and a random fraction f of the toy weights pruned",
        ("toy_weights",), "T × (1 − f)", lambda effects, f, k: setattr(effects, "coupling", effects.coupling * (1 - f)),
        _prune))
    yield
    unregister_knockout("toy_silencing")
    unregister_rung("toy-rate")


def toy_recall_data(**changes) -> dict:
    data = {
        "name": "toy", "rung": "toy-rate", "seed": 3, "trials": 2, "N": 16, "K": 2, "flips": 3,
        "cue_duration": "1 second", "duration": "5 second", "network": {"gain": 2.0},
        "abstract": {"dt": 0.05, "cue_duration": 1.0, "duration": 5.0},
        "controls": {"dam": {"enabled": False}, "hopfield": {"enabled": False}},
        "knockouts": {"type": "toy_silencing", "fractions": [0.0, 1.0]},
    }
    data.update(changes)
    return data


def test_a_toy_rung_and_knockout_run_through_a_recall_protocol(toy_registered):
    assert get_rung("toy-rate").knockouts == ("toy_silencing",)  # the only knockout it has the features for
    protocol = protocols.validate(toy_recall_data(), "toy.toml")
    assert protocol.rung == "toy-rate" and protocol.knockouts.types == ("toy_silencing",)
    run = run_protocol(protocol)
    summary = run.summary()
    assert summary["fraction_recalled"]["network"] == 1.0  # two patterns in 16 neurons: recalled from 3 flips
    sweep = summary["knockouts"]["toy_silencing"]
    assert sweep["network"]["fraction_recalled"] == [1.0, 0.0]  # f = 1: no weights, the cue only fades
    assert sweep["network"]["mean_target_overlap"][1] == pytest.approx(1 - 2 * 3 / 16)  # the cue's own overlap
    ko_record = run.trials[0].knockouts[("toy_silencing", 1.0)]["network"]
    assert ko_record.report.target_overlap < protocol.threshold
    assert run.parameters["network"]["knockouts"]["toy_silencing"] == 0.0  # the intact network first
    # the knockout reaches the abstract prediction through its table entry: T = 0 there too
    assert sweep["abstract"]["fraction_recalled"][1] == 0.0


def test_the_toy_knockout_is_refused_where_its_requirement_is_not_met(toy_registered):
    data = toy_recall_data(rung="spiking", network={}, cue_duration="120 ms", duration="320 ms")
    with pytest.raises(InputError, match=r"knockouts.type.*toy_silencing only with pairwise toy weights"):
        protocols.validate(data, "toy.toml")
    with pytest.raises(InputError, match="coupling_cut only with astrocyte processes"):
        build_toy_network(np.ones((4, 1)), knockouts=Knockouts(coupling_cut=0.5))


def test_a_toy_rung_runs_through_a_capacity_sweep(toy_registered, tmp_path):
    data = {
        "kind": "knockout_capacity", "N": 12, "flips": 1, "trials": 3, "rel_tol": 1.0, "levels": [0.5],
        "workers": 1, "cue_duration": "1 second", "duration": "4 second",
        "models": {"toy": {"rung": "toy-rate", "k_start": 0.25, "chunk": 3}},
        "knockouts": {"type": "toy_silencing", "fractions": [0.0, 1.0]},
    }
    protocol = protocols.validate(data, "toy_sweep.toml")
    assert isinstance(protocol, sweep_protocols.SweepProtocol)
    run = sweep_protocols.run_sweep(protocol, tmp_path)
    kmax = run.summary()["knockouts"]["toy_silencing"]["toy"]["0.5"]
    assert kmax[0] >= 1 and kmax[1] == 0  # intact: it stores patterns; silenced: none
    assert run.summary()["models"]["toy"]["level"] == "network"


def test_protocol_kinds_are_looked_up_and_a_new_kind_is_one_registration(monkeypatch):
    assert {"recall", "capacity_scaling", "knockout_capacity"} <= set(protocols.kind_names())
    seen = {}
    kind = protocols.ProtocolKind(
        "echo", "returns its file", frozenset({"kind", "value"}), lambda data, source: dict(data),
        lambda data, options, source: data, lambda p, out, options, progress=None: p,
        lambda result, out: seen.setdefault("written", out), lambda summary, out=None: str(summary), ("echo.json",),
        lambda p: "card", lambda data: "-")
    monkeypatch.setitem(protocols.KINDS, "echo", kind)
    assert protocols.validate({"kind": "echo", "value": 1}, "e.toml") == {"kind": "echo", "value": 1}
    with pytest.raises(InputError, match=r"\[kind\].*recall"):
        protocols.validate({"kind": "nothing"}, "e.toml")


ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_a_private_name_from_another():
    offenders = []
    for path in [p for folder in ("astrobrian", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                ours = node.level > 0 or (node.module or "").startswith("astrobrian")
                for alias in node.names:
                    if ours and alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(f"{path.relative_to(ROOT)}: {alias.name}")
    assert not offenders, offenders


PLUGIN = '''
from astrobrian.network import get_rung, register_rung
from dataclasses import replace

register_rung(replace(get_rung("rate"), name="plugin-rate", description="the rate rung under another name"))
'''


def test_the_command_line_loads_plugins_named_in_the_environment(tmp_path, monkeypatch, capsys):
    from astrobrian.cli import main

    (tmp_path / "astro_plugin_demo.py").write_text(PLUGIN, encoding="utf-8")
    protocol = tmp_path / "plugged.toml"
    protocol.write_text('rung = "plugin-rate"\nN = 12\nK = 3\nflips = 2\ncue_duration = "1 second"\n'
                        'duration = "4 second"\n[controls.hopfield]\nenabled = false\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("ASTROBRIAN_PLUGINS", raising=False)
    assert main(["protocols", "show", str(protocol)]) == 2  # not registered: one line naming the rung
    assert "plugin-rate" in capsys.readouterr().err
    monkeypatch.setenv("ASTROBRIAN_PLUGINS", "astro_plugin_demo")
    try:
        assert main(["protocols", "show", str(protocol)]) == 0
        assert "plugin-rate" in capsys.readouterr().out
        monkeypatch.setenv("ASTROBRIAN_PLUGINS", "no_such_astro_plugin")
        assert main(["protocols", "show", str(protocol)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "ASTROBRIAN_PLUGINS" in err and "no_such_astro_plugin" in err
    finally:
        unregister_rung("plugin-rate")


def test_knockouts_know_which_of_them_act_on_an_effect():
    knock = Knockouts(coupling_cut=0.5, gliotransmission_block=0.25, seed=7)
    assert knock.acting_on("feedback") == ("gliotransmission_block",)
    assert knock.acting_on("coupling") == ("coupling_cut",)
    rest = knock.without("gliotransmission_block")
    assert rest == Knockouts(coupling_cut=0.5, seed=7) and rest.gliotransmission_block == 0.0
    assert Knockouts(process_ablation=0.5).acting_on("alive") == ("process_ablation",)
