"""Bad model files, presets and overrides: one named line (CLI exit 2, or an InputError from
`models.load`), never a traceback, a silently wrong value or a failure left for run time."""

import textwrap

import numpy as np
import pytest
from brian2 import ms, mV, pF, second

from astrobrian import models
from astrobrian.errors import InputError
from astrobrian.quantities import UNITS, parse_quantity

CELL = textwrap.dedent('''
    name = "cell"
    brian2_class = "NeuronGroup"
    description = "a leaky integrator with a delta synapse"
    references = ["textbook"]
    equations = """
    dv/dt = (E_L - v) / tau + I / C_m : volt
    I : amp
    """
    [events]
    threshold = "v > V_th"
    reset = "v = E_L"
    refractory = "2 ms"
    [parameters]
    E_L = { value = "-70 mV", meaning = "rest", reference = "textbook" }
    tau = { value = "10 ms", meaning = "membrane time constant", reference = "textbook" }
    C_m = { value = "250 pF", meaning = "capacitance", reference = "textbook" }
    V_th = { value = "-50 mV", meaning = "threshold", reference = "textbook" }
    [initial]
    v = "-70 mV"
    [presets.slow]
    description = "slower membrane"
    parameters = { tau = "20 ms" }
    [connections.synapse]
    description = "a spike makes v jump by w"
    model = "w : volt"
    on_pre = "v_post += w"
    source = "any spiking group"
    target = "cell"
''')

C_M = 'C_m = { value = "250 pF", meaning = "capacitance", reference = "textbook" }'
ON_PRE = 'on_pre = "v_post += w"'
PRESET = 'parameters = { tau = "20 ms" }'


def c_m(value: str) -> tuple[str, str]:
    """An edit that gives C_m another value (TOML text)."""
    return C_M, f'C_m = {{ value = {value}, meaning = "capacitance", reference = "textbook" }}'


