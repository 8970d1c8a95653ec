"""The copy rule: the Python blocks of each built page, pasted in order into a fresh interpreter, run.

The blocks are read from the built HTML, exactly as a reader's copy button would take them.
"""
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from built_site import built_html, source_pages

TIMEOUT_S = 120


def python_blocks(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [code.get_text() for code in soup.select("div.language-python pre > code")]


@pytest.mark.parametrize("page", source_pages(), ids=str)
def test_python_blocks_run_in_order(page, build, tmp_path):
    blocks = python_blocks(built_html(build.site, page).read_text())
    # One script, each block announced first, so a failure names the block that raised.
    script = "\n".join(f"print('--- block {i + 1} of {len(blocks)}', flush=True)\n{block}"
                       for i, block in enumerate(blocks))
    done = subprocess.run([sys.executable, "-"], input=script, cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT_S, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLBACKEND": "Agg"})
    last = [line for line in done.stdout.splitlines() if line.startswith("--- block")][-1:] or ["before any"]
    assert done.returncode == 0, f"{page}: copied blocks fail at {last[0]}:\n{done.stderr[-3000:]}"


def test_the_copy_rule_catches_a_broken_block(tmp_path):
    html = '<div class="language-python highlight"><pre><code>import math\nprint(undefined_name)</code></pre></div>'
    blocks = python_blocks(html)
    assert blocks == ["import math\nprint(undefined_name)"]
    done = subprocess.run([sys.executable, "-c", blocks[0]], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode != 0 and "NameError" in done.stderr
