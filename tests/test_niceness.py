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

from amtsweg.documents import receipts, rendering
from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.tasks import generate_receipt
from amtsweg.lib import niceness as niceness_module
from amtsweg.lib.niceness import at_niceness, free_share, wait_for_free_cpu

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def _thread_and_niceness() -> tuple[int, int]:
    thread = threading.get_native_id()
    return thread, os.getpriority(os.PRIO_PROCESS, thread)


def _policy() -> int:
    """This thread's scheduling policy (0: Linux's calling thread)."""
    return os.sched_getscheduler(0)


def _system_allows_the_idle_policy() -> bool:
    """Whether a thread here may take ``SCHED_IDLE`` (a sandbox may filter the call, musl
    lacks it), tried in a thread of its own, without the code under test."""

    def attempt() -> bool:
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except (OSError, AttributeError):
            return False
        return True

    if not sys.platform.startswith("linux") or _policy() == os.SCHED_IDLE:
        return False  # under the idle policy already (chrt -i): nothing to tell apart
    with ThreadPoolExecutor(max_workers=1) as probe:
        return probe.submit(attempt).result()


idle_policy = pytest.mark.skipif(
    not _system_allows_the_idle_policy(),
    reason="this system refuses SCHED_IDLE to a thread, or the tests run under it already",
)


def _refuse(*args: object) -> None:
    """A system call as a sandbox that filters it answers."""
    raise PermissionError("Operation not permitted")


@pytest.fixture(autouse=True)
def own_threads(monkeypatch):
    """Each test makes its own rendering threads: a thread's priority cannot be raised again."""
    monkeypatch.setattr(niceness_module, "_executors", {})


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
    assert at_niceness(wanted, _policy) == _policy()  # idle only when asked


@idle_policy
def test_idle_work_runs_under_the_idle_policy_in_a_thread_of_its_own():
    caller, caller_policy, wanted = _thread_and_niceness(), _policy(), _lower_than_now()
    plain_thread = at_niceness(wanted, _thread_and_niceness)[0]

    thread, niceness = at_niceness(wanted, _thread_and_niceness, idle=True)

    assert at_niceness(wanted, _policy, idle=True) == os.SCHED_IDLE != caller_policy
    assert niceness == wanted  # the nice value too, should the policy ever be lifted
    assert thread not in (caller[0], plain_thread)
    assert _policy() == caller_policy and _thread_and_niceness() == caller
    assert at_niceness(wanted, _policy) == caller_policy  # the plain thread stays plain


#: A process that keeps one core busy until killed, and says when it has begun.
SPIN_ON_CORE = """
import os, sys
os.sched_setaffinity(0, {int(sys.argv[1])})
print("spinning", flush=True)
while True:
    pass
"""


def _share_of_a_core_beside_a_busy_process(idle: bool) -> float:
    """The share of one core that a thread of ours gets over at least 0.4 s while another
    process, at normal priority, keeps that core busy."""
    core = min(os.sched_getaffinity(0))

    def spin() -> float:
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {core})  # this thread only
        try:
            started_cpu, started = time.thread_time(), time.monotonic()
            while time.monotonic() < started + 0.4:
                pass
            return (time.thread_time() - started_cpu) / (time.monotonic() - started)
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


@idle_policy
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

    monkeypatch.setattr(os, "setpriority", _refuse)

    assert at_niceness(13, lambda: "gerendert") == "gerendert"
    assert at_niceness(13, lambda: "wieder") == "wieder"
    assert "nice 13 refused" in caplog.text


@linux_only
def test_a_refused_idle_policy_still_gets_the_work_done(monkeypatch, caplog):
    monkeypatch.setattr(os, "sched_setscheduler", _refuse)
    wanted, caller_policy = _lower_than_now(), _policy()

    assert at_niceness(wanted, _thread_and_niceness, idle=True)[1] == wanted
    assert at_niceness(wanted, _policy, idle=True) == caller_policy
    assert "without the idle scheduling policy" in caplog.text


#: Prints the worker's setting, or the error that stops the settings from loading.
READ_IDLE_SETTING = """
try:
    from amtsweg import settings
except ValueError as error:
    print("refused:", error)
else:
    print(settings.RECEIPT_RENDER_IDLE)
"""


