"""Protocol files are validated like model files: every bad key is an error that names it."""

import pytest

from astrobrian import protocols, recall_protocol
from astrobrian.errors import InputError
from astrobrian.network import RUNGS
from astrobrian.protocols import ProtocolError, apply_settings, parse_setting, validate

BASE = {
    "name": "tiny",
    "rung": "rate",
    "seed": 1,
    "trials": 2,
    "N": 12,
    "K": 4,
    "flips": 2,
    "cue_duration": "1 second",
    "duration": "4 second",
    "network": {"dt": 0.02},
    "abstract": {"dt": 0.02, "cue_duration": 1.0, "duration": 4.0},
    "controls": {"dam": {"dt": 0.02}, "hopfield": {"enabled": False}},
    "knockouts": {"type": "coupling_cut", "fractions": [0.0, 1.0]},
}


def with_settings(**settings):
    """BASE as a file with these keys: dotted settings (a__b → a.b) set in their tables,
    top-level keys written into the file as they are (None removes the key)."""
    data = apply_settings(BASE, {k.replace("__", "."): v for k, v in settings.items() if "__" in k})
    for k, v in settings.items():
        if "__" not in k:
            if v is None:
                data.pop(k, None)
            else:
                data[k] = v
    return data


def test_a_valid_protocol_resolves_units_flips_and_defaults():
    p = validate(with_settings(cue_duration="200 ms", duration="1.5 second", flips=None, flip=0.25))
    assert (p.times.cue_duration, p.times.duration) == (0.2, 1.5)
    assert p.flips == 3 and p.n == 12 and p.k == 4
    assert p.device == "runtime" and p.threshold == 0.9
    assert p.dam.times.dt == 0.02 and p.hopfield is None
    assert p.knockouts.types == ("coupling_cut",) and p.knockouts.fractions == (0.0, 1.0)
    # the rate rung's unset parameters follow N (science.md §6 rest scaling)
    params = recall_protocol.network_parameters(validate(with_settings(N=64)))
    assert params["hebbian_scale"] == 1 / 64 and params["coupling_scale"] == 1 / 64**2 and params["dt"] == 0.02


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"bogus": 1}, "[bogus]"),
        ({"network__betaa": 3.0}, "[network.betaa]"),
        ({"abstract__speed": 3.0}, "[abstract.speed]"),
        ({"controls__dam__gain": 3.0}, "[controls.dam.gain]"),
        ({"controls__placebo": {}}, "[controls.placebo]"),
        ({"knockouts__kind": "x"}, "[knockouts.kind]"),
        ({"cue_duration": "2 mV"}, "[cue_duration]"),
        ({"cue_duration": 2.0}, "[cue_duration]"),
        ({"duration": "3 metre"}, "[duration]"),
        ({"network__tau_s": "0.2 second"}, "[network.tau_s]"),
        ({"abstract__cue_duration": "2 second"}, "[abstract.cue_duration]"),
        ({"cue_duration": "-5 ms"}, "[cue_duration]"),
        ({"duration": "-1 second"}, "[duration]"),
        ({"duration": "0.5 second"}, "[duration]"),
        ({"abstract__duration": -2.0}, "[abstract.duration]"),
        ({"K": 0}, "[K]"),
        ({"N": 1}, "[N]"),
        ({"flips": 13}, "[flips]"),
        ({"flip": 0.5}, "[flips]"),
        ({"flips": None, "flip": 1.5}, "[flip]"),
        ({"rung": "quantum"}, "[rung]"),
        ({"device": "gpu"}, "[device]"),
        ({"seed": -1}, "[seed]"),
        ({"trials": 0}, "[trials]"),
        ({"threshold": 1.5}, "[threshold]"),
        ({"network__init": "cue"}, "[network.init]"),
        ({"network__beta": -1.0}, "[network.beta]"),
        ({"abstract__tau_s": 0.0}, "[abstract.tau_s]"),
        ({"controls__dam__beta": "a lot"}, "[controls.dam.beta]"),
        ({"network__coupling": {"astrocytes": 0}}, "[network.coupling.astrocytes]"),
        ({"controls__hopfield__enabled": True, "controls__hopfield__rung": "nope"}, "[controls.hopfield.rung]"),
        ({"knockouts__type": "ip3r2_knockout"}, "[knockouts.type]"),
        ({"knockouts__fractions": [0.0, 2.0]}, "[knockouts.fractions]"),
        ({"knockouts__fractions": []}, "[knockouts.fractions]"),
        ({"knockouts__type": "astrocyte_ablation"}, "[knockouts.type]"),
    ],
)
def test_bad_protocol_is_an_error_naming_the_key(settings, key):
    data = with_settings(**settings)
    with pytest.raises(InputError) as err:
        validate(data, "tiny.toml")
    assert key in str(err.value) and "tiny.toml" in str(err.value)


