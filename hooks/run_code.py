"""Put what the code really prints, and the figures it really draws, into the pages at build time.

A page never types a number by hand. It writes a marker, and this hook replaces it:

    <!-- output: foundations/losses.py -->
        the stdout of `python code/foundations/losses.py`, as a text block
    <!-- output: foundations/losses.py --section bce -->
        the same with command-line arguments
    <!-- figure: foundations/losses.py:plot_regression_losses | Alt text for the figure -->
        the matplotlib Figure returned by that function, as an SVG file under site/figures/ shown with
        its alt text as caption (a file, not inline SVG: pages stay light and search does not index paths)

Each distinct command runs once per build, from the repository root, with a fixed hash salt so the
SVG is the same from build to build. Commands run inside the build's own interpreter (as `python file args`
would, with `__name__ == "__main__"`), so PyTorch is imported once per build, not once per command.

Results are also kept in `.cache/run-code/`, keyed on the module's bytes, the command and the library
versions, so a rebuild reruns only the modules that changed (modules stand alone: their output depends on
nothing else of ours). NN_BUILD_CACHE=false turns the cache off; the tests and CI always do.
"""
import hashlib
import html
import importlib.util
from importlib import metadata
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
_figures: dict = {}      # file name under site/figures/ -> SVG text, written after the build
CACHE_ON = os.environ.get("NN_BUILD_CACHE", "true").lower() != "false"


def _code_dir(config) -> Path:
    return Path(config["config_file_path"]).parent / "code"


@contextlib.contextmanager
def isolated():
    """Modules share this process: undo the global settings one may change (print options, default
    dtype, thread count, plot style), so no module's output depends on which ran before it."""
    import matplotlib
    import numpy as np
    import torch
    printoptions, dtype, threads = np.get_printoptions(), torch.get_default_dtype(), torch.get_num_threads()
    torch_print = dict(vars(torch._tensor_str.PRINT_OPTS))
    try:
        with matplotlib.rc_context():
            yield
    finally:
        np.set_printoptions(**printoptions)
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
        vars(torch._tensor_str.PRINT_OPTS).update(torch_print)


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
            with isolated(), contextlib.redirect_stdout(stdout):
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


def figure_svg(code_dir: Path, file: str, func: str) -> str:
    """The SVG of the matplotlib Figure that `func` in code/<file> returns."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with isolated():
        plt.rcParams["svg.hashsalt"] = f"{file}:{func}"   # the same SVG from build to build
        fig = getattr(load_module(code_dir, file), func)()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(fig)
    return buffer.getvalue()


def cached(code_dir: Path, file: str, what: str, compute) -> str:
    """compute(), or its earlier result for the same module bytes, `what` and library versions."""
    if not CACHE_ON:
        return compute()
    versions = "|".join(metadata.version(name) for name in ("numpy", "torch", "matplotlib", "scikit-learn"))
    key = hashlib.sha256((code_dir / file).read_bytes())
    key.update(f"{what}|{sys.version}|{versions}".encode())
    path = code_dir.parent / ".cache" / "run-code" / key.hexdigest()
    if path.is_file():
        return path.read_text()
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value)
    return value


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def on_page_markdown(markdown, page, config, files):
    code_dir = _code_dir(config)

    def output(m):
        cmd = m["cmd"].strip()
        text = cached(code_dir, cmd.split()[0], f"output {cmd}", lambda: run_module(code_dir, cmd))
        return indent("```text\n" + text + "\n```", m["indent"])

    def figure(m):
        alt = html.escape(m["alt"].strip())
        name = f"{Path(m['file']).stem}-{m['func']}.svg"
        _figures[name] = cached(code_dir, m["file"], f"figure {m['func']}",
                                lambda: figure_svg(code_dir, m["file"], m["func"]))
        up = "../" * page.url.count("/")                  # from the page's folder to the site root
        return indent(f'<figure class="nn-figure">\n<img src="{up}figures/{name}" alt="{alt}" loading="lazy">\n'
                      f'<figcaption>{alt}</figcaption>\n</figure>', m["indent"])

    return FIGURE.sub(figure, OUTPUT.sub(output, markdown))


def on_pre_build(config):
    # every build (and every rebuild under `mkdocs serve`) starts afresh
    _outputs.clear()
    _modules.clear()
    _figures.clear()


def on_post_build(config):
    folder = Path(config["site_dir"]) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for name, svg in _figures.items():
        (folder / name).write_text(svg)
