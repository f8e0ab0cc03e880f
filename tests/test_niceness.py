"""Receipts rendered at a lower CPU priority than the task worker's database work
(``amtsweg.lib.niceness``, docs/adr/0010): under a peak the web workers get the CPU first,
while the worker's locks are never held by a thread the scheduler keeps waiting."""

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections

from amtsweg.documents import rendering
from amtsweg.documents import tasks as document_tasks
from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.tasks import generate_receipt
from amtsweg.lib import niceness as niceness_module
from amtsweg.lib.niceness import (
    CpuLook,
    at_niceness,
    free_cores,
    idle_policy_applies,
    wait_for_free_cpu,
)

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


@contextlib.contextmanager
def _spinning_on(cores: list[int]) -> Iterator[None]:
    """A process keeping each of ``cores`` busy, from when all have begun until the end."""
    spinning = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", SPIN_ON_CORE, str(core)], stdout=subprocess.PIPE, text=True
        )
        for core in cores
    ]
    try:
        for process in spinning:
            assert process.stdout.readline().strip() == "spinning"
        yield
    finally:
        for process in spinning:
            process.kill()
            process.wait()


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

    with _spinning_on([core]):
        if idle:
            return at_niceness(1, spin, idle=True)
        with ThreadPoolExecutor(max_workers=1) as plain:  # a thread as the idle one is
            return plain.submit(spin).result()


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


#: Prints one of the worker's settings, or the error that stops the settings from loading.
READ_SETTING = """
import sys
try:
    from amtsweg import settings
except ValueError as error:
    print("refused:", error)
else:
    print(getattr(settings, sys.argv[1]))
"""


def _setting_as_loaded(name: str, environment: dict[str, str | None], var: Path) -> str:
    """What a fresh process's settings make of ``environment`` (None: the variable unset)."""
    env = {**os.environ, "AMTSWEG_VAR_DIR": str(var)}
    for variable, value in environment.items():
        env.pop(variable, None)
        if value is not None:
            env[variable] = value
    answer = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", READ_SETTING, name], capture_output=True, text=True, env=env
    )
    assert answer.stdout, answer.stderr
    return answer.stdout.strip()


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
    environment = {
        "DATABASE_URL": database.format(var=tmp_path),
        "AMTSWEG_RECEIPT_RENDER_IDLE": setting,
    }

    assert _setting_as_loaded("RECEIPT_RENDER_IDLE", environment, tmp_path).startswith(outcome)


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
    waits = []

    def wait(longest: float) -> float:
        assert not seen  # before the rendering
        waits.append(longest)
        return 0.0

    monkeypatch.setattr(document_tasks, "wait_for_free_cpu", wait)
    submission = submitted.submission

    assert generate_receipt.call(submission.pk) == "generated"

    # Under the idle policy the job first waits for free CPU, as long as configured.
    assert waits == ([7] if idle else [])

    receipt = Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE and receipt.page_count >= 1
    assert seen and seen[-1][0] != threading.get_native_id()
    assert seen[-1][1] == wanted
    assert seen[-1][2] == (os.SCHED_IDLE if idle else _policy())
    # WeasyPrint's part stays away from Django: no database connection in its thread.
    assert at_niceness(wanted, lambda: connections["default"].connection is None)


def test_the_idle_policy_applies_to_a_lowered_thread_on_linux_only(monkeypatch):
    """The receipt job waits for free CPU exactly when ``at_niceness`` will render under the
    idle policy: with ``idle``, above nice 0, where nice values are per thread."""
    monkeypatch.setattr(niceness_module, "_PER_THREAD", True)
    assert idle_policy_applies(10, True)
    assert not idle_policy_applies(10, False)
    assert not idle_policy_applies(0, True)
    monkeypatch.setattr(niceness_module, "_PER_THREAD", False)
    assert not idle_policy_applies(10, True)
    assert at_niceness(10, threading.get_native_id) == threading.get_native_id()


