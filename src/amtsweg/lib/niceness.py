"""CPU-heavy work at a lower CPU priority than the rest of the process, in a thread of its own.

The task worker shares the machine with the web workers, and a receipt PDF costs it 150-250 ms
of CPU. Under a peak the citizens' pages and submits should have that CPU first; the receipts
can follow minutes later (docs/adr/0010). Lowering the whole worker's priority is not the
way: it also holds database locks that every submit needs (claiming a job, storing a
receipt; on SQLite the write lock), and a process the scheduler keeps waiting holds them
the longer (ADR 0009). So only the rendering runs at a low priority, in a thread whose nice
value Linux keeps apart from the process's (nice values are per thread there), while the
calling thread, which does the database work before and after, keeps its own. On request the
thread also takes Linux's idle scheduling policy, under which it gives way at once (ADR 0010,
addendum).

The caller waits for the result, so it does not compete with the rendering thread for the
interpreter; the worker's scheduler thread can, when a periodic job falls due during a
rendering: at a nice value briefly, under the idle policy for as long as the rendering waits
for a CPU (ADR 0010 and its addendum). Nice values and the idle policy weigh only against
processes in the same scheduling group: workers in a systemd unit or container of their own
need ``CPUWeight=`` instead.

Even under the idle policy a rendering costs the web workers some of their speed: it takes the
cores whenever they wait for the database, and each of their wake-ups then displaces it. So
before a rendering under the idle policy the worker also waits, for a limited time, until half
a core's worth of CPU time was free (``wait_for_free_cpu``; ADR 0010, second addendum).
"""

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

#: Linux keeps a nice value and a scheduling policy per thread; elsewhere they are the process's.
_PER_THREAD = sys.platform.startswith("linux")
_executors: dict[tuple[int, bool], ThreadPoolExecutor] = {}
_executors_lock = threading.Lock()


def at_niceness(
    niceness: int, function: Callable[..., Result], *args: Any, idle: bool = False
) -> Result:
    """``function(*args)``, run in this process's thread at nice value ``niceness``, and with
    ``idle`` also under Linux's idle scheduling policy; directly in the calling thread when
    ``niceness`` is 0 or the system has no per-thread nice values. Its exception, if any, is
    raised here.

    Why ``idle``: a thread at nice 10 still takes its share of a busy machine, and Linux's
    scheduler (EEVDF) lets it finish its time slice before a web worker that wakes up gets
    the core. Under ``SCHED_IDLE`` the thread runs only on CPU that nothing else wants, and
    any other thread that wakes takes the core from it at once (docs/adr/0010, addendum)."""
    if niceness <= 0 or not _PER_THREAD:
        return function(*args)
    with _executors_lock:
        if (executor := _executors.get((niceness, idle))) is None:
            executor = _executors[niceness, idle] = ThreadPoolExecutor(
                max_workers=1,
                thread_name_prefix=f"nice-{niceness}{'-idle' if idle else ''}",
                initializer=_lower_priority,
                initargs=(niceness, idle),
            )
    return executor.submit(function, *args).result()


def idle_policy_applies(niceness: int, idle: bool) -> bool:
    """Whether ``at_niceness(niceness, …, idle=idle)`` asks for the idle policy for its
    thread: the case in which a rendering should also wait for free CPU first."""
    return idle and niceness > 0 and _PER_THREAD


def _lower_priority(niceness: int, idle: bool) -> None:
    """Give the current thread ``niceness``, never a higher priority than it has (that would
    need a privilege), and with ``idle`` the idle scheduling policy. Where the system refuses
    (a sandbox filtering the call), the work runs at the priority it has: slower receipts
    under a peak, but never none."""
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(niceness, current))
    except OSError as error:
        logger.warning("Rendering without its nice value: nice %d refused (%s)", niceness, error)
    if idle:
        try:  # 0: the calling thread (Linux schedules threads, not processes)
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as error:
            logger.warning("Rendering without the idle scheduling policy: refused (%s)", error)


