"""The neuron–astrocyte transformer (docs/transformer.md): conservation, synchronisation, the
read phase's fixed point, and the approach to softmax attention as the features grow."""

import numpy as np
import pytest

from astrobrian.abstract.transformer import (
    AstrocyteTransformer,
    RandomFeatures,
    attention_error,
    linear_attention,
    softmax_attention,
)
from astrobrian.errors import InputError


def _tokens(rng, d=8, length=16, n=4, queries=8, norm=0.5):
    """Keys and queries of norm ≈ `norm`, Gaussian values."""
    keys = rng.standard_normal((length, d)) * norm / np.sqrt(d)
    q = rng.standard_normal((queries, d)) * norm / np.sqrt(d)
    return q, keys, rng.standard_normal((length, n))


def test_read_conserves_calcium_synchronises_and_reaches_linear_attention():
    """Σp is conserved to round-off, the dispersion ½Σ(p_ij − p_kl)² decays at exactly 2NM/τ_p
    (exponential Euler is exact for p), and x(t) ends on x* = Σ c I / p*, which is the
    linear-attention formula on the same features to ≤ 1e-9."""
    rng = np.random.default_rng(0)
    q, keys, values = _tokens(rng)
    features = RandomFeatures(8, 64, seed=1)
    model = AstrocyteTransformer(4, 64, tau_p=2.0)
    traj = model.attend(q, keys, values, features, dt=0.05)
    assert np.max(np.abs(traj.p_total - traj.p_total[0]) / traj.p_total[0]) < 1e-13
    rate = -np.log(traj.dispersion[1] / traj.dispersion[0]) / (traj.t[1] - traj.t[0])
    assert rate == pytest.approx(np.full(len(q), model.synchronisation_rate), rel=1e-9)
    assert model.synchronisation_rate == 2 * 4 * 64 / 2.0
    expected = linear_attention(features(q), features(keys), values)
    assert np.max(np.abs(traj.fixed_point - expected)) < 1e-12
    assert np.max(np.abs(traj.final - expected)) < 1e-9


def test_processes_synchronise_to_the_mean_and_synapses_to_c_over_it():
    rng = np.random.default_rng(1)
    q, keys, values = _tokens(rng, queries=3)
    features = RandomFeatures(8, 32, seed=2)
    model = AstrocyteTransformer(4, 32)
    stored = model.write(values, features(keys))
    assert stored.key_trace == pytest.approx(features(keys).sum(axis=0), rel=1e-12)
    assert stored.c == pytest.approx(values.T @ features(keys) / 32, rel=1e-12)
    traj = model.read(features(q), stored, keep_state=True)
    p_star = model.initial_processes(features(q), stored).mean(axis=(1, 2))
    assert traj.p == pytest.approx(np.broadcast_to(p_star[:, None, None], traj.p.shape), rel=1e-12)
    assert traj.s == pytest.approx(stored.c[None] / p_star[:, None, None], rel=1e-9)


def test_write_dynamics_approach_the_ideal_write():
    """Holding each token for T τ_n leaves x within e^{−T} of its value: the stored c approaches
    the ideal Hebbian write Σ V φ(K)ᵀ / M accordingly."""
    rng = np.random.default_rng(2)
    _q, keys, values = _tokens(rng)
    features = RandomFeatures(8, 16, seed=3)
    model = AstrocyteTransformer(4, 16)
    ideal = model.write(values, features(keys)).c
    errors = [np.max(np.abs(model.write(values, features(keys), write_time=t, dt=0.01).c - ideal))
              for t in (2.0, 4.0, 8.0)]
    assert errors[0] > errors[1] > errors[2] > 0
    assert errors[2] / errors[1] == pytest.approx(np.exp(-4.0), rel=0.3)


def test_attention_error_falls_as_one_over_root_m():
    """The network's output approaches exact softmax attention as the number of input neurons
    (random features) M grows: over M = 64 … 4096 (|q|, |k| ≈ 0.5, so M ≫ e^{|q+k|²}), averaged
    over 8 feature draws, the log–log slope is −0.5 ± 0.1 and err·√M stays within a factor 1.5."""
    rng = np.random.default_rng(3)
    q, keys, values = _tokens(rng)
    exact = softmax_attention(q, keys, values)
    ms = (64, 256, 1024, 4096)
    errors = []
    for m in ms:
        model = AstrocyteTransformer(4, m)
        errors.append(np.mean([attention_error(model.attend(q, keys, values, RandomFeatures(8, m, seed), dt=0.2).final,
                                               exact).mean() for seed in range(8)]))
    slope = np.polyfit(np.log(ms), np.log(errors), 1)[0]
    assert slope == pytest.approx(-0.5, abs=0.1)
    scaled = np.asarray(errors) * np.sqrt(ms)
    assert scaled.max() / scaled.min() < 1.5


