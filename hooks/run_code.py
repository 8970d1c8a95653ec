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
SVG is the same from build to build. Commands run as `python file args` would (with `__name__ ==
"__main__"`), but inside worker processes forked from the build, one per CPU core (NN_BUILD_JOBS overrides),
so PyTorch is imported once per worker, not once per command, and the modules run while MkDocs renders pages
and executes notebooks. As soon as MkDocs knows the navigation, every module's markers become one job, in
reading order; a page waits only for its own module. All the markers of one module run in one worker, so a
module's figure functions share one imported copy of it (and whatever it caches). NN_BUILD_JOBS=0 runs
everything in the build process instead, one command at a time.

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
import multiprocessing
import os
import runpy
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# A marker may be indented (inside an admonition or a tab): what replaces it keeps the indent.
OUTPUT = re.compile(r"^(?P<indent>[ \t]*)<!-- output: (?P<cmd>[^>]+?) -->$", re.M)
FIGURE = re.compile(r"^(?P<indent>[ \t]*)<!-- figure: (?P<file>[\w/.-]+\.py):(?P<func>\w+) \| (?P<alt>[^>]+?) -->$",
                    re.M)

_outputs: dict = {}
_modules: dict = {}
_figures: dict = {}      # file name under site/figures/ -> SVG text, written after the build
_jobs: dict = {}         # module file -> Future of its {("output", cmd) or ("figure", func): text}
_pool = None
CACHE_ON = os.environ.get("NN_BUILD_CACHE", "true").lower() != "false"
JOBS = int(os.environ.get("NN_BUILD_JOBS", os.cpu_count() or 1))

# Workers are forked, and a function sent to one is pickled by its module's name. MkDocs registers a hook
# under its path ("hooks/run_code.py"), which pickle cannot import: give the job function a plain name.
WORKER_NAME = "nn_run_code_hook"
sys.modules[WORKER_NAME] = sys.modules[__name__]


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


def cache_path(code_dir: Path, file: str, what: str) -> Path:
    """Where the result of `what` for code/<file> is kept: keyed on the module's bytes, `what` and the
    library versions."""
    versions = "|".join(metadata.version(name) for name in ("numpy", "torch", "matplotlib", "scikit-learn"))
    key = hashlib.sha256((code_dir / file).read_bytes())
    key.update(f"{what}|{sys.version}|{versions}".encode())
    return code_dir.parent / ".cache" / "run-code" / key.hexdigest()


def run_markers(code_dir: Path, file: str, items: list) -> dict:
    """All the markers of one module, in one process: ("output", cmd) -> stdout, ("figure", func) -> SVG."""
    return {(kind, what): run_module(code_dir, what) if kind == "output" else figure_svg(code_dir, file, what)
            for kind, what in items}


run_markers.__module__ = WORKER_NAME


def share_cores(parent: int):
    """Each worker gets its share of the cores, so the workers together don't oversubscribe them. And it
    dies with the build: a forked worker holds its own copy of the job queue's pipe, so it would never
    see the queue close if the build were killed."""
    import ctypes
    import signal
    import torch
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)     # 1 = PR_SET_PDEATHSIG (Linux)
    if os.getppid() != parent:                                        # the build died before prctl ran
        os._exit(1)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // JOBS))


share_cores.__module__ = WORKER_NAME


def markers(markdown: str):
    """The (module file, kind, what) of every marker on a page, in page order."""
    found = [(m.start(), m["cmd"].split()[0], "output", m["cmd"].strip()) for m in OUTPUT.finditer(markdown)]
    found += [(m.start(), m["file"], "figure", m["func"]) for m in FIGURE.finditer(markdown)]
    return [item[1:] for item in sorted(found)]


def start_jobs(code_dir: Path, pages_markdown: list) -> None:
    """Hand every module that a page marks, in reading order, to the worker pool (what is not cached)."""
    global _pool
    per_module: dict = {}
    for markdown in pages_markdown:
        for file, kind, what in markers(markdown):
            if not (CACHE_ON and cache_path(code_dir, file, f"{kind} {what}").is_file()):
                items = per_module.setdefault(file, [])
                if (kind, what) not in items:
                    items.append((kind, what))
    if JOBS < 1 or not per_module:
        return
    # fork: the workers inherit this process (hooks included) without re-importing MkDocs; nothing here
    # has started a PyTorch or BLAS thread pool yet, which is what makes forking safe.
    _pool = ProcessPoolExecutor(JOBS, mp_context=multiprocessing.get_context("fork"), initializer=share_cores,
                                initargs=(os.getpid(),))
    for file, items in per_module.items():
        _jobs[file] = _pool.submit(run_markers, code_dir, file, items)


def result(code_dir: Path, file: str, kind: str, what: str) -> str:
    """The marker's text: from the cache, from its module's job, or run here and now."""
    path = cache_path(code_dir, file, f"{kind} {what}") if CACHE_ON else None
    if path is not None and path.is_file():
        return path.read_text()
    if file in _jobs:
        try:
            value = _jobs[file].result()[(kind, what)]
        except RuntimeError:
            raise
        except BaseException as error:           # a worker died: say which module it was running
            raise RuntimeError(f"running the markers of code/{file} failed: {error!r}") from error
    else:
        value = run_module(code_dir, what) if kind == "output" else figure_svg(code_dir, file, what)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
    return value


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def on_page_markdown(markdown, page, config, files):
    code_dir = _code_dir(config)

    def output(m):
        cmd = m["cmd"].strip()
        text = result(code_dir, cmd.split()[0], "output", cmd)
        return indent("```text\n" + text + "\n```", m["indent"])

    def figure(m):
        alt = html.escape(m["alt"].strip())
        name = f"{Path(m['file']).stem}-{m['func']}.svg"
        _figures[name] = result(code_dir, m["file"], "figure", m["func"])
        up = "../" * page.url.count("/")                  # from the page's folder to the site root
        return indent(f'<figure class="nn-figure">\n<img src="{up}figures/{name}" alt="{alt}" loading="lazy">\n'
                      f'<figcaption>{alt}</figcaption>\n</figure>', m["indent"])

    return FIGURE.sub(figure, OUTPUT.sub(output, markdown))


def on_pre_build(config):
    # every build (and every rebuild under `mkdocs serve`) starts afresh
    stop_pool()
    _outputs.clear()
    _modules.clear()
    _figures.clear()


def on_nav(nav, config, files):
    """The pages are known, in reading order: start running their modules now."""
    sources = [Path(page.file.abs_src_path).read_text(encoding="utf-8") for page in nav.pages
               if page.file.src_uri.endswith(".md")]
    start_jobs(_code_dir(config), sources)
    return nav


def stop_pool():
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
    _jobs.clear()


def on_build_error(error, **kwargs):
    stop_pool()


def on_post_build(config):
    stop_pool()
    folder = Path(config["site_dir"]) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for name, svg in _figures.items():
        (folder / name).write_text(svg)
