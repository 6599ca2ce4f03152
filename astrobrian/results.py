"""What a recall protocol measured, and how it is written and printed: `ModelRecall`, `TrialResult`,
`ProtocolRun` (summary, records, labelled arrays), `write_results` (the whole result set or none
of it) and `format_summary` (the table after a run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .recall import RecallReport
from .recall_protocol import RecallProtocol

#: the models of every trial, in table order: the protocol's network, the abstract model from
#: rest, and the two controls
MODELS = ("network", "abstract", "dam", "hopfield")
LABELS = {"network": "network", "abstract": "abstract model", "dam": "quartic DAM", "hopfield": "spiking Hopfield"}
SHORT = {"network": "network", "abstract": "abstract", "dam": "DAM", "hopfield": "Hopfield"}
@dataclass
class ModelRecall:
    """One model's recall of one cue: read-out overlaps over time (T, K), final overlaps (K,),
    the report and the raw recordings; `time_unit` is 's' (Brian2) or 'tau_n' (abstract)."""

    model: str
    time_unit: str
    cue_duration: float
    t: np.ndarray
    overlaps: np.ndarray
    final_overlaps: np.ndarray
    report: RecallReport
    recordings: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class TrialResult:
    """A trial: its patterns (N, K), target, cue, every model's recall and the knockout runs
    {(type, fraction): {'network': …, 'abstract': …}}."""

    index: int
    patterns: np.ndarray
    target: int
    cue: np.ndarray
    brian_seed: int
    knockout_seed: int
    recalls: dict[str, ModelRecall] = field(default_factory=dict)
    knockouts: dict[tuple[str, float], dict[str, ModelRecall]] = field(default_factory=dict)


@dataclass
class ProtocolRun:
    """Everything a protocol run measured, with every parameter used."""

    protocol: RecallProtocol
    trials: list[TrialResult]
    parameters: dict
    seconds: float

    # ---- summaries ------------------------------------------------------------------------
    def summary(self) -> dict:
        """Per-trial rows, the recall fraction per model and the knockout sweep (JSON-able)."""
        p = self.protocol
        models = [m for m in MODELS if self.trials and m in self.trials[0].recalls]
        rows = []
        for tr in self.trials:
            row = {"trial": tr.index, "target": tr.target, "cue_overlap": tr.recalls["network"].report.cue_overlap}
            row.update({m: _report_row(tr.recalls[m].report) for m in models})
            rows.append(row)
        aggregate = {}
        for m in models:
            reps = [tr.recalls[m].report for tr in self.trials]
            aggregate[m] = {
                "recalled": sum(r.recalled for r in reps),
                "persists": sum(r.persists for r in reps),
                "trials": len(reps),
                "fraction_recalled": float(np.mean([r.recalled for r in reps])),
                "mean_target_overlap": float(np.mean([r.target_overlap for r in reps])),
                "time_unit": self.trials[0].recalls[m].time_unit,
            }
        sweep = {}
        if p.knockouts is not None:
            for knockout in p.knockouts.types:
                entry = {"fractions": list(p.knockouts.fractions)}
                for m in ("network", "abstract"):
                    ov = np.array([[tr.knockouts[(knockout, f)][m].report.target_overlap for f in p.knockouts.fractions]
                                   for tr in self.trials])
                    entry[m] = {
                        "fraction_recalled": np.mean(ov >= p.threshold, axis=0).tolist(),
                        "mean_target_overlap": ov.mean(axis=0).tolist(),
                    }
                sweep[knockout] = entry
        return {
            "protocol": p.name,
            "rung": p.rung,
            "device": p.device,
            "seed": p.seed,
            "N": p.n,
            "K": p.k,
            "flipped_bits": p.flips,
            "trials": p.trials,
            "threshold": p.threshold,
            "seconds": round(self.seconds, 2),
            "fraction_recalled": {m: aggregate[m]["fraction_recalled"] for m in models},
            "models": aggregate,
            "per_trial": rows,
            "knockouts": sweep,
        }

    def records(self) -> list[dict]:
        """Every report of every trial (the JSON side of the results)."""
        out = []
        for tr in self.trials:
            out.append({
                "trial": tr.index,
                "target": tr.target,
                "brian_seed": tr.brian_seed,
                "knockout_seed": tr.knockout_seed,
                "reports": {m: {**r.report.to_dict(), "time_unit": r.time_unit} for m, r in tr.recalls.items()},
                "knockouts": [
                    {"type": knockout, "fraction": f, **{m: r.report.to_dict() for m, r in runs.items()}}
                    for (knockout, f), runs in tr.knockouts.items()
                ],
            })
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """Every recorded array, labelled 'trial<i>/<model>/<name>' (and per knockout run)."""
        out: dict[str, np.ndarray] = {}
        for tr in self.trials:
            base = f"trial{tr.index}"
            out[f"{base}/patterns"] = tr.patterns
            out[f"{base}/cue"] = tr.cue
            out[f"{base}/target"] = np.array(tr.target)
            for m, rec in tr.recalls.items():
                out.update(_recall_arrays(f"{base}/{m}", rec))
            for (knockout, f), runs in tr.knockouts.items():
                for m, rec in runs.items():
                    out.update(_recall_arrays(f"{base}/knockouts/{knockout}/{f:g}/{m}", rec))
        p = self.protocol
        if p.knockouts is not None:
            for knockout in p.knockouts.types:
                out[f"knockouts/{knockout}/fractions"] = np.array(p.knockouts.fractions)
                for m in ("network", "abstract"):
                    out[f"knockouts/{knockout}/{m}/target_overlap"] = np.array(
                        [[tr.knockouts[(knockout, f)][m].report.target_overlap for f in p.knockouts.fractions]
                         for tr in self.trials])
        for m in MODELS:
            if self.trials and m in self.trials[0].recalls:
                out[f"summary/{m}/target_overlap"] = np.array(
                    [tr.recalls[m].report.target_overlap for tr in self.trials]
                )
        return out


def _report_row(r: RecallReport) -> dict:
    return {
        "target_overlap": r.target_overlap,
        "best_other_overlap": r.best_other_overlap,
        "best_other": r.best_other,
        "time_to_retrieval": r.time_to_retrieval,
        "persists": r.persists,
        "recalled": r.recalled,
    }


def _recall_arrays(prefix: str, rec: ModelRecall) -> dict[str, np.ndarray]:
    out = {f"{prefix}/t": np.asarray(rec.t), f"{prefix}/overlaps": np.asarray(rec.overlaps),
           f"{prefix}/final_overlaps": np.asarray(rec.final_overlaps)}
    out.update({f"{prefix}/{k}": np.asarray(v) for k, v in rec.recordings.items()})
    return out


# ---- output ------------------------------------------------------------------------------------
RESULTS = "results.npz"
REPORT = "results.json"
MANIFEST = "manifest.json"
#: every file a result set may hold (figures depend on the rung and the knockouts)
OUTPUTS = (RESULTS, REPORT, MANIFEST, "overlaps.png", "raster.png", "activity.png", "knockouts.png")


def write_results(run: ProtocolRun, out: str | Path) -> dict[str, Path]:
    """Write DIR/results.npz (every array, labelled), DIR/results.json (summary, every report,
    the array index, the manifest), DIR/manifest.json and the figures — each atomically."""
    from . import plotting
    from .devices import device_label
    from .output import result_set
    from .protocols import plain
    from .provenance import manifest, to_json

    out = Path(out)
    arrays = run.arrays()
    meta = manifest(run.protocol.seed, plain(run.parameters), device=device_label(run.protocol.device))
    report = {
        "summary": run.summary(),
        "trials": run.records(),
        "arrays": {"file": RESULTS, "shapes": {k: list(v.shape) for k, v in arrays.items()},
                   "units": {"network/t": "s", "hopfield/t": "s", "abstract/t": "tau_n", "dam/t": "tau_n"}},
        "manifest": meta,
    }
    texts = {REPORT: to_json(report) + "\n", MANIFEST: to_json(meta) + "\n"}  # fail before any file is written
    with result_set(out, OUTPUTS, field="output folder") as stage:  # the whole set appears, or none of it
        np.savez_compressed(stage / RESULTS, **arrays)
        for name in (REPORT, MANIFEST):
            (stage / name).write_text(texts[name], encoding="utf-8")
        figures = plotting.plot_protocol_run(run, stage)
    paths = {"results": out / RESULTS, "report": out / REPORT, "manifest": out / MANIFEST}
    paths.update({key: out / Path(p).name for key, p in figures.items()})
    return paths


def _fmt_time(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit != "s":
        return f"{value:.2f} τn"
    return f"{value * 1e3:.0f} ms" if value < 1 else f"{value:.2f} s"


def format_summary(summary: dict, out: str | Path | None = None) -> str:
    """The short table printed after a run: per trial and aggregated, and the knockout sweep."""
    models = list(summary["models"])
    where = f" → {out}/" if out is not None else ""
    lines = [
        f"{summary['protocol']}: {summary['rung']} rung on {summary['device']}, "
        f"N = {summary['N']}, K = {summary['K']}, "
        f"{summary['flipped_bits']} of {summary['N']} cue bits flipped, {summary['trials']} trials, "
        f"seed {summary['seed']}{where}",
        f"{'trial':>5} {'pattern':>7} {'cue':>5} | {'network':>7} {'other':>6} {'retrieval':>9} {'persists':>8} |"
        + "".join(f" {SHORT[m]:>9}" for m in models if m != "network"),
    ]
    unit = summary["models"]["network"]["time_unit"]
    for row in summary["per_trial"]:
        net = row["network"]
        lines.append(
            f"{row['trial']:>5} {row['target']:>7} {row['cue_overlap']:>5.2f} | {net['target_overlap']:>7.2f} "
            f"{net['best_other_overlap']:>6.2f} {_fmt_time(net['time_to_retrieval'], unit):>9} "
            f"{'yes' if net['persists'] else 'no':>8} |"
            + "".join(f" {row[m]['target_overlap']:>9.2f}" for m in models if m != "network")
        )
    theta = summary["threshold"]
    lines.append(f"target overlap ≥ {theta:g}: " + ", ".join(
        f"{LABELS[m]} {summary['models'][m]['recalled']}/{summary['models'][m]['trials']}" for m in models))
    for knockout, sweep in summary["knockouts"].items():
        lines.append(f"knockout {knockout} (fraction recalled, mean target overlap; network | abstract prediction):")
        for i, f in enumerate(sweep["fractions"]):
            net, ab = sweep["network"], sweep["abstract"]
            lines.append(f"  {f:>5.2f}: {net['fraction_recalled'][i]:>5.0%} ({net['mean_target_overlap'][i]:.2f})"
                         f" | {ab['fraction_recalled'][i]:>5.0%} ({ab['mean_target_overlap'][i]:.2f})")
    lines.append(f"{summary['seconds']:.1f} s")
    return "\n".join(lines)


__all__ = ["ModelRecall", "TrialResult", "ProtocolRun", "write_results", "format_summary", "MODELS", "OUTPUTS"]
