"""`make serve`'s server: gunicorn with several workers serves the app on one database."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port():
    """A port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_workers_answer_the_health_check(database_uri, tmp_path):
    port = free_port()
    env = {"DATABASE_URL": database_uri, "SECRET_KEY": "serve-test", "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(
        [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", "annotator:create_app()"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
                    health = json.loads(response.read())
                    headers = response.headers
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert health["status"] == "ok"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=10)
