"""Receipts rendered at a lower CPU priority than the task worker's database work
(``amtsweg.lib.niceness``, docs/adr/0010): under a peak the web workers get the CPU first,
while the worker's locks are never held by a thread the scheduler keeps waiting."""

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from amtsweg.documents import rendering
from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.tasks import generate_receipt
from amtsweg.lib import niceness as niceness_module
from amtsweg.lib.niceness import at_niceness

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def _thread_and_niceness() -> tuple[int, int]:
    thread = threading.get_native_id()
    return thread, os.getpriority(os.PRIO_PROCESS, thread)


def _policy() -> int:
    """This thread's scheduling policy (0: Linux's calling thread)."""
    return os.sched_getscheduler(0)


def _lower_than_now() -> int:
    """A nice value above this thread's own, so that a test sees it take effect."""
    niceness = _thread_and_niceness()[1] + 5
    if niceness > 19:
        pytest.skip("this process runs at the lowest priority already")
    return niceness


@linux_only
def test_work_runs_in_a_thread_of_its_own_at_the_niceness():
    caller, wanted = _thread_and_niceness(), _lower_than_now()

    thread, niceness = at_niceness(wanted, _thread_and_niceness)

    assert thread != caller[0]
    assert niceness == wanted
    assert _thread_and_niceness() == caller  # the caller keeps its priority
    assert at_niceness(wanted, _thread_and_niceness)[0] == thread  # one thread, kept
    assert at_niceness(wanted, _policy) == os.SCHED_OTHER  # idle only when asked


@linux_only
def test_idle_work_runs_under_the_idle_policy_in_a_thread_of_its_own():
    caller, wanted = _thread_and_niceness(), _lower_than_now()
    plain_thread = at_niceness(wanted, _thread_and_niceness)[0]

    thread, niceness = at_niceness(wanted, _thread_and_niceness, idle=True)

    assert at_niceness(wanted, _policy, idle=True) == os.SCHED_IDLE
    assert niceness == wanted  # the nice value too, should the policy ever be lifted
    assert thread not in (caller[0], plain_thread)
    assert _policy() == os.SCHED_OTHER and _thread_and_niceness() == caller
    assert at_niceness(wanted, _policy) == os.SCHED_OTHER  # the plain thread stays plain


#: A process that keeps one core busy until killed, and says when it has begun.
SPIN_ON_CORE = """
import os, sys
os.sched_setaffinity(0, {int(sys.argv[1])})
print("spinning", flush=True)
while True:
    pass
"""


def _share_of_a_core_beside_a_busy_process(idle: bool) -> float:
    """The share of one core that a thread of ours gets in 0.4 s while another process, at
    normal priority, keeps that core busy."""
    core = min(os.sched_getaffinity(0))

    def spin() -> float:
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {core})  # this thread only
        try:
            started_cpu, until = time.thread_time(), time.monotonic() + 0.4
            while time.monotonic() < until:
                pass
            return (time.thread_time() - started_cpu) / 0.4
        finally:
            os.sched_setaffinity(0, cores)

    busy = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SPIN_ON_CORE, str(core)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert busy.stdout.readline().strip() == "spinning"
        if idle:
            return at_niceness(1, spin, idle=True)
        with ThreadPoolExecutor(max_workers=1) as plain:  # a thread as the idle one is
            return plain.submit(spin).result()
    finally:
        busy.kill()
        busy.wait()


@linux_only
def test_an_idle_thread_gives_the_core_to_a_busy_process():
    """What the policy is for: beside a process that wants the whole core, the idle thread
    gets next to none of it, where a thread at normal priority gets about half (nice 1
    alone, without the policy: 0.45)."""
    normal = _share_of_a_core_beside_a_busy_process(idle=False)
    idle = _share_of_a_core_beside_a_busy_process(idle=True)

    assert normal > 0.15  # half of a quiet core; less where other work shares it
    assert idle < 0.05


def test_niceness_zero_runs_in_the_calling_thread():
    assert at_niceness(0, _thread_and_niceness) == _thread_and_niceness()


@linux_only
def test_the_work_s_exception_reaches_the_caller():
    def fail() -> None:
        raise ValueError("kaputt")

    with pytest.raises(ValueError, match="kaputt"):
        at_niceness(9, fail)
    assert at_niceness(9, lambda: "weiter") == "weiter"  # the thread survives it


@linux_only
def test_a_refused_niceness_still_gets_the_work_done(monkeypatch, caplog):
    """A sandbox that filters setpriority must not cost the receipts: they render at normal
    priority instead, and the log says so."""

    def refuse(*args):
        raise PermissionError("Operation not permitted")

    monkeypatch.setattr(os, "setpriority", refuse)
    monkeypatch.setattr(niceness_module, "_executors", {})

    assert at_niceness(13, lambda: "gerendert") == "gerendert"
    assert at_niceness(13, lambda: "wieder") == "wieder"
    assert "nice 13 refused" in caplog.text


@linux_only
def test_a_refused_idle_policy_still_gets_the_work_done(monkeypatch, caplog):
    def refuse(*args):
        raise PermissionError("Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    monkeypatch.setattr(niceness_module, "_executors", {})
    wanted = _lower_than_now()

    assert at_niceness(wanted, _thread_and_niceness, idle=True)[1] == wanted
    assert at_niceness(wanted, _policy, idle=True) == os.SCHED_OTHER
    assert "without the idle scheduling policy" in caplog.text


@linux_only
@pytest.mark.django_db
@pytest.mark.parametrize("idle", [True, False], ids=["idle", "nice only"])
def test_the_receipt_job_renders_its_pdf_at_the_configured_niceness(
    submitted, settings, monkeypatch, idle
):
    settings.RECEIPT_RENDER_NICENESS = wanted = _lower_than_now()
    settings.RECEIPT_RENDER_IDLE = idle
    seen = []
    render = rendering._pdf_from_html

    def watched(*args):
        seen.append((*_thread_and_niceness(), _policy()))
        return render(*args)

    monkeypatch.setattr(rendering, "_pdf_from_html", watched)
    submission = submitted.submission

    assert generate_receipt.call(submission.pk) == "generated"

    receipt = Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE and receipt.page_count >= 1
    assert seen and seen[-1][0] != threading.get_native_id()
    assert seen[-1][1] == wanted
    assert seen[-1][2] == (os.SCHED_IDLE if idle else os.SCHED_OTHER)
    # WeasyPrint's part stays away from Django: no database connection in its thread.
    assert at_niceness(wanted, lambda: connections["default"].connection is None)
