"""The repository's layout, as DESIGN.md fixes it."""
import subprocess

from built_site import ROOT

TOP_LEVEL = {"README.md", "requirements.txt", "mkdocs.yml", "docs", "code", "tests", ".ci", "hooks", "overrides",
             ".gitignore"}


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_top_level_holds_only_what_design_md_lists():
    extra = {path.split("/")[0] for path in tracked()} - TOP_LEVEL
    assert not extra, f"not part of the top level in DESIGN.md: {sorted(extra)}"


def test_every_test_folder_is_a_package():
    """Without __init__.py, pytest would import tests/site/test_x.py as `site.test_x` and shadow the
    standard library's `site` (and tests/<part>/ would shadow nothing today, but might tomorrow)."""
    for folder in [ROOT / "tests", *(p for p in (ROOT / "tests").rglob("*") if p.is_dir())]:
        if any(folder.glob("test_*.py")) or folder == ROOT / "tests":
            assert (folder / "__init__.py").is_file(), f"{folder.relative_to(ROOT)} needs an __init__.py"
