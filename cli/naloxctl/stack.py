"""Run the platform's processes on one machine: start, reuse, wait until ready, stop.

Used by `make up` and by the end-to-end tests (with their own databases, ports and
topic prefix), so the tests exercise exactly what a developer runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from naloxone_kernel.db import database_name, with_database
from naloxone_kernel.registry import GATEWAY_PORT, SERVICES, ServiceEntry
from naloxone_kernel.settings import default_database_url, state_dir


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StackConfig:
    """Where each process of the stack listens and what it connects to (from the registry)."""

    run_dir: Path
    database_urls: dict[str, str]  # service name (and "gateway") -> its database
    ports: dict[str, int]  # process name ("training-api", "gateway", ...) -> port
    topic_prefix: str = ""
    kafka_bootstrap: str | None = None  # None: each process's default
    jwks_path: str | None = None
    #: The development issuer's directory, given to the gateway as GATEWAY_DEV_ISSUER_DIR: the
    #: dashboard's development sign-in. Local stacks only; the deploy renderer never sets it.
    dev_issuer_dir: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def default(cls) -> "StackConfig":
        return cls(
            run_dir=state_dir() / "run",
            database_urls={**{s.name: os.environ.get(f"{s.env_prefix}DATABASE_URL", default_database_url(s.database))
                              for s in SERVICES},
                           "gateway": os.environ.get("GATEWAY_DATABASE_URL", default_database_url("gateway"))},
            ports=registry_ports(),
            dev_issuer_dir=str(state_dir() / "dev-issuer"),  # `naloxctl token`'s issuer
        )

    @property
    def gateway_port(self) -> int:
        return self.ports["gateway"]

    @property
    def gateway_database_url(self) -> str:
        """The gateway's own database (agreements, grants, audit); beside the services' if unnamed."""
        if "gateway" in self.database_urls:
            return self.database_urls["gateway"]
        first = self.database_urls[SERVICES[0].name]
        return with_database(first, f"{database_name(first)}_gateway")

    def port(self, service_name: str, kind: str) -> int:
        return self.ports[f"{service_name}-{kind}"]

    def service_env(self, entry: ServiceEntry) -> dict[str, str]:
        """Every variable one service's processes read, prefixed with its own <NAME>_."""
        p = entry.env_prefix
        env = {f"{p}DATABASE_URL": self.database_urls[entry.name], f"{p}TOPIC_PREFIX": self.topic_prefix,
               f"{p}PORT": str(self.port(entry.name, "api"))}
        for kind in entry.processes:
            if kind != "api":
                env[f"{p}{kind.upper()}_OPS_PORT"] = str(self.port(entry.name, kind))
        if self.kafka_bootstrap:
            env[f"{p}KAFKA_BOOTSTRAP"] = self.kafka_bootstrap
        if self.jwks_path:
            env[f"{p}JWKS_PATH"] = self.jwks_path
        return env


def _process_named(response: httpx.Response) -> str | None:
    """The process a probe says it is (every platform process names itself)."""
    try:
        return response.json().get("process")
    except ValueError:
        return None


def registry_ports(allocate=None) -> dict[str, int]:
    """Every process's port: the registry's, or one from `allocate()` each (tests)."""
    ports = {"gateway": allocate() if allocate else GATEWAY_PORT,
             "gateway-ops": allocate() if allocate else GATEWAY_PORT + 1}
    for entry in SERVICES:
        for kind in entry.processes:
            ports[entry.process_name(kind)] = allocate() if allocate else entry.port(kind)
    return ports


def service_specs(cfg: StackConfig) -> list[ProcessSpec]:
    py = sys.executable
    specs = []
    for entry in SERVICES:
        env = cfg.service_env(entry)
        for kind in entry.processes:
            specs.append(ProcessSpec(entry.process_name(kind), [py, "-m", "naloxone_kernel", entry.name, kind],
                                     f"http://127.0.0.1:{cfg.port(entry.name, kind)}/readyz", env))
    gateway_env = {"GATEWAY_PORT": str(cfg.gateway_port), "GATEWAY_OPS_PORT": str(cfg.ports["gateway-ops"]),
                   "GATEWAY_DATABASE_URL": cfg.gateway_database_url, "GATEWAY_TOPIC_PREFIX": cfg.topic_prefix}
    gateway_env |= {f"GATEWAY_{e.name.upper()}_URL": f"http://127.0.0.1:{cfg.port(e.name, 'api')}" for e in SERVICES}
    if cfg.jwks_path:
        gateway_env["GATEWAY_JWKS_PATH"] = cfg.jwks_path
    if cfg.dev_issuer_dir:
        gateway_env["GATEWAY_DEV_ISSUER_DIR"] = cfg.dev_issuer_dir
    if cfg.kafka_bootstrap:
        gateway_env["GATEWAY_KAFKA_BOOTSTRAP"] = cfg.kafka_bootstrap
    specs.append(ProcessSpec("gateway", [py, "-m", "gateway"], f"http://127.0.0.1:{cfg.ports['gateway-ops']}/readyz",
                             gateway_env))
    return specs


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


