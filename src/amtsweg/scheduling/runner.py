"""The scheduler loop that ``amtsweg worker`` runs in a background thread.

Every worker runs one, so scheduling needs no process of its own that an operator could
forget, and it keeps working as long as any worker does. Running several is safe by design
(see :func:`amtsweg.scheduling.services.enqueue_due_jobs`).
"""

import logging
import threading

from django.db import close_old_connections, connections

from amtsweg.scheduling.services import enqueue_due_jobs

logger = logging.getLogger(__name__)


class SchedulerThread(threading.Thread):
    """Call :func:`enqueue_due_jobs` every ``interval`` seconds until :meth:`stop`.

    Django gives each thread its own database connection; this thread closes its own when it
    ends. It is a daemon thread so that a worker killed hard never hangs on it, but
    :meth:`stop` lets a tick in progress finish first, so a transaction is never cut off.
    """

    def __init__(self, interval: float) -> None:
        super().__init__(name="amtsweg-scheduler", daemon=True)
        self.interval = interval
        self._stopping = threading.Event()

    def run(self) -> None:
        logger.info("Scheduler started: checking for due periodic jobs every %s s", self.interval)
        try:
            while not self._stopping.is_set():
                self.tick()
                self._stopping.wait(self.interval)
        finally:
            connections.close_all()

    def tick(self) -> None:
        """One round; errors (a database restart, say) are logged and tried again next round."""
        close_old_connections()
        try:
            enqueue_due_jobs()
        except Exception:
            logger.exception("Scheduler round failed; trying again in %s s", self.interval)

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)
