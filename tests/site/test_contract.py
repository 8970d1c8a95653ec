"""The page contract of DESIGN.md, checked on every topic page (a page whose front matter has `topic:`)."""
import re

import pytest
import yaml

from built_site import CODE, DOCS, ROOT, front_matter, source_pages

# The eight sections, in order; a heading may go on after its opening words ("The math: ...").
SECTIONS = ["Intuition", "The math", "From scratch", "In PyTorch", "Check it", "Pitfalls", "Exercises",
            "Where next"]
SOLUTION = re.compile(r'^\?\?\?\+? success "Solution"', re.M)


def topic_pages() -> list:
    return [p for p in source_pages() if "topic" in front_matter((DOCS / p).read_text())]


def sections(text: str) -> dict[str, str]:
    """The page's `## ` sections as heading -> body; a `## ` line inside a code fence is not a heading."""
    result, heading, in_fence = {}, None, False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if line.startswith("## ") and not in_fence:
            heading = line[3:].strip()
            result[heading] = ""
        elif heading is not None:
            result[heading] += line + "\n"
    return result


def mirror(page) -> tuple:
    """docs/<part>/<topic>.md -> code/<part>/<topic>.py and tests/<part>/test_<topic>.py."""
    stem = page.with_suffix("")
    name = stem.name.replace("-", "_")
    return CODE / stem.parent / f"{name}.py", ROOT / "tests" / stem.parent / f"test_{name}.py"


def test_there_are_topic_pages():
    assert len(topic_pages()) >= 3


@pytest.mark.parametrize("page", topic_pages(), ids=str)
def test_front_matter(page):
    meta = front_matter((DOCS / page).read_text())
    assert isinstance(meta.get("description"), str) and len(meta["description"]) > 30, "a one-sentence description"
    assert isinstance(meta.get("title"), str)
    assert isinstance(meta["topic"], int) and 1 <= meta["topic"] <= 37


@pytest.mark.parametrize("page", topic_pages(), ids=str)
def test_sections_in_order(page):
    headings = list(sections((DOCS / page).read_text()))
    assert len(headings) == len(SECTIONS) and all(h.startswith(s) for h, s in zip(headings, SECTIONS)), \
        f"{page}: the ## sections must be {SECTIONS}, in order; found {headings}"


@pytest.mark.parametrize("page", topic_pages(), ids=str)
def test_sections_have_their_content(page):
    text = (DOCS / page).read_text()
    body = dict(zip(SECTIONS, sections(text).values()))
    assert re.search(r"\$\$.+?\$\$", body["The math"], re.S), "The math needs display equations"
    assert "--8<--" in text, "code is embedded from code/ with snippets, never pasted"
    assert "torch" in body["In PyTorch"] and "--8<--" in body["In PyTorch"], "In PyTorch embeds PyTorch code"
    assert "<!-- output:" in body["Check it"], "Check it shows numbers produced by running the code"
    assert re.search(r"^\s*[-*] |^\s*\d+\. ", body["Pitfalls"], re.M), "Pitfalls lists the mistakes"
    solutions = len(SOLUTION.findall(body["Exercises"]))
    assert 2 <= solutions <= 5, f"Exercises: 2 to 5, each with a ??? success \"Solution\"; found {solutions}"
    assert re.search(r"\]\([^)]+\.(md|ipynb)(#[^)]*)?\)", body["Where next"]), "Where next links onward"


@pytest.mark.parametrize("page", topic_pages(), ids=str)
def test_page_module_and_test_share_a_path(page):
    module, test = mirror(page) if page.name != "index.md" else (CODE / "index.py", ROOT / "tests/test_index.py")
    assert module.is_file(), f"{page} needs its module {module.relative_to(ROOT)}"
    assert test.is_file(), f"{page} needs its tests {test.relative_to(ROOT)}"
    assert f"{module.relative_to(CODE).as_posix()}:" in (DOCS / page).read_text(), "the page embeds its module"


def test_nav_follows_the_curriculum_order():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_IgnoreTags)
    order = [front_matter((DOCS / p).read_text()).get("topic") for p in _nav_pages(config["nav"])]
    numbers = [n for n in order if n is not None]
    assert numbers == sorted(numbers), f"nav order of topics: {numbers}"


def _nav_pages(nav) -> list:
    pages = []
    for item in nav:
        value = list(item.values())[0] if isinstance(item, dict) else item
        if isinstance(value, list):
            pages += _nav_pages(value)
        elif str(value).endswith(".md"):
            pages.append(value)
    return pages


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml uses !ENV and !relative; their values do not matter here."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_each_other_name_belongs_to_one_page():
    """Search boosts front-matter tags strongly: a tag on two pages would send a reader to the wrong one.
    Each name belongs to the page that teaches it; other pages link there instead."""
    owners: dict[str, list] = {}
    for page in source_pages():
        tags = [str(t).lower() for t in front_matter((DOCS / page).read_text()).get("tags") or []]
        assert len(tags) == len(set(tags)), f"{page} repeats a tag"
        for tag in tags:
            owners.setdefault(tag, []).append(str(page))
    shared = {tag: pages for tag, pages in owners.items() if len(pages) > 1}
    assert not shared, f"tags on more than one page: {shared}"
