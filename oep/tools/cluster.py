"""Throw-away PostgreSQL and nginx on loopback ports, for the tests and ``bench --load --replicas``.

Debian's packages (``postgresql``, ``nginx``; scripts/test.sh installs them). PostgreSQL refuses to
run as root, so as root the cluster belongs to the ``postgres`` account (``runuser``), in a folder
of its own under the system's temporary folder. Nothing here is for production: the cluster trusts
every local connection.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oep.data.config import ROOT

DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's programs, or None."""
    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
             if p.parent.parent.name.isdigit()]
    return max(found, key=lambda p: int(p.parent.parent.name)).parent if found else None


def missing() -> str | None:
    """Why a throw-away cluster and proxy cannot run here, or None."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is not installed (apt-get install nginx)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres account to run PostgreSQL as"
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres() -> Iterator[str]:
    """A new cluster on a free loopback port; yields the URL of its ``oep`` database."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="oep-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
    port = free_port()
    try:
        subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                  "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        subprocess.run(_as_owner([
            str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "start",
            "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c max_connections=200"]), check=True, capture_output=True)
        subprocess.run(_as_owner([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                                  "-U", "postgres", "oep"]), check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/oep"
    finally:
        if data.exists():
            subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                      "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(url: str, proc: subprocess.Popen | None = None, seconds: float = 60,
             log: Path | None = None) -> None:
    """Until ``url`` answers; RuntimeError (with the log's end) if it never does."""
    deadline = time.time() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.time() > deadline or (proc is not None and proc.poll() is not None):
                tail = _tail(log) if log is not None else ""
                raise RuntimeError(f"{url} did not answer\n{tail}") from None
            time.sleep(0.3)


@contextmanager
def proxy(folder: Path, replica_ports: list[int]) -> Iterator[int]:
    """nginx with deploy/nginx-site.sh's configuration in front of the replicas; yields its port."""
    port = free_port()
    site = subprocess.run(["bash", str(DEPLOY / "nginx-site.sh"), str(port),
                           *map(str, replica_ports)], check=True, capture_output=True, text=True)
    (folder / "oep-site.conf").write_text(site.stdout)
    # The host's main configuration would include the site; this one keeps every file here.
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\n"
        "worker_processes 1;\nevents {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  include {folder}/oep-site.conf;\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("nginx did not start:\n"
                                       + _tail(folder / "nginx-error.log")) from None
                time.sleep(0.1)
        yield port
    finally:
        stop(proc)


def stop(*procs: subprocess.Popen) -> None:
    """Ask every process to end, then kill whichever has not within ten seconds."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _tail(path: Path) -> str:
    return path.read_text()[-3000:] if path.exists() else ""


@contextmanager
def replicas(count: int, env: dict[str, str],
             folder: Path) -> Iterator[list[tuple[int, subprocess.Popen]]]:
    """``count`` app processes through deploy/replica.sh, each on its own port; yields each one's
    port and process (replica.sh execs the server, so the process is the server's)."""
    ports = [free_port() for _ in range(count)]
    procs: list[subprocess.Popen] = []
    try:
        for n, port in enumerate(ports):
            with open(folder / f"replica{n}.log", "w") as log:
                procs.append(subprocess.Popen(["bash", str(DEPLOY / "replica.sh"), str(port)],
                                              cwd=ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        for n, (port, proc) in enumerate(zip(ports, procs)):
            wait_for(f"http://127.0.0.1:{port}/_stcore/health", proc,
                     log=folder / f"replica{n}.log")
        yield list(zip(ports, procs))
    finally:
        stop(*procs)
