"""The production topology on this machine: nginx in front of several `civic serve` processes,
on one database and one redis-server, each started in a temporary folder on a free port and
stopped afterwards.

nginx runs the configuration in deploy/nginx.conf, rendered with this run's ports and paths
(`render_nginx_conf`), so the file the README documents is the one tested and measured.

For the tests and for the bench:

    with start_topology("postgresql://…/civic_bench") as topology:
        topology.base_url     # http://127.0.0.1:<nginx port>, what a browser talks to
        topology.nginx_port
        topology.app_ports    # one `civic serve` process (one worker) on each
        topology.upstream(response)  # the app port that answered a response through nginx

The database must exist and be migrated (`civic migrate`); its data is the caller's."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
CIVIC = str(Path(sys.executable).with_name("civic"))
SECRET_KEY = "the-topology-secret-key-shared-by-every-process-0123456789"
UPSTREAM_HEADER = "X-Upstream"
"""Added to every response by the rendered configuration only (not in production): the app
process that answered, from nginx's $upstream_addr; absent when nginx answered itself."""


def program(name: str) -> str | None:
    """The installed binary, also where root's PATH is not the one searched (/usr/sbin)."""
    for folder in (None, "/usr/sbin", "/usr/bin"):
        found = shutil.which(name, path=folder)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Topology:
    nginx_port: int
    app_ports: list[int]
    redis_url: str
    folder: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def upstream(self, response: httpx.Response) -> int | None:
        """The port of the app process that answered `response`, or None when nginx answered
        from its cache."""
        answered = response.headers.get(UPSTREAM_HEADER, "")
        return int(answered.rsplit(":", 1)[1]) if answered else None


def _replace(text: str, pattern: str, replacement: str) -> str:
    # Each directive must be found exactly once: a change to the documented file that this
    # rendering no longer understands fails here rather than testing something else.
    changed, n = re.subn(pattern, lambda _: replacement, text, flags=re.MULTILINE)
    if n != 1:
        raise ValueError(f"deploy/nginx.conf: expected one match of {pattern!r}, found {n}")
    return changed


def render_nginx_conf(
    template: str, *, port: int, app_ports: list[int], folder: Path, upstream_header: bool = True
) -> str:
    """deploy/nginx.conf for this machine: listening on 127.0.0.1:`port`, the app processes on
    `app_ports`, every file inside `folder`."""
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in app_ports)
    text = _replace(template, r"^\s*server app:8000;$", servers)
    text = _replace(text, r"^(\s*)listen 80;$", f"        listen 127.0.0.1:{port};")
    # Root starts the workers as the named user; the folder is root's own, so they stay root.
    user = "user root;" if os.geteuid() == 0 else ""
    text = _replace(text, r"^user \S+;$", user)
    text = _replace(text, r"^pid \S+;$", f"pid {folder}/nginx.pid;")
    for system, here in (("/var/cache/nginx", folder / "cache"), ("/var/log/nginx", folder)):
        text = text.replace(f"{system}/", f"{here}/")
    # Unused, but made at start-up: the binary's own defaults lie outside the folder.
    unused = "".join(
        f"    {kind}_temp_path {folder}/cache/{kind}_temp;\n"
        for kind in ("fastcgi", "uwsgi", "scgi")
    )
    text = _replace(text, r"^http \{$", "http {\n" + unused)
    if upstream_header:
        text = _replace(
            text,
            r"^(\s*)server_name _;$",
            f"        server_name _;\n        add_header {UPSTREAM_HEADER} $upstream_addr always;",
        )
    return text


def _wait_until(ready: Callable[[], bool], process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            said = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{what} did not start:\n{said}")
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@contextmanager
def _running(
    command: list[str], log: Path, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=dict(env) if env is not None else None, stdout=out, stderr=out
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _redis(stack: ExitStack, folder: Path) -> str:
    server = program("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed (scripts/system-packages.sh test)")
    port = free_port()
    log = folder / "redis.log"
    # In memory only: nothing saved, nothing left behind.
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
    command = [server, "--port", str(port), "--dir", str(folder), *options]
    process = stack.enter_context(_running(command, log))
    _wait_until(partial(_listening, port), process, "redis-server", log)
    return f"redis://127.0.0.1:{port}/0"


def app_env(
    database_url: str, redis_url: str, base_url: str, env: Mapping[str, str]
) -> dict[str, str]:
    """What every app process is started with: one database, one Redis, nginx trusted."""
    return {
        **os.environ,
        "CIVIC_DATABASE_URL": database_url,
        "CIVIC_STORE_URL": redis_url,
        "CIVIC_TRUSTED_PROXIES": "127.0.0.1/32",
        "CIVIC_SECRET_KEY": SECRET_KEY,
        "CIVIC_BASE_URL": base_url,
        "CIVIC_DB_POOL_SIZE": "4",
        **env,
    }


@contextmanager
def start_topology(
    database_url: str,
    *,
    apps: int = 2,
    env: Mapping[str, str] | None = None,
    upstream_header: bool = True,
) -> Iterator[Topology]:
    """nginx on a free port in front of `apps` `civic serve` processes (one worker each) on
    `database_url`, sharing a redis-server of their own; everything stopped and its temporary
    folder removed on leaving. The database (PostgreSQL, or SQLite for a file the processes
    share) must exist and be migrated; nothing is written into it here.

    The app processes inherit this process's environment with the settings of `app_env()`
    (one Redis, nginx trusted, one secret key, `CIVIC_DB_POOL_SIZE=4`); `env` adds or
    overrides CIVIC_* settings (a low CIVIC_LOGIN_MAX_FAILURES for a test, a pool size for
    the bench). `upstream_header` adds X-Upstream (the answering process) to every response;
    the bench turns it off to measure deploy/nginx.conf as it is, and may compare `apps=1`
    with `apps=2` behind the same nginx, or either with one process on its own."""
    nginx = program("nginx")
    if nginx is None:
        raise RuntimeError("nginx is not installed (scripts/system-packages.sh test)")
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="civic-topology-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        redis_url = _redis(stack, folder)
        nginx_port = free_port()
        base_url = f"http://127.0.0.1:{nginx_port}"
        settings = app_env(database_url, redis_url, base_url, env or {})
        ports = [free_port() for _ in range(apps)]
        started = []
        for port in ports:
            log = folder / f"app-{port}.log"
            command = [CIVIC, "serve", "--port", str(port)]
            started.append((port, log, stack.enter_context(_running(command, log, settings))))
        # Started side by side, then waited for: start-up is most of the time this takes.
        for port, log, process in started:
            ready = partial(_answers, f"http://127.0.0.1:{port}/healthz")
            _wait_until(ready, process, f"civic serve on {port}", log)

        (folder / "cache").mkdir()
        conf = folder / "nginx.conf"
        conf.write_text(
            render_nginx_conf(
                NGINX_CONF.read_text(),
                port=nginx_port,
                app_ports=ports,
                folder=folder,
                upstream_header=upstream_header,
            )
        )
        log = folder / "error.log"
        command = [nginx, "-p", str(folder), "-c", str(conf), "-e", str(log), "-g", "daemon off;"]
        process = stack.enter_context(_running(command, folder / "nginx.out"))
        _wait_until(partial(_answers, f"{base_url}/healthz"), process, "nginx", log)
        yield Topology(nginx_port, ports, redis_url, folder)