def test_orthogonal_features_and_bad_input():
    w = RandomFeatures(4, 8, seed=0, kind="orthogonal").projection
    block = w[:4] / np.linalg.norm(w[:4], axis=1, keepdims=True)
    assert block @ block.T == pytest.approx(np.eye(4), abs=1e-12)
    model = AstrocyteTransformer(2, 3)
    with pytest.raises(InputError, match="key_features"):
        model.write(np.ones((2, 2)), -np.ones((2, 3)))
    with pytest.raises(InputError, match="values"):
        model.write(np.ones((3, 2)), np.ones((2, 3)))
    with pytest.raises(InputError, match="kind"):
        RandomFeatures(4, 8, kind="cosine")
    with pytest.raises(InputError, match="features"):
        model.attend(np.ones((1, 4)), np.ones((2, 4)), np.ones((2, 2)), RandomFeatures(4, 8))
    with pytest.raises(InputError, match="queries"):
        softmax_attention(np.ones((1, 3)), np.ones((2, 4)), np.ones((2, 2)))


def test_brian2_rung_matches_the_abstract_model_to_round_off():
    """The Brian2 rung (summed gather/spread of the astrocyte's Ca²⁺, r as a network input)
    writes the same c and key trace and reads the same x(t), Σp(t) and dispersion as the
    abstract model step for step; Σp is conserved and the dispersion falls at 2NM/τ_p there too."""
    from astrobrian.devices import use_device
    from astrobrian.network.transformer import build_transformer_network

    rng = np.random.default_rng(4)
    q, keys, values = _tokens(rng, d=4, length=5, n=3, queries=2, norm=0.6)
    features = RandomFeatures(4, 8, seed=1)
    with use_device("runtime"):
        net = build_transformer_network(3, 8, tau_p=2.0, dt=0.05, record_processes=True)
        with pytest.raises(InputError, match="read"):
            net.read(features(q))
        net.write(values, features(keys), write_time=5.0)
        brian = net.read(features(q), read_time=10.0)
    model = AstrocyteTransformer(3, 8, tau_p=2.0)
    stored = model.write(values, features(keys), write_time=5.0, dt=0.05)
    assert np.max(np.abs(net.stored().c - stored.c)) < 1e-14
    assert np.max(np.abs(net.stored().key_trace - stored.key_trace)) < 1e-14
    abstract = model.read(features(q), stored, read_time=10.0, dt=0.05)
    assert brian.x.shape == abstract.x.shape
    assert np.max(np.abs(brian.x - abstract.x)) < 1e-12
    assert np.max(np.abs(brian.p_total - abstract.p_total) / abstract.p_total) < 1e-13
    assert np.max(np.abs(brian.p_total - brian.p_total[0]) / brian.p_total[0]) < 1e-13
    rate = -np.log(brian.dispersion[1] / brian.dispersion[0]) / 0.05
    assert rate == pytest.approx(np.full(2, model.synchronisation_rate), rel=1e-9)


SMALL = ["sweep.M=[16, 32, 64, 128]", "sweep.L=[4, 8]", "sweep.key_norm=[0.5, 1.0]", "sweep.D=[4, 8]", "M=64", "L=8",
         "queries=4", "feature_draws=2", "network.read_time=5", "brian2.M=8", "continuum.uniform=[0, 1]",
         "continuum.trials=8", "continuum.M=256"]


def test_transformer_protocol_writes_its_result_set(tmp_path, capsys):
    """`astrobrian run transformer` (made small with --set): results.json, manifest.json and the
    figure; the error falls with M; modern Hopfield and the astro-gated fast gains are exact
    softmax attention; the Brian2 rung equals the abstract model; the same seed reproduces."""
    import json

    from astrobrian.cli import main

    out = tmp_path / "tr"
    args = ["run", "transformer", "--out", str(out), "--quiet", "--json", *(a for s in SMALL for a in ("--set", s))]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.json", "transformer.png"]
    errors = [p["error"] for p in summary["sweeps"]["M"]]
    assert errors[-1] < errors[0]
    assert summary["sweeps"]["root_m_fit"]["slope"] < 0
    models = summary["comparison"]["models"]
    assert models["modern-hopfield"]["error"] < 1e-12 and models["astro-gated, fast gains"]["error"] < 1e-12
    assert models["neuron-astrocyte transformer"]["error"] > 1e-6  # random features: approximate
    assert summary["brian2"]["max_abs_difference_x"] < 1e-12
    assert summary["dynamics"]["measured_synchronisation_rate"] == pytest.approx(
        summary["dynamics"]["synchronisation_rate"], rel=1e-6)
    saved = json.loads((out / "results.json").read_text())
    assert saved["manifest"]["seed"] == 0
    assert saved["summary"]["sweeps"]["M"][0]["errors"] == summary["sweeps"]["M"][0]["errors"]
    assert main([*args[:2], "--out", str(tmp_path / "again"), *args[4:]]) == 0
    again = json.loads(capsys.readouterr().out)
    ends = {r["uniform"]: r for r in summary["continuum"]["rows"]}  # the two ends of the continuum
    assert ends[0.0]["dam_kmax"] > 5 and ends[1.0]["dam_kmax"] == 0  # uniform coupling stores nothing in T
    assert ends[1.0]["transformer_kmax"] > 1 and ends[0.0]["transformer_kmax"] == 0  # no stable read at w = 0
    assert ends[1.0]["stable_fraction"] == 1.0 and ends[0.0]["stable_fraction"] == 0.0
    for which in ("M", "L", "key_norm", "D"):  # everything but the timings
        assert [p["errors"] for p in again["sweeps"][which]] == [p["errors"] for p in summary["sweeps"][which]]


