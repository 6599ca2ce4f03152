"""The `astrobrian` command: one CLI for the project; subcommands only parse and delegate."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import InputError

DEFAULT_MODELS = ["hopfield", "dam4", "neuron-astrocyte", "neuron-astrocyte-fast"]
DEFAULT_NS = [10, 12, 14, 16, 20, 24]


CAPACITY_OUTPUTS = ("capacity.json", "manifest.json", "capacity.png")
#: how `astrobrian capacity` names its settings in errors
CAPACITY_FIELDS = {"n": "--n", "flip": "--flip", "trials": "--trials", "seed": "--seed", "param": "--param"}


def _json(obj: object) -> str:
    """JSON text of a summary with non-finite floats as null, so that --json output is valid JSON."""
    from .provenance import to_json

    return to_json(obj)


def _capacity_parser(sub: argparse._SubParsersAction) -> None:
    from .abstract.registry import MODELS
    from .capacity import CRITERIA

    p = sub.add_parser(
        "capacity",
        help="measure recall probability vs K and K_max(N) scaling of abstract models",
        description=(
            "Measure P(success) vs K for each N, K_max at P = 0.5 and 0.9 by bisection, and the "
            "log–log slope of K_max vs N (with the ln N correction). Every setting is checked before "
            "the first trial. Writes DIR/capacity.json (results + manifest), DIR/manifest.json and "
            "DIR/capacity.png, all three or none."
        ),
    )
    p.add_argument("--model", nargs="+", choices=list(MODELS), default=DEFAULT_MODELS, metavar="MODEL",
                   help=f"one or more of: {', '.join(MODELS)} (default: {' '.join(DEFAULT_MODELS)})")
    p.add_argument("--n", nargs="+", type=int, default=DEFAULT_NS, metavar="N",
                   help=f"distinct network sizes; one size gives K_max without a slope, three or more a slope "
                        f"with a 95 %% interval (default: {' '.join(map(str, DEFAULT_NS))})")
    p.add_argument("--flip", type=float, default=0.1,
                   help="fraction ρ of cue bits flipped, exactly ⌊ρN⌋: at least 1 and fewer than N/2 at every N "
                        "(default 0.1)")
    p.add_argument("--trials", type=int, default=50, help="trials per (N, K) point, ≥ 1 (default 50)")
    p.add_argument("--criterion", choices=CRITERIA, default="exact",
                   help="exact: every bit recalled; overlap: m ≥ --threshold (mirror = failure)")
    p.add_argument("--threshold", type=float, default=0.95,
                   help="overlap threshold θ in (0, 1] for --criterion overlap")
    p.add_argument("--param", action="append", default=[], metavar="[MODEL.]KEY=VALUE",
                   help="model parameter (repeatable): KEY for every model given, MODEL.KEY for one, e.g. "
                        "--param neuron-astrocyte.beta=3 --param hopfield.max_sweeps=100 "
                        "(an unknown KEY is refused with the model's parameter list)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of every random pattern, target and cue, ≥ 0 (default 0)")
    p.add_argument("--out", type=Path, default=Path("results/capacity"), help="output folder (default results/capacity)")
    p.add_argument("--json", action="store_true", help="print the summary (K_max per N, slopes) as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=_run_capacity)


def _capacity_params(settings: list[str], models: list[str]) -> tuple[dict[str, dict], dict]:
    """{model: params} from --param KEY=VALUE (every model) and MODEL.KEY=VALUE (one model),
    and how each (model, key) was written, to name it in errors."""
    from .abstract.registry import MODELS, model_entry
    from .protocols import parse_setting

    out: dict[str, dict] = {m: {} for m in models}
    labels: dict[tuple[str, str], str] = {}
    for text in settings:
        if "=" not in text or not text.split("=", 1)[0].strip():
            raise InputError("--param", "KEY=VALUE or MODEL.KEY=VALUE, e.g. neuron-astrocyte.beta=3", text)
        key, value = parse_setting(text, "--param")
        if isinstance(value, str):
            try:
                value = float(value)  # 'nan', 'inf', '1e-3' as numbers, to be checked as numbers
            except ValueError:
                pass
        model, _, name = key.rpartition(".")
        if model and model not in MODELS:
            raise InputError(f"--param {key}", f"KEY or MODEL.KEY with MODEL one of {', '.join(models)}", text)
        if model and model not in models:
            raise InputError(f"--param {key}", f"a model given with --model ({', '.join(models)})", model)
        for m in [model] if model else models:
            entry = model_entry(m)
            if name not in entry.parameter_names():
                scope = "" if model else f"; for one model only: --param MODEL.{name}=VALUE"
                raise InputError(f"--param {key}", f"a parameter of model '{m}' (its parameters: "
                                 f"{', '.join(entry.parameter_names())}){scope}", name)
            out[m][name] = value
            labels[m, name] = key
    return out, labels


def _run_capacity(args: argparse.Namespace) -> int:
    from .abstract.registry import model_entry
    from .capacity import Criterion, capacity_scan, check_scan
    from .output import check_output_folder, result_set
    from .plotting import plot_capacity
    from .provenance import manifest, write_json_atomic

    if len(set(args.model)) != len(args.model):  # validate everything before any work
        raise InputError("--model", "distinct models", args.model)
    params, labels = _capacity_params(args.param, args.model)
    try:
        criterion = Criterion(args.criterion, args.threshold)
    except InputError as err:
        raise InputError("--threshold", err.expected, err.got) from None
    notes = check_scan(params, args.n, args.flip, args.trials, criterion, args.seed, CAPACITY_FIELDS,
                       param_label=lambda model, key: f"--param {labels.get((model, key), key)}")
    out = check_output_folder(args.out, CAPACITY_OUTPUTS, "--out")
    for note in notes:
        print(f"astrobrian capacity: note: {note}", file=sys.stderr)
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    scans = [
        capacity_scan(name, args.n, args.flip, args.trials, criterion, args.seed, params[name], progress=progress)
        for name in args.model
    ]
    settings = {
        "models": {s.model: {**model_entry(s.model).defaults(), **s.params} for s in scans},
        "N": args.n, "flip": args.flip, "trials": args.trials,
        "criterion": criterion.kind, "threshold": criterion.threshold, "levels": [0.5, 0.9],
    }
    meta = manifest(args.seed, settings)
    summary = {
        "criterion": criterion.label(),
        "seconds": round(time.perf_counter() - t0, 3),
        "models": {
            s.model: {
                "kmax": {str(z.n): z.kmax for z in s.sizes},
                "slope": {lv: f["raw"] for lv, f in s.fits.items()},
                "slope_ln_corrected": {lv: f["ln_corrected"] for lv, f in s.fits.items()},
            }
            for s in scans
        },
    }
    with result_set(out, CAPACITY_OUTPUTS, "--out") as stage:  # all three files, or none
        write_json_atomic(stage / "capacity.json",
                          {"summary": summary, "scans": [s.to_dict() for s in scans], "manifest": meta})
        write_json_atomic(stage / "manifest.json", meta)
        plot_capacity(scans, stage / "capacity.png")
    if args.json:
        print(_json(summary))
    else:
        print(f"capacity ({criterion.label()}, {args.flip:.0%} flipped, {args.trials} trials) → {out}/")
        print(f"{'model':<24}" + "".join(f"{'N=' + str(n):>10}" for n in args.n) + f"{'slope':>8}{'95% CI':>16}")
        for s in scans:
            fit = s.fits["0.5"]["raw"]
            ci = fit["ci95"] if fit["slope"] is not None else None
            ci = f"[{ci[0]:.2f}, {ci[1]:.2f}]" if ci is not None and all(map(math.isfinite, ci)) else "-"
            slope = f"{fit['slope']:.2f}" if fit["slope"] is not None else "-"
            print(f"{s.model:<24}" + "".join(f"{z.kmax['0.5']:>10.1f}" for z in s.sizes) + f"{slope:>8}{ci:>16}")
        print(f"K_max at P = 0.5; {summary['seconds']:.1f} s")
    return 0


def _models_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list or show the Brian2 model library (models/*.toml)",
        description="Browse the model library: `models list`, or `models show NAME|FILE [--preset P]`.",
    )
    msub = p.add_subparsers(dest="action", metavar="ACTION")
    msub.required = True
    lst = msub.add_parser("list", help="one line per model: name, kind, presets, description",
                          description="List every model file shipped with astrobrian.")
    lst.set_defaults(run=_run_models_list)
    show = msub.add_parser("show", help="print a model card: equations, parameters with references, presets",
                           description="Print one model's card (a library name or a path to your own .toml).")
    show.add_argument("name", help="library model name or path to a .toml model file")
    show.add_argument("--preset", default=None, help="show the values of this named preset")
    show.set_defaults(run=_run_models_show)


def _run_models_list(args: argparse.Namespace) -> int:
    from . import models

    for name in models.available():
        spec = models.load(name, check=False)
        presets = ", ".join(spec.presets) or "-"
        print(f"{name:<28} {spec.kind:<8} presets: {presets}")
        print(f"{'':<28} {spec.description}")
    return 0


def _run_models_show(args: argparse.Namespace) -> int:
    from . import models

    print(models.load(args.name, preset=args.preset).describe())
    return 0


def _protocols_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "protocols",
        help="list or show the protocols `astrobrian run` takes (protocols/*.toml)",
        description="Browse the protocol library: `protocols list`, or `protocols show NAME|FILE`.",
    )
    psub = p.add_subparsers(dest="action", metavar="ACTION")
    psub.required = True
    lst = psub.add_parser("list", help="one entry per protocol: name, kind, rungs, description",
                          description="List every protocol file shipped with astrobrian.")
    lst.set_defaults(run=_run_protocols_list)
    show = psub.add_parser("show", help="print a protocol's keys as resolved: units, defaults filled in",
                           description="Print every key of one protocol (a library name or a path to your own "
                                       ".toml) with the value a run uses, defaults marked; checks the file "
                                       "(building its networks once, running nothing).")
    show.add_argument("name", help="library protocol name or path to a .toml protocol file")
    show.set_defaults(run=_run_protocols_show)


_FLIP_RULE = ("flip | flips: flip is a fraction ρ of the cue's N bits and exactly ⌊ρN⌋ of them are flipped "
              "(rounded down, at every N); flips gives the number of bits instead; a file sets one or neither")


def _summary_line(text: str, width: int = 100) -> str:
    """The first sentence of a description, cut to `width` characters."""
    flat = " ".join(text.split())
    ends = [flat.index(end) for end in (". ", "? ", "! ") if end in flat]
    if ends:
        flat = flat[: min(ends) + 1]
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _protocol_rungs(data: dict) -> str:
    """The Brian2 rungs (and abstract models) a protocol file runs, as text."""
    if data.get("kind", "recall") == "recall":
        rungs = [str(data.get("rung", "?"))]
        hop = (data.get("controls") or {}).get("hopfield") or {}
        if isinstance(hop, dict) and hop.get("enabled", True):
            rungs.append(str(hop.get("rung", "hopfield-spiking")))
        return ", ".join(rungs)
    models = data.get("models") or {}
    rungs = [str(m["rung"]) for m in models.values() if isinstance(m, dict) and "rung" in m]
    abstract = [str(m["model"]) for m in models.values() if isinstance(m, dict) and "model" in m]
    return ", ".join(rungs) + (f"; abstract: {', '.join(abstract)}" if abstract else "")


def _run_protocols_list(args: argparse.Namespace) -> int:
    from . import protocols

    for name in protocols.available():
        _, data = protocols.read(name)
        kind = data.get("kind", "recall")
        print(f"{name:<20} {kind:<18} rungs: {_protocol_rungs(data)}")
        print(f"{'':<20} {_summary_line(str(data.get('description', '')))}")
    return 0


def _value(v: object) -> str:
    """A resolved value as text: numbers as %g, lists joined, tables as {k = v}, times with units."""
    from .protocols import plain

    v = plain(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v) if v else "(none)"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + "}"
    if v is None:
        return "none"
    return str(v)


def _seconds(t: float) -> str:
    return f"{t * 1000:g} ms" if t < 1 else f"{t:g} s"


class _Card:
    """Lines of a protocol card: `row(key, value, note)`, `table(title, note)`."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def row(self, key: str, value: object, note: str = "", indent: int = 2) -> None:
        text = value if isinstance(value, str) else _value(value)
        self.lines.append(f"{'':<{indent}}{key:<{max(1, 18 - indent)}} {text:<26} {' '.join(note.split())}".rstrip())

    def table(self, title: str, note: str = "") -> None:
        self.lines.append(f"[{title}]" + (f"  {note}" if note else ""))

    def values(self, resolved: dict, given: dict, default_note: str = "(default)", indent: int = 2) -> None:
        for key, value in resolved.items():
            self.row(key, value, "" if key in given else default_note, indent)


