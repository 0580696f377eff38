"""Gunicorn settings for `make serve-prod` (gunicorn -c python:channel.ops.gunicorn_conf).
Every value can be overridden from the environment; logs are JSON lines on stdout."""
import os

bind = os.environ.get("QUDAO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUDAO_WORKERS", str((os.cpu_count() or 1) * 2 + 1)))
threads = int(os.environ.get("QUDAO_THREADS", "2"))
timeout = int(os.environ.get("QUDAO_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# recycle workers (bounded memory) — rarely: a new worker starts the app and its figure caches
# afresh, and at 2,000 requests a worker serving 500 a second was replaced every 4 s (page p95
# spikes of 300-700 ms in `make bench`); 0 turns recycling off
max_requests = int(os.environ.get("QUDAO_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# gunicorn's control socket (one path per user) would clash between several servers on a machine
control_socket_disable = os.environ.get("QUDAO_CONTROL_SOCKET", "0") != "1"
accesslog = "-" if os.environ.get("QUDAO_ACCESS_LOG", "1") == "1" else None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "channel.ops.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
}
