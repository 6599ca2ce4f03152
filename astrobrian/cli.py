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
    p.add_argument("--out", type=Path, default=Path("results/capacity"),
                   help="output folder (default results/capacity)")
    p.add_argument("--json", action="store_true", help="print the summary (K_max per N, slopes) as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=_run_capacity)


def capacity_params(settings: list[str], models: list[str]) -> tuple[dict[str, dict], dict]:
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
    params, labels = capacity_params(args.param, args.model)
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
    lst = msub.add_parser("list", help="one line per model: name, Brian2 class, presets, description",
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
        print(f"{name:<28} {spec.brian2_class:<12} presets: {presets}")
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


def _summary_line(text: str, width: int = 100) -> str:
    """The first sentence of a description, cut to `width` characters."""
    flat = " ".join(text.split())
    ends = [flat.index(end) for end in (". ", "? ", "! ") if end in flat]
    if ends:
        flat = flat[: min(ends) + 1]
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _run_protocols_list(args: argparse.Namespace) -> int:
    from . import protocols

    for name in protocols.available():
        _, data = protocols.read(name)
        kind = protocols.protocol_kind(data, name)
        print(f"{name:<20} {kind.name:<18} rungs: {kind.rungs(data)}")
        print(f"{'':<20} {_summary_line(str(data.get('description', '')))}")
    return 0


def _run_protocols_show(args: argparse.Namespace) -> int:
    from . import protocols
    from .cards import FLIP_RULE

    path, data = protocols.read(args.name)
    kind = protocols.protocol_kind(data, path.name)
    shipped = path.parent == protocols.library_dir()
    where = f"{path.name}, shipped with astrobrian" if shipped else str(path)
    protocol = kind.validate(data, path.name)
    body = kind.card(protocol)
    description = "\n".join(f"  {line}" for line in protocol.description.strip().splitlines())
    print(f"{protocol.name} — {kind.name} protocol ({where})")
    if description:
        print(description)
    print("\nkeys: the value a run uses; (default) and similar marks: not set in the file")
    print(body)
    print(FLIP_RULE)
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
    p.add_argument("--seed", type=int, default=None,
                   help="seed of every pattern, cue and network (default: the protocol's)")
    p.add_argument("--workers", type=int, default=None,
                   help="capacity sweeps: worker processes (0 = every core, 1 = in this process)")
    p.add_argument("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
                   help="capacity sweeps: run the tasks on Dask — 'local' starts a cluster of --workers processes "
                        "on this machine, an address sends them to a running scheduler (needs the dask extra: "
                        "pip install 'astrobrian[dask]')")
    p.add_argument("--fresh", action="store_true",
                   help="capacity sweeps: discard OUT/checkpoint.jsonl instead of resuming from it")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.set_defaults(run=_run_protocol)


def _run_protocol(args: argparse.Namespace) -> int:
    from . import protocols
    from .output import check_output_folder
    from .progress import ProgressBar

    settings = [protocols.parse_setting(t) for t in args.settings]  # in order: a later setting wins
    if args.seed is not None:
        settings.append(("seed", args.seed))
    path, data = protocols.read(args.protocol, settings)
    kind = protocols.protocol_kind(data, path.name)
    options = protocols.RunOptions(device=args.device, workers=args.workers, fresh=args.fresh,
                                   scheduler=args.scheduler)
    protocol = kind.validate(kind.prepare(data, options, path.name), path.name)
    out = args.out if args.out is not None else Path("results") / protocol.name
    check_output_folder(out, kind.outputs, "--out" if args.out is not None else "output folder")
    result = kind.run(protocol, out, options, None if args.quiet else ProgressBar())
    kind.write(result, out)
    summary = result.summary()
    print(_json(summary) if args.json else kind.format(summary, out))
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
        with stop:  # from the start: a stop while the parser is built is one line too
            args = build_parser().parse_args(argv)
            name = f"astrobrian {args.command}"
            if args.command in ("run", "protocols", "models") or "brian2" in sys.modules:
                stop.brian2()  # these import Brian2, whose import would install its own Ctrl+C handler
            if args.command in ("run", "protocols"):  # rungs, knockouts and kinds registered outside astrobrian
                from .plugins import load_plugins

                load_plugins()
            return args.run(args)
    except InputError as err:
        end_lines()
        print(f"{name}: error: {err}", file=sys.stderr)
        return 2
    except FloatingPointError as err:
        end_lines()
        print(f"{name}: numerical error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of stdout left (e.g. `| head`): stop quietly, as other commands do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
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
