"""Package-level promises: the abstract layer stays pure NumPy, the README example runs."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_abstract_models_and_capacity_never_import_brian2():
    code = "import sys, astrobrian.abstract, astrobrian.capacity; print('brian2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def readme_blocks():
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_python_example_runs():
    block = readme_blocks()[0]
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    traj = namespace["traj"]
    assert traj.overlaps.shape[1:] == (8, 8)
    assert (namespace["cues"] != namespace["xi"].T).sum(axis=1).tolist() == [6] * 8


def test_readme_model_library_example_reproduces_nest():
    from brian2 import start_scope, umolar

    start_scope()
    namespace: dict = {}
    exec(compile(readme_blocks()[1], "README.md", "exec"), namespace)
    assert float(namespace["astro"].Ca[0] / umolar) == __import__("pytest").approx(1.15063, rel=1e-4)