@pytest.mark.django_db
def test_at_nice_0_the_receipt_job_does_not_wait(submitted, settings, monkeypatch):
    """Nice 0 renders at the worker's own priority, so the idle policy and its wait do not
    apply, whatever ``RECEIPT_RENDER_IDLE`` says."""
    settings.RECEIPT_RENDER_NICENESS, settings.RECEIPT_RENDER_IDLE = 0, True
    settings.RECEIPT_FREE_CPU_WAIT = 7
    waits = []
    monkeypatch.setattr(
        document_tasks, "wait_for_free_cpu", lambda longest: waits.append(longest) or 0.0
    )

    assert generate_receipt.call(submitted.submission.pk) == "generated"
    assert waits == []


def test_free_cores_count_idle_time_and_the_process_s_own():
    """Over 2 s, 60 ticks (0.6 s at 100 per second) idle on all cores and 0.4 s in this
    process, which the rendering would take the place of: half a core's worth."""
    ticks = niceness_module._TICKS_PER_SECOND
    before = CpuLook(at=10.0, idle_ticks=1000, own_seconds=1.0)

    assert free_cores(before, CpuLook(12.0, 1000 + round(0.6 * ticks), 1.4)) == pytest.approx(0.5)
    assert free_cores(before, CpuLook(12.0, 1000, 1.0)) == 0.0  # busy with others' work
    assert free_cores(before, CpuLook(12.0, 1000 + round(4 * ticks), 1.0)) == pytest.approx(2.0)
    assert free_cores(before, CpuLook(12.0, 990, 1.0)) == 0.0  # iowait stepped back
    assert free_cores(before, before) == 0.0  # no time has passed


class _Machine:
    """A clock and a ``/proc/stat`` in one: each look at the CPU finds the next number of
    free cores in ``free``, over the time since the previous look (the last number from then
    on), and sleeping moves the clock. The free time is booked as the process's own, which
    counts alike and, unlike ticks, takes fractions."""

    def __init__(self, free: list[float]) -> None:
        self.now, self.free_seconds, self.looks, self.free = 100.0, 0.0, 0, free
        self.previous_look = self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def look_at_cpu(self) -> CpuLook:
        cores = self.free[min(self.looks, len(self.free) - 1)]
        self.looks += 1
        self.free_seconds += cores * (self.now - self.previous_look)
        self.previous_look = self.now
        return CpuLook(self.now, 0, self.free_seconds)


@pytest.fixture
def machine(monkeypatch):
    def make(free: list[float]) -> _Machine:
        machine = _Machine(free)
        monkeypatch.setattr(niceness_module, "time", machine)
        monkeypatch.setattr(niceness_module, "_look_at_cpu", machine.look_at_cpu)
        monkeypatch.setattr(niceness_module, "_last_look", None)
        return machine

    return make


def test_a_free_machine_renders_without_waiting_after_the_first_look(machine):
    """The first look measures a short span; the next rendering looks back over the one
    before it and starts at once."""
    free = machine([2.0])

    assert wait_for_free_cpu(10) == pytest.approx(0.1)
    free.sleep(0.5)  # the rendering
    assert wait_for_free_cpu(10) == 0.0
    assert free.looks == 3


def test_a_look_just_before_is_not_used(machine):
    """Over less than 0.1 s the counters, in hundredths of a second, tell nothing: the next
    look measures a span of its own."""
    free = machine([2.0])
    wait_for_free_cpu(10)
    free.sleep(0.05)

    assert wait_for_free_cpu(10) == pytest.approx(0.1)
    assert free.looks == 4


def test_a_busy_machine_is_waited_for_until_it_is_free(machine):
    # Free at first, then three looks just short of half a core, then half a core.
    busy = machine([2.0, 2.0, 0.49, 0.1, 0.49, 0.5])
    wait_for_free_cpu(10)
    busy.sleep(0.5)

    waited = wait_for_free_cpu(10)

    assert waited == pytest.approx(3 * 0.25)  # three looks at a busy machine, 0.25 s apart
    assert busy.looks == 6


def test_a_machine_that_stays_busy_is_waited_for_until_the_limit(machine):
    busy = machine([0.0])

    assert wait_for_free_cpu(2) == pytest.approx(2.0)  # not a look longer
    looks = busy.looks
    assert wait_for_free_cpu(0) == 0 and busy.looks == looks  # 0: no look at all


