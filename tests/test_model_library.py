"""The model library loader: safe parsing, units checked at load time, clear errors."""

import textwrap

import pytest
from brian2 import ms, mV, umolar

from astrobrian import models
from astrobrian.errors import InputError
from astrobrian.quantities import parse_quantity

GOOD = textwrap.dedent('''
    name = "leaky"
    brian2_class = "NeuronGroup"
    description = "a leaky integrator"
    equations = """
    dv/dt = (E_L - v) / tau : volt
    """
    [parameters]
    E_L = { value = "-70 mV", meaning = "rest", reference = "textbook" }
    tau = { value = "10 ms", meaning = "membrane time constant", reference = "textbook" }
    [initial]
    v = "-70 mV"
    [presets.slow]
    description = "slower membrane"
    parameters = { tau = "20 ms" }
''')


def write(tmp_path, text, name="m.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_library_model_loads_and_passes_brian2_unit_checks():
    names = models.available()
    assert "lr1994_astrocyte" in names
    for name in names:
        spec = models.load(name)
        assert spec.description and spec.references, name
        for p in spec.parameters.values():
            assert p.reference, f"{name}.{p.name} has no reference"


def test_user_model_file_presets_and_overrides(tmp_path):
    path = write(tmp_path, GOOD)
    spec = models.load(path)
    assert spec.namespace["tau"] == 10 * ms
    assert models.load(path, preset="slow").namespace["tau"] == 20 * ms
    assert models.load(path, tau=5 * ms).namespace["tau"] == 5 * ms
    assert models.load(path, tau="7 ms", init_v="-60 mV").initial["v"] == -60 * mV
    group = spec.neuron_group(3)
    assert list(group.v[:]) == [-70 * mV] * 3


@pytest.mark.parametrize(
    "edit, field",
    [
        (('"-70 mV"', '"-70 mVolts"'), "parameters.E_L"),  # unknown unit
        (("(E_L - v) / tau : volt", "(E_L - v) * tau : volt"), "equations"),  # inconsistent
        (
            ('tau = { value = "10 ms", meaning = "membrane time constant", reference = "textbook" }\n', ""),
            "parameters",
        ),  # missing
        (('brian2_class = "NeuronGroup"', 'brian2_class = "glia"'), "brian2_class"),
        (('name = "leaky"', 'colour = 3\nname = "leaky"'), "colour"),  # unknown key
        (('v = "-70 mV"', 'w = "-70 mV"'), "initial.w"),
        (('parameters = { tau = "20 ms" }', 'parameters = { tau = "20 mV" }'), "presets.slow.parameters.tau"),
        (('"-70 mV"', '__import__("os").system("true")'), "file"),  # not TOML: never executed
    ],
)
def test_bad_model_files_fail_at_load_naming_file_and_field(tmp_path, edit, field):
    path = write(tmp_path, GOOD.replace(*edit, 1))
    with pytest.raises(InputError) as err:
        models.load(path)
    assert str(path) in str(err.value) and field in str(err.value)


def test_the_former_kind_key_is_named_with_its_new_name(tmp_path):
    path = write(tmp_path, GOOD.replace('brian2_class = "NeuronGroup"', 'kind = "neuron"', 1))
    with pytest.raises(InputError) as err:
        models.load(path)
    message = str(err.value)
    assert str(path) in message and "[kind]" in message and "\n" not in message
    assert 'kind: renamed to brian2_class = "NeuronGroup" or "Synapses"' in message


def test_model_spec_names_its_brian2_class():
    assert models.load("lif_rate_trace").brian2_class == "NeuronGroup"
    spec = models.load("spiking_tripartite")
    assert spec.brian2_class == "Synapses" and not hasattr(spec, "kind")  # one word, one meaning
    with pytest.raises(InputError, match="brian2_class"):
        spec.neuron_group(1)


def test_unknown_model_preset_and_override_are_errors(tmp_path):
    with pytest.raises(InputError, match="lr1994_astrocyte"):
        models.load("no_such_model")
    with pytest.raises(InputError, match="presets"):
        models.load(write(tmp_path, GOOD), preset="fast")
    with pytest.raises(InputError, match="overrides.tau"):
        models.load(write(tmp_path, GOOD), tau=3 * mV)
    with pytest.raises(InputError, match="overrides.tau_m"):
        models.load(write(tmp_path, GOOD), tau_m=3 * ms)


def test_quantity_parser_never_evaluates_code():
    assert parse_quantity("0.5 umolar/second", "x") == 0.5 * umolar / (1000 * ms)
    for bad in ["__import__('os')", "umolar.__class__", "open('f')", "[1, 2]", "lambda: 1"]:
        with pytest.raises(InputError, match="x"):
            parse_quantity(bad, "x")
