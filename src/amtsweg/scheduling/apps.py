from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class SchedulingConfig(AppConfig):
    """Periodic tasks: a ``ScheduledJob`` row per ``@periodic`` task, enqueued by any worker."""

    name = "amtsweg.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        # ``@periodic`` registers a task when its module is imported. Importing every app's
        # ``tasks`` module here means every process (web, worker, shell) knows the same set of
        # periodic tasks, whichever modules it happened to import so far.
        autodiscover_modules("tasks")

        from django_tasks.signals import task_finished

        from amtsweg.scheduling.services import record_finished_run

        task_finished.connect(record_finished_run, dispatch_uid="amtsweg.scheduling.result")
