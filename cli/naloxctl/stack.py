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

from naloxone_kernel.settings import default_database_url, state_dir


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StackConfig:
    run_dir: Path
    training_database_url: str
    topic_prefix: str = ""
    gateway_port: int = 8080
    training_port: int = 8101
    training_relay_ops_port: int = 8102
    training_projector_ops_port: int = 8103
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def default(cls) -> "StackConfig":
        return cls(run_dir=state_dir() / "run", training_database_url=os.environ.get(
            "TRAINING_DATABASE_URL", default_database_url("training")))


def service_specs(cfg: StackConfig) -> list[ProcessSpec]:
    py = sys.executable
    training_env = {
        "TRAINING_DATABASE_URL": cfg.training_database_url,
        "TRAINING_TOPIC_PREFIX": cfg.topic_prefix,
        "TRAINING_PORT": str(cfg.training_port),
        "TRAINING_RELAY_OPS_PORT": str(cfg.training_relay_ops_port),
        "TRAINING_PROJECTOR_OPS_PORT": str(cfg.training_projector_ops_port),
    }
    return [
        ProcessSpec("training-api", [py, "-m", "training", "api"],
                    f"http://127.0.0.1:{cfg.training_port}/readyz", training_env),
        ProcessSpec("training-relay", [py, "-m", "training", "relay"],
                    f"http://127.0.0.1:{cfg.training_relay_ops_port}/readyz", training_env),
        ProcessSpec("training-projector", [py, "-m", "training", "projector"],
                    f"http://127.0.0.1:{cfg.training_projector_ops_port}/readyz", training_env),
        ProcessSpec("gateway", [py, "-m", "gateway"], f"http://127.0.0.1:{cfg.gateway_port}/readyz",
                    {"GATEWAY_PORT": str(cfg.gateway_port),
                     "GATEWAY_TRAINING_URL": f"http://127.0.0.1:{cfg.training_port}"}),
    ]


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
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{name} not ready after {timeout:.0f}s ({last[:200]}); see {self.log_file(name)}")

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        pid = self.pid(name)
        if pid is None:
            self.pid_file(name).unlink(missing_ok=True)
            return
        os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file(name).unlink(missing_ok=True)

    def kill(self, name: str) -> None:
        """SIGKILL: an unclean death, as a crash would be."""
        pid = self.pid(name)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.pid_file(name).unlink(missing_ok=True)

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

    def down(self, quiet: bool = False) -> None:
        for spec in reversed(self.specs):
            self.stop(spec.name)
            if not quiet:
                print(f"  {spec.name:20} stopped", file=sys.stderr)

    def status(self) -> bool:
        ok = True
        for spec in self.specs:
            pid = self.pid(spec.name)
            ok &= pid is not None
            print(f"  {spec.name:20} {'running pid ' + str(pid) if pid else 'stopped'}")
        return ok


def migrate_all(env: dict[str, str] | None = None) -> None:
    """Each service applies its own Alembic migrations, in its own database."""
    for service in ("training",):
        subprocess.run([sys.executable, "-m", service, "migrate"], check=True, env={**os.environ, **(env or {})})
