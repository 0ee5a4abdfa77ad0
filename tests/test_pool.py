"""The analysis pool cannot outlive the build that started it, however that build ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sphinx_kwindex.runner.pool import INLINE_BELOW

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the workers")

#: A build that analyses many files in a pool of 2, slowly, and prints its workers' pids at the first file.
BUILD = textwrap.dedent("""
    import multiprocessing, sys, time
    from pathlib import Path
    from sphinx_kwindex.find import find_sources
    from sphinx_kwindex.runner.pool import analyse_files

    how = sys.argv[2]

    def progress(items, count):
        for n, item in enumerate(items):
            if n == 0:
                print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
            if how == "exception" and n == 3:
                raise RuntimeError("the build failed")
            time.sleep(0.05)
            yield item

    files = find_sources([Path(sys.argv[1])]).files
    try:
        analyse_files(files, jobs=2, progress=progress)
    except RuntimeError:
        print("raised", flush=True)
        time.sleep(60)  # the build goes on living: its workers must not
""")


def ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie has ended (its reaper may be slow in a container)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("many") / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(200))
    for n in range(INLINE_BELOW * 10):  # far more than the inline threshold: a pool starts
        (root / f"mod{n}.py").write_text(f'"""Module {n}."""\n' + body)
    return root


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "Ctrl-C", "exception"])
def test_no_worker_outlives_its_build(tree, how):
    build = subprocess.Popen([sys.executable, "-c", BUILD, str(tree), how], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        workers = [int(pid) for pid in build.stdout.readline().split()]
        assert len(workers) == 2, "the pool did not start"
        if how == "SIGTERM":
            build.send_signal(signal.SIGTERM)
        elif how == "SIGKILL":
            build.kill()
        elif how == "Ctrl-C":
            os.killpg(build.pid, signal.SIGINT)  # a terminal sends it to the whole process group
        else:
            assert build.stdout.readline().strip() == "raised"
        deadline = time.monotonic() + 15
        while not all(ended(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in workers if not ended(pid)] == []
        if how == "exception":
            assert build.poll() is None  # the build itself is still there
    finally:
        build.kill()
        build.wait()
