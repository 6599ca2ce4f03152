"""The astrocyte's memory modes, shared by every rung: processes couple through K collective
modes per astrocyte territory (docs/models.md#memory-modes: T contracted through the patterns), computed
either as two matrix products per process step (runtime device) or as summed-variable connections with
explicit index arrays (N²K connections each way, any device) — never N⁴."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..abstract.process_coupling import FullCoupling, TerritoryCoupling, coupling_from_name
from ..errors import InputError

#: how the modes are computed: 'matrix' (NumPy matrix products on the process clock, runtime device
#: only), 'connections' (Brian2 summed variables, every device), 'auto' (matrix where it can run)
MODE_METHODS = ("auto", "matrix", "connections")
#: the stored copy of ψ the matrix method reads (ψ is a subexpression of the synapse models)
PSI_COPY = "psi_read"


def synapse_pairs(n: int, autapses: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(post, pre) of the wired synapses in post-major order (readable before a standalone run):
    all N² pairs, synapse k = post·N + pre, or the N(N − 1) pairs i ≠ j without autapses."""
    post, pre = np.divmod(np.arange(n * n), n)
    if not autapses:
        keep = post != pre
        post, pre = post[keep], pre[keep]
    return post, pre


def pair_matrix(values: np.ndarray, pairs: tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
    """Per-synapse values (..., P) of `pairs` spread onto (..., N²), k = post·N + pre (0 where no synapse)."""
    values = np.asarray(values)
    post, pre = pairs
    if values.shape[-1] == n * n and post.size == n * n:
        return values
    full = np.zeros(values.shape[:-1] + (n * n,), dtype=values.dtype)
    full[..., post * n + pre] = values
    return full


def mode_coupling(spec: object) -> FullCoupling | TerritoryCoupling:
    """The coupling of a Brian2 network: full or per-astrocyte territories (sparse masks do not
    factor into modes)."""
    coupling = coupling_from_name(spec)
    if not isinstance(coupling, (FullCoupling, TerritoryCoupling)):
        raise InputError(
            "coupling",
            "'full' or TerritoryCoupling for a Brian2 network (sparse masks do not factor into modes)",
            coupling,
        )
    return coupling


def mode_method(method: object) -> str:
    """'matrix' or 'connections' for `method` on the current device ('auto': matrix on the runtime
    device, connections on a standalone one, where a NumPy operation cannot run)."""
    from ..devices import is_standalone

    if not isinstance(method, str) or method not in MODE_METHODS:
        raise InputError("memory_modes", f"one of {', '.join(repr(m) for m in MODE_METHODS)}", method)
    if method == "auto":
        return "connections" if is_standalone() else "matrix"
    if method == "matrix" and is_standalone():
        raise InputError("memory_modes", "'connections' or 'auto' on a standalone device (the matrix method is a "
                         "NumPy operation of the runtime device)", method)
    return method


def mode_equations(method: str) -> str:
    """Extra synapse equations a mode method needs (the matrix method reads a stored copy of ψ)."""
    return f"{PSI_COPY} : 1" if method == "matrix" else ""


@dataclass
class MemoryModes:
    """The mode group and what updates it: two summed connections (read ψ → q, write q → Tψ) or one
    matrix operation (with the run_regularly that copies ψ for it)."""

    method: str
    modes: Any
    territories: np.ndarray  # (N, N) astrocyte label of each process
    gap_junction: float = 0.0  # IP3 passed between astrocytes (after the knockout)
    read: Any = None
    write: Any = None
    operation: Any = None
    copy: Any = None
    operator: Any = None  # the matrix method's T (astrobrian.abstract.process_coupling)
    pairs: tuple | None = None  # (post, pre) of the wired synapses (`synapse_pairs`)
    self_coupling: bool = True  # whether each process couples to itself and its mirror
    self_link: Any = None  # connections without self-coupling: ψ → Tpsi_self, the part taken out of Tψ

    @property
    def objects(self) -> tuple:
        """The Brian2 objects to add to a Network (the ψ copy runs with its synapses)."""
        if self.method == "matrix":
            return self.modes, self.operation
        return (self.modes, self.read, self.write) + ((self.self_link,) if self.self_link is not None else ())

    def groups(self) -> dict[str, Any]:
        """The named objects a network keeps ('modes' always; 'read'/'write' or 'operation')."""
        if self.method == "matrix":
            return {"modes": self.modes, "operation": self.operation}
        wired = {"modes": self.modes, "read": self.read, "write": self.write}
        return wired if self.self_link is None else {**wired, "self": self.self_link}

    @property
    def updaters(self) -> list:
        """The code runners of one process step, in the order they must run."""
        if self.method == "matrix":
            return [self.copy, self.operation]
        summed = [self.read.summed_updaters["q_post"], self.write.summed_updaters["Tpsi_post"]]
        return summed if self.self_link is None else [*summed, self.self_link.summed_updaters["Tpsi_self_post"]]

    def schedule(self, order: int) -> tuple[int, ...]:
        """Run the updaters at orders `order`, `order` + 1 (slot 'groups'); the previous orders returned."""
        previous = tuple(u.order for u in self.updaters)
        for k, u in enumerate(self.updaters):
            u.order = order + k
        return previous

    def restore_schedule(self, orders: tuple[int, ...]) -> None:
        """Put back the orders `schedule` returned."""
        for u, o in zip(self.updaters, orders):
            u.order = o

    def coupling_input(self, synapses: Any) -> np.ndarray:
        """(Tψ) each process receives now, per synapse: the modes' write-back less the self-terms taken out."""
        tpsi = np.asarray(synapses.Tpsi[:])
        return tpsi - np.asarray(synapses.Tpsi_self[:]) if self.self_link is not None else tpsi

    @property
    def coupling(self) -> float:
        """The coupling scale s applied when q is written back (Tψ = s Σ_μ w q_μ)."""
        if self.method == "matrix":
            return self.operator.scale
        return float(self.write.namespace["coupling"])


def _mode_weights(xi: np.ndarray, labels: np.ndarray, gap: float, pairs: tuple[np.ndarray, np.ndarray]):
    """Index arrays of the two connections: (read i, read j, read w), (write i, write j, write w)."""
    k = xi.shape[1]
    post, pre = pairs
    astro_ids = np.unique(labels)
    astro_of = np.searchsorted(astro_ids, labels[post, pre])  # territory of each synapse
    syn_idx = np.repeat(np.arange(post.size), k)
    mu = np.tile(np.arange(k), post.size)
    mode_idx = astro_of[syn_idx] * k + mu
    weight = xi[post[syn_idx], mu] * xi[pre[syn_idx], mu]
    read_i, read_j, read_w = [syn_idx], [mode_idx], [weight]
    if gap > 0 and astro_ids.size > 1:
        for shift in range(1, astro_ids.size):  # every other astrocyte, through gap junctions
            read_i.append(syn_idx)
            read_j.append(((astro_of[syn_idx] + shift) % astro_ids.size) * k + mu)
            read_w.append(gap * weight)
    return ((np.concatenate(read_i), np.concatenate(read_j), np.concatenate(read_w)), (mode_idx, syn_idx, weight))


def wire_memory_modes(xi: np.ndarray, synapses: Any, coupling: FullCoupling | TerritoryCoupling, scale: float,
                      name: str, gap_junction_block: float = 0.0, method: str = "auto",
                      pairs: tuple[np.ndarray, np.ndarray] | None = None, self_coupling: bool = True,
                      **clock: Any) -> MemoryModes:
    """Modes μ (one per pattern and territory) read q_μ = Σ w ψ from the processes of `synapses`
    (the synapses of `pairs`) and write back (Tψ) = scale Σ_μ w q_μ, w = ξ_iμ ξ_jμ.

    With territories, gap = TerritoryCoupling.gap_junction × (1 − `gap_junction_block`) is the
    IP3 passing between astrocytes: a process also feeds the modes of every other astrocyte with
    weight gap·w, so T = T_territory + gap·T_between = (1 − gap) T_territory + gap T_full, as in
    the abstract model. Without `self_coupling`, each process's coupling to itself and to its mirror
    (the abstract operator's `self_terms`) is taken out of Tψ: by the matrix operation itself, or by
    a third summed connection ψ → Tpsi_self (2 per synapse) that the process equations subtract
    (docs/models.md#self-terms). Both methods compute the same q and Tψ, at the same point of the
    step (slot 'groups', before the synapses update), to round-off.

    Parameters
    ----------
    xi : ndarray
        The stored patterns, ±1, shape (N, K).
    synapses : brian2.Synapses
        The processes, connected as `pairs`, with ψ read into the modes and Tψ (and Tpsi_self)
        written back (for the matrix method, created with `mode_equations('matrix')`).
    coupling : FullCoupling or TerritoryCoupling
        One astrocyte, or territories (and their gap junction).
    scale : float
        The coupling scale s of T.
    name : str
        Prefix of the Brian2 objects' names.
    gap_junction_block : float
        Fraction of the gap junction knocked out, in [0, 1].
    method : str
        'matrix', 'connections' or 'auto' (`MODE_METHODS`).
    pairs : (ndarray, ndarray), optional
        (post, pre) of the synapses in their order (`synapse_pairs`); all N² pairs if None.
    self_coupling : bool
        Keep each process's coupling to itself and its mirror in T.
    **clock
        Clock keywords (dt or clock) for the mode group and its updaters.

    Returns
    -------
    MemoryModes
        The mode group and its updaters, the territory labels (N, N) and the gap junction after the block.
    """
    from .. import models

    method = mode_method(method)
    n, k = xi.shape
    pairs = synapse_pairs(n) if pairs is None else (np.asarray(pairs[0]), np.asarray(pairs[1]))
    mode_spec = models.load("memory_modes", coupling=scale)
    labels = coupling.territory_labels(n) if isinstance(coupling, TerritoryCoupling) else np.zeros((n, n), int)
    n_astro = np.unique(labels).size
    gap = coupling.gap_junction * (1.0 - gap_junction_block) if isinstance(coupling, TerritoryCoupling) else 0.0
    modes = mode_spec.neuron_group(k * n_astro, name=f"{name}_modes", **clock)
    common = {"pairs": pairs, "self_coupling": bool(self_coupling)}
    if method == "matrix":
        operator = coupling.build(xi, float(mode_spec.namespace["coupling"]), gap_junction_block)
        return _matrix_modes(synapses, modes, operator, labels, gap, name, clock, common)
    (read_i, read_j, read_w), (write_i, write_j, write_w) = _mode_weights(xi, labels, gap, pairs)
    read = mode_spec.connection("read", synapses, modes, name=f"{name}_read", **clock)
    read.connect(i=read_i, j=read_j)
    read.w = read_w
    write = mode_spec.connection("write", modes, synapses, name=f"{name}_write", **clock)
    write.connect(i=write_i, j=write_j)
    write.w = write_w
    self_link = None
    if not self_coupling:  # per synapse: itself, and its mirror where it has one
        same, mirror = coupling.build(xi, 1.0, gap_junction_block).self_terms()  # T's self-terms per unit s
        post, pre = pairs
        index = np.full(n * n, -1)
        index[post * n + pre] = np.arange(post.size)
        mirror_of = index[pre * n + post]
        has = (mirror_of >= 0) & (mirror[post, pre] != 0)
        target = np.arange(post.size)
        self_link = mode_spec.connection("self", synapses, synapses, name=f"{name}_self", **clock)
        self_link.connect(i=np.concatenate([target, mirror_of[has]]), j=np.concatenate([target, target[has]]))
        self_link.w = np.concatenate([same[post, pre], mirror[post, pre][has]])
    return MemoryModes("connections", modes, labels, gap, read=read, write=write, self_link=self_link, **common)


def _matrix_modes(synapses, modes, operator, labels, gap, name, clock, common) -> MemoryModes:
    """The matrix method: copy ψ (run_regularly), then one NetworkOperation applies the abstract
    model's own operator T (`mode_amplitudes`, then `from_modes`, less its `self_terms` without
    self-coupling) and writes q and Tψ."""
    from brian2 import NetworkOperation

    if PSI_COPY not in synapses.variables:
        raise InputError("synapses", f"Synapses created with mode_equations('matrix') (a '{PSI_COPY}' variable)",
                         synapses.name)
    n = operator.n
    post, pre = common["pairs"]
    flat = None if post.size == n * n else post * n + pre  # where each synapse sits in ψ[post, pre]
    same, mirror = (None, None) if common["self_coupling"] else operator.self_terms()
    psi_var, tpsi_var, q_var = synapses.variables[PSI_COPY], synapses.variables["Tpsi"], modes.variables["q"]
    # the summed updaters run at ('groups', target.order − 1): the copy, then the operation, take that place
    copy = synapses.run_regularly(f"{PSI_COPY} = psi", when="groups", order=synapses.order - 2,
                                  name=f"{name}_psi_copy", **clock)

    def step() -> None:  # synapse k = post·N + pre: ψ reshaped is ψ[post, pre], as the operator takes it
        psi = pair_matrix(psi_var.get_value(), common["pairs"], n).reshape(1, n, n)
        q = operator.mode_amplitudes(psi)
        q_var.set_value(q[0].ravel())  # mode index territory·K + μ, territories in sorted label order
        tpsi = operator.from_modes(q)
        if same is not None:
            tpsi = tpsi - same * psi - mirror * np.swapaxes(psi, -1, -2)
        tpsi = tpsi[0].ravel()
        tpsi_var.set_value(tpsi if flat is None else tpsi[flat])

    operation = NetworkOperation(step, when="groups", order=synapses.order - 1, name=f"{name}_mode_products",
                                 **clock)
    return MemoryModes("matrix", modes, labels, gap, operation=operation, copy=copy, operator=operator, **common)