# (case id, edits of CELL, words the one error line must contain)
CASES = [
    # non-finite values are refused, naming the field
    ("C_m inf", [c_m("inf")], ["parameters.C_m", "finite"]),
    ("C_m nan", [c_m("nan")], ["parameters.C_m", "finite"]),
    ("C_m power nan", [c_m('"250 pF**100000000 / pF**99999999"')], ["parameters.C_m", "finite"]),
    ("C_m overflow", [c_m('"1e400 pF"')], ["parameters.C_m", "finite"]),
    ("plain nan", [(C_M, "C_m = nan")], ["parameters.C_m", "finite"]),
    ("initial nan", [('v = "-70 mV"', "v = nan")], ["initial.v", "finite"]),
    ("preset overflow", [(PRESET, 'parameters = { tau = "1e999 ms" }')], ["presets.slow.parameters.tau", "finite"]),
    # wrong types and unreadable input: one line, not a traceback
    ("parameters not a table", "parameters = 'nope'", ["parameters", "a table"]),
    ("connection not a table", "[connections]\nsynapse = 3", ["connections.synapse", "a table"]),
    ("long quantity", [c_m('"' + "+".join(["1 mV"] * 200_000) + '"')], ["parameters.C_m", "at most 500 characters"]),
    ("deep quantity", [c_m('"' + "+".join(["1 pF"] * 80) + '"')], ["parameters.C_m", "nested at most"]),
    ("presets not a table", "presets = 3", ["presets", "a table"]),
    ("preset not a table", "[presets]\nslow = 'fast'", ["presets.slow", "a table"]),
    ("preset parameters", [(PRESET, "parameters = 3")], ["presets.slow.parameters", "a table"]),
    ("events not a table", "events = 'x'", ["events", "a table"]),
    ("initial not a table", "initial = 5", ["initial", "a table"]),
    ("requires not a table", "requires = 'x'", ["requires", "a table"]),
    ("run_regularly not a string", "run_regularly = 3", ["run_regularly", "a string"]),
    ("pathways not a table", [('name = "cell"', 'pathways = 3\nname = "cell"')], ["pathways", "a table"]),
    ("pathways in a neuron", [('name = "cell"', 'pathways = { on_pre = "v += 1*mV" }\nname = "cell"')],
     ["pathways", "Synapses model"]),
    ("references not a list", [('references = ["textbook"]', 'references = "textbook"')],
     ["references", "a list of strings"]),
    ("references of numbers", [('references = ["textbook"]', "references = [1, 2]")],
     ["references", "a list of strings"]),
    ("see_also not a list", [('name = "cell"', 'see_also = 3\nname = "cell"')], ["see_also", "a list of strings"]),
    ("notes not a string", [('name = "cell"', 'notes = 3\nname = "cell"')], ["notes", "a string"]),
    ("equations not a string", "equations = 3", ["equations", "a string"]),
    ("meaning not a string", [('meaning = "capacitance"', "meaning = 3")], ["parameters.C_m.meaning", "a string"]),
    ("value true", [c_m("true")], ["parameters.C_m", "a number"]),
    ("value a list", [(C_M, "C_m = [1, 2]")], ["parameters.C_m", "a number"]),
    ("initial a list", [('v = "-70 mV"', "v = [1, 2]")], ["initial.v", "a number"]),
    ("initial of an unknown variable", [('v = "-70 mV"', 'w = "1 mV"')], ["initial.w", "a variable of the equations"]),
    ("connection model not a string", [('model = "w : volt"', "model = 3")], ["connections.synapse.model", "a string"]),
    ("connection without model", [('model = "w : volt"\n', "")], ["connections.synapse.model", "a string"]),
    ("connection unknown key", [(ON_PRE, ON_PRE + "\ncolour = 3")], ["connections.synapse", "keys among"]),
    ("threshold not a string", [('threshold = "v > V_th"', "threshold = 3")], ["events.threshold", "a string"]),
    ("refractory a number", [('refractory = "2 ms"', "refractory = 2")], ["events.refractory", "a string"]),
    ("refractory in mV", [('refractory = "2 ms"', 'refractory = "2 mV"')], ["events.refractory", "a time (second)"]),
    ("refractory negative", [('refractory = "2 ms"', 'refractory = "-2 ms"')], ["events.refractory", "≥ 0"]),
    ("name not an identifier", [('name = "cell"', 'name = "my-cell"')], ["name", "letters, digits and _"]),
    ("equations nested too deep",
     [("dv/dt = (E_L - v) / tau + I / C_m : volt", "dv/dt = " + "+".join(["1*mV/ms"] * 2000) + " : volt")],
     ["equations", "nested less deeply"]),
    ("TOML nested too deep", [('references = ["textbook"]', "references = " + "[" * 50_000 + "]" * 50_000)],
     ["file", "valid TOML"]),
    # units: connections are checked at load, messages name the parameter that is wrong
    ("connection units", [(ON_PRE, 'on_pre = "v_post += w * 3 * amp"')],
     ["connections.synapse", "dimensionally consistent"]),
    ("connection unknown variable", [(ON_PRE, 'on_pre = "u_post += w"')], ["connections.synapse", "u_post"]),
    ("summed variable units",
     [('model = "w : volt"', 'model = "w : 1\\nI_post = w * mV : amp (summed)"'), (ON_PRE, "")],
     ["connections.synapse", "w * mV"]),
    ("C_m in mV", [c_m('"250 mV"')], ["parameters.C_m", "a capacitance (farad)", "'250 mV'"]),
    ("E_L in ms", [('"-70 mV", meaning = "rest"', '"-70 ms", meaning = "rest"')],
     ["parameters.E_L", "a voltage (volt)"]),
    ("V_th in ms", [('"-50 mV"', '"-50 ms"')], ["parameters.V_th", "a voltage (volt)"]),
    ("tau wrong, preset right", [('"10 ms", meaning', '"10 mV", meaning')], ["parameters.tau", "a time (second)"]),
    ("preset wrong units", [(PRESET, 'parameters = { tau = "20 mV" }')],
     ["presets.slow.parameters.tau", "a time (second)", "'20 mV'"]),
    ("two wrong parameters", [c_m('"250 mV"'), ('"-70 mV", meaning = "rest"', '"-70 ms", meaning = "rest"')],
     ["equations", "dimensionally consistent"]),
    ("initial units", [('v = "-70 mV"', 'v = "-70 ms"')], ["initial.v", "a voltage (volt)"]),
]


