"""The `astrobrian` command: one CLI for the project; subcommands only parse and delegate."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import InputError

DEFAULT_MODELS = ["hopfield", "dam4", "neuron-astrocyte", "neuron-astrocyte-fast"]
DEFAULT_NS = [10, 12, 14, 16, 20, 24]


def _capacity_parser(sub: argparse._SubParsersAction) -> None:
    from .abstract.registry import MODELS
    from .capacity import CRITERIA

    p = sub.add_parser(
        "capacity",
        help="measure recall probability vs K and K_max(N) scaling of abstract models",
        description=(
            "Measure P(success) vs K for each N, K_max at P = 0.5 and 0.9 by bisection, and the "
            "log–log slope of K_max vs N (with the ln N correction). Writes DIR/capacity.json "
            "(results + manifest), DIR/manifest.json and DIR/capacity.png."
        ),
    )
    p.add_argument("--model", nargs="+", choices=list(MODELS), default=DEFAULT_MODELS, metavar="MODEL",
                   help=f"one or more of: {', '.join(MODELS)} (default: {' '.join(DEFAULT_MODELS)})")
    p.add_argument("--n", nargs="+", type=int, default=DEFAULT_NS, metavar="N",
                   help=f"network sizes (default: {' '.join(map(str, DEFAULT_NS))})")
    p.add_argument("--flip", type=float, default=0.1, help="fraction ρ of cue bits flipped, exactly ⌊ρN⌋ (default 0.1)")
    p.add_argument("--trials", type=int, default=50, help="trials per (N, K) point (default 50)")
    p.add_argument("--criterion", choices=CRITERIA, default="exact",
                   help="exact: every bit recalled; overlap: m ≥ --threshold (mirror = failure)")
    p.add_argument("--threshold", type=float, default=0.95, help="overlap threshold θ for --criterion overlap")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="model parameter (repeatable), e.g. --param beta=3 --param tau_s=0.2")
    p.add_argument("--seed", type=int, default=0, help="seed of every random pattern, target and cue (default 0)")
    p.add_argument("--out", type=Path, default=Path("results/capacity"), help="output folder (default results/capacity)")
    p.add_argument("--json", action="store_true", help="print the summary (K_max per N, slopes) as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=_run_capacity)


def _run_capacity(args: argparse.Namespace) -> int:
    from .abstract.registry import model_entry
    from .capacity import Criterion, capacity_scan
    from .plotting import plot_capacity
    from .provenance import manifest, write_json_atomic

    from .protocols import parse_setting

    params = dict(parse_setting(t, "--param") for t in args.param)
    criterion = Criterion(args.criterion, args.threshold)
    for name in args.model:  # validate everything before any work
        model_entry(name).split(params)
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    scans = [
        capacity_scan(name, args.n, args.flip, args.trials, criterion, args.seed, params, progress=progress)
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
    out = args.out
    write_json_atomic(out / "capacity.json", {"summary": summary, "scans": [s.to_dict() for s in scans], "manifest": meta})
    write_json_atomic(out / "manifest.json", meta)
    plot_capacity(scans, out / "capacity.png")
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"capacity ({criterion.label()}, {args.flip:.0%} flipped, {args.trials} trials) → {out}/")
        print(f"{'model':<24}" + "".join(f"{'N=' + str(n):>10}" for n in args.n) + f"{'slope':>8}{'95% CI':>16}")
        for s in scans:
            fit = s.fits["0.5"]["raw"]
            ci = f"[{fit['ci95'][0]:.2f}, {fit['ci95'][1]:.2f}]" if fit["slope"] is not None else "-"
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
                   help="override a protocol key (repeatable), e.g. --set N=64 --set network.tau_s=0.2 "
                        "--set \"cue_duration=50 ms\" --set knockouts.fractions=[0,0.5,1]")
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

    settings = dict(protocols.parse_setting(t) for t in args.settings)
    if args.seed is not None:
        settings["seed"] = args.seed
    path, data = protocols.read(args.protocol, settings)
    if data.get("kind", "recall") != "recall":
        return _run_sweep(args, path, data)
    if args.workers is not None or args.fresh:
        raise InputError("--workers/--fresh", "only with capacity sweeps (kind = capacity_scaling or "
                         "knockout_capacity)", path.name)
    from .runner import format_summary, run_protocol, write_results

    if args.device is not None:
        data = protocols.apply_settings(data, {"device": args.device}, path.name)
    protocol = protocols.validate(data, path.name)
    out = args.out if args.out is not None else Path("results") / protocol.name
    run = run_protocol(protocol, progress=None if args.quiet else ProgressBar())
    write_results(run, out)
    summary = run.summary()
    print(json.dumps(summary, indent=2) if args.json else format_summary(summary, out))
    return 0


def _run_sweep(args: argparse.Namespace, path: Path, data: dict) -> int:
    from .progress import ProgressBar
    from .sweep_protocols import format_sweep, run_sweep, validate, write_sweep

    if args.device not in (None, "runtime"):
        raise InputError("--device", "runtime for capacity sweeps (every trial is a new network: a standalone "
                         "build per trial would cost more than the trial)", args.device)
    if args.workers is not None:
        data = {**data, "workers": args.workers}
    protocol = validate(data, path.name)
    out = args.out if args.out is not None else Path("results") / protocol.name
    run = run_sweep(protocol, out, progress=None if args.quiet else ProgressBar(), fresh=args.fresh)
    write_sweep(run, out)
    summary = run.summary()
    print(json.dumps(summary, indent=2) if args.json else format_sweep(summary, out))
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
    _run_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and turn bad input into one line on stderr with exit code 2,
    Ctrl+C or SIGTERM into one line with exit code 130."""
    from .interrupt import StopOnSignal, exit_now
    from .progress import end_lines

    parser = build_parser()
    args = parser.parse_args(argv)
    stop = StopOnSignal(brian2=args.command == "run")
    try:
        with stop:
            return args.run(args)
    except InputError as err:
        end_lines()
        print(f"astrobrian {args.command}: error: {err}", file=sys.stderr)
        return 2
    except FloatingPointError as err:
        end_lines()
        print(f"astrobrian {args.command}: numerical error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        end_lines()
        by = f" by {stop.signal_name}" if stop.signal_name else ""
        kept = f"; {err}" if str(err) else ""
        print(f"astrobrian {args.command}: interrupted{by}; no results file was written or replaced{kept}",
              file=sys.stderr)
        if stop.signal_name:  # the process was told to stop: it ends now, not after a slow teardown
            exit_now(130)
        return 130


if __name__ == "__main__":
    sys.exit(main())
