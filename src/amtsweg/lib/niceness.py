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
"""

import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