@pytest.mark.parametrize(
    ("database", "setting", "outcome"),
    [
        ("postgres://amtsweg@db/amtsweg", None, "True"),
        ("postgres://amtsweg@db/amtsweg", "false", "False"),
        ("sqlite:///{var}/amtsweg.sqlite3", None, "False"),
        ("sqlite:///{var}/amtsweg.sqlite3", "true", "refused: AMTSWEG_RECEIPT_RENDER_IDLE is for"),
    ],
)
def test_the_idle_policy_is_on_by_default_on_postgresql_only(tmp_path, database, setting, outcome):
    """On SQLite a rendering thread kept off the CPU could hold up the write lock through the
    worker's scheduler thread (ADR 0010, addendum), and SQLite gained nothing from it."""
    env = {
        **os.environ,
        "DATABASE_URL": database.format(var=tmp_path),
        "AMTSWEG_VAR_DIR": str(tmp_path),
    }
    env.pop("AMTSWEG_RECEIPT_RENDER_IDLE", None)
    if setting is not None:
        env["AMTSWEG_RECEIPT_RENDER_IDLE"] = setting

    answer = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", READ_IDLE_SETTING], capture_output=True, text=True, env=env
    )

    assert answer.stdout.strip().startswith(outcome), answer.stderr


@linux_only
@pytest.mark.django_db
@pytest.mark.parametrize("idle", [True, False], ids=["idle", "nice only"])
def test_the_receipt_job_renders_its_pdf_at_the_configured_niceness(
    submitted, settings, monkeypatch, idle
):
    if idle and not _system_allows_the_idle_policy():
        pytest.skip("this system refuses SCHED_IDLE to a thread")
    settings.RECEIPT_RENDER_NICENESS = wanted = _lower_than_now()
    settings.RECEIPT_RENDER_IDLE = idle
    seen = []
    render = rendering._pdf_from_html

    def watched(*args):
        seen.append((*_thread_and_niceness(), _policy()))
        return render(*args)

    monkeypatch.setattr(rendering, "_pdf_from_html", watched)
    settings.RECEIPT_FREE_CPU_WAIT = 7
    monkeypatch.setattr(receipts, "wait_for_free_cpu", lambda longest: seen.append(longest))
    submission = submitted.submission

    assert generate_receipt.call(submission.pk) == "generated"

    # Under the idle policy the job first waits for free CPU, as long as configured.
    assert (seen[0] == 7) is idle

    receipt = Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE and receipt.page_count >= 1
    assert seen and seen[-1][0] != threading.get_native_id()
    assert seen[-1][1] == wanted
    assert seen[-1][2] == (os.SCHED_IDLE if idle else _policy())
    # WeasyPrint's part stays away from Django: no database connection in its thread.
    assert at_niceness(wanted, lambda: connections["default"].connection is None)


def test_free_share_counts_idle_time_and_the_process_s_own():
    """Between two looks, 200 ticks passed on all cores: 30 idle, and 0.2 s (20 ticks at 100
    per second) in this process, which the rendering would take the place of."""
    ticks = niceness_module._TICKS_PER_SECOND
    before, after = (0.0, 1000, 5000, 1.0), (1.0, 1030, 5200, 1.0 + 20 / ticks)

    assert free_share(before, after) == pytest.approx(0.25)
    assert free_share(before, (1.0, 1000, 5200, 1.0)) == 0.0  # busy with others' work
    assert free_share(before, (1.0, 1200, 5200, 1.0)) == 1.0
    assert free_share(before, (1.0, 1000, 5000, 1.0)) == 1.0  # no tick counted yet


class _Machine:
    """A clock and a ``/proc/stat`` in one: each look at the CPU reads the next share of
    free time in ``free_shares`` (the last one from then on), and sleeping moves the clock."""

    def __init__(self, free_shares: list[float]) -> None:
        self.now, self.ticks, self.idle, self.looks = 100.0, 0, 0, 0
        self.free_shares = free_shares

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def read_cpu(self) -> tuple[float, int, int, float]:
        share = self.free_shares[min(self.looks, len(self.free_shares) - 1)]
        self.looks += 1
        self.ticks += 1000
        self.idle += round(1000 * share)
        return self.now, self.idle, self.ticks, 0.0


