"""Disabling and enabling an account, after a confirmation: a card of the admin's Server status window."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout

from desktop.core.errors import ApiError
from desktop.core.server_status import AccountState
from desktop.net.admin import AdminClient
from desktop.qt.tasks import TaskRunner
from desktop.ui.day_chart import fill
from desktop.ui.plain import plain
from desktop.ui.texts import _t, explain


def explain_admin(exc: Exception) -> str:
    """Plain words for the admin endpoints' own refusals, else :func:`desktop.ui.texts.explain`."""
    if isinstance(exc, ApiError):
        words = {"forbidden": _t("This account is not an admin on this server."),
                 "cannot_disable_self": _t("You cannot disable your own account here."),
                 "not_found": _t("No account has this email address.")}.get(exc.code)
        if words:
            return words
    return explain(exc)


class AccountsCard(QFrame):
    """An email field with Disable… and Enable…; each asks first, then calls the server on a worker.

    Signals:
        changed(object): an account was disabled or enabled (an :class:`AccountState`).

    Attributes:
        confirmation: the open "Disable …?" / "Enable …?" question, if any.
    """

    changed = Signal(object)

    def __init__(self, client: AdminClient, runner: TaskRunner, my_email: str) -> None:
        super().__init__()
        self.client = client
        self.runner = runner
        self.my_email = my_email.lower()
        self.confirmation: QMessageBox | None = None
        self._question: tuple[object, str, bool] = (None, "", False)  # (its "yes" button, email, disable?)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        title = QLabel(self.tr("Accounts"))
        title.setObjectName("fieldLabel")
        layout.addWidget(title)
        hint = QLabel(self.tr("Disabling an account signs it out everywhere and stops it from signing in. "
                              "Enabling it lets the person sign in again."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        row = QHBoxLayout()
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("Email address of the account"))
        self.email.setAccessibleName(self.tr("Account email"))
        self.email.setClearButtonEnabled(True)
        row.addWidget(self.email, 1)
        self.disable_button = QPushButton(self.tr("&Disable…"))
        self.disable_button.clicked.connect(self._ask_disable)
        self.enable_button = QPushButton(self.tr("&Enable…"))
        self.enable_button.clicked.connect(self._ask_enable)
        row.addWidget(self.disable_button)
        row.addWidget(self.enable_button)
        layout.addLayout(row)
        self.note = plain(QLabel())
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)

    def ask(self, disable: bool) -> None:
        """Asks to confirm disabling (or enabling) the account in the email field."""
        email = self.email.text().strip()
        if not email:
            self._note(self.tr("Enter the email address of the account first."), bad=True)
            self.email.setFocus()
            return
        if disable and email.lower() == self.my_email:
            self._note(self.tr("You cannot disable your own account here."), bad=True)
            return
        box = QMessageBox(self.window())
        box.setIcon(QMessageBox.Icon.Warning if disable else QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(self.tr("Disable account") if disable else self.tr("Enable account"))
        box.setText(fill(self.tr("Disable %1? They are signed out on every device and cannot sign in until "
                                 "an admin enables the account again.") if disable else
                         self.tr("Enable %1? The person can sign in again."), email))
        yes = box.addButton(self.tr("Disable") if disable else self.tr("Enable"),
                            QMessageBox.ButtonRole.DestructiveRole if disable else QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter on a slip does nothing
        box.setEscapeButton(cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(self._answered)
        self.confirmation = box
        self._question = (yes, email, disable)
        box.open()

    # bound methods, not lambdas capturing self: a child's slot must not keep its window alive
    # (desktop/qt/lifetime.py)
    def _ask_disable(self) -> None:
        self.ask(True)

    def _ask_enable(self) -> None:
        self.ask(False)

    def _answered(self, _result: int) -> None:
        box, (yes, email, disable) = self.confirmation, self._question
        self.confirmation = None
        if box is None:
            return
        confirmed = box.clickedButton() is yes
        box.deleteLater()
        if not confirmed:
            return
        self._busy(True)
        client = self.client  # the worker holds the client, not this widget
        self.runner.run(lambda: client.set_disabled(email, disable), self._changed, self._failed, guard=self)

    def _changed(self, account: AccountState) -> None:
        self._busy(False)
        if account.disabled:
            self._note(fill(self.tr("%1 is disabled; %2 sessions were ended."), account.email,
                            account.sessions_ended))
        else:
            self._note(fill(self.tr("%1 is enabled and can sign in again."), account.email))
        self.changed.emit(account)

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self._note(explain_admin(exc), bad=True)

    def _busy(self, busy: bool) -> None:
        self.disable_button.setEnabled(not busy)
        self.enable_button.setEnabled(not busy)

    def _note(self, text: str, bad: bool = False) -> None:
        self.note.setText(text)
        self.note.setObjectName("error" if bad else "hintOk")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.show()
