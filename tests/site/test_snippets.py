"""Snippet markers and references: what a page embeds must exist, and every region must end.

pymdownx.snippets fails the build on a missing file or region, but a missing or misspelled end marker
passes silently and embeds the rest of the file: these tests close that gap.
"""
import re
import sys

import pytest

from built_site import CODE, DOCS, source_pages

MARKER = re.compile(r"#\s*--8<--\s*\[(start|end):([^\]]*)\]")
NAME = re.compile(r"[a-z][-_0-9a-z]*$")
BLOCK = re.compile(r"^([ \t]*)--8<--[ \t]*\n(.*?)^\1--8<--[ \t]*$", re.M | re.S)
INLINE = re.compile(r'^[ \t]*--8<--[ \t]+"([^"]+)"', re.M)

MODULES = sorted(CODE.rglob("*.py"))


def regions(path) -> dict[str, tuple[int, int]]:
    """Region name -> (start line, end line); fails on unpaired, repeated or badly named markers."""
    opened, closed = {}, {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for kind, name in MARKER.findall(line):
            assert NAME.match(name), f"{path}:{number}: region name {name!r} must match [a-z][-_0-9a-z]*"
            seen = opened if kind == "start" else closed
            assert name not in seen, f"{path}:{number}: second [{kind}:{name}]"
            if kind == "end":
                assert name in opened, f"{path}:{number}: [end:{name}] before its start"
            seen[name] = number
    unpaired = set(opened) ^ set(closed)
    assert not unpaired, f"{path}: start and end markers do not pair up: {sorted(unpaired)}"
    return {name: (opened[name], closed[name]) for name in opened}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(CODE)))
def test_markers_pair_up(module):
    regions(module)


def references(page_text: str) -> list[str]:
    refs = [line.strip() for _, body in BLOCK.findall(page_text) for line in body.splitlines()]
    refs += INLINE.findall(page_text)
    return [r for r in refs if r and not r.startswith(";")]


@pytest.mark.parametrize("page", source_pages(), ids=str)
def test_every_reference_resolves(page):
    for ref in references((DOCS / page).read_text()):
        file, _, region = ref.partition(":")
        if (DOCS / "includes" / file).is_file():
            continue
        path = CODE / file
        assert path.is_file(), f"{page} embeds {file}, which is not in code/"
        if region:
            assert region in regions(path), f"{page} embeds region {region!r}, which {file} does not have"


def test_the_checker_catches_a_missing_end(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("# --8<-- [start:a]\nx = 1\n# --8<-- [start:b]\ny = 2\n# --8<-- [end:b]\n")
    with pytest.raises(AssertionError, match="do not pair up"):
        regions(broken)


def test_module_names_are_unique_and_shadow_nothing():
    """Tests import modules by plain name, so two modules may not share one, nor take a library's."""
    names = [m.stem for m in MODULES]
    assert len(names) == len(set(names)), f"module names repeat: {names}"
    for name in names:
        assert name not in sys.stdlib_module_names, f"code/**/{name}.py shadows the standard library"
        assert name not in {"torch", "numpy", "matplotlib", "sklearn", "transformers", "test", "tests"}
