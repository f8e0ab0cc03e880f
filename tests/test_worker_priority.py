"""The task worker's CPU priority (issue 9): ``amtsweg serve`` starts it below the web server,
so that under a peak the pages and submits get the CPU first."""

import io
import os
import signal

import pytest
from django.core.management import CommandError, call_command

from amtsweg.core.management.commands.serve import WORKER_NICENESS, worker_command


@pytest.fixture
def niceness_calls(monkeypatch):
    """What the worker asks of ``os.nice`` (the test process keeps its own priority)."""
    calls: list[int] = []
    monkeypatch.setattr(os, "nice", calls.append)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield calls
    for sig, handler in saved.items():  # db_worker installs its own
        signal.signal(sig, handler)


def _run_worker(*args: str) -> None:
    call_command(
        "worker",
        "--batch",
        "--interval=0",
        "--no-scheduler",
        *args,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def test_serve_starts_the_worker_at_a_lower_priority():
    command = worker_command(verbosity=1)
    assert command[-3:] == ["worker", "--verbosity=1", f"--nice={WORKER_NICENESS}"]
    assert 0 < WORKER_NICENESS <= 19


@pytest.mark.django_db(transaction=True)
def test_the_worker_lowers_its_priority_when_asked(niceness_calls):
    _run_worker("--nice=10")
    assert niceness_calls == [10]


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_its_priority_by_default(niceness_calls):
    _run_worker()
    assert niceness_calls == []


@pytest.mark.parametrize("value", ["20", "-1", "zehn", "🐕"])
def test_a_niceness_out_of_range_is_refused(value, niceness_calls):
    with pytest.raises(CommandError, match="--nice"):
        _run_worker(f"--nice={value}")
    assert niceness_calls == []
