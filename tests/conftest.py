"""Put every folder of code/ on the import path, so a test says `import losses`; and tests/site, whose
helpers (built_site.py) the site tests share."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ROOT / "code"

for folder in [CODE, *sorted(p for p in CODE.iterdir() if p.is_dir() and not p.name.startswith("_"))]:
    sys.path.insert(0, str(folder))

sys.path.insert(0, str(ROOT / "tests" / "site"))