@pytest.fixture
def machine(monkeypatch):
    def make(free_shares: list[float]) -> _Machine:
        machine = _Machine(free_shares)
        monkeypatch.setattr(niceness_module, "time", machine)
        monkeypatch.setattr(niceness_module, "_read_cpu", machine.read_cpu)
        monkeypatch.setattr(niceness_module, "_last_reading", None)
        return machine

    return make


def test_a_free_machine_renders_without_waiting_after_the_first_look(machine):
    """The first look measures a short span; the next rendering looks back over the one
    before it and starts at once."""
    free = machine([1.0])

    assert wait_for_free_cpu(30) == pytest.approx(0.1)
    free.sleep(0.5)  # the rendering
    assert wait_for_free_cpu(30) == 0.0


def test_a_busy_machine_is_waited_for_until_it_is_free(machine):
    busy = machine([1.0, 1.0, 0.05, 0.05, 0.05, 0.3])  # free at first, then three busy looks
    wait_for_free_cpu(30)
    busy.sleep(0.5)

    waited = wait_for_free_cpu(30)

    assert waited == pytest.approx(3 * 0.25)  # three looks at a busy machine, 0.25 s apart
    assert busy.looks == 6


def test_a_machine_that_stays_busy_is_waited_for_no_longer_than_the_limit(machine):
    busy = machine([0.0])

    assert 2.0 <= wait_for_free_cpu(2) < 2.5
    looks = busy.looks
    assert wait_for_free_cpu(0) == 0 and busy.looks == looks  # 0: no look at all


def test_a_look_long_ago_is_not_used(machine):
    """A span of minutes would average a peak that has just begun away."""
    busy = machine([1.0, 1.0, 0.0])
    wait_for_free_cpu(5)
    busy.sleep(600)

    assert wait_for_free_cpu(5) >= 5


def test_where_the_cpu_cannot_be_read_nothing_waits(monkeypatch):
    monkeypatch.setattr(niceness_module, "PROC_STAT", niceness_module.Path("/nonexistent/stat"))
    monkeypatch.setattr(niceness_module, "_last_reading", None)

    assert wait_for_free_cpu(30) < 0.01


@linux_only
def test_the_real_machine_busy_on_every_core_is_waited_for():
    """The real ``/proc/stat``: with a process spinning on each core nothing is idle, and
    this process, which sleeps, has none of it; the wait lasts until its limit."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < (os.cpu_count() or 1):
        pytest.skip("this process may use only some of the machine's cores")
    spinning = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", SPIN_ON_CORE, str(core)], stdout=subprocess.PIPE, text=True
        )
        for core in cores
    ]
    try:
        for process in spinning:
            assert process.stdout.readline().strip() == "spinning"
        niceness_module._last_reading = None

        assert wait_for_free_cpu(1.0) >= 1.0
    finally:
        for process in spinning:
            process.kill()
            process.wait()


READ_FREE_CPU_WAIT = """
try:
    from amtsweg import settings
except ValueError as error:
    print("refused:", error)
else:
    print(settings.RECEIPT_FREE_CPU_WAIT)
"""


@pytest.mark.parametrize(
    ("setting", "outcome"),
    [(None, "30"), ("0", "0"), ("-1", "refused: AMTSWEG_RECEIPT_FREE_CPU_WAIT must be 0")],
)
def test_the_wait_for_free_cpu_is_configured(tmp_path, setting, outcome):
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://amtsweg@db/amtsweg",
        "AMTSWEG_VAR_DIR": str(tmp_path),
    }
    env.pop("AMTSWEG_RECEIPT_FREE_CPU_WAIT", None)
    if setting is not None:
        env["AMTSWEG_RECEIPT_FREE_CPU_WAIT"] = setting

    answer = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", READ_FREE_CPU_WAIT], capture_output=True, text=True, env=env
    )

    assert answer.stdout.strip().startswith(outcome), answer.stderr
