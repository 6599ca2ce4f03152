"""Shared test set-up: Brian2 runs on its numpy target (no compiler, no cython cache), and each
test module leaves Brian2's default clock as it found it."""

import pytest


@pytest.fixture(autouse=True, scope="module")
def numpy_target():
    """Every Brian2 object in the default suite is generated for the numpy target."""
    from brian2 import defaultclock, prefs

    previous = prefs.codegen.target, defaultclock.dt
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target, defaultclock.dt = previous


class BadInputCheck:
    """Runs `astrobrian.cli.main(argv)` in this process and asserts what bad input must give:
    the exit code, exactly one line on stderr naming the field, no traceback, nothing written
    in the output folder and no debug files (Brian2's or ours) in the temporary folder."""

    def __init__(self, capsys, tmp_dir):
        self.capsys = capsys
        self.tmp_dir = tmp_dir

    def __call__(self, argv, words, code=2, out=None):
        from astrobrian.cli import main

        before = set(self.tmp_dir.iterdir())
        self.capsys.readouterr()
        rc = main([str(a) for a in argv])
        captured = self.capsys.readouterr()
        err = captured.err.strip()
        assert rc == code, f"exit {rc} (expected {code}); stderr: {err[:500]}"
        assert "Traceback" not in err and "Traceback" not in captured.out, err[:2000]
        assert "issue tracker" not in err, err[:500]
        lines = err.splitlines()
        assert len(lines) == 1, f"{len(lines)} lines on stderr: {err[:2000]}"
        for word in [words] if isinstance(words, str) else words:
            assert word in lines[0], f"{word!r} not in: {lines[0]}"
        if out is not None:
            out = type(self.tmp_dir)(out)
            assert not out.is_dir() or not [p for p in out.iterdir()], f"files written in {out}"
        left = sorted(p.name for p in set(self.tmp_dir.iterdir()) - before)
        assert not left, f"left in the temporary folder: {left}"
        return lines[0]


@pytest.fixture
def bad_input(capsys, tmp_path_factory, monkeypatch):
    """`bad_input(argv, words, code=2, out=None)`: see BadInputCheck. The temporary folder of
    the process (TMPDIR, tempfile.tempdir) is a fresh one, so leftovers can be seen."""
    import tempfile

    tmp_dir = tmp_path_factory.mktemp("tmpdir")
    monkeypatch.setenv("TMPDIR", str(tmp_dir))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_dir))
    return BadInputCheck(capsys, tmp_dir)
