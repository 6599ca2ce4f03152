"""The neuron–astrocyte transformer as a Brian2 rate network (docs/transformer.md#brian2-rung):
`AstrocyteTransformer`'s equations as model files, matching it to round-off.

M input neurons (`transformer_input`, activity I), N output neurons (`transformer_output`: x,
value input v, the read/write signal r as one shared network input), N·M tripartite synapses
with their processes (`transformer_synapse`: s, p, the Hebbian bias c and the key trace a),
and one astrocyte (`transformer_astrocyte`) whose total Ca²⁺ P = Σ p is gathered from every
process and spread back by two summed connections (N·M synapses each; never (NM)² couplings).
Start-of-step semantics as in the abstract model: the gather, then the spread and the synaptic
input, then every state update (exponential Euler).

Writing holds each token for `write_time` (inputs I = φ(K_β), values v = V_β, r = 0), then
applies Δc = x_post I_pre / M and Δa = I_pre; the written state is stored, and each query is
read from it (restore, I = φ(Q), r = 1, s = 0, p = I_pre a) on the runtime device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..abstract.transformer import AstrocyteTransformer, ReadTrajectory, StoredTokens, dispersion
from ..errors import InputError, require_positive

#: name of the stored network state after the write phase
WRITTEN = "written"


@dataclass
class TransformerNetwork:
    """A built neuron–astrocyte transformer: its Brian2 objects, the abstract model it implements
    (`model`), the time step (τ_n units) and what has been written."""

    network: Any
    inputs: Any
    outputs: Any
    synapses: Any
    astrocyte: Any
    connections: dict
    monitors: dict
    model: AstrocyteTransformer
    dt: float
    parameters: dict = field(default_factory=dict)
    written: StoredTokens | None = None  # what the abstract model wrote: the check of every write

    def write(self, values: object, key_features: object, write_time: float = 10.0) -> None:
        """Write tokens (V_β, φ(K_β)) one at a time with r = 0 (as `AstrocyteTransformer.write`
        with the same write_time and dt), then store the network's state for the reads.

        Parameters
        ----------
        values : array_like
            (L, N) values.
        key_features : array_like
            (L, M) positive key features.
        write_time : float
            How long each token is held, in τ_n (> 0).
        """
        from brian2 import second

        # the abstract model checks the inputs (shapes, finite, positive features) and keeps the tokens
        self.written = self.model.write(values, key_features, write_time=write_time, dt=self.dt, stored=self.written)
        steps = max(1, int(round(require_positive("write_time", write_time) / self.dt)))
        self.outputs.r = 0
        m = float(self.model.m)
        for value, feat in zip(np.asarray(values, float), np.asarray(key_features, float)):
            self.inputs.I = feat
            self.outputs.v = value
            self.network.run(steps * self.dt * second)
            self.synapses.c = f"c + x_post * I_pre / {m!r}"
            self.synapses.a = "a + I_pre"
        self.network.store(WRITTEN)

    @property
    def tokens(self) -> int:
        """Tokens written so far."""
        return 0 if self.written is None else self.written.tokens

    def stored(self) -> StoredTokens:
        """The written state read back from the network as the abstract model's `StoredTokens`
        (c (N, M), key trace a (M,), x, and the tokens written)."""
        n, m = self.model.n, self.model.m
        post, pre = np.asarray(self.synapses.j[:]), np.asarray(self.synapses.i[:])
        c = np.zeros((n, m))
        c[post, pre] = self.synapses.c[:]
        a = np.zeros((n, m))
        a[post, pre] = self.synapses.a[:]
        return StoredTokens(c, a[0].copy(), np.asarray(self.outputs.x[:]).copy(), self.tokens,
                            self.written.values, self.written.key_features)

    def read(self, query_features: object, read_time: float = 30.0) -> ReadTrajectory:
        """Read each query from the written state with r = 1, s = 0, p = I_pre a.

        Parameters
        ----------
        query_features : array_like
            (B, M) positive query features.
        read_time : float
            Duration of each read, in τ_n (> 0).

        Returns
        -------
        ReadTrajectory
            x(t) (recorded at the start of every step, and the final state), Σp(t) as the
            astrocyte gathers it, the dispersion ½Σ(p_ij − p_kl)² (from the recorded processes;
            NaN when built without `record_processes`), the final outputs and the abstract fixed
            point of the written state.
        """
        from brian2 import second

        if self.tokens == 0:
            raise InputError("read", "tokens written first (TransformerNetwork.write)", "nothing written")
        qf = self.model._features("query_features", query_features, 2)
        steps = max(1, int(round(require_positive("read_time", read_time) / self.dt)))
        xs, totals, disp, finals = [], [], [], []
        for feat in qf:
            self.network.restore(WRITTEN)
            t0 = float(self.network.t / second)
            self.inputs.I = feat
            self.outputs.r = 1
            self.synapses.s = 0
            self.synapses.p = "I_pre * a"
            self.network.run(steps * self.dt * second)
            since = t0 - 1e-9 * self.dt
            mon_x, mon_total = self.monitors["x"], self.monitors["P"]
            keep = np.asarray(mon_x.t / second) >= since
            p_end = np.asarray(self.synapses.p[:])
            xs.append(np.vstack([np.asarray(mon_x.x).T[keep], np.asarray(self.outputs.x[:])[None]]))
            gathered = np.asarray(mon_total.P)[0][np.asarray(mon_total.t / second) >= since]
            totals.append(np.concatenate([gathered, [p_end.sum()]]))
            if "p" in self.monitors:
                mon_p = self.monitors["p"]
                disp.append(dispersion(np.vstack([np.asarray(mon_p.p).T[np.asarray(mon_p.t / second) >= since],
                                                  p_end[None]])))
            else:
                disp.append(np.full(steps + 1, np.nan))
            finals.append(np.asarray(self.outputs.x[:]).copy())
        self.network.restore(WRITTEN)
        t = np.arange(steps + 1) * self.dt
        return ReadTrajectory(t, np.stack(xs, axis=1), np.stack(totals, axis=1), np.stack(disp, axis=1),
                              np.asarray(finals), self.model.fixed_point(qf, self.stored()))


def build_transformer_network(n_values: int, n_features: int, tau_n: float = 1.0, tau_s: float = 1.0,
                              tau_p: float = 1.0, dt: float = 0.05, record_processes: bool = False,
                              name: str = "transformer") -> TransformerNetwork:
    """The neuron–astrocyte transformer in Brian2 (module docstring), on the runtime device.

    Parameters
    ----------
    n_values : int
        Output neurons N.
    n_features : int
        Input neurons M.
    tau_n, tau_s, tau_p : float
        Time constants in τ_n (1 τ_n = 1 Brian2 second), as `AstrocyteTransformer`.
    dt : float
        Time step in τ_n (> 0).
    record_processes : bool
        Record every process's p at every step (N·M values per step) for the dispersion.
    name : str
        Prefix of the Brian2 objects' names.

    Returns
    -------
    TransformerNetwork
        Nothing written yet; every process at p = 1.
    """
    from brian2 import Network, StateMonitor, second

    from .. import models

    model = AstrocyteTransformer(n_values, n_features, tau_n, tau_s, tau_p)
    dt = require_positive("dt", dt)
    n, m = model.n, model.m
    clock = {"dt": dt * second}
    inputs = models.load("transformer_input").neuron_group(m, name=f"{name}_inputs", **clock)
    outputs = models.load("transformer_output", tau_n=tau_n * second).neuron_group(n, name=f"{name}_outputs", **clock)
    syn_spec = models.load("transformer_synapse", tau_s=tau_s * second, tau_p=tau_p * second, n_processes=float(n * m))
    synapses = syn_spec.synapses(inputs, outputs, name=f"{name}_synapses", **clock)
    post, pre = np.divmod(np.arange(n * m), m)  # synapse k = post·M + pre
    synapses.connect(i=pre, j=post)
    syn_spec.set_initial(synapses)
    astro_spec = models.load("transformer_astrocyte")
    astrocyte = astro_spec.neuron_group(1, name=f"{name}_astrocyte", **clock)
    gather = astro_spec.connection("gather", synapses, astrocyte, name=f"{name}_gather", **clock)
    gather.connect(i=np.arange(n * m), j=np.zeros(n * m, dtype=int))
    spread = astro_spec.connection("spread", astrocyte, synapses, name=f"{name}_spread", **clock)
    spread.connect(i=np.zeros(n * m, dtype=int), j=np.arange(n * m))
    # start-of-step semantics: gather Σp, then spread it and sum the synaptic input, then update
    gather.summed_updaters["P_post"].order = -3
    spread.summed_updaters["P_total_post"].order = -2
    synapses.summed_updaters["I_syn_post"].order = -2
    monitors = {
        "x": StateMonitor(outputs, "x", record=True, name=f"{name}_x", when="start"),
        "P": StateMonitor(astrocyte, "P", record=True, name=f"{name}_P", when="groups", order=-1),
    }
    if record_processes:
        monitors["p"] = StateMonitor(synapses, "p", record=True, name=f"{name}_p", when="start")
    net = Network(inputs, outputs, synapses, astrocyte, gather, spread, *monitors.values(), name=f"{name}_network")
    return TransformerNetwork(net, inputs, outputs, synapses, astrocyte, {"gather": gather, "spread": spread},
                              monitors, model, dt, parameters={**model.parameters(), "dt": dt})


__all__ = ["TransformerNetwork", "build_transformer_network"]
