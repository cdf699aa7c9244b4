"""gunicorn's settings for the site:

    gunicorn -c pycharter_site/gunicorn.conf.py pycharter_site.wsgi

A request is CPU work in Python (the ORM, templates, serializers) around a few short
PostgreSQL queries, so workers are synchronous processes, one per core and one more: the
spare one runs while another waits on the database. Threads would not help (one core per
process under the GIL), and more processes only add context switches and memory; the
listen queue holds the requests that wait, and serves them in order. `WEB_CONCURRENCY`
sets another number of workers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) + 1)
# The proxy in front logs the requests; a line per request here would cost CPU on each.
accesslog = None
