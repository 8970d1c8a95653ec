"""Put what the code really prints, and the figures it really draws, into the pages at build time.

A page never types a number by hand. It writes a marker, and this hook replaces it:

    <!-- output: foundations/losses.py -->
        the stdout of `python code/foundations/losses.py`, as a text block
    <!-- output: foundations/losses.py --section bce -->
        the same with command-line arguments
    <!-- figure: foundations/losses.py:plot_regression_losses | Alt text for the figure -->
        the matplotlib Figure returned by that function, inlined as SVG

Each distinct command runs once per build, from the repository root, with a fixed hash salt so the
SVG is the same from build to build. Commands run inside the build's own interpreter (as `python file args`
would, with `__name__ == "__main__"`), so PyTorch is imported once per build, not once per command.
"""
import html
import importlib.util
import io
import re
import contextlib
import os
import runpy
import sys
from pathlib import Path

# A marker may be indented (inside an admonition or a tab): what replaces it keeps the indent.
OUTPUT = re.compile(r"^(?P<indent>[ \t]*)<!-- output: (?P<cmd>[^>]+?) -->$", re.M)
FIGURE = re.compile(r"^(?P<indent>[ \t]*)<!-- figure: (?P<file>[\w/.-]+\.py):(?P<func>\w+) \| (?P<alt>[^>]+?) -->$",
                    re.M)

_outputs: dict = {}
_modules: dict = {}


def _code_dir(config) -> Path:
    return Path(config["config_file_path"]).parent / "code"


def run_module(code_dir: Path, cmd: str) -> str:
    """What `python code/<file> <args>` prints, run in this process; an exception fails the build."""
    if cmd not in _outputs:
        file, *args = cmd.split()
        path = code_dir / file
        if not path.is_file():
            raise FileNotFoundError(f"output marker names {path}, which does not exist")
        stdout, argv, cwd = io.StringIO(), sys.argv, os.getcwd()
        try:
            sys.argv = [str(path), *args]
            os.chdir(code_dir.parent)
            with contextlib.redirect_stdout(stdout):
                runpy.run_path(str(path), run_name="__main__")
        except BaseException as error:   # SystemExit included: a module may not end the build
            raise RuntimeError(f"`python code/{cmd}` failed: {error!r}") from error
        finally:
            sys.argv = argv
            os.chdir(cwd)
        _outputs[cmd] = stdout.getvalue().rstrip("\n")
    return _outputs[cmd]


def load_module(code_dir: Path, file: str):
    if file not in _modules:
        path = code_dir / file
        spec = importlib.util.spec_from_file_location(f"_figures_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[file] = module
    return _modules[file]


def figure_svg(code_dir: Path, file: str, func: str, alt: str) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.hashsalt"] = f"{file}:{func}"   # stable ids, distinct per figure on a page
    fig = getattr(load_module(code_dir, file), func)()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]                      # drop the XML prolog and doctype
    svg = "\n".join(line for line in svg.splitlines() if line.strip())  # a blank line ends raw HTML
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)
    return f'<figure class="nn-figure">\n{svg}\n<figcaption>{html.escape(alt)}</figcaption>\n</figure>'


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def on_page_markdown(markdown, page, config, files):
    code_dir = _code_dir(config)

    def output(m):
        return indent("```text\n" + run_module(code_dir, m["cmd"].strip()) + "\n```", m["indent"])

    def figure(m):
        return indent(figure_svg(code_dir, m["file"], m["func"], m["alt"].strip()), m["indent"])

    return FIGURE.sub(figure, OUTPUT.sub(output, markdown))


def on_pre_build(config):
    # every build (and every rebuild under `mkdocs serve`) runs the code afresh
    _outputs.clear()
    _modules.clear()
