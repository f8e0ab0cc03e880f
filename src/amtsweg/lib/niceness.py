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
before a rendering under the idle policy the worker also waits, for a limited time, until a
quarter of the machine's CPU is free (``wait_for_free_cpu``; ADR 0010, second addendum).
"""

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

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
    if niceness <= 0 or not sys.platform.startswith("linux"):
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
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: A look at the CPU: (monotonic seconds, ticks idle, ticks in all, this process's CPU seconds).
CpuReading = tuple[float, int, int, float]
#: The share of the machine's CPU time that must be free, idle or this process's own, for
#: ``wait_for_free_cpu`` to let the rendering start. A peak leaves a few per cent (ADR 0010).
FREE_SHARE = 0.25
#: Seconds between two looks at the machine while it is busy; the shortest span measured (the
#: counters move in hundredths of a second); the longest looked back over (an older look
#: would average a peak that just began away).
_LOOK_EVERY = 0.25
_SHORTEST_SPAN = 0.1
_LONGEST_SPAN = 2.0
_last_reading: CpuReading | None = None


def wait_for_free_cpu(longest: float) -> float:
    """Wait until at least ``FREE_SHARE`` of the machine's CPU was free since the last look,
    but no longer than ``longest`` seconds; return the seconds waited.

    Why: the web workers' speed under a peak (docs/benchmarks.md, "2026-11-27 17:10 UTC").
    Why a limit: the figures are the whole machine's (``/proc/stat``), so a worker in a
    container may see a host that is never free; it still makes a receipt every ``longest``
    seconds. Where the figures cannot be read (not Linux) it does not wait. Consecutive
    renderings look back over the previous one, so a free machine makes its receipts without a
    pause."""
    started = time.monotonic()
    while time.monotonic() - started < longest:
        share = _free_share_since_last_look()
        if share is None or share >= FREE_SHARE:
            break
        time.sleep(_LOOK_EVERY)
    return time.monotonic() - started


def _free_share_since_last_look() -> float | None:
    """The share of CPU time that was idle or this process's own since the previous call
    (over ``_SHORTEST_SPAN`` to ``_LONGEST_SPAN`` seconds), or None where it cannot be read.
    Only the worker's main thread calls it."""
    global _last_reading  # one reading per process, kept between renderings
    previous = _last_reading
    if previous is None or not _SHORTEST_SPAN <= time.monotonic() - previous[0] <= _LONGEST_SPAN:
        if (previous := _read_cpu()) is None:
            return None
        time.sleep(_SHORTEST_SPAN)
    if (current := _read_cpu()) is None:
        return None
    _last_reading = current
    return free_share(previous, current)


def free_share(previous: CpuReading, current: CpuReading) -> float:
    """The share of the CPU time between two readings of ``_read_cpu`` that was idle or this
    process's own (its own counts as free: the rendering would take its place)."""
    all_ticks = current[2] - previous[2]
    if all_ticks <= 0:
        return 1.0
    own_ticks = (current[3] - previous[3]) * _TICKS_PER_SECOND
    return min(1.0, (current[1] - previous[1] + own_ticks) / all_ticks)


def _read_cpu() -> CpuReading | None:
    """A look at the CPU now, with the ticks of all cores from the first line of
    ``/proc/stat`` (idle includes waiting for I/O)."""
    try:
        with PROC_STAT.open(encoding="ascii") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 5:
        return None
    times = os.times()
    return time.monotonic(), ticks[3] + ticks[4], sum(ticks), times.user + times.system
