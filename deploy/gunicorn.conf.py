"""gunicorn for the web processes (docs/deployment.md). Every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: a request is a few short queries; 2 × cores + 1 keeps the cores busy while some wait
# on the database. Threads help where pages wait on the replica or storage.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # large uploads stream to disk within it
graceful_timeout = 30  # a rolling restart lets requests in flight finish
keepalive = 5  # nginx keeps upstream connections open
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))  # recycle workers: bounded memory
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")  # only nginx can reach the port
accesslog = "-"
errorlog = "-"
control_socket_disable = True