def write(tmp_path, edits, name="cell.toml") -> object:
    """CELL with `edits` [(old, new)] applied, or (a string) a minimal model ending with those lines."""
    if isinstance(edits, str):
        edits = [(CELL, f'name = "cell"\nbrian2_class = "NeuronGroup"\ndescription = "d"\n{edits}\n')]
        if "equations =" not in edits[0][1]:
            edits[0] = (CELL, edits[0][1].replace('description = "d"\n', 'description = "d"\nequations = "v : volt"\n'))
    text = CELL
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("edits, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_model_file_is_one_named_line_in_the_cli(tmp_path, bad_input, edits, words):
    path = write(tmp_path, edits)
    bad_input(["models", "show", path], [str(path), *words])


@pytest.mark.parametrize("edits, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_model_file_is_an_input_error_naming_the_field(tmp_path, edits, words):
    path = write(tmp_path, edits)
    with pytest.raises(InputError) as err:
        models.load(path)
    message = str(err.value)
    assert "\n" not in message, message
    for word in words:
        assert word in message, message


def test_non_utf8_model_file(tmp_path, bad_input):
    path = tmp_path / "latin1.toml"
    path.write_bytes(CELL.replace("a leaky integrator", "un intégrateur").encode("latin-1"))
    bad_input(["models", "show", path], [str(path), "[file]", "UTF-8"])
    with pytest.raises(InputError, match="UTF-8"):
        models.load(path)


def test_two_parameters_that_could_each_explain_an_error_are_both_listed(tmp_path, bad_input):
    path = tmp_path / "drive.toml"
    path.write_text('name = "drive"\nbrian2_class = "NeuronGroup"\ndescription = "d"\n'
                    'equations = "dv/dt = I_0 / C_m : volt"\n'
                    '[parameters]\nI_0 = "1 pA"\nC_m = "1 mV"\n')
    bad_input(["models", "show", path], ["[equations]", "any one of I_0, C_m would fix it"])


@pytest.mark.parametrize(
    "overrides, words",
    [
        (dict(C_m="250 mV"), ["overrides.C_m", "a capacitance (farad)", "'250 mV'"]),
        (dict(C_m=float("inf")), ["overrides.C_m", "finite"]),
        (dict(C_m=np.nan * pF), ["overrides.C_m", "finite"]),
        (dict(C_m="1e400 pF"), ["overrides.C_m", "finite"]),
        (dict(C_m=[1, 2]), ["overrides.C_m", "a number"]),
        (dict(init_v=np.inf * mV), ["overrides.init_v", "finite"]),
        (dict(init_v="-60 ms"), ["overrides.init_v", "a voltage (volt)"]),
        (dict(tau="7 ms", preset="fast"), ["presets", "slow"]),
    ],
)
def test_bad_overrides_name_the_override(tmp_path, overrides, words):
    path = write(tmp_path, [])
    with pytest.raises(InputError) as err:
        models.load(path, **overrides)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_brian2_short_unit_names_and_consistent_connections_load(tmp_path):
    for text, value in [("0.06 s", 60 * ms), ("250 pF", 250 * pF), ("1 F", 1e12 * pF), ("-70. mV", -70 * mV),
                        ("2 nS", 2e-9 * UNITS["siemens"]), ("3 mM", 3 * UNITS["mmolar"]), ("1 kg", UNITS["kilogram"])]:
        assert parse_quantity(text, "x") == value, text
    spec = models.load(write(tmp_path, [('"10 ms", meaning', '"0.06 s", meaning'), ('"2 ms"', '"0.002 s"')]))
    assert spec.namespace["tau"] == 0.06 * second and spec.refractory == 2 * ms
    summed = write(tmp_path, [
        ('model = "w : volt"', 'model = "w : siemens\\nI_post = w * (v_pre - E_L) : amp (summed)"'),
        (ON_PRE, ""),
        ('source = "any spiking group"', 'source = "lif"'),
    ], "summed.toml")
    assert set(models.load(summed).connections) == {"synapse"}