def _flip_note(flips_of: dict[int, int], flip: float | None, flips: int | None) -> str:
    if flips is not None:
        return "bits flipped at every N"
    parts = [f"{f} at N = {n}" for n, f in flips_of.items()]
    return f"→ ⌊ρN⌋ bits flipped: {', '.join(parts)}"


def _show_recall(protocol) -> str:
    """The card of a validated recall protocol."""
    from .abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
    from .protocols import FORWARDS_TO_ABSTRACT, _signature_defaults, abstract_parameters, network_parameters

    data = protocol.data
    card = _Card()
    d = lambda key: "" if key in data else "(default)"  # noqa: E731
    card.row("kind", "recall", d("kind"))
    card.row("rung", protocol.rung)
    card.row("device", protocol.device, d("device"))
    card.row("seed", protocol.seed, d("seed"))
    card.row("trials", protocol.trials, d("trials"))
    card.row("N", protocol.n)
    card.row("K", protocol.k)
    if "flips" in data:
        card.row("flips", protocol.flips, f"bits flipped (a fraction {protocol.flip:g} of N)")
    else:
        rho = float(data.get("flip", 0.15))
        card.row("flip", rho, f"{d('flip')} → ⌊{rho:g}·{protocol.n}⌋ = {protocol.flips} bits flipped "
                             f"(a fraction {protocol.flip:g} of N)".strip())
    card.row("cue_duration", _seconds(protocol.times.cue_duration))
    card.row("duration", _seconds(protocol.times.duration))
    card.row("cue_strength", protocol.times.cue_strength, d("cue_strength"))
    card.row("threshold", protocol.threshold, d("threshold"))

    net_file = data.get("network") or {}
    if protocol.rung in FORWARDS_TO_ABSTRACT:
        card.table("network", f"the '{protocol.rung}' rung: the rest scaling for N = {protocol.n}, "
                              "then the file's keys")
        card.values(network_parameters(protocol), net_file, "(rest scaling)")
    else:
        card.table("network", f"the '{protocol.rung}' rung's builder; keys not set take its defaults "
                              "(every value used is recorded in manifest.json)")
        card.values(protocol.network, net_file)
        if not protocol.network:
            card.lines.append("  (none set)")

    abs_file = data.get("abstract") or {}
    card.table("abstract", "NeuronAstrocyteMemory from rest, the prediction beside the network; times in units of τ_n")
    for key in ("dt", "cue_duration", "duration", "cue_strength"):
        card.row(key, getattr(protocol.abstract_times, key), "" if key in abs_file else "(default)")
    rest = NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n)
    resolved = {**abstract_parameters(), **rest, **protocol.abstract}
    for key, value in resolved.items():
        note = "" if key in abs_file else "(rest scaling)" if key in rest else \
            "(the network's)" if key in protocol.abstract else "(default)"
        card.row(key, value, note)

    controls = data.get("controls") or {}
    dam_file = controls.get("dam") or {}
    card.table("controls.dam", ("enabled" if protocol.dam else "disabled")
               + ("" if "enabled" in dam_file else " (default)")
               + ("; QuarticDAMLimit from rest, same cue; times in units of τ_n" if protocol.dam else ""))
    if protocol.dam is not None:
        for key in ("dt", "cue_duration", "duration", "cue_strength"):
            card.row(key, getattr(protocol.dam.times, key), "" if key in dam_file else "(as [abstract])")
        dam_defaults, _ = _signature_defaults(QuarticDAMLimit.__init__)
        dam_defaults = {k: v for k, v in dam_defaults.items() if k not in ("self", "patterns", "knockouts")}
        dam_values = {**dam_defaults, **protocol.dam.params}
        if dam_values.get("coupling_scale") is None:
            dam_values["coupling_scale"] = f"{1 / protocol.n ** 3:g} (1/N³)"
        card.values(dam_values, dam_file)

    hop_file = controls.get("hopfield") or {}
    card.table("controls.hopfield", ("enabled" if protocol.hopfield else "disabled")
               + ("" if "enabled" in hop_file else " (default)"))
    if protocol.hopfield is not None:
        h = protocol.hopfield
        card.row("rung", h.rung, "" if "rung" in hop_file else "(default)")
        card.row("cue_duration", _seconds(h.times.cue_duration),
                 "" if "cue_duration" in hop_file else "(the protocol's)")
        card.row("duration", _seconds(h.times.duration), "" if "duration" in hop_file else "(the protocol's)")
        card.row("cue_strength", h.times.cue_strength, "" if "cue_strength" in hop_file else "(the protocol's)")
        card.row("network", h.network or "(builder defaults)")

    if protocol.knockouts is None:
        card.table("knockouts", "none")
    else:
        card.table("knockouts", "enabled")
        card.row("type", list(protocol.knockouts.types))
        card.row("fractions", list(protocol.knockouts.fractions))
    return "\n".join(card.lines)


