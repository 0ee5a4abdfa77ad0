"""The engine: runs jobs."""

from app.helpers import retry_budget, backoff_schedule


class Engine:
    def run(self, job):
        for delay in backoff_schedule(retry_budget()):
            job(delay)
