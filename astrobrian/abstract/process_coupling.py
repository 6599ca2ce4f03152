"""The astrocyte's process-to-process coupling T, contracted through the stored patterns.

T_ijkl = s Σ_μ ξ^μ_i ξ^μ_j ξ^μ_k ξ^μ_l (Hebbian 4-tensor, Kozachkov et al. 2025) is never built:
(Tψ)_ij = s Σ_μ q_μ ξ^μ_i ξ^μ_j with q_μ = ξ^μᵀ ψ ξ^μ costs O(K N²). Which processes T may couple
is a mask, not a fork of the code:

- `FullCoupling`: every process with every other (one astrocyte),
- `TerritoryCoupling`: processes belong to astrocytes; T couples processes of the same astrocyte,
- `SparseCoupling`: each process couples to `partners` random others (symmetrised).

Masks act on unordered synapse pairs {i, j} so the symmetries T_ijkl = T_jikl = T_ijlk = T_klij
(needed for the energy) hold for every mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError, require_fraction, require_positive_int


def pair_ids(n: int) -> np.ndarray:
    """(N, N) id of the unordered pair {i, j} (symmetric), numbering the upper triangle."""
    ids = np.empty((n, n), dtype=np.int64)
    iu = np.triu_indices(n)
    ids[iu] = np.arange(iu[0].size)
    ids[iu[1], iu[0]] = ids[iu]
    return ids


def random_territories(n: int, n_astrocytes: int, rng: np.random.Generator) -> np.ndarray:
    """(N, N) symmetric astrocyte label per process: unordered pairs dealt out in equal shares.

    Parameters
    ----------
    n : int
        Number of neurons N.
    n_astrocytes : int
        Number of astrocytes, 1 ≤ A ≤ N(N + 1)/2.
    rng : numpy.random.Generator
        Deals the pairs out.

    Returns
    -------
    numpy.ndarray
        (N, N) integer labels 0 … A − 1, symmetric.
    """
    n_pairs = n * (n + 1) // 2
    if not 1 <= n_astrocytes <= n_pairs:
        raise InputError("n_astrocytes", f"an integer between 1 and N(N+1)/2 = {n_pairs}", n_astrocytes)
    share = rng.permutation(n_pairs) % n_astrocytes
    return share[pair_ids(n)]


class _Operator:
    """Applies T (with its mask and knockouts) to a batch of process outputs ψ (B, N, N)."""

    def __init__(self, patterns: np.ndarray, scale: float):
        self.xi = patterns
        self.n = patterns.shape[-2]
        self.scale = float(scale)

    def apply(self, psi: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def self_terms(self) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - interface
        """(T_(ij)(ij), T_(ij)(ji)) as (N, N) arrays: each process's coupling to itself and to its
        mirror (0 on the diagonal, where the mirror is the process itself)."""
        raise NotImplementedError

    def without_self_terms(self, psi: np.ndarray) -> np.ndarray:
        """(T'ψ) = (Tψ) − T_(ij)(ij) ψ_ij − T_(ij)(ji) ψ_ji: T with every process's coupling to itself
        and to its mirror removed (symmetric still: the removed part is a symmetric block per pair)."""
        same, mirror = self.self_terms()
        return self.apply(psi) - same * psi - mirror * np.swapaxes(psi, -1, -2)


class _TerritoryOperator(_Operator):
    """T restricted to processes that share an astrocyte label (one label = full coupling), through
    its memory modes: q_a = diag(Ξᵀ (ψ ∘ M_a) Ξ) per territory a (plus the gap junction's share of the
    others), then (Tψ) = s Σ_a M_a ∘ (Ξ diag(q_a) Ξᵀ) — matrix products, 4 N²K flops per territory.
    The Brian2 rungs' matrix memory modes are this operator (network/modes.py)."""

    def __init__(self, patterns: np.ndarray, scale: float, labels: np.ndarray | None, gap: float = 0.0):
        super().__init__(patterns, scale)
        self.labels = labels
        # IP3 through gap junctions: T = (1 − gap) T_territory + gap T_full, i.e. every territory's modes
        # also read gap × the others' processes
        self.gap = gap
        self.masks = None if labels is None else [(labels == a).astype(float) for a in np.unique(labels)]

    def mode_amplitudes(self, psi: np.ndarray) -> np.ndarray:
        """q (B, territories, K) of process outputs ψ (B, N, N), in the order of the sorted labels."""
        xi = self.xi
        parts = [psi] if self.masks is None else [psi * m for m in self.masks]
        q = np.stack([np.sum(xi * (p @ xi), axis=-2) for p in parts], axis=1)
        if self.gap > 0 and len(parts) > 1:
            q = q + self.gap * (q.sum(axis=1, keepdims=True) - q)
        return q

    def from_modes(self, q: np.ndarray) -> np.ndarray:
        """(Tψ) (B, N, N) from the mode amplitudes q (B, territories, K)."""
        xi = self.xi
        xi_t = np.swapaxes(xi, -1, -2)
        if self.masks is None:
            return self.scale * ((xi * q[:, 0, None, :]) @ xi_t)
        return self.scale * sum(m * ((xi * q[:, a, None, :]) @ xi_t) for a, m in enumerate(self.masks))

    def apply(self, psi: np.ndarray) -> np.ndarray:
        return self.from_modes(self.mode_amplitudes(psi))

    def self_terms(self) -> tuple[np.ndarray, np.ndarray]:
        # ξ² = 1: T_(ij)(ij) = T_(ij)(ji) = s K within a territory; the mirror (ji) shares it when the
        # labels do, and through the gap junction otherwise
        k, n = self.xi.shape[-1], self.n
        same = np.full((n, n), self.scale * k)
        if self.labels is None:
            mirror = same.copy()
        else:
            together = (self.labels == self.labels.T).astype(float)
            mirror = self.scale * k * ((1.0 - self.gap) * together + self.gap)
        np.fill_diagonal(mirror, 0.0)
        return same, mirror


class _SparseOperator(_Operator):
    """T restricted to a sparse symmetric set of process pairs (rows sorted, CSR-like)."""

    def __init__(self, patterns: np.ndarray, scale: float, rows: np.ndarray, cols: np.ndarray):
        super().__init__(patterns, scale)
        n = self.n
        self.rows, self.cols = rows, cols
        self.starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        self.row_ids = rows[self.starts]
        row_post, row_pre, col_post, col_pre = rows // n, rows % n, cols // n, cols % n
        xi = patterns if patterns.ndim == 3 else patterns[None]
        values = np.empty((xi.shape[0], rows.size))
        chunk = max(1, 2_000_000 // max(1, xi.shape[0] * xi.shape[-1]))
        for s in range(0, rows.size, chunk):  # chunks bound memory; not a per-synapse loop
            sl = slice(s, s + chunk)
            values[:, sl] = np.sum(
                xi[:, row_post[sl]] * xi[:, row_pre[sl]] * xi[:, col_post[sl]] * xi[:, col_pre[sl]], axis=-1
            )
        self.values = values

    def self_terms(self) -> tuple[np.ndarray, np.ndarray]:
        n, k = self.n, self.xi.shape[-1]
        keys = self.rows * (n * n) + self.cols
        p = np.arange(n * n)
        post, pre = np.divmod(p, n)
        same = np.isin(p * (n * n) + p, keys).astype(float) * self.scale * k
        mirror = np.isin(p * (n * n) + pre * n + post, keys).astype(float) * self.scale * k
        mirror[post == pre] = 0.0
        return same.reshape(n, n), mirror.reshape(n, n)

    def apply(self, psi: np.ndarray) -> np.ndarray:
        b, n = psi.shape[0], self.n
        flat = psi.reshape(b, n * n)
        contrib = self.values * flat[:, self.cols]
        out = np.zeros((b, n * n))
        out[:, self.row_ids] = np.add.reduceat(contrib, self.starts, axis=1)
        return self.scale * out.reshape(b, n, n)


@dataclass(frozen=True)
class FullCoupling:
    """Every process coupled with every other: the paper's dense Hebbian T."""

    def build(self, patterns: np.ndarray, scale: float, gap_junction_block: float = 0.0) -> _Operator:
        """The operator T of full coupling (`gap_junction_block` has no effect: one astrocyte).

        Parameters
        ----------
        patterns : numpy.ndarray
            (N, K) or (B, N, K) ±1 patterns.
        scale : float
            The coupling scale s of T (knockout factors included).
        gap_junction_block : float
            Fraction of the IP3 flux between astrocytes blocked (territories only).

        Returns
        -------
        operator
            An object whose `apply(psi)` gives (Tψ) for process outputs ψ (B, N, N).
        """
        return _TerritoryOperator(patterns, scale, None)

    def describe(self) -> dict:
        return {"kind": "full"}


@dataclass(frozen=True)
class TerritoryCoupling:
    """Processes split among `n_astrocytes` astrocytes (random equal shares from `seed`, or
    explicit symmetric (N, N) `labels`); T couples only processes of the same astrocyte."""

    n_astrocytes: int = 1
    seed: int = 0
    labels: np.ndarray | None = None
    gap_junction: float = 0.0

    def territory_labels(self, n: int) -> np.ndarray:
        if self.labels is not None:
            lab = np.asarray(self.labels)
            if lab.shape != (n, n) or not np.array_equal(lab, lab.T) or not np.issubdtype(lab.dtype, np.integer):
                raise InputError("labels", f"a symmetric integer (N, N) array with N = {n}", f"shape {lab.shape}")
            return lab
        k = require_positive_int("n_astrocytes", self.n_astrocytes)
        return random_territories(n, k, np.random.default_rng(self.seed))

    def build(self, patterns: np.ndarray, scale: float, gap_junction_block: float = 0.0) -> _Operator:
        """The operator T restricted to territories, with gap = gap_junction × (1 − block).

        Parameters
        ----------
        patterns : numpy.ndarray
            (N, K) or (B, N, K) ±1 patterns.
        scale : float
            The coupling scale s of T (knockout factors included).
        gap_junction_block : float
            Fraction of the IP3 flux between astrocytes blocked (territories only).

        Returns
        -------
        operator
            An object whose `apply(psi)` gives (Tψ) for process outputs ψ (B, N, N).
        """
        gap = require_fraction("gap_junction", self.gap_junction) * (1.0 - gap_junction_block)
        return _TerritoryOperator(patterns, scale, self.territory_labels(patterns.shape[-2]), gap)

    def describe(self) -> dict:
        return {"kind": "territories", "n_astrocytes": int(self.n_astrocytes), "seed": int(self.seed),
                "gap_junction": float(self.gap_junction)}


@dataclass(frozen=True)
class SparseCoupling:
    """Each process coupled to `partners` random processes (plus itself), mask symmetrised."""

    partners: int = 1
    seed: int = 0

    def mask_pairs(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Sorted (rows, cols) of coupled ordered processes p = i·N + j."""
        r = require_positive_int("partners", self.partners)
        rng = np.random.default_rng(self.seed)
        iu = np.triu_indices(n)
        n_pairs = iu[0].size
        src = np.repeat(np.arange(n_pairs), r)
        dst = rng.integers(0, n_pairs, size=src.size)
        self_loops = np.arange(n_pairs)
        a = np.concatenate([src, dst, self_loops])
        b = np.concatenate([dst, src, self_loops])
        # both orientations of each unordered pair: (i, j) and (j, i)
        fwd = iu[0] * n + iu[1]
        rev = iu[1] * n + iu[0]
        rows = np.concatenate([fwd[a], fwd[a], rev[a], rev[a]])
        cols = np.concatenate([fwd[b], rev[b], fwd[b], rev[b]])
        key = np.unique(rows * (n * n) + cols)
        return key // (n * n), key % (n * n)

    def build(self, patterns: np.ndarray, scale: float, gap_junction_block: float = 0.0) -> _Operator:
        """The operator T restricted to the sparse mask (`gap_junction_block` has no effect).

        Parameters
        ----------
        patterns : numpy.ndarray
            (N, K) or (B, N, K) ±1 patterns.
        scale : float
            The coupling scale s of T (knockout factors included).
        gap_junction_block : float
            Fraction of the IP3 flux between astrocytes blocked (territories only).

        Returns
        -------
        operator
            An object whose `apply(psi)` gives (Tψ) for process outputs ψ (B, N, N).
        """
        rows, cols = self.mask_pairs(patterns.shape[-2])
        return _SparseOperator(patterns, scale, rows, cols)

    def describe(self) -> dict:
        return {"kind": "sparse", "partners": int(self.partners), "seed": int(self.seed)}


class _MixedOperator(_Operator):
    """T_w = (1 − w) T_Hebb + w T_U: the dense Hebbian operator and the uniform one,
    (T_U ψ)_ij = s √K Σ_kl ψ_kl — one extra all-ones mode whose weight √K gives T_U the
    Frobenius norm of T_Hebb for K ≪ N² (‖Σ_μ v_μ v_μᵀ‖_F ≈ √K N², v_μ = vec ξ_μ ξ_μᵀ)."""

    def __init__(self, patterns: np.ndarray, scale: float, uniform: float):
        super().__init__(patterns, scale)
        self.uniform = uniform
        self.hebbian = _TerritoryOperator(patterns, scale, None)
        self.uniform_scale = scale * np.sqrt(patterns.shape[-1])

    def apply(self, psi: np.ndarray) -> np.ndarray:
        total = np.sum(psi, axis=(-2, -1), keepdims=True)
        return (1.0 - self.uniform) * self.hebbian.apply(psi) + self.uniform * self.uniform_scale * total

    def self_terms(self) -> tuple[np.ndarray, np.ndarray]:
        same, mirror = self.hebbian.self_terms()
        u = self.uniform * self.uniform_scale
        mirror_u = np.full_like(mirror, u)
        np.fill_diagonal(mirror_u, 0.0)
        return (1.0 - self.uniform) * same + u, (1.0 - self.uniform) * mirror + mirror_u


@dataclass(frozen=True)
class MixedCoupling:
    """The connectivity continuum from the Hebbian memory tensor (uniform = 0, the paper's DAM
    coupling) to uniform coupling (uniform = 1: every process coupled equally to every other, the
    coupling of the paper's transformer): T_w = (1 − w) T_Hebb + w s √K 𝟙𝟙ᵀ (docs/transformer.md#the-continuum).
    The mixture and its norm are ours, not the paper's."""

    uniform: float = 0.0

    def build(self, patterns: np.ndarray, scale: float, gap_junction_block: float = 0.0) -> _Operator:
        """The operator T_w (`gap_junction_block` has no effect: one astrocyte).

        Parameters
        ----------
        patterns : numpy.ndarray
            (N, K) or (B, N, K) ±1 patterns.
        scale : float
            The coupling scale s of T (knockout factors included).
        gap_junction_block : float
            Fraction of the IP3 flux between astrocytes blocked (territories only).

        Returns
        -------
        operator
            An object whose `apply(psi)` gives (T_w ψ) for process outputs ψ (B, N, N).
        """
        return _MixedOperator(patterns, scale, require_fraction("uniform (weight of the uniform coupling)",
                                                                self.uniform))

    def describe(self) -> dict:
        return {"kind": "mixed", "uniform": float(self.uniform)}


Coupling = FullCoupling | TerritoryCoupling | SparseCoupling | MixedCoupling


def coupling_from_name(spec: object) -> Coupling:
    """Accept a coupling object or the name 'full'."""
    if isinstance(spec, (FullCoupling, TerritoryCoupling, SparseCoupling, MixedCoupling)):
        return spec
    if spec in (None, "full"):
        return FullCoupling()
    raise InputError(
        "coupling", "'full', TerritoryCoupling(n_astrocytes, seed), SparseCoupling(partners, seed) or "
        "MixedCoupling(uniform)", spec
    )
