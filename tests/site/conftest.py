"""Fixtures for the tests of the site itself: one strict build per test session, served on localhost."""
import functools
import http.server
import os
import subprocess
import sys
import threading
import time

import pytest

from built_site import ROOT, Build, free_port


@pytest.fixture(scope="session")
def build(tmp_path_factory) -> Build:
    site = tmp_path_factory.mktemp("site")
    port = free_port()
    env = dict(os.environ, SITE_URL=f"http://127.0.0.1:{port}/", NN_BUILD_CACHE="false",
               NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)   # a guard against a hung build, not a speed test
    seconds = time.perf_counter() - start
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    return Build(site=site, port=port, log=log, seconds=seconds)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(build):
    """The built site over http://127.0.0.1:<port>/, the origin its site_url names."""
    handler = functools.partial(_QuietHandler, directory=str(build.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", build.port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{build.port}/"
    httpd.shutdown()
