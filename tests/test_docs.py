"""The documentation a user clones is whole: every docs/ reference in code, model and protocol files,
README and docs resolves to a file and a heading that exist, and nothing cites notes outside the repo."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("astrobrian/**/*.py"), *ROOT.glob("models/*.toml"), *ROOT.glob("protocols/*.toml"),
           ROOT / "README.md", *ROOT.glob("docs/*.md")]


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces → hyphens."""
    text = re.sub(r"[`*_\[\]()]", lambda m: "_" if m.group() == "_" else "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    out, seen = set(), {}
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not line.startswith("#"):
            continue
        base = slug(line.lstrip("#"))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def references():
    """(source file, target file, anchor or None) of every docs reference."""
    pattern = re.compile(r"docs/([A-Za-z0-9_\-]+\.md)(#[A-Za-z0-9_\-]+)?")
    link = re.compile(r"\]\(([A-Za-z0-9_\-]+\.md)(#[A-Za-z0-9_\-]+)?\)")
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for m in pattern.finditer(text):
            yield path, ROOT / "docs" / m.group(1), (m.group(2) or "")[1:] or None
        if path.parent.name == "docs":
            for m in link.finditer(text):
                yield path, path.parent / m.group(1), (m.group(2) or "")[1:] or None


def test_every_docs_reference_resolves_to_a_file_and_heading():
    found = list(references())
    assert len(found) > 30  # code, model files and docs cite the docs throughout
    broken = []
    for source, target, anchor in found:
        if not target.is_file():
            broken.append(f"{source.relative_to(ROOT)} → {target.relative_to(ROOT)} (no such file)")
        elif anchor is not None and anchor not in anchors(target):
            broken.append(f"{source.relative_to(ROOT)} → {target.relative_to(ROOT)}#{anchor} (no such heading)")
    assert not broken, "\n".join(sorted(set(broken)))


def test_nothing_cites_notes_that_are_not_in_the_repository():
    cited = re.compile(r"science\.md|anchors\.md|\bissue \d+|\(issue")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in SOURCES
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if cited.search(line)]
    assert not hits, hits