def _show_sweep(protocol) -> str:
    """The card of a validated capacity sweep."""
    data = protocol.data
    card = _Card()
    d = lambda key: "" if key in data else "(default)"  # noqa: E731
    card.row("kind", protocol.kind)
    card.row("seed", protocol.seed, d("seed"))
    card.row("N", list(protocol.ns))
    flips_of = {n: protocol.flipped(n) for n in protocol.all_ns()}
    if protocol.flips is not None:
        card.row("flips", protocol.flips, "bits flipped at every N")
    else:
        card.row("flip", protocol.flip, f"{d('flip')} {_flip_note(flips_of, protocol.flip, None)}".strip())
    card.row("trials", protocol.trials, d("trials") + " per (N, K) point")
    card.row("criterion", protocol.criterion.kind, d("criterion"))
    card.row("threshold", protocol.criterion.threshold, d("threshold") + f" ({protocol.criterion.label()})")
    card.row("levels", list(protocol.levels), d("levels"))
    card.row("rel_tol", protocol.rel_tol, d("rel_tol"))
    card.row("workers", protocol.workers, (d("workers") + (" (every core)" if protocol.workers == 0 else "")).strip())
    times = next((m.times for m in protocol.models if m.times is not None), None)
    if times is not None:
        card.row("cue_duration", _seconds(times.cue_duration))
        card.row("duration", _seconds(times.duration))
        card.row("cue_strength", times.cue_strength, d("cue_strength"))
    models_file = data.get("models") or {}
    for m in protocol.models:
        mf = models_file.get(m.name) or {}
        what = f"Brian2 rung '{m.target}'" if m.kind == "network" else f"abstract model '{m.target}'"
        card.table(f"models.{m.name}", what)
        card.row("N", list(m.ns), "" if "N" in mf else "(the protocol's)")
        card.row("k_start", m.k_start, ("" if "k_start" in mf else "(default)") + f" first K = {m.k_start:g}·N")
        card.row("chunk", m.chunk, ("" if "chunk" in mf else "(default)") + " trials per task")
        if m.kind == "network":
            card.row("network", m.params or "(builder defaults)")
        else:
            card.row("params", m.params or "(the model's defaults)")
    disabled = [k for k, v in models_file.items() if isinstance(v, dict) and v.get("enabled", True) is False]
    if disabled:
        card.lines.append(f"(disabled: {', '.join(disabled)})")
    if protocol.verdict is not None:
        v = protocol.verdict
        vf = data.get("verdict") or {}
        card.table("verdict", "capacity scaling survives when the network's slope is ≥ min_slope and within "
                              "tolerance of the reference's")
        for key in ("network", "reference", "level", "min_slope", "tolerance"):
            card.row(key, getattr(v, key), "" if key in vf else "(default)")
    if protocol.knockout_types:
        card.table("knockouts")
        card.row("type", list(protocol.knockout_types))
        card.row("fractions", list(protocol.fractions))
    return "\n".join(card.lines)


