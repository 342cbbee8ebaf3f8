"""What is waiting in the tasks backend's queue, for either backend the portal runs on.

The database backend (django-tasks-db, the default) keeps its queue in a
table; the RQ backend (django-tasks-rq) keeps it on Redis, each task's
queue a Redis list and the deferred ones in its scheduled-job registry.
The outbox sweep and the self-scheduling tasks ask what of a kind is
waiting, so as not to queue it twice, and ``/healthz`` counts what is due.
Any other backend's queue cannot be read: the answers are None. A queue
that does not answer (Redis down) raises ``QueueUnavailable``.
"""


class QueueUnavailable(Exception):
    """The tasks backend's queue did not answer."""


def _backend_kind(backend) -> str | None:
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(backend, DatabaseBackend):
        return "database"
    try:
        from django_tasks_rq.backend import RQBackend
    except ImportError:  # not installed: it cannot be the backend either
        return None
    return "rq" if isinstance(backend, RQBackend) else None


def waiting_kwargs(task, *, due_only: bool = False) -> list[dict] | None:
    """Return the keyword arguments of each task of this kind queued and not yet started.

    ``due_only`` leaves out the ones deferred to later. None for a backend
    whose queue cannot be read.
    """
    kind = _backend_kind(task.get_backend())
    if kind == "database":
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            task_path=task.module_path, status=TaskResultStatus.READY
        )
        if due_only:
            waiting = waiting.ready()
        return [
            args_kwargs["kwargs"] for args_kwargs in waiting.values_list("args_kwargs", flat=True)
        ]
    if kind == "rq":
        jobs = _rq_jobs(task.queue_name, due_only=due_only)
        return [job.kwargs for job in jobs if job.func_name == task.module_path]
    return None


def _rq_jobs(queue_name: str, *, due_only: bool) -> list:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue(queue_name, job_class=Job)
    ids = list(queue.get_job_ids())
    if not due_only:
        ids += ScheduledJobRegistry(queue=queue).get_job_ids()
    return [job for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]


def due_count() -> int | None:
    """Return how many tasks are due to run now, over every queue; None if it cannot be read."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    kind = _backend_kind(backend)
    if kind == "database":
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().count()
    if kind == "rq":
        import django_rq
        from redis import RedisError

        try:
            return sum(len(django_rq.get_queue(name)) for name in sorted(backend.queues))
        except RedisError as error:
            raise QueueUnavailable(str(error)) from error
    return None