@pytest.mark.parametrize(("since", "waited"), [(1.9, 0.0), (2.1, 5.0)])
def test_a_look_more_than_2_s_ago_is_not_used(machine, since, waited):
    """A long span would average a peak that has just begun away: free since the last look,
    busy in the 0.1 s of a new one. A look up to 2 s old is used."""
    busy = machine([2.0, 2.0, 2.0, 0.0])
    wait_for_free_cpu(5)
    busy.sleep(since)

    assert wait_for_free_cpu(5) == pytest.approx(waited)


def test_the_idle_ticks_are_idle_and_waiting_for_io(monkeypatch, tmp_path):
    """The first line of ``/proc/stat``: user, nice, system, idle, iowait, irq, ..."""
    stat = tmp_path / "stat"
    stat.write_text("cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 1 1 2 2 3 3 4 0 0\n")
    monkeypatch.setattr(niceness_module, "PROC_STAT", stat)

    assert niceness_module._look_at_cpu().idle_ticks == 9


@pytest.mark.parametrize(
    "stat", [None, "cpu  1 2 3 4\n", "cpu  1 2 3 x 5\n"], ids=["missing", "short", "garbled"]
)
def test_where_the_cpu_cannot_be_read_nothing_waits(monkeypatch, tmp_path, stat):
    path = tmp_path / "stat"
    if stat is not None:
        path.write_text(stat)
    monkeypatch.setattr(niceness_module, "PROC_STAT", path)
    monkeypatch.setattr(niceness_module, "_last_look", None)

    assert niceness_module._look_at_cpu() is None
    assert wait_for_free_cpu(10) < 0.5


def test_a_look_that_fails_after_a_good_one_does_not_wait(machine, monkeypatch):
    busy = machine([0.0])
    looks = iter([busy.look_at_cpu(), None])
    monkeypatch.setattr(niceness_module, "_look_at_cpu", lambda: next(looks))

    assert wait_for_free_cpu(10) == pytest.approx(0.1)


def _cpu_quota() -> bool:
    """Whether this process's cgroup, or one above it, has a CPU quota (its spinners are then
    held back while ``/proc/stat`` shows the host); cgroup v2 and v1."""
    try:
        groups = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return False
    for line in groups:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            root, quota_file, unlimited = Path("/sys/fs/cgroup"), "cpu.max", "max"
        elif "cpu" in controllers.split(","):
            root = Path("/sys/fs/cgroup") / controllers
            quota_file, unlimited = "cpu.cfs_quota_us", "-1"
        else:
            continue
        group = root / path.lstrip("/")
        for directory in (group, *group.parents):
            quota = directory / quota_file
            if quota.is_file() and not quota.read_text().startswith(unlimited):
                return True
            if directory == root:
                break
    return False


@linux_only
def test_the_real_machine_busy_on_every_core_is_waited_for(monkeypatch):
    """The real ``/proc/stat``: with a process spinning on each core nothing is idle, and
    this process, which sleeps, has none of it; the wait lasts until its limit."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < (os.cpu_count() or 1) or _cpu_quota():
        pytest.skip("this process may use only part of the machine's CPU")
    monkeypatch.setattr(niceness_module, "_last_look", None)
    with _spinning_on(cores):
        assert wait_for_free_cpu(1.0) >= 1.0


@pytest.mark.parametrize(
    ("setting", "outcome"),
    [(None, "10"), ("0", "0"), ("-1", "refused: AMTSWEG_RECEIPT_FREE_CPU_WAIT must be 0")],
)
def test_the_wait_for_free_cpu_is_configured(tmp_path, setting, outcome):
    environment = {
        "DATABASE_URL": "postgres://amtsweg@db/amtsweg",
        "AMTSWEG_RECEIPT_FREE_CPU_WAIT": setting,
    }

    loaded = _setting_as_loaded("RECEIPT_FREE_CPU_WAIT", environment, tmp_path)

    assert loaded.startswith(outcome) if outcome.startswith("refused") else loaded == outcome
