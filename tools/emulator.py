"""The embedded emulator: MiniStack in its own virtualenv, on loopback, with state under `.local/`.

MiniStack pins botocore, so it cannot share the project's virtualenv. It saves its state only on a
graceful stop (SIGTERM), so `stop()` always tries SIGTERM first.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from tools.targets import LOCAL_DIR

# Pinned: the harness is tested against exactly these. DuckDB gives MiniStack's Athena a real SQL engine.
# boto3 is what the Lambda runtime provides to every Python function (the zips leave it out); MiniStack runs
# handlers on this venv's Python, which has MiniStack's botocore but no boto3 of its own. 1.43.106 is the
# boto3 that matches the botocore MiniStack pins.
REQUIREMENTS = ("ministack==1.5.33", "duckdb==1.5.5", "boto3==1.43.106")
VENV_DIR = LOCAL_DIR / "ministack-venv"
SHIM = Path(__file__).with_name("ministack_shim.py")
HEALTH_PATH = "/_localstack/health"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class EmulatorError(Exception):
    """The emulator could not be installed, started or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class Health:
    version: str
    services: int


def health(endpoint_url: str, timeout: float = 2.0) -> Health | None:
    """The emulator's health, or None when nothing healthy answers at the endpoint."""
    try:
        with urllib.request.urlopen(endpoint_url + HEALTH_PATH, timeout=timeout) as response:  # noqa: S310 - http(s) only
            body = json.loads(response.read())
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("services"), dict):
        return None
    return Health(version=str(body.get("version", "?")), services=len(body["services"]))


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def ensure_installed(quiet: bool = False) -> Path:
    """Create or refresh the emulator's virtualenv; return its Python interpreter. Parallel callers (test workers
    starting their emulators at once) wait for the first one's install instead of installing over it."""
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with FileLock(LOCAL_DIR / "ministack-venv.lock"):
        return _install(quiet)


def _install(quiet: bool) -> Path:
    python = VENV_DIR / "bin" / "python"
    marker = VENV_DIR / "requirements.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    _say(f"installing {', '.join(REQUIREMENTS)} into {VENV_DIR.relative_to(LOCAL_DIR.parent)}", quiet)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise EmulatorError(
            f"could not install the emulator ({' '.join(REQUIREMENTS)}):\n{tail}\n"
            "check that PyPI is reachable, then run `make up` again"
        )
    marker.write_text(wanted)
    return python


@dataclass(frozen=True)
class MiniStack:
    """One emulator instance, identified by its loopback port."""

    port: int

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return LOCAL_DIR / f"emulator-{self.port}"

    @property
    def log_file(self) -> Path:
        return self.home / "ministack.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "ministack.pid"

    def pid(self) -> int | None:
        """PID of the emulator this harness started, if it is still running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _is_ministack_process(pid) else None

    def start(self, quiet: bool = False) -> bool:
        """Start the emulator unless a healthy one already answers; True when this call started it."""
        current = health(self.endpoint_url)
        if current:
            _say(f"reusing the emulator already healthy at {self.endpoint_url} (version {current.version})", quiet)
            return False
        if port_in_use(self.port):
            raise EmulatorError(
                f"port {self.port} is in use by something that is not a healthy emulator; "
                f"stop it, or pick another port with EMULATOR_PORT=<port>"
            )
        python = ensure_installed(quiet)
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own venv's interpreter
                [str(python), str(SHIM)],  # `python -m ministack`, with a state-saving fix
                env=self._environ(),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the caller's terminal must not kill it mid-save
            )
        self.pid_file.write_text(f"{process.pid}\n")
        self._wait_healthy(process)
        _say(f"emulator ready at {self.endpoint_url} (pid {process.pid}, log {self.log_file})", quiet)
        return True

    def stop(self, quiet: bool = False) -> bool:
        """Stop the emulator this harness started, gracefully so it saves its state; True if one was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            if health(self.endpoint_url):
                _say(f"the emulator at {self.endpoint_url} was not started by this project; leaving it running", quiet)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and _is_ministack_process(pid):
            time.sleep(0.2)
        if _is_ministack_process(pid):
            os.kill(pid, signal.SIGKILL)
            _say(f"the emulator did not stop within {STOP_TIMEOUT_S:.0f}s; killed it (its state was not saved)", quiet)
        self.pid_file.unlink(missing_ok=True)
        _say(f"emulator on port {self.port} stopped (state kept in {self.home})", quiet)
        return True

    def reset(self) -> None:
        """Wipe every resource in the emulator (Terraform state then disagrees: use a fresh state)."""
        request = urllib.request.Request(self.endpoint_url + "/_ministack/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass

    def _environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MINISTACK_"))}
        env |= {
            "GATEWAY_PORT": str(self.port),
            "BIND_HOST": "127.0.0.1",
            "IOT_MTLS_ENABLED": "0",  # otherwise it also listens on 8883
            "PERSIST_STATE": "1",  # saved on SIGTERM, restored on start
            "STATE_DIR": str(self.home / "state"),
            "S3_PERSIST": "1",
            "S3_DATA_DIR": str(self.home / "s3"),
            "TMPDIR": str(self.home),  # its PID file and Athena scratch files
            "LOG_LEVEL": os.environ.get("EMULATOR_LOG_LEVEL", "INFO"),
        }
        # Pass through the emulator's own tuning knobs (e.g. MINISTACK_OPENSEARCH_ENDPOINT) when set.
        env |= {k: v for k, v in os.environ.items() if k.startswith("MINISTACK_")}
        return env

    def _wait_healthy(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise EmulatorError(
                    f"the emulator exited with status {process.returncode} while starting:\n"
                    f"{_tail(self.log_file)}\nfull log: {self.log_file}"
                )
            if health(self.endpoint_url, timeout=1.0):
                return
            time.sleep(0.2)
        process.terminate()
        raise EmulatorError(
            f"the emulator did not become healthy within {START_TIMEOUT_S:.0f}s:\n"
            f"{_tail(self.log_file)}\nfull log: {self.log_file}"
        )


def _is_ministack_process(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:  # no /proc (macOS): fall back to "some process with that PID exists"
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return b"ministack" in cmdline


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log written)"


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"emulator: {message}", file=sys.stderr)