def _run_protocols_show(args: argparse.Namespace) -> int:
    from . import protocols, sweep_protocols

    path, data = protocols.read(args.name)
    kind = data.get("kind", "recall")
    shipped = path.parent == protocols.library_dir()
    where = f"{path.name}, shipped with astrobrian" if shipped else str(path)
    if kind == "recall":
        protocol = protocols.validate(data, path.name)
        body = _show_recall(protocol)
    else:
        protocol = sweep_protocols.validate(data, path.name)
        body = _show_sweep(protocol)
    description = "\n".join(f"  {line}" for line in protocol.description.strip().splitlines())
    print(f"{protocol.name} — {kind} protocol ({where})")
    if description:
        print(description)
    print("\nkeys: the value a run uses; (default) and similar marks: not set in the file")
    print(body)
    print(_FLIP_RULE)
    return 0


def _run_parser(sub: argparse._SubParsersAction) -> None:
    from .devices import DEVICES
    from .protocols import available

    p = sub.add_parser(
        "run",
        help="run a recall protocol: network recall from rest, controls, knockout sweep",
        description=(
            "Run a recall protocol (protocols/*.toml): for each trial, fresh patterns and a corrupted cue "
            "from the seed; the network recalls from rest with the cue as an input current; the quartic "
            "DAM and the spiking Hopfield network get the same cue; a knockout sweep compares the network "
            "with the abstract model's prediction. Writes DIR/results.npz (every array, labelled), "
            "DIR/results.json (summary, reports, manifest), DIR/manifest.json and figures (overlaps.png, "
            "raster.png or activity.png, knockouts.png), each atomically."
        ),
    )
    p.add_argument("protocol", nargs="?", default=None,
                   help=f"a library protocol ({', '.join(available())}) or a path to a .toml file "
                        "(default: the embedded 'recall')")
    p.add_argument("--out", type=Path, default=None, help="output folder (default results/<protocol name>)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                   help="override a protocol key (repeatable, in order), e.g. --set N=64 --set network.tau_s=0.2 "
                        "--set \"cue_duration=50 ms\" --set knockouts.fractions=[0,0.5,1]. flip (a fraction) and "
                        "flips (bits) are one setting: the later of the file's and the --set ones wins. On a "
                        "capacity sweep, N sets the sizes of models without their own: a model's models.NAME.N "
                        "wins (set that key, e.g. --set models.biophysical.N=[16,24]); the summary and table "
                        "list each model's sizes.")
    p.add_argument("--device", choices=DEVICES, default=None, help="Brian2 device (default: the protocol's)")
    p.add_argument("--seed", type=int, default=None, help="seed of every pattern, cue and network (default: the protocol's)")
    p.add_argument("--workers", type=int, default=None,
                   help="capacity sweeps: worker processes (0 = every core, 1 = in this process)")
    p.add_argument("--fresh", action="store_true",
                   help="capacity sweeps: discard OUT/checkpoint.jsonl instead of resuming from it")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.set_defaults(run=_run_protocol)


