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
from .trajectory import Trajectory

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

    q, k, v = _attention_inputs(("queries", "keys", "values"), queries, keys, values)
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
    qf, kf, v = _attention_inputs(("query_features", "key_features", "values"), query_features, key_features, values)
    scores = qf @ kf.T
    return scores @ v / scores.sum(axis=-1, keepdims=True)


def _attention_inputs(names: tuple[str, str, str], queries: object, keys: object,
                      values: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queries (B, ·), keys (L, ·) and values (L, N) as finite 2-D arrays whose shapes agree."""
    q = _finite(names[0], queries, 2, "an array (B, D) or (B, M)")
    k = _finite(names[1], keys, 2, "an array (L, D) or (L, M)")
    v = _finite(names[2], values, 2, "an array (L, N)")
    if q.shape[1] != k.shape[1]:
        raise InputError(names[1], f"the queries' dimension {q.shape[1]} (last axis)", f"shape {k.shape}")
    if v.shape[0] != k.shape[0]:
        raise InputError(names[2], f"one row per key ({k.shape[0]})", f"shape {v.shape}")
    return q, k, v


def attention_error(output: object, reference: object) -> np.ndarray:
    """Relative error ‖output − reference‖ / ‖reference‖ per query (rows of (B, N) arrays)."""
    out, ref = np.asarray(output, dtype=float), np.asarray(reference, dtype=float)
    if out.shape != ref.shape:
        raise InputError("output", f"the reference's shape {ref.shape}", f"shape {out.shape}")
    return np.linalg.norm(out - ref, axis=-1) / np.maximum(np.linalg.norm(ref, axis=-1), 1e-300)


@dataclass
class StoredTokens:
    """What the write phase leaves: the synaptic biases c (N, M), the processes' key trace
    a (M,) = Σ_σ I_j during the writes, the output state x (N,) after the last token, the
    number of tokens written, and the tokens themselves (values (L, N) and key features (L, M):
    the Hebbian process coupling of the continuum is built from them)."""

    c: np.ndarray
    key_trace: np.ndarray
    x: np.ndarray
    tokens: int = 0
    values: np.ndarray | None = None
    key_features: np.ndarray | None = None


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


def dispersion(p: np.ndarray) -> np.ndarray:
    """½ Σ_(ij),(kl) (p_ij − p_kl)² = n Σ (p_ij − p̄)² of process states, batched (B, N, M) or
    flattened (T, NM): how far the n processes are from synchrony."""
    flat = p.reshape(p.shape[:-2] + (-1,)) if p.ndim >= 3 else p
    return flat.shape[-1] * np.sum((flat - flat.mean(axis=-1, keepdims=True)) ** 2, axis=-1)


def _exp_step(y: np.ndarray, rate: np.ndarray | float, target: np.ndarray, dt: float) -> np.ndarray:
    """Exponential Euler for dy/dt = rate (target − y): y ← target + (y − target) e^{−rate dt}."""
    return target + (y - target) * np.exp(-rate * dt)


class TokenCoupling:
    """The processes' coupling of the continuum, T_w = w 𝟙𝟙ᵀ + (1 − w) c_H Σ_β u_β u_βᵀ, with
    u_β = V_β ⊗ φ(K_β) the synapse pattern token β wrote (N·M entries) and c_H = NM / ‖Σ u uᵀ‖_F,
    so that both parts have the Frobenius norm of 𝟙𝟙ᵀ (ours, docs/transformer.md#the-continuum).
    Never built: T_w = A D Aᵀ with A = [𝟙, u_1 … u_L], so products cost O(L N M) and its
    spectrum is that of the (L + 1)² matrix D^½ AᵀA D^½. `leak` = its largest eigenvalue λ₁
    (NM at w = 1), the processes' leak that keeps the leading mode neither growing nor decaying."""

    def __init__(self, n: int, m: int, uniform: float, stored: StoredTokens):
        v = np.asarray(stored.values, float)
        f = np.asarray(stored.key_features, float)
        if v.shape[0] == 0:
            raise InputError("stored", "tokens written first (the Hebbian coupling is built from them)", "none")
        self.values, self.features, self.nm = v, f, n * m
        gram_tokens = (v @ v.T) * (f @ f.T)  # u_β·u_σ
        c_h = self.nm / np.linalg.norm(gram_tokens)
        self.weights = np.concatenate([[uniform], np.full(len(v), (1.0 - uniform) * c_h)])
        ones_u = v.sum(axis=1) * f.sum(axis=1)  # 𝟙·u_β
        gram = np.block([[np.array([[float(self.nm)]]), ones_u[None]], [ones_u[:, None], gram_tokens]])
        root = np.sqrt(self.weights)
        lam, vecs = np.linalg.eigh(root[:, None] * gram * root[None])
        self.leak = float(lam[-1])
        y = root * vecs[:, -1] / np.sqrt(self.leak)  # e₁ = A (D^½ y₁) / √λ₁
        self.leading = y[0] + np.einsum("l,li,lj->ij", y[1:], v, f)
        self.leading *= np.sign(self.leading.sum()) or 1.0

    def apply(self, p: np.ndarray) -> np.ndarray:
        """T_w p for process states p (B, N, M)."""
        amplitudes = np.einsum("bij,li,lj->bl", p, self.values, self.features) * self.weights[1:]
        total = self.weights[0] * p.sum(axis=(1, 2))
        return total[:, None, None] + np.einsum("bl,li,lj->bij", amplitudes, self.values, self.features)

    def settled(self, p0: np.ndarray) -> np.ndarray:
        """Where the processes settle from p0 (B, N, M): e₁ (e₁·p0)."""
        return self.leading[None] * np.einsum("ij,bij->b", self.leading, p0)[:, None, None]


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
    uniform : float
        Weight w ∈ [0, 1] of the uniform coupling in the processes' coupling (the continuum,
        docs/transformer.md#the-continuum): 1 is the paper's transformer; below 1,
        T_w = w 𝟙𝟙ᵀ + (1 − w) T_tokens with T_tokens the Hebbian tensor of the written tokens
        (`TokenCoupling`), and the processes' leak is T_w's largest eigenvalue.
    """

    def __init__(self, n_values: int, n_features: int, tau_n: float = 1.0, tau_s: float = 1.0, tau_p: float = 1.0,
                 uniform: float = 1.0):
        from ..errors import require_fraction

        self.n = require_positive_int("n_values", n_values)
        self.m = require_positive_int("n_features", n_features)
        self.tau_n = require_positive("tau_n", tau_n)
        self.tau_s = require_positive("tau_s", tau_s)
        self.tau_p = require_positive("tau_p", tau_p)
        self.uniform = require_fraction("uniform (weight of the uniform coupling)", uniform)

    @property
    def synchronisation_rate(self) -> float:
        """2NM/τ_p: the decay rate of the processes' dispersion ½ Σ (p_ij − p_kl)²."""
        return 2.0 * self.n * self.m / self.tau_p

    def parameters(self) -> dict:
        """The model's parameters (for manifests)."""
        return {"n_values": self.n, "n_features": self.m, "tau_n": self.tau_n, "tau_s": self.tau_s,
                "tau_p": self.tau_p, "uniform": self.uniform}

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
        state = stored or StoredTokens(np.zeros((self.n, self.m)), np.zeros(self.m), np.zeros(self.n), 0,
                                       np.zeros((0, self.n)), np.zeros((0, self.m)))
        c, a, x = state.c.copy(), state.key_trace.copy(), state.x.copy()
        steps = None
        if write_time is not None:
            dt = require_positive("dt", dt)
            steps = max(1, int(round(require_positive("write_time", write_time) / dt)))
        if steps is None:  # x = V_β for every token: the Hebbian steps sum to Σ_β V_β φ(K_β)ᵀ / M
            c += v.T @ kf / self.m
            x = v[-1].copy() if len(v) else x
        else:
            for value, feat in zip(v, kf):
                for _ in range(steps):
                    x = _exp_step(x, 1.0 / self.tau_n, value, dt)
                c += np.outer(x, feat) / self.m
        a += kf.sum(axis=0)
        return StoredTokens(c, a, x, state.tokens + len(v), np.concatenate([state.values, v]),
                            np.concatenate([state.key_features, kf]))

    def initial_processes(self, query_features: np.ndarray, stored: StoredTokens) -> np.ndarray:
        """p_ij(0) = I_j a_j for each query: (B, N, M)."""
        return np.broadcast_to((query_features * stored.key_trace)[:, None, :], (query_features.shape[0], self.n,
                                                                                 self.m)).copy()

    def coupling(self, stored: StoredTokens) -> "TokenCoupling":
        """The processes' coupling T_w for the tokens written (`uniform` = 1: T = 𝟙𝟙ᵀ)."""
        return TokenCoupling(self.n, self.m, self.uniform, stored)

    def fixed_point(self, query_features: object, stored: StoredTokens) -> np.ndarray:
        """x* = Σ_j c_ij I_j / p*_ij: (B, N). With uniform coupling p* = mean_ij p_ij(0) =
        (1/M) Σ_j I_j a_j; otherwise p* = e₁ (e₁·p(0)), the projection of p(0) on T_w's leading
        eigenvector (NaN where p* ≤ 0 somewhere: s = c/p* has no stable fixed point there)."""
        qf = self._features("query_features", query_features, 2)
        if self.uniform == 1.0:
            p_star = qf @ stored.key_trace / self.m
            return qf @ stored.c.T / p_star[:, None]
        p_star = self.coupling(stored).settled(self.initial_processes(qf, stored))
        stable = np.all(p_star > 0, axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.einsum("ij,bj,bij->bi", stored.c, qf, 1.0 / p_star)
        return np.where(stable[:, None], x, np.nan)

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
        coupling = None if self.uniform == 1.0 else self.coupling(stored)
        if read_time is None:  # the slowest synapse relaxes at p*/τ_s; an unstable read at the mean p(0)
            settled = p if coupling is None else coupling.settled(p)
            slowest = settled.min() if np.all(settled > 0) else p.mean()
            read_time = 30.0 * max(self.tau_n, self.tau_s / float(slowest), self.tau_p / (self.n * self.m))
        steps = max(1, int(round(require_positive("read_time", read_time) / dt)))
        x = np.broadcast_to(stored.x, (qf.shape[0], self.n)).copy()
        s = np.zeros_like(p)
        c = stored.c[None]
        nm = self.n * self.m
        ts, xs, totals, disp = [], [], [], []

        def record(step: int) -> None:
            ts.append(step * dt)
            xs.append(x.copy())
            totals.append(p.sum(axis=(1, 2)))
            disp.append(dispersion(p))

        record(0)
        for step in range(1, steps + 1):
            drive = np.einsum("bij,bj->bi", s, qf)  # Σ_j s_ij I_j with the start-of-step s
            total = p.sum(axis=(1, 2))
            x = _exp_step(x, 1.0 / self.tau_n, drive, dt)
            s = _exp_step(s, p / self.tau_s, c / p, dt)
            if coupling is None:
                p = _exp_step(p, nm / self.tau_p, (total / nm)[:, None, None], dt)
            else:  # τ_p dp/dt = T_w p − λ₁ p
                p = _exp_step(p, coupling.leak / self.tau_p, coupling.apply(p) / coupling.leak, dt)
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


class TransformerMemory:
    """The transformer as an autoassociative memory, the recall task of the continuum
    (docs/transformer.md#the-continuum): each pattern ξ_μ (N bits) is written as a token with key
    (key_norm/√N) ξ_μ and value ξ_μ, a cue is read as the query, and the read phase's fixed point
    is the recalled state. With uniform coupling it is linear attention over the patterns, which
    approaches the modern-Hopfield update Ξ softmax(β Ξᵀ ξ̃), β = key_norm²/N, as M grows.

    Parameters
    ----------
    patterns : array_like
        (N, K) or (B, N, K) ±1 patterns.
    n_features : int
        Random features M (input neurons).
    key_norm : float
        Norm of keys and queries (> 0); softmax's inverse temperature on overlaps is key_norm².
    uniform : float
        Weight of the uniform coupling (`AstrocyteTransformer`).
    feature_seed : int
        Seed of the random features.
    features : str
        'positive' or 'orthogonal'.
    """

    def __init__(self, patterns: object, n_features: int = 1024, key_norm: float = 2.0, uniform: float = 1.0,
                 feature_seed: int = 0, features: str = "positive"):
        from ..patterns import check_patterns

        self.patterns = check_patterns(patterns)
        self.n_neurons, self.n_patterns = self.patterns.shape[-2], self.patterns.shape[-1]
        self.key_norm = require_positive("key_norm", key_norm)
        self.model = AstrocyteTransformer(self.n_neurons, n_features, uniform=uniform)
        self.features = RandomFeatures(self.n_neurons, n_features, require_positive_int("feature_seed", feature_seed,
                                                                                       minimum=0), features)

    def recall_state(self, cues: np.ndarray) -> np.ndarray:
        """The read phase's fixed point for each cue (B, N); NaN where it is not stable."""
        from .base import prepare

        xi, q, _single = prepare(self.patterns, cues)
        xi_b = np.broadcast_to(xi, (q.shape[0],) + xi.shape[-2:]) if xi.ndim == 2 else xi
        values = np.swapaxes(xi_b, -1, -2)  # (B, K, N)
        scale = self.key_norm / np.sqrt(self.n_neurons)
        key_features = self.features(scale * values)  # (B, K, M)
        query_features = self.features(scale * q)  # (B, M)
        out = np.empty((q.shape[0], self.n_neurons))
        for b in range(q.shape[0]):  # one trial's tokens at a time (an eigen-decomposition of (K + 1)² below w = 1)
            stored = self.model.write(values[b], key_features[b])
            out[b] = self.model.fixed_point(query_features[b:b + 1], stored)[0]
        return out

    def run(self, cues: object) -> Trajectory:
        """The recalled state of every cue as a one-point `Trajectory` (t = 0: the fixed point)."""
        from ..patterns import overlaps
        from .base import prepare

        _xi, q, single = prepare(self.patterns, cues)
        x = self.recall_state(q)
        traj = Trajectory(np.zeros(1), x[None], overlaps(x, self.patterns)[None], np.zeros((1, len(q))), x,
                          single=False)
        return traj.squeezed() if single else traj


__all__ = [
    "AstrocyteTransformer", "RandomFeatures", "ReadTrajectory", "StoredTokens", "TokenCoupling", "TransformerMemory",
    "attention_error", "dispersion", "linear_attention", "softmax_attention", "FEATURE_KINDS",
]
