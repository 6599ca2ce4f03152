"""Neuron–astrocyte transformer (docs/transformer.md): attention whose softmax denominator is an
astrocyte's conserved Ca²⁺ (Kozachkov, Slotine & Krotov 2025, PNAS; arXiv 2311.08135 v2,
"Connection to Transformer Models" and Appendix C).

N output neurons x_i, M input neurons I_j (the random features of keys and queries), N·M
tripartite synapses s_ij from I_j to x_i whose processes p_ij all couple uniformly inside one
astrocyte (T_ijkl = 1: Ca²⁺ diffuses freely and is conserved), N value inputs v_i and a global
read/write signal r ∈ {0, 1} (a neuromodulator such as acetylcholine):

    τ_n dx_i/dt = −x_i + r Σ_j s_ij I_j + (1 − r) v_i
    τ_s ds_ij/dt = −p_ij s_ij + c_ij                 (the process sets the synapse's decay rate)
    τ_p dp_ij/dt = Σ_kl (p_kl − p_ij)

Write (r = 0), one token β at a time: x relaxes to V_β while the inputs carry I = φ(K_β); then
the Hebbian bias rule Δc_ij = x_i I_j / M, and each process adds its presynaptic input to its
key trace a_j (a_j = Σ_σ φ(K_σ)_j). Read (r = 1) with I = φ(Q): the processes start at
p_ij(0) = I_j a_j (the paper's initial condition), Σp is conserved, the dispersion
½ Σ_(ij),(kl) (p_ij − p_kl)² decays at the rate 2NM/τ_p, p → p* = mean p(0), s → c/p* and

    x* = Σ_j c_ij I_j / p* = Σ_β V_β φ(Q)·φ(K_β) / Σ_σ φ(Q)·φ(K_σ),

linear attention, which approaches softmax attention when φ are positive random features
((1/M) φ(q)·φ(k) → exp(q·k) as M grows; Choromanski et al. 2021, Performer): the error falls as
1/√M once M ≫ exp(|q + k|²), the features' variance.

Time stepping is exponential Euler on the state at the start of each step (what Brian2's
'exponential_euler' does, so the Brian2 rung matches to round-off): exact for p (its input Σp
is conserved) and for s at constant p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError, require_positive, require_positive_int

#: kinds of random features: 'positive' (exp(w·x − |x|²/2), Performer FAVOR+), 'orthogonal'
#: (the same with blocks of orthogonal w of chi-distributed norms, lower variance)
FEATURE_KINDS = ("positive", "orthogonal")


def _finite(field: str, value: object, ndim: int, what: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != ndim:
        raise InputError(field, what, f"shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(field, "finite values (no NaN or inf)", "non-finite entries")
    return arr


@dataclass(frozen=True)
class RandomFeatures:
    """Positive random features φ(x) = exp(Wx − |x|²/2), so that (1/M) φ(q)·φ(k) → exp(q·k)
    (Choromanski et al. 2021, ICLR, "Rethinking attention with Performers", FAVOR+; the 1/√M
    of their normalisation is left out so that each input neuron's activity stays of order 1
    whatever M, and the 1/M is the Hebbian rule's).

    Parameters
    ----------
    dim : int
        Dimension D of queries and keys.
    count : int
        Number of features M (the transformer's input neurons).
    seed : int
        Seed of the projection W (M, D), rows ~ N(0, I_D).
    kind : str
        'positive' (i.i.d. rows) or 'orthogonal' (orthogonal blocks, row norms chi(D)).
    """

    dim: int
    count: int
    seed: int = 0
    kind: str = "positive"

    def __post_init__(self) -> None:
        require_positive_int("dim", self.dim)
        require_positive_int("count (number of random features M)", self.count)
        if self.kind not in FEATURE_KINDS:
            raise InputError("kind", f"one of {', '.join(FEATURE_KINDS)}", self.kind)

    @property
    def projection(self) -> np.ndarray:
        """W (M, D), drawn from `seed`."""
        rng = np.random.default_rng(self.seed)
        if self.kind == "positive":
            return rng.standard_normal((self.count, self.dim))
        blocks = []
        for _ in range(-(-self.count // self.dim)):
            q, _r = np.linalg.qr(rng.standard_normal((self.dim, self.dim)))
            blocks.append(q.T)
        w = np.concatenate(blocks)[: self.count]
        return w * np.linalg.norm(rng.standard_normal((self.count, self.dim)), axis=1)[:, None]

    def __call__(self, x: object) -> np.ndarray:
        """φ(x) for x (..., D): (..., M), every entry > 0, mean 1 over W for |x|-independent inputs."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[-1:] != (self.dim,):
            raise InputError("queries/keys", f"vectors of dimension D = {self.dim} (last axis)", f"shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise InputError("queries/keys", "finite values (no NaN or inf)", "non-finite entries")
        return np.exp(x @ self.projection.T - 0.5 * np.sum(x * x, axis=-1, keepdims=True))


def softmax_attention(queries: object, keys: object, values: object) -> np.ndarray:
    """Exact softmax attention Σ_β V_β exp(q·k_β) / Σ_σ exp(q·k_σ) (no 1/√D: scale q, k yourself).

    Parameters
    ----------
    queries : array_like
        (B, D) queries.
    keys : array_like
        (L, D) keys.
    values : array_like
        (L, N) values.

    Returns
    -------
    numpy.ndarray
        (B, N) outputs.
    """
    from scipy.special import softmax

    q = _finite("queries", queries, 2, "an array (B, D)")
    k = _finite("keys", keys, 2, "an array (L, D)")
    v = _finite("values", values, 2, "an array (L, N)")
    _match(q, k, v)
    return softmax(q @ k.T, axis=-1) @ v


def linear_attention(query_features: object, key_features: object, values: object) -> np.ndarray:
    """Linear attention Σ_β V_β φ(q)·φ(k_β) / Σ_σ φ(q)·φ(k_σ) on given features.

    Parameters
    ----------
    query_features : array_like
        (B, M) features φ(q) (> 0).
    key_features : array_like
        (L, M) features φ(k) (> 0).
    values : array_like
        (L, N) values.

    Returns
    -------
    numpy.ndarray
        (B, N) outputs.
    """
    qf = _finite("query_features", query_features, 2, "an array (B, M)")
    kf = _finite("key_features", key_features, 2, "an array (L, M)")
    v = _finite("values", values, 2, "an array (L, N)")
    _match(qf, kf, v)
    scores = qf @ kf.T
    return scores @ v / scores.sum(axis=-1, keepdims=True)


def _match(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> None:
    if q.shape[1] != k.shape[1]:
        raise InputError("keys", f"the queries' dimension {q.shape[1]} (last axis)", f"shape {k.shape}")
    if v.shape[0] != k.shape[0]:
        raise InputError("values", f"one row per key ({k.shape[0]})", f"shape {v.shape}")


def attention_error(output: object, reference: object) -> np.ndarray:
    """Relative error ‖output − reference‖ / ‖reference‖ per query (rows of (B, N) arrays)."""
    out, ref = np.asarray(output, dtype=float), np.asarray(reference, dtype=float)
    if out.shape != ref.shape:
        raise InputError("output", f"the reference's shape {ref.shape}", f"shape {out.shape}")
    return np.linalg.norm(out - ref, axis=-1) / np.maximum(np.linalg.norm(ref, axis=-1), 1e-300)


@dataclass
class StoredTokens:
    """What the write phase leaves: the synaptic biases c (N, M), the processes' key trace
    a (M,) = Σ_σ I_j during the writes, the output state x (N,) after the last token, and
    the number of tokens written."""

    c: np.ndarray
    key_trace: np.ndarray
    x: np.ndarray
    tokens: int = 0


@dataclass
class ReadTrajectory:
    """One read phase, batched over queries: times t (T,) in τ_n, outputs x (T, B, N), the
    conserved total Σp (T, B), the dispersion ½ Σ (p_ij − p_kl)² (T, B), the final output and
    the fixed point x* = Σ_j c_ij I_j / p* it tends to."""

    t: np.ndarray
    x: np.ndarray
    p_total: np.ndarray
    dispersion: np.ndarray
    final: np.ndarray
    fixed_point: np.ndarray
    s: np.ndarray | None = None
    p: np.ndarray | None = None


def _exp_step(y: np.ndarray, rate: np.ndarray | float, target: np.ndarray, dt: float) -> np.ndarray:
    """Exponential Euler for dy/dt = rate (target − y): y ← target + (y − target) e^{−rate dt}."""
    return target + (y - target) * np.exp(-rate * dt)


class AstrocyteTransformer:
    """The neuron–astrocyte transformer (module docstring): write tokens, then read queries.

    Parameters
    ----------
    n_values : int
        Output neurons N (the dimension of the values).
    n_features : int
        Input neurons M (the number of features of keys and queries).
    tau_n, tau_s, tau_p : float
        Time constants of neurons, synapses and processes (units of τ_n; > 0).
    """

    def __init__(self, n_values: int, n_features: int, tau_n: float = 1.0, tau_s: float = 1.0, tau_p: float = 1.0):
        self.n = require_positive_int("n_values", n_values)
        self.m = require_positive_int("n_features", n_features)
        self.tau_n = require_positive("tau_n", tau_n)
        self.tau_s = require_positive("tau_s", tau_s)
        self.tau_p = require_positive("tau_p", tau_p)

    @property
    def synchronisation_rate(self) -> float:
        """2NM/τ_p: the decay rate of the processes' dispersion ½ Σ (p_ij − p_kl)²."""
        return 2.0 * self.n * self.m / self.tau_p

    def parameters(self) -> dict:
        """The model's parameters (for manifests)."""
        return {"n_values": self.n, "n_features": self.m, "tau_n": self.tau_n, "tau_s": self.tau_s,
                "tau_p": self.tau_p}

    def _features(self, field: str, features: object, ndim: int) -> np.ndarray:
        arr = _finite(field, features, ndim, f"an array ({'B, ' if ndim == 2 else ''}M) with M = {self.m}")
        if arr.shape[-1] != self.m:
            raise InputError(field, f"M = {self.m} features on the last axis", f"shape {arr.shape}")
        if np.any(arr <= 0):
            raise InputError(field, "positive features (the processes' Ca²⁺ starts at I_j a_j > 0)", "entries ≤ 0")
        return arr

    def write(self, values: object, key_features: object, write_time: float | None = None, dt: float = 0.05,
              stored: StoredTokens | None = None) -> StoredTokens:
        """Write tokens (V_β, φ(K_β)) one at a time with r = 0.

        Parameters
        ----------
        values : array_like
            (L, N) values V_β.
        key_features : array_like
            (L, M) features φ(K_β) the input neurons carry while token β is written.
        write_time : float, optional
            How long each token is held (τ_n units), x integrated from its previous value by
            exponential Euler with step `dt`; None writes the paper's idealisation x = V_β.
        dt : float
            Time step of the write dynamics (> 0).
        stored : StoredTokens, optional
            Tokens written before (append to them).

        Returns
        -------
        StoredTokens
            c += x I / M and a += I after every token.
        """
        v = _finite("values", values, 2, f"an array (L, N) with N = {self.n}")
        kf = self._features("key_features", key_features, 2)
        if v.shape != (kf.shape[0], self.n):
            raise InputError("values", f"shape ({kf.shape[0]}, {self.n}): one value per key", f"shape {v.shape}")
        state = stored or StoredTokens(np.zeros((self.n, self.m)), np.zeros(self.m), np.zeros(self.n))
        c, a, x = state.c.copy(), state.key_trace.copy(), state.x.copy()
        steps = None
        if write_time is not None:
            dt = require_positive("dt", dt)
            steps = max(1, int(round(require_positive("write_time", write_time) / dt)))
        for value, feat in zip(v, kf):
            if steps is None:
                x = value.copy()
            else:
                for _ in range(steps):
                    x = _exp_step(x, 1.0 / self.tau_n, value, dt)
            c += np.outer(x, feat) / self.m
            a += feat
        return StoredTokens(c, a, x, state.tokens + len(v))

    def initial_processes(self, query_features: np.ndarray, stored: StoredTokens) -> np.ndarray:
        """p_ij(0) = I_j a_j for each query: (B, N, M)."""
        return np.broadcast_to((query_features * stored.key_trace)[:, None, :], (query_features.shape[0], self.n,
                                                                                 self.m)).copy()

    def fixed_point(self, query_features: object, stored: StoredTokens) -> np.ndarray:
        """x* = Σ_j c_ij I_j / p*, p* = mean_ij p_ij(0) = (1/M) Σ_j I_j a_j: (B, N)."""
        qf = self._features("query_features", query_features, 2)
        p_star = qf @ stored.key_trace / self.m
        return qf @ stored.c.T / p_star[:, None]

    def read(self, query_features: object, stored: StoredTokens, read_time: float | None = None, dt: float = 0.05,
             record_every: int = 1, keep_state: bool = False) -> ReadTrajectory:
        """Read queries with r = 1 from x = x(write end), s = 0, p_ij(0) = I_j a_j.

        Parameters
        ----------
        query_features : array_like
            (B, M) features φ(Q) of the queries.
        stored : StoredTokens
            The write phase's result.
        read_time : float, optional
            Duration (τ_n units); default 30 × the slowest relaxation time (τ_n, τ_s/p*, τ_p/NM),
            i.e. within ≈ e^{−30} of the fixed point.
        dt : float
            Time step (> 0).
        record_every : int
            Record every this many steps (and the final state).
        keep_state : bool
            Also return the final s and p (B, N, M).

        Returns
        -------
        ReadTrajectory
            x(t), Σp(t), the dispersion, the final output and the fixed point.
        """
        qf = self._features("query_features", query_features, 2)
        dt = require_positive("dt", dt)
        every = require_positive_int("record_every", record_every)
        p = self.initial_processes(qf, stored)
        p_star = p.mean(axis=(1, 2))
        if read_time is None:
            read_time = 30.0 * max(self.tau_n, self.tau_s / float(p_star.min()), self.tau_p / (self.n * self.m))
        steps = max(1, int(round(require_positive("read_time", read_time) / dt)))
        x = np.broadcast_to(stored.x, (qf.shape[0], self.n)).copy()
        s = np.zeros_like(p)
        c = stored.c[None]
        nm = self.n * self.m
        ts, xs, totals, disp = [], [], [], []

        def record(step: int) -> None:
            total = p.sum(axis=(1, 2))
            ts.append(step * dt)
            xs.append(x.copy())
            totals.append(total)
            # ½ Σ_(ij),(kl) (p_ij − p_kl)² = NM Σ (p_ij − p̄)²
            disp.append(nm * np.sum((p - (total / nm)[:, None, None]) ** 2, axis=(1, 2)))

        record(0)
        for step in range(1, steps + 1):
            drive = np.einsum("bij,bj->bi", s, qf)  # Σ_j s_ij I_j with the start-of-step s
            total = p.sum(axis=(1, 2))
            x = _exp_step(x, 1.0 / self.tau_n, drive, dt)
            s = _exp_step(s, p / self.tau_s, c / p, dt)
            p = _exp_step(p, nm / self.tau_p, (total / nm)[:, None, None], dt)
            if step % every == 0 or step == steps:
                record(step)
        return ReadTrajectory(np.asarray(ts), np.asarray(xs), np.asarray(totals), np.asarray(disp), x.copy(),
                              self.fixed_point(qf, stored), s if keep_state else None, p if keep_state else None)

    def attend(self, queries: object, keys: object, values: object, features: RandomFeatures,
               **read: object) -> ReadTrajectory:
        """Write (keys, values) and read the queries through `features`: the network's attention.

        Parameters
        ----------
        queries, keys, values : array_like
            (B, D), (L, D), (L, N).
        features : RandomFeatures
            φ, with `count` = n_features.
        **read
            Keywords of `read` (read_time, dt, record_every).

        Returns
        -------
        ReadTrajectory
            Its `final` is the network's attention output (B, N).
        """
        if features.count != self.m:
            raise InputError("features", f"M = {self.m} random features (the input neurons)", features.count)
        k = _finite("keys", keys, 2, "an array (L, D)")
        q = _finite("queries", queries, 2, "an array (B, D)")
        stored = self.write(values, features(k))
        return self.read(features(q), stored, **read)


__all__ = [
    "AstrocyteTransformer", "RandomFeatures", "ReadTrajectory", "StoredTokens", "attention_error",
    "linear_attention", "softmax_attention", "FEATURE_KINDS",
]
