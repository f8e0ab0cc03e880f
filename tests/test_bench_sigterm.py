"""A benchmark stopped with SIGTERM cleans up after itself, as after Ctrl+C
(``bench.run.stop_on_sigterm``): a CI job's timeout must not leave a run's server or its
throwaway installation behind."""

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _installations() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("amtsweg-bench-pages-*"))


def test_sigterm_ends_a_run_through_its_cleanup():
    before = _installations()
    run = subprocess.Popen(
        [sys.executable, "-m", "bench", "pages", "--quick", "--no-write"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (made := _installations() - before) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert made, "the run made no throwaway installation"
        run.send_signal(signal.SIGTERM)

        assert run.wait(timeout=60) == 128 + signal.SIGTERM
        assert not any(path.exists() for path in made)
    finally:
        run.kill()
        run.wait()
