"""Hosting the bundled server on this computer, for a small team.

:class:`ServerHost` runs ``parley-server serve`` as a child process on its
embedded defaults (SQLite, local video storage, console mail) in the user's
data dir, tells when it answers, and which addresses others on the network
can use. Everything is asynchronous (QProcess, QNetworkAccessManager), so the
GUI thread never waits; the process is stopped when the app quits.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, QUrl, Signal
from PySide6.QtNetwork import QAbstractSocket, QHostAddress, QNetworkAccessManager, QNetworkInterface, \
    QNetworkReply, QNetworkRequest, QTcpServer

DEFAULT_PORT = 8000


def server_command(args: list[str]) -> tuple[str, list[str]]:
    """How to run the server: the bundle runs itself with ``server``; a source install uses ``-m server``."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["server", *args]
    return sys.executable, ["-m", "server", *args]


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("parley-server", "Parley"))


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """``preferred`` when nothing listens there, otherwise any free port."""
    probe = QTcpServer()
    if probe.listen(QHostAddress.SpecialAddress.AnyIPv4, preferred):
        probe.close()
        return preferred
    probe.listen(QHostAddress.SpecialAddress.AnyIPv4, 0)
    port = probe.serverPort()
    probe.close()
    return port


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses others on the network can reach (no loopback)."""
    out = []
    for iface in QNetworkInterface.allInterfaces():
        flags = iface.flags()
        if not flags & QNetworkInterface.InterfaceFlag.IsUp or flags & QNetworkInterface.InterfaceFlag.IsLoopBack:
            continue
        for entry in iface.addressEntries():
            ip = entry.ip()
            if ip.protocol() == QAbstractSocket.NetworkLayerProtocol.IPv4Protocol and not ip.isLoopback():
                out.append(ip.toString())
    return sorted(set(out))


class ServerHost(QObject):
    """A ``parley-server`` child process.

    Signals:
        started(str, list): the local URL, and the URLs others can use.
        failed(str): why it could not start (in words a person understands).
        stopped(): the process ended.
    """

    started = Signal(str, list)
    failed = Signal(str)
    stopped = Signal()

    def __init__(self, data_dir: Path | None = None, *, port: int | None = None, bind: str = "0.0.0.0",
                 start_timeout_ms: int = 30000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir or default_data_dir()
        self.bind = bind
        self.port = port
        self.start_timeout_ms = start_timeout_ms
        self.url = ""
        self.addresses: list[str] = []
        self._proc: QProcess | None = None
        self._net = QNetworkAccessManager(self)
        self._poll = QTimer(self, interval=150)
        self._poll.timeout.connect(self._check_health)
        self._deadline = QTimer(self, singleShot=True)
        self._deadline.timeout.connect(self._too_slow)
        self._output = bytearray()
        self._ready = False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    def start(self) -> None:
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = self.port or free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.addresses = [f"http://{ip}:{port}" for ip in lan_addresses()]
        env = QProcessEnvironment.systemEnvironment()
        for name in [n for n in env.keys() if n.startswith("PARLEY_")]:  # embedded defaults only
            env.remove(name)
        env.insert("PARLEY_DATA_DIR", str(self.data_dir))
        env.insert("PARLEY_PUBLIC_URL", self.addresses[0] if self.addresses else self.url)
        env.insert("PARLEY_LOG_FORMAT", "text")
        proc = QProcess(self)
        proc.setProcessEnvironment(env)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        proc.readyReadStandardOutput.connect(lambda: self._output.extend(bytes(proc.readAllStandardOutput())))
        proc.finished.connect(self._finished)
        proc.errorOccurred.connect(self._error)
        program, args = server_command(["serve", "--host", self.bind, "--port", str(port)])
        self._proc, self._ready = proc, False
        self._output.clear()
        proc.start(program, args)
        self._poll.start()
        self._deadline.start(self.start_timeout_ms)

    def stop(self, wait_ms: int = 8000) -> None:
        """Asks the server to shut down gracefully (SIGTERM); kills it if it does not."""
        proc = self._proc
        if proc is None or proc.state() == QProcess.ProcessState.NotRunning:
            return
        self._poll.stop()
        self._deadline.stop()
        proc.terminate()
        if not proc.waitForFinished(wait_ms):
            proc.kill()
            proc.waitForFinished(2000)

    def log_tail(self, chars: int = 2000) -> str:
        return bytes(self._output[-chars:]).decode("utf-8", "replace")

    # --- internals ------------------------------------------------------------
    def _check_health(self) -> None:
        reply = self._net.get(QNetworkRequest(QUrl(f"{self.url}/healthz")))
        reply.finished.connect(lambda: self._health_reply(reply))

    def _health_reply(self, reply: QNetworkReply) -> None:
        ok = reply.error() == QNetworkReply.NetworkError.NoError
        reply.deleteLater()
        if ok and not self._ready and self.running:
            self._ready = True
            self._poll.stop()
            self._deadline.stop()
            self.started.emit(self.url, self.addresses)

    def _too_slow(self) -> None:
        self.stop()
        self.failed.emit(f"The server did not start within {self.start_timeout_ms // 1000} seconds.\n"
                         f"{self.log_tail(600)}")

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._poll.stop()
            self._deadline.stop()
            self.failed.emit("The server program could not be started on this computer.")

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._poll.stop()
        self._deadline.stop()
        was_ready, self._ready = self._ready, False
        if not was_ready and code != 0:
            tail = self.log_tail(600).strip()
            self.failed.emit("The server stopped while starting." + (f"\n{tail}" if tail else ""))
        self.stopped.emit()


def hosting_supported() -> bool:
    """A bundle always carries the server; a source install does when the package is importable."""
    if getattr(sys, "frozen", False):
        return True
    try:
        import server  # noqa: F401
    except ImportError:
        return False
    return os.access(sys.executable, os.X_OK)
