"""``@periodic``: mark a django-tasks task as one that runs every so often.

The registry maps job names to tasks. It is filled at import time from code, so it is the
same in every process of a version and never changes while a process runs; when a job is
due lives in the database (``ScheduledJob``), never here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django_tasks.base import Task

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class PeriodicTask:
    """A task without arguments that is enqueued every ``every``."""

    name: str
    task: Task[Any, Any]
    every: timedelta

    @property
    def task_path(self) -> str:
        return self.task.module_path

    @property
    def interval_seconds(self) -> int:
        return int(self.every.total_seconds())


class PeriodicRegistry:
    def __init__(self) -> None:
        self._entries: dict[str, PeriodicTask] = {}

    def register(self, entry: PeriodicTask) -> None:
        known = self._entries.get(entry.name)
        if known is not None and known.task_path != entry.task_path:
            raise ValueError(
                f"Periodic job name {entry.name!r} is taken by {known.task_path}; "
                f"give {entry.task_path} another name."
            )
        self._entries[entry.name] = entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def get(self, name: str) -> PeriodicTask | None:
        return self._entries.get(name)

    def for_task_path(self, task_path: str) -> PeriodicTask | None:
        return next((e for e in self._entries.values() if e.task_path == task_path), None)

    def names(self) -> list[str]:
        return list(self._entries)

    def __iter__(self) -> Iterator[PeriodicTask]:
        return iter(list(self._entries.values()))


registry = PeriodicRegistry()


def periodic(*, every: timedelta, name: str | None = None) -> Callable[[TaskT], TaskT]:
    """Register the decorated task to run every ``every``; put it above ``@task()``.

    ``name`` identifies the job's ``ScheduledJob`` row; it defaults to the task's import path.
    Give one explicitly if the function may move, so the row (and its schedule) stays.
    """
    if every < timedelta(seconds=1):
        raise ValueError("A periodic task needs an interval of at least one second.")

    def decorate(task: TaskT) -> TaskT:
        if not isinstance(task, Task):
            raise TypeError("@periodic goes above @task(): it needs a django-tasks Task.")
        registry.register(PeriodicTask(name=name or task.module_path, task=task, every=every))
        return task

    return decorate
