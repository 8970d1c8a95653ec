"""Put every folder of code/ on the import path, so a test says `import losses`; and tests/site, whose
helpers (built_site.py) the site tests share. Also the fixtures the module tests share: `run_main` runs a
module's demo, `finite_difference` is the one numerical gradient every gradient check compares against."""
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = ROOT / "code"

for folder in [CODE, *sorted(p for p in CODE.iterdir() if p.is_dir() and not p.name.startswith("_"))]:
    sys.path.insert(0, str(folder))

sys.path.insert(0, str(ROOT / "tests" / "site"))


@pytest.fixture
def run_main(monkeypatch, capsys):
    """run_main(module, *args): what `python <module's file> ARGS` prints. It runs in this process, so
    PyTorch is not imported a second time."""
    def run(module, *args):
        path = str(getattr(module, "__file__", module))
        monkeypatch.setattr(sys, "argv", [path, *args])
        runpy.run_path(path, run_name="__main__")
        return capsys.readouterr().out
    return run


def central_difference(f, x, h=1e-6):
    """The gradient of the scalar function f at the float64 array x, by central differences:
    (f(x + h e_i) - f(x - h e_i)) / 2h for each entry i. The error is O(h^2); with h = 1e-6 in float64 it
    agrees with an exact gradient to about 1e-8 relative. Deliberately independent of every module, so a
    wrong helper in a module cannot hide its own bug."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"central differences need a float64 array, got {x.dtype}")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        f_plus = float(f(x))
        x[i] = saved - h
        f_minus = float(f(x))
        x[i] = saved                      # restore in place: f may hold a reference to x
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


@pytest.fixture
def finite_difference():
    """finite_difference(f, x, h=1e-6): the central-difference gradient of scalar f at float64 array x."""
    return central_difference


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """The module tests multiply tiny matrices, thousands of times. On one thread that is as fast as on
    several, and on a busy machine much faster (threads wait for each other at every matmul). The site
    tests build and serve in their own processes, which this does not touch."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
