"""Serve MathJax 3 from the built site, with no CDN and no copy committed to the repository.

MathJax comes from an installed package (django-static-mathjax, which ships MathJax's own `es5/`
build; Django itself is not needed). After each build the files the CHTML output needs are copied
into `site/mathjax/`, so every formula renders with no network at all.
"""
import importlib.util
import shutil
from pathlib import Path

# The combined component the pages load, and the folders it loads from on demand: TeX extensions
# (autoload), the CHTML fonts, the accessibility and menu components, and the speech engine the
# menu's explorer can switch on.
NEEDED = ["tex-mml-chtml.js", "input", "output/chtml", "output/chtml.js", "a11y", "ui", "adaptors", "sre"]


def mathjax_source() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or spec.origin is None:
        raise RuntimeError("MathJax not found: pip install -r requirements.txt (django-static-mathjax)")
    source = Path(spec.origin).parent / "static" / "mathjax" / "es5"
    if not (source / "tex-mml-chtml.js").is_file():
        raise RuntimeError(f"MathJax's es5 build not found at {source}")
    return source


def on_post_build(config, **kwargs):
    source = mathjax_source()
    target = Path(config["site_dir"]) / "mathjax"
    for name in NEEDED:
        src, dst = source / name, target / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
