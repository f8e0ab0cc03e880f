"""A benchmark stopped with SIGTERM cleans up after itself, as after Ctrl+C
(``bench.run.stop_on_sigterm``): a CI job's timeout must not leave a run's server or its
throwaway installation behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _installations(directory: Path) -> set[Path]:
    return set(directory.glob("amtsweg-bench-pages-*"))


def test_sigterm_ends_a_run_through_its_cleanup(tmp_path):
    """The run makes its installation in a temporary directory of its own (``TMPDIR``), so
    that another benchmark running on the machine cannot be taken for it."""
    run = subprocess.Popen(
        [sys.executable, "-m", "bench", "pages", "--quick", "--no-write"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (made := _installations(tmp_path)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert made, "the run made no throwaway installation"
        run.send_signal(signal.SIGTERM)

        assert run.wait(timeout=60) == 128 + signal.SIGTERM
        assert not any(path.exists() for path in made)
    finally:
        run.kill()
        run.wait()


#: A run that SIGTERM reaches while Python runs a weak reference's callback, as its import
#: machinery does (`_get_module_lock`'s): Python ignores an exception raised there.
SIGNAL_IN_A_CALLBACK = """
import os, signal, sys, time, weakref
from bench.run import Terminated, stop_on_sigterm

stop_on_sigterm()


def callback(reference):
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(1000):  # the handler runs here, inside the callback
        pass


class Thing:
    pass


thing = Thing()
reference = weakref.ref(thing, callback)
try:
    del thing
    time.sleep(10)
except Terminated:
    sys.exit(143)
"""


def test_sigterm_raised_inside_a_callback_still_ends_the_run():
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SIGNAL_IN_A_CALLBACK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 128 + signal.SIGTERM, run.stderr
