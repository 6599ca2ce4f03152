"""Recall read-out: two-mode midpoint, ±1 state, report fields."""

import numpy as np

from astrobrian.recall import readout, recall_report, two_mode_midpoint


def test_midpoint_separates_two_rate_modes_whatever_their_sizes():
    rng = np.random.default_rng(0)
    for n_up in (3, 16, 29):
        rates = np.r_[rng.normal(5, 1, 32 - n_up), rng.normal(40, 3, n_up)]
        state = readout(rates)
        assert state.sum() == 2 * n_up - 32
        assert 10 < two_mode_midpoint(rates) < 35


def test_report_times_retrieval_and_persistence():
    t = np.linspace(0, 10, 11)
    ov = np.zeros((11, 3))
    ov[:, 0] = [0.7, 0.7, 0.8, 0.95, 0.85, 0.95, 1, 1, 1, 1, 1]
    ov[:, 2] = 0.3
    rep = recall_report(t, ov, ov[-1], target=0, cue_end=2.0, cue_overlap=0.7)
    assert rep.recalled and rep.persists and rep.time_to_retrieval == 5.0
    assert rep.best_other == 2 and rep.best_other_overlap == 0.3
    ov[-1, 0] = 0.5
    rep = recall_report(t, ov, ov[-1], target=0, cue_end=2.0, cue_overlap=0.7)
    assert not rep.recalled and not rep.persists and rep.time_to_retrieval is None
