"""Start a background worker: runs queued jobs and keeps the periodic work scheduled."""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from tenancy.jobs import periodic_tasks_schedule


class PeriodicWorker(Worker):
    """django-tasks' database worker that also queues the next run of each periodic task."""

    def run(self):
        periodic_tasks_schedule()
        return super().run()

    def run_task(self, db_task_result):
        super().run_task(db_task_result)
        if db_task_result.task_path in self.periodic_task_paths:
            periodic_tasks_schedule()

    @property
    def periodic_task_paths(self):
        return settings.PYCHARTER_PERIODIC_TASKS.keys()


class Command(DatabaseWorkerCommand):
    help = ("Run queued background jobs until stopped (SIGINT/SIGTERM finish the current job "
            "first). Start as many as you like, on any machine that reaches the database.")

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay,
               reload, max_tasks, worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        worker = PeriodicWorker(
            queue_names=queue_name.split(","), interval=interval, batch=batch,
            backend_name=backend_name, startup_delay=startup_delay, max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
