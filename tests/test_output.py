"""A result set is one run's files: published whole, or not at all, and never mixed with an earlier run's."""

import pytest

from astrobrian.output import result_set

NAMES = ("results.json", "raster.png", "knockouts.png")


def test_a_result_set_replaces_an_earlier_one_and_removes_its_stale_files(tmp_path):
    out = tmp_path / "out"
    with result_set(out, NAMES) as stage:
        for name in NAMES:
            (stage / name).write_text("first")
    (out / "notes.txt").write_text("the user's own file")
    with result_set(out, NAMES) as stage:  # this run has no knockout sweep: no knockouts.png
        (stage / "results.json").write_text("second")
        (stage / "raster.png").write_text("second")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "raster.png", "results.json"]
    assert (out / "results.json").read_text() == "second"


def test_an_interrupted_result_set_publishes_nothing_and_removes_nothing(tmp_path):
    out = tmp_path / "out"
    with result_set(out, NAMES) as stage:
        for name in NAMES:
            (stage / name).write_text("first")
    with pytest.raises(KeyboardInterrupt):
        with result_set(out, NAMES) as stage:
            (stage / "results.json").write_text("half")
            raise KeyboardInterrupt
    assert {p.name: p.read_text() for p in out.iterdir()} == {name: "first" for name in NAMES}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left