@pytest.mark.parametrize("settings, field", [
    (["sweep.M=[16, 32, 64]"], "sweep.M"),
    (["features=cosine"], "features"),
    (["key_norm=0"], "key_norm"),
    (["network.dt=100"], "network.dt"),
    (["network.tau_p=-1"], "network.tau_p"),
    (["M=100000000"], "sweep.M"),
    (["colour=1"], "colour"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_transformer_protocol_bad_input_is_one_line(bad_input, tmp_path, settings, field):
    out = tmp_path / "out"
    bad_input(["run", "transformer", "--out", out, "--quiet", *(a for s in settings for a in ("--set", s))], field,
              out=out)
    assert not out.exists()


def test_transformer_protocol_refuses_other_devices_and_workers(bad_input, tmp_path):
    bad_input(["run", "transformer", "--device", "cpp_standalone", "--out", tmp_path / "o", "--quiet"], "--device")
    bad_input(["run", "transformer", "--workers", "2", "--out", tmp_path / "o", "--quiet"], "--workers")


def test_token_coupling_is_uniform_at_one_and_the_read_settles_on_its_leading_mode():
    """TokenCoupling at w = 1 is T = 𝟙𝟙ᵀ (leak NM, constant leading mode, p* = mean p(0)); below 1
    the read phase's processes settle on e₁(e₁·p(0)) and x(t) on its fixed point, while w near 0
    leaves p* with negative entries: no stable read (NaN)."""
    from astrobrian.abstract.transformer import TokenCoupling

    rng = np.random.default_rng(5)
    q, keys, values = _tokens(rng, queries=3)
    features = RandomFeatures(8, 32, seed=4)
    model = AstrocyteTransformer(4, 32)
    stored = model.write(values, features(keys))
    uniform = TokenCoupling(4, 32, 1.0, stored)
    assert uniform.leak == pytest.approx(4 * 32, rel=1e-12)
    assert uniform.leading == pytest.approx(np.full((4, 32), 1 / np.sqrt(4 * 32)), rel=1e-12)
    p0 = model.initial_processes(features(q), stored)
    assert uniform.settled(p0) == pytest.approx(np.broadcast_to(p0.mean(axis=(1, 2))[:, None, None], p0.shape),
                                                rel=1e-12)
    mixed = AstrocyteTransformer(4, 32, uniform=0.8)
    traj = mixed.read(features(q), stored, read_time=40.0, dt=0.05, keep_state=True)
    assert np.max(np.abs(traj.p - mixed.coupling(stored).settled(p0))) < 1e-9 * np.abs(traj.p).max()
    assert np.max(np.abs(traj.final - traj.fixed_point)) < 1e-9
    assert np.all(np.isnan(AstrocyteTransformer(4, 32, uniform=0.0).fixed_point(features(q), stored)))


def test_transformer_memory_is_linear_attention_over_the_patterns():
    """TransformerMemory (the registry's 'astrocyte-transformer'): keys (|k|/√N) ξ_μ and values ξ_μ
    written, the cue read; its state is the linear-attention formula, and approaches the one-step
    modern-Hopfield update with β = |k|²/N as M grows."""
    from astrobrian.abstract import ModernHopfield
    from astrobrian.abstract.registry import model_entry
    from astrobrian.abstract.transformer import TransformerMemory
    from astrobrian.patterns import random_patterns

    rng = np.random.default_rng(6)
    xi = random_patterns(16, 5, rng)
    cues = xi[:, :3].T.copy()
    cues[:, :2] *= -1
    scale = 0.5 / 4.0
    exact = ModernHopfield(xi, beta=0.5**2 / 16).update(cues)
    errors = []
    for m in (64, 4096):
        draws = []
        for seed in range(3):
            memory = TransformerMemory(xi, n_features=m, key_norm=0.5, feature_seed=seed)
            f = memory.features
            direct = linear_attention(f(scale * cues), f(scale * xi.T), xi.T)
            assert np.max(np.abs(memory.recall_state(cues) - direct)) < 1e-12
            draws.append(attention_error(memory.run(cues).final, exact).mean())
        errors.append(np.mean(draws))
    assert errors[1] < errors[0] / 3  # √64 = 8 in the 1/√M regime
    assert model_entry("astrocyte-transformer").cls is TransformerMemory
