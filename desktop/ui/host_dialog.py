"""The "Host a server on this computer" window."""
from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from desktop.qt.hosting import ServerHost


class HostServerDialog(QDialog):
    """Starts and stops the hosted server and shows the address others should use.

    Signals:
        useServer(str): the person wants to sign in to the hosted server (its local URL).
    """

    useServer = Signal(str)

    def __init__(self, host: ServerHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle(self.tr("Host a server — Parley"))
        self.setMinimumWidth(460)
        intro = QLabel(self.tr(
            "Run a Parley server on this computer so a small team can chat. It keeps its data in your "
            "user folder and stops when you quit Parley."))
        intro.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("Server status"))
        self.address = QLabel()
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setAccessibleName(self.tr("Address for others"))
        self.address.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.copy_button = QPushButton(self.tr("Copy address"))
        self.copy_button.clicked.connect(self._copy)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_button)

        self.start_button = QPushButton(self.tr("Start server"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start)
        self.stop_button = QPushButton(self.tr("Stop server"))
        self.stop_button.clicked.connect(self.host.stop)
        self.use_button = QPushButton(self.tr("Sign in to this server"))
        self.use_button.clicked.connect(self._use)
        self.outbox_button = QPushButton(self.tr("Open mail outbox"))
        self.outbox_button.setToolTip(self.tr("Verification codes are written here as .eml files"))
        self.outbox_button.clicked.connect(self._open_outbox)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        actions = QHBoxLayout()
        for b in (self.start_button, self.stop_button, self.use_button, self.outbox_button):
            actions.addWidget(b)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 18, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addLayout(actions)
        layout.addWidget(buttons)

        host.started.connect(self._started)
        host.failed.connect(self._failed)
        host.stopped.connect(self._stopped)
        if host.ready:
            self._started(host.url, host.addresses)
        else:
            self._show_stopped(self.tr("The server is not running."))

    # bound methods, not lambdas capturing self: a child's slot must not keep its window alive
    # (desktop/qt/lifetime.py)
    def _use(self) -> None:
        self.useServer.emit(self.host.url)

    def _open_outbox(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.host.outbox)))

    def _start(self) -> None:
        self.status.setText(self.tr("Starting the server…"))
        self.start_button.setEnabled(False)
        self.host.start()

    def _started(self, url: str, addresses: list) -> None:
        shared = addresses[0] if addresses else url
        self.status.setText(self.tr("The server is running. People on your network connect with this address "
                                    "(this computer itself can use %1):").replace("%1", url))
        self.address.setText(shared)
        for w in (self.address, self.copy_button, self.stop_button, self.use_button, self.outbox_button):
            w.setVisible(True)
        self.stop_button.setEnabled(True)
        self.start_button.setVisible(False)
        self.adjustSize()

    def _failed(self, message: str) -> None:
        self._show_stopped(self.tr("The server could not start.") + "\n" + message)

    def _stopped(self) -> None:
        if not self.host.ready:
            self._show_stopped(self.status.text() if "could not" in self.status.text()
                               else self.tr("The server is stopped."))

    def _show_stopped(self, text: str) -> None:
        self.status.setText(text)
        self.address.clear()
        for w in (self.address, self.copy_button, self.stop_button, self.use_button):
            w.setVisible(False)
        self.start_button.setVisible(True)
        self.start_button.setEnabled(True)
        self.adjustSize()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.address.text())