#: Where Linux counts the CPU time of all cores, in ticks of ``_TICKS_PER_SECOND``.
PROC_STAT = Path("/proc/stat")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # not on Windows
#: How many cores' worth of CPU time must have been free, idle or this process's own, for
#: ``wait_for_free_cpu`` to let a rendering start: half of the one core it takes. Under a peak
#: a 2-core machine has a few per cent of one core free (ADR 0010, second addendum).
FREE_CORES = 0.5
#: Seconds between two looks at the machine while it is busy; the shortest span measured (the
#: counters move in hundredths of a second); the longest looked back over (an older look
#: would average a peak that just began away).
_LOOK_EVERY = 0.25
_SHORTEST_SPAN = 0.1
_LONGEST_SPAN = 2.0


class CpuLook(NamedTuple):
    """What ``_look_at_cpu`` saw: when, and the CPU time counted until then."""

    at: float  # monotonic seconds
    idle_ticks: int  # of all cores, waiting for I/O included
    own_seconds: float  # this process's, all its threads


_last_look: CpuLook | None = None


def wait_for_free_cpu(longest: float) -> float:
    """Wait until at least ``FREE_CORES`` cores' worth of CPU time was free since the last
    look, but about ``longest`` seconds at most; return the seconds waited.

    Why: the web workers' speed under a peak (docs/benchmarks.md, "2026-11-27 16:45 UTC").
    Why a limit: the figures are the whole machine's (``/proc/stat``), so a worker in a
    container may see a host that is never free; it still makes a receipt every ``longest``
    seconds, and a worker told to stop finishes its job in time. Where the figures cannot be
    read (not Linux) it does not wait. A look within 2 s of the previous one measures the time
    since then (a rendering, say), so a free machine makes its receipts without a pause, or
    one of 0.1 s to measure."""
    started = time.monotonic()
    while (left := started + longest - time.monotonic()) > 0:
        cores = _free_cores_since_last_look()
        if cores is None or cores >= FREE_CORES:
            break
        time.sleep(min(_LOOK_EVERY, left))
    return time.monotonic() - started


def _free_cores_since_last_look() -> float | None:
    """How many cores' worth of CPU time were idle or this process's own since the previous
    look (over ``_SHORTEST_SPAN`` to ``_LONGEST_SPAN`` seconds), or None where that cannot be
    read. Only the worker's main thread calls it."""
    global _last_look  # one look per process, kept between renderings
    previous = _last_look
    if previous is None or not _SHORTEST_SPAN <= time.monotonic() - previous.at <= _LONGEST_SPAN:
        if (previous := _look_at_cpu()) is None:
            return None
        time.sleep(_SHORTEST_SPAN)
    if (current := _look_at_cpu()) is None:
        return None
    _last_look = current
    return free_cores(previous, current)


def free_cores(previous: CpuLook, current: CpuLook) -> float:
    """How many cores' worth of CPU time between two looks were idle or this process's own
    (its own counts as free: the rendering would take its place, and under the idle policy it
    gets only time no one else wants; counting idle time alone made every receipt on a
    1-core machine wait a look, docs/benchmarks.md, "16:45 UTC", section 5)."""
    seconds = current.at - previous.at
    if seconds <= 0:
        return 0.0
    idle_seconds = (current.idle_ticks - previous.idle_ticks) / _TICKS_PER_SECOND
    own_seconds = current.own_seconds - previous.own_seconds
    return max(0.0, idle_seconds + own_seconds) / seconds  # Linux's iowait may step back


def _look_at_cpu() -> CpuLook | None:
    """The CPU time counted until now, the idle ticks from the first line of ``/proc/stat``
    (the fourth and fifth number: idle, and waiting for I/O)."""
    try:
        with PROC_STAT.open(encoding="ascii") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:6]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 5:
        return None
    times = os.times()
    return CpuLook(time.monotonic(), ticks[3] + ticks[4], times.user + times.system)
