"""Helpers for the tests of the built site: where pages are, where MkDocs writes them, their front matter."""
import re
import socket
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CODE = ROOT / "code"


@dataclass
class Build:
    site: Path          # the built site
    port: int           # the port it is served on, and the port its site_url names
    log: str            # everything mkdocs printed
    seconds: float      # how long the strict build took


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def source_pages() -> list[Path]:
    """Every Markdown page of the site, relative to docs/ (docs/includes/ is not a page)."""
    return sorted(p.relative_to(DOCS) for p in DOCS.rglob("*.md") if "includes" not in p.parts)


def notebook_pages() -> list[Path]:
    return sorted(p.relative_to(DOCS) for p in DOCS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def built_html(site: Path, page: Path) -> Path:
    """Where MkDocs writes a page (use_directory_urls): a/b.md -> a/b/index.html, index.md -> index.html."""
    stem = page.with_suffix("")
    return site / (stem.parent if stem.name == "index" else stem) / "index.html"


def page_url(port: int, page: Path) -> str:
    rel = built_html(Path(), page).parent.as_posix()
    return f"http://127.0.0.1:{port}/" + ("" if rel == "." else rel + "/")


def front_matter(text: str) -> dict:
    import yaml
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else {}