def test_a_missing_control_rung_is_named_not_skipped(monkeypatch):
    monkeypatch.delitem(RUNGS, "hopfield-spiking", raising=False)
    with pytest.raises(ProtocolError, match=r"controls.hopfield.rung.*Hopfield control.*enabled = false"):
        validate(with_settings(controls__hopfield__enabled=True))


def test_every_library_protocol_validates_or_names_its_missing_rung():
    assert {"recall", "knockout_sweep", "rate", "spiking"} <= set(protocols.available())
    from astrobrian import sweep_protocols, transformer_protocol

    for name in protocols.available():
        path, data = protocols.read(name)
        if data.get("kind", "recall") == "transformer":
            validated = transformer_protocol.validate(data, path.name)
            assert protocols.validate(data, path.name) == validated
            continue
        if data.get("kind", "recall") != "recall":  # capacity sweeps: their own schema
            swept = sweep_protocols.validate(data, path.name)
            assert swept.kind in sweep_protocols.SWEEP_KINDS
            assert protocols.validate(data, path.name) == swept  # the kind's validator, looked up
            continue
        try:
            p = protocols.load(name)
        except ProtocolError as err:  # a rung another issue builds: named, never silently dropped
            assert err.key in ("rung", "controls.hopfield.rung"), err
            assert err.got not in RUNGS
        else:
            assert p.name == name and p.rung in RUNGS
    assert protocols.resolve(None).name == "recall.toml"


def test_settings_are_dotted_keys_with_json_values():
    assert parse_setting("N=64") == ("N", 64)
    assert parse_setting("cue_duration=50 ms") == ("cue_duration", "50 ms")
    assert parse_setting("knockouts.fractions=[0, 0.5, 1]") == ("knockouts.fractions", [0, 0.5, 1])
    assert parse_setting("controls.hopfield.enabled=false") == ("controls.hopfield.enabled", False)
    with pytest.raises(InputError, match="--set"):
        parse_setting("N")
    with pytest.raises(ProtocolError, match=r"\[N\]"):
        apply_settings(BASE, {"N.x": 1})
    assert BASE["N"] == 12  # settings never change the file's data in place


def test_unknown_protocol_names_the_library():
    with pytest.raises(InputError, match="recall"):
        protocols.resolve("no_such_protocol")
    with pytest.raises(InputError, match="existing"):
        protocols.resolve("missing/file.toml")


@pytest.mark.parametrize(
    "key, value",
    [("network.tau_p", "3 mV"), ("network.neuron.tau_m", "5 mV"), ("network.betaa", 2.0),
     ("controls.hopfield.network.cue_current", "1 second")],
)
def test_spiking_parameters_are_checked_at_load_time_by_their_builder(key, value):
    """Builders with open keywords (the spiking rung's synapse and neuron overrides) are built
    once at load time, so a wrong name or unit fails before any trial, named by its key."""
    with pytest.raises(ProtocolError, match=rf"\[{key}\]"):
        protocols.load("recall", {key: value})