def _run_protocol(args: argparse.Namespace) -> int:
    from . import protocols
    from .progress import ProgressBar

    settings = [protocols.parse_setting(t) for t in args.settings]  # in order: a later setting wins
    if args.seed is not None:
        settings.append(("seed", args.seed))
    path, data = protocols.read(args.protocol, settings)
    if data.get("kind", "recall") != "recall":
        return _run_sweep(args, path, data)
    if args.workers is not None or args.fresh:
        raise InputError("--workers/--fresh", "only with capacity sweeps (kind = capacity_scaling or "
                         "knockout_capacity)", path.name)
    from .output import check_output_folder
    from .runner import OUTPUTS, format_summary, run_protocol, write_results

    if args.device is not None:
        data = protocols.apply_settings(data, {"device": args.device}, path.name)
    protocol = protocols.validate(data, path.name)
    out = args.out if args.out is not None else Path("results") / protocol.name
    check_output_folder(out, OUTPUTS, "--out" if args.out is not None else "output folder")
    run = run_protocol(protocol, progress=None if args.quiet else ProgressBar())
    write_results(run, out)
    summary = run.summary()
    print(_json(summary) if args.json else format_summary(summary, out))
    return 0


def _run_sweep(args: argparse.Namespace, path: Path, data: dict) -> int:
    from .progress import ProgressBar
    from .output import check_output_folder
    from .sweep_protocols import CHECKPOINT, MANIFEST, REPORT, format_sweep, run_sweep, validate, write_sweep

    if args.device not in (None, "runtime"):
        raise InputError("--device", "runtime for capacity sweeps (every trial is a new network: a standalone "
                         "build per trial would cost more than the trial)", args.device)
    if args.workers is not None:
        data = {**data, "workers": args.workers}
    protocol = validate(data, path.name)
    out = args.out if args.out is not None else Path("results") / protocol.name
    check_output_folder(out, (CHECKPOINT, REPORT, MANIFEST, "capacity_scaling.png", "knockout_capacity.png"),
                        "--out" if args.out is not None else "output folder")
    run = run_sweep(protocol, out, progress=None if args.quiet else ProgressBar(), fresh=args.fresh)
    write_sweep(run, out)
    summary = run.summary()
    print(_json(summary) if args.json else format_sweep(summary, out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="astrobrian",
        description="Neuron–astrocyte associative memory: abstract models, capacity, Brian2 networks.",
    )
    parser.add_argument("--version", action="version", version=f"astrobrian {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _capacity_parser(sub)
    _models_parser(sub)
    _protocols_parser(sub)
    _run_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and turn bad input into one line on stderr with exit code 2,
    Ctrl+C or SIGTERM into one line with exit code 130."""
    from .interrupt import StopOnSignal, exit_now
    from .progress import end_lines

    stop = StopOnSignal()
    name = "astrobrian"
    try:
        with stop:  # from the start: building the parser imports Brian2 (seconds)
            args = build_parser().parse_args(argv)
            name = f"astrobrian {args.command}"
            if args.command == "run" or "brian2" in sys.modules:
                stop.brian2()
            return args.run(args)
    except InputError as err:
        end_lines()
        print(f"{name}: error: {err}", file=sys.stderr)
        return 2
    except FloatingPointError as err:
        end_lines()
        print(f"{name}: numerical error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        end_lines()
        by = f" by {stop.signal_name}" if stop.signal_name else ""
        kept = f"; {err}" if str(err) else ""
        print(f"{name}: interrupted{by}; no results file was written or replaced{kept}", file=sys.stderr)
        if stop.signal_name:  # the process was told to stop: it ends now, not after a slow teardown
            exit_now(130)
        return 130


if __name__ == "__main__":
    sys.exit(main())
