"""Capacity measurement: criteria, bisection, scaling fits and published capacities."""

import numpy as np
import pytest

from astrobrian.capacity import (
    Criterion,
    capacity_scan,
    find_kmax,
    fit_power_law,
    monotone_crossing,
    recall_trials,
)
from astrobrian.errors import InputError


def test_mirror_state_is_a_failure_under_both_criteria():
    target = np.array([[1.0, -1.0, 1.0, 1.0]])
    assert not Criterion("exact").success(-target, target)[0]
    assert not Criterion("overlap", 0.5).success(-target, target)[0]
    assert Criterion("overlap", 0.5).success(np.array([[1.0, -1.0, 1.0, -1.0]]), target)[0]


def test_bisection_finds_the_crossing_of_a_known_curve():
    calls = []

    def p_of_k(k):
        calls.append(k)
        return float(np.clip(1.0 - (k - 1) / 300.0, 0, 1))  # P = 0.5 at K = 151

    cache = {}
    kmax, (lo, hi) = find_kmax(p_of_k, 0.5, cache, rel_tol=0.0)
    assert hi == lo + 1 and lo <= 151 <= hi
    assert kmax == pytest.approx(151, abs=1)
    assert len(calls) == len(set(calls)) < 25  # memoised, logarithmic


def test_crossing_of_a_noisy_curve_uses_a_monotone_fit():
    # a single point that bounces back above the level does not move the crossing far
    points = {1: 1.0, 10: 0.9, 20: 0.42, 40: 0.52, 80: 0.1}  # 40 pools with 20: 0.47 < 0.5
    k = monotone_crossing(points, 0.5)
    assert 10 < k < 20
    assert monotone_crossing({1: 0.3, 2: 0.1}, 0.5) == 0.0


def test_power_law_fit_recovers_exponent_and_log_correction():
    ns = np.array([10, 14, 20, 28, 40])
    fit = fit_power_law(ns, 0.3 * ns**3.0)
    assert fit["slope"] == pytest.approx(3.0, abs=1e-12)
    corrected = fit_power_law(ns, ns**3.0 / np.log(ns), log_correction=True)
    assert corrected["slope"] == pytest.approx(3.0, abs=1e-12)


def test_same_seed_same_results_and_different_seed_differs():
    a = recall_trials("dam4", 12, 40, 60, 0.1, Criterion(), seed=3)
    b = recall_trials("dam4", 12, 40, 60, 0.1, Criterion(), seed=3)
    c = recall_trials("dam4", 12, 40, 60, 0.1, Criterion(), seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_hopfield_low_load_always_recalls_high_load_never():
    ok_low = recall_trials("hopfield", 100, 3, 40, 0.1, Criterion(), seed=0)
    ok_high = recall_trials("hopfield", 100, 60, 40, 0.1, Criterion(), seed=0)
    assert ok_low.mean() == 1.0 and ok_high.mean() == 0.0


def test_hopfield_tolerant_capacity_near_amit_gutfreund_sompolinsky():
    """N = 200, m ≥ 0.97 from 10 % flipped bits: K_max(P = 0.9) within 0.11–0.15 N (AGS 0.138 N);
    K_max(P = 0.5) lies above 0.138 N, as finite-size smearing of the transition predicts."""
    scan = capacity_scan("hopfield", [200], flip=0.1, trials=50, criterion=Criterion("overlap", 0.97), seed=1)
    assert 0.11 <= scan.sizes[0].kmax["0.9"] / 200 <= 0.15
    assert 0.138 <= scan.sizes[0].kmax["0.5"] / 200 <= 0.19


def test_quartic_dam_scales_superlinearly_and_hopfield_does_not():
    ns = [10, 14, 20]
    dam = capacity_scan("dam4", ns, trials=40, seed=0)
    hop = capacity_scan("hopfield", ns, trials=40, seed=0)
    assert dam.fits["0.5"]["ln_corrected"]["slope"] > 2.3
    assert hop.fits["0.5"]["ln_corrected"]["slope"] < 1.6
    assert all(d.kmax["0.5"] > 2 * h.kmax["0.5"] for d, h in zip(dam.sizes, hop.sizes))


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: recall_trials("dam4", 10, 0, 5, 0.1, Criterion(), 0), "K"),
        (lambda: recall_trials("dam4", 1, 3, 5, 0.1, Criterion(), 0), "N"),
        (lambda: recall_trials("dam4", 10, 3, 5, 1.5, Criterion(), 0), "flip"),
        (lambda: recall_trials("dam5", 10, 3, 5, 0.1, Criterion(), 0), "model"),
        (lambda: recall_trials("dam4", 10, 3, 0, 0.1, Criterion(), 0), "trials"),
        (lambda: Criterion("approximate"), "criterion"),
        (lambda: Criterion("overlap", 1.5), "threshold"),
        (lambda: capacity_scan("dam4", [10], params={"temperature": 1.0}), "param 'temperature'"),
    ],
)
def test_bad_input_is_a_clear_error(call, field):
    with pytest.raises(InputError, match=field):
        call()


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: capacity_scan("dam4", [10, 10], trials=5), "distinct sizes"),
        (lambda: capacity_scan("dam4", [2, 3], trials=5), "flipped bits"),  # ⌊0.1·N⌋ = 0: nothing to recall
        (lambda: capacity_scan("dam4", [10], flip=0.5, trials=5), "mirror"),
        (lambda: capacity_scan("dam4", [10], trials=5, seed=-1), "seed"),
        (lambda: capacity_scan("neuron-astrocyte", [10], trials=5, params={"tau_s": float("nan")}), "tau_s"),
        (lambda: capacity_scan("neuron-astrocyte", [10], trials=5, params={"beta": -1.0}), "model 'neuron-astrocyte'"),
        (lambda: capacity_scan("dam4", [1000], trials=5), "search limit"),
    ],
)
def test_scans_that_would_measure_nothing_or_cannot_finish_are_refused(call, words):
    with pytest.raises(InputError, match=words):
        call()


def test_a_power_law_needs_two_distinct_sizes():
    assert fit_power_law(np.array([10, 10]), np.array([5.0, 6.0]))["slope"] is None
    assert fit_power_law(np.array([10]), np.array([5.0]))["slope"] is None
    two = fit_power_law(np.array([10, 20]), np.array([5.0, 10.0]))
    assert two["slope"] == pytest.approx(1.0) and all(np.isnan(two["ci95"]))  # no interval from 2 points


def test_unknown_parameters_name_the_model_and_list_its_parameters():
    from astrobrian.abstract.registry import model_entry

    with pytest.raises(InputError, match=r"model 'hopfield' \(its parameters: max_sweeps, record_every\)"):
        model_entry("hopfield").split({"beta": 3})


@pytest.mark.parametrize("model, n, k", [("dam4", 40, 80), ("neuron-astrocyte", 40, 4), ("neuron-astrocyte", 24, 48)])
def test_memory_estimate_covers_the_measured_peak_of_a_batch(model, n, k):
    import tracemalloc

    from astrobrian.abstract.registry import model_entry

    tracemalloc.start()
    try:
        recall_trials(model, n, k, 4, 0.1, Criterion(), seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = 4 * 8 * model_entry(model).trial_floats(n, k)
    assert peak <= estimate <= 4 * peak


def test_a_point_too_large_for_the_memory_left_is_refused_before_it_runs(monkeypatch):
    monkeypatch.setattr("astrobrian.resources.available_memory", lambda: 10_000_000)
    with pytest.raises(InputError, match=r"K \(number of patterns\).*needs about"):
        recall_trials("dam4", 100, 5000, 10, 0.1, Criterion(), seed=0)