class LocalStack:
    def __init__(self, cfg: StackConfig) -> None:
        self.cfg = cfg
        self.specs = service_specs(cfg)
        self.cfg.run_dir.mkdir(parents=True, exist_ok=True)

    @classmethod
    def default(cls) -> "LocalStack":
        return cls(StackConfig.default())

    def spec(self, name: str) -> ProcessSpec:
        return next(s for s in self.specs if s.name == name)

    def pid_file(self, name: str) -> Path:
        return self.cfg.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.cfg.run_dir / f"{name}.log"

    def pid(self, name: str) -> int | None:
        try:
            pid = int(self.pid_file(name).read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def start(self, name: str, extra_env: dict[str, str] | None = None) -> int:
        """Start one process (or reuse it if it is running); returns its pid."""
        running = self.pid(name)
        if running:
            return running
        spec = self.spec(name)
        env = {**os.environ, **spec.env, **self.cfg.extra_env, **(extra_env or {})}
        log = open(self.log_file(name), "ab")
        proc = subprocess.Popen(spec.argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid_file(name).write_text(str(proc.pid))
        return proc.pid

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        spec = self.spec(name)
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.pid(name) is None:
                raise RuntimeError(f"{name} exited; see {self.log_file(name)}")
            try:
                response = httpx.get(spec.ready_url, timeout=2)
                answered_by = _process_named(response)
                if answered_by not in (None, name):  # its port is someone else's: it never started
                    raise RuntimeError(f"{name}'s port {spec.ready_url} is answered by {answered_by}; "
                                       f"see {self.log_file(name)}")
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{name} not ready after {timeout:.0f}s ({last[:200]}); see {self.log_file(name)}")

    def _signal_and_wait(self, names: list[str], sig: int, timeout: float) -> dict[str, bool]:
        """Signal every named process at once, wait for all together, SIGKILL what outlives
        `timeout`: name -> whether it had to be killed, for each that was running."""
        running = {}
        for name in names:
            pid = self.pid(name)
            try:
                if pid is not None:
                    os.kill(pid, sig)
                    running[name] = pid
            except ProcessLookupError:
                pass
            if name not in running:
                self.pid_file(name).unlink(missing_ok=True)
        deadline = time.monotonic() + timeout
        while any(_alive(pid) for pid in running.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        killed = {}
        for name, pid in running.items():
            killed[name] = _alive(pid)
            if killed[name]:
                os.kill(pid, signal.SIGKILL)
            self.pid_file(name).unlink(missing_ok=True)
        return killed

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        self._signal_and_wait([name], sig, timeout)

    def kill(self, name: str) -> None:
        """SIGKILL: an unclean death, as a crash would be."""
        self._signal_and_wait([name], signal.SIGKILL, 10)

    def up(self, quiet: bool = False) -> None:
        for spec in self.specs:
            reused = self.pid(spec.name) is not None
            pid = self.start(spec.name)
            if not quiet:
                print(f"  {spec.name:20} pid {pid} {'(already running)' if reused else 'started'}", file=sys.stderr)
        for spec in self.specs:
            self.wait_ready(spec.name)
            if not quiet:
                print(f"  {spec.name:20} ready  {spec.ready_url}", file=sys.stderr)

    def down(self, quiet: bool = False, timeout: float = 15.0) -> None:
        """SIGTERM every process at once and wait for all together: the stack stops in the time
        of its slowest process, not the sum of them all."""
        for name, killed in self._signal_and_wait([s.name for s in reversed(self.specs)], signal.SIGTERM,
                                                  timeout).items():
            if killed:
                print(f"  {name:20} did not stop within {timeout:.0f}s; killed", file=sys.stderr)
            if not quiet:
                print(f"  {name:20} stopped", file=sys.stderr)

    def status(self) -> bool:
        ok = True
        for spec in self.specs:
            pid = self.pid(spec.name)
            ok &= pid is not None
            print(f"  {spec.name:20} {'running pid ' + str(pid) if pid else 'stopped'}")
        return ok


def migrate_all(cfg: StackConfig | None = None) -> None:
    """Each service applies the kernel's and its own Alembic migrations, in its own database.

    In this process, one service after another (Alembic runs its own event loop: call from a
    thread when one is running): a process per service spent most of its time starting Python.
    """
    from naloxone_kernel.migrations import upgrade

    cfg = cfg or StackConfig.default()
    for entry in SERVICES:
        upgrade(cfg.database_urls[entry.name], entry.package)
        print(f"{entry.name}: migrations applied", file=sys.stderr)
