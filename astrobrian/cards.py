"""Protocol cards: what `astrobrian protocols show` prints — every key with the value a run uses."""

from __future__ import annotations


def value_text(v: object) -> str:
    """A resolved value as text: numbers as %g, lists joined, tables as {k = v}, times with units."""
    from .protocols import plain

    v = plain(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(value_text(x) for x in v) if v else "(none)"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value_text(x)}" for k, x in v.items()) + "}"
    if v is None:
        return "none"
    return str(v)


def seconds_text(t: float) -> str:
    """A time in seconds as text: ms below 1 s."""
    return f"{t * 1000:g} ms" if t < 1 else f"{t:g} s"


class Card:
    """Lines of a protocol card: `row(key, value, note)`, `table(title, note)`."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def row(self, key: str, value: object, note: str = "", indent: int = 2) -> None:
        """Add a line: `key`, its value as text and a note.

        Parameters
        ----------
        key : str
            The key, padded to a column of 18 − `indent` characters.
        value : object
            Printed as is when a string, else through `value_text`.
        note : str
            Text after the value (whitespace collapsed).
        indent : int
            Spaces before the key.
        """
        text = value if isinstance(value, str) else value_text(value)
        self.lines.append(f"{'':<{indent}}{key:<{max(1, 18 - indent)}} {text:<26} {' '.join(note.split())}".rstrip())

    def table(self, title: str, note: str = "") -> None:
        self.lines.append(f"[{title}]" + (f"  {note}" if note else ""))

    def values(self, resolved: dict, given: dict, default_note: str = "(default)", indent: int = 2) -> None:
        """Add a row for every key of `resolved`; keys not in `given` are noted as defaults.

        Parameters
        ----------
        resolved : dict
            {key: value a run uses}, in the order printed.
        given : dict
            The keys the file set (their rows get no note).
        default_note : str
            The note of every other row.
        indent : int
            Spaces before each key.
        """
        for key, value in resolved.items():
            self.row(key, value, "" if key in given else default_note, indent)


def flip_note(flips_of: dict[int, int], flips: int | None) -> str:
    """How many bits a protocol's flip or flips flips at each N."""
    if flips is not None:
        return "bits flipped at every N"
    parts = [f"{f} at N = {n}" for n, f in flips_of.items()]
    return f"→ ⌊ρN⌋ bits flipped: {', '.join(parts)}"




#: how flip and flips relate, printed under every card
FLIP_RULE = ("flip | flips: flip is a fraction ρ of the cue's N bits and exactly ⌊ρN⌋ of them are flipped "
             "(rounded down, at every N); flips gives the number of bits instead; a file sets one or neither")
