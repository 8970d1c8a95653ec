"""The strict build: no warning, MathJax served from the site itself, nothing loaded from elsewhere."""
import re
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup

from built_site import ROOT, built_html, notebook_pages, source_pages

# mkdocs prints "WARNING -  ..." lines; the Jupyter kernel's own "[IPKernelApp] WARNING | Kernel is running
# over TCP without encryption" is a notice from the notebook kernel, not from the build.
MKDOCS_WARNING = re.compile(r"^(WARNING|ERROR)\s+-", re.M)


def test_strict_build_has_no_warning(build):
    warnings = MKDOCS_WARNING.findall(build.log)
    assert not warnings, build.log
    print(f"\nstrict build: {build.seconds:.1f} s")


def test_every_page_and_notebook_is_built(build):
    for page in [*source_pages(), *notebook_pages()]:
        assert built_html(build.site, page).is_file(), f"{page} was not built"


def test_mathjax_is_served_from_the_site(build):
    mathjax = build.site / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").is_file()
    fonts = list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) > 10, "the CHTML fonts must be copied with MathJax"
    # ...and taken from an installed package, never committed to the repository
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "tex-mml-chtml.js" not in tracked


def _references(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    refs = [tag.get("src") for tag in soup.find_all(["script", "img", "iframe", "source"])]
    refs += [tag.get("href") for tag in soup.find_all("link")]
    return [r for r in refs if r]


def test_no_page_loads_anything_from_another_host(build):
    for html_file in build.site.rglob("*.html"):
        for ref in _references(html_file.read_text()):
            assert not re.match(r"^(https?:)?//", ref) or ref.startswith(f"http://127.0.0.1:{build.port}/"), \
                f"{html_file.relative_to(build.site)} loads {ref}"


def test_every_page_loads_mathjax_and_its_config(build):
    for page in source_pages():
        scripts = _references(built_html(build.site, page).read_text())
        assert any(s.endswith("javascripts/mathjax-config.js") for s in scripts), page
        assert any(s.endswith("mathjax/tex-mml-chtml.js") for s in scripts), page


def test_theme_asks_for_no_web_font(build):
    for html_file in build.site.rglob("*.html"):
        assert "fonts.googleapis" not in html_file.read_text(), html_file


def test_notebook_pages_are_tidied(build):
    """nbconvert's MathJax 2 block and CDN Mermaid loader are removed; the .ipynb is offered for download."""
    for nb in notebook_pages():
        html = built_html(build.site, nb).read_text()
        assert "MathJax.Hub" not in html and "cdnjs" not in html, nb
        soup = BeautifulSoup(html, "html.parser")
        link = soup.select_one("a[download][href$='.ipynb']")
        assert link is not None, f"{nb} has no download button"
        target = (built_html(build.site, nb).parent / link["href"]).resolve()
        assert target.is_file(), f"download link of {nb} points at {target}, which is missing"


def test_every_output_and_figure_marker_was_replaced(build):
    """A marker the hook did not match would stay as an invisible HTML comment: none may be left."""
    for html_file in build.site.rglob("*.html"):
        html = html_file.read_text()
        assert "<!-- output:" not in html and "<!-- figure:" not in html, html_file.relative_to(build.site)


def test_every_figure_file_exists(build):
    """Figures are SVG files loaded lazily (below the fold a browser may not fetch them): check on disk."""
    count = 0
    for html_file in build.site.rglob("*.html"):
        for img in BeautifulSoup(html_file.read_text(), "html.parser").select("figure.nn-figure img"):
            target = (html_file.parent / img["src"]).resolve()
            assert target.is_file() and target.stat().st_size > 1000, f"{html_file}: {img['src']} is missing"
            assert img.get("alt"), f"{html_file}: a figure without alt text"
            count += 1
    assert count >= 10
