"""Put every folder of code/ on the import path, so a test says `import losses`; and tests/site, whose
helpers (built_site.py) the site tests share. Also the fixture every module test uses to run a demo."""
import runpy
import sys
from pathlib import Path

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
