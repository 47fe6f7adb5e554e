"""The sign-in window: sign in, create account, verify the email, reset the password."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import protocol
from desktop.core.errors import ApiError, NetworkError
from desktop.net.address import normalize_url
from desktop.qt.session import Session
from desktop.ui import theme
from desktop.ui.form_page import FormPage
from desktop.ui.widgets import Field

RESEND_COOLDOWN_S = 60


class LoginWindow(QWidget):
    """Sign in — Parley.

    Signals:
        busyChanged(bool): a request is in flight (buttons disabled meanwhile).
        hostServerRequested(): "Host a server on this computer" was clicked.
    """

    busyChanged = Signal(bool)
    hostServerRequested = Signal()

    def __init__(self, session: Session, server_url: str, email: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("LoginWindow")
        self.setWindowTitle(self.tr("Sign in — Parley"))
        self.setWindowIcon(theme.icon("parley", "#2f6fed", 64))
        self.resize(440, 640)
        self._cooldown = 0
        self._cooldown_timer = QTimer(self)
        self._cooldown_timer.setInterval(1000)
        self._cooldown_timer.timeout.connect(self._tick)
        self._busy = False
        #: The code step sends the password just typed with the code; held only while that step is open.
        self._verify_email = ""
        self._verify_password = ""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 20)
        logo = QLabel()
        logo.setPixmap(theme.icon("parley", "#2f6fed", 56).pixmap(56, 56))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        logo.setAccessibleName("Parley")
        outer.addWidget(logo)
        outer.addSpacing(8)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        # sign in ------------------------------------------------------------
        # "Welcome back" only for someone who signed in on this computer before (their email is known)
        greeting = self.tr("Welcome back to Parley.") if email else \
            self.tr("Welcome to Parley. Sign in, or create an account below.")
        p = self.sign_in_page = FormPage(self.tr("Sign in"), greeting, self.tr("Sign in"))
        self.email = p.add_field("email", Field(self.tr("Email"), placeholder="you@example.org"))
        self.password = p.add_field("password", Field(self.tr("Password"), password=True))
        self.email.edit.setText(email)
        p.finish()
        links = QHBoxLayout()
        self.forgot_link = self._link(self.tr("Forgot password?"), self._show_forgot)
        self.create_link = self._link(self.tr("Create account"), self._show_register)
        links.addWidget(self.forgot_link)
        links.addStretch(1)
        links.addWidget(self.create_link)
        p.layout_.addLayout(links)
        p.layout_.addStretch(1)
        line = QFrame()
        line.setObjectName("separator")
        line.setFixedHeight(1)
        p.layout_.addWidget(line)
        self.server = Field(self.tr("Server address"), placeholder="https://chat.example.org",
                            hint=self.tr("The Parley server you use. Parley remembers it."))
        self.server.edit.setText(server_url)
        p.layout_.addWidget(self.server)
        self.server.edit.returnPressed.connect(p.button.click)
        p.fields["server"] = self.server
        self.host_link = self._link(self.tr("No server? Host one on this computer"), self.hostServerRequested.emit)
        p.layout_.addWidget(self.host_link)
        p.button.clicked.connect(self._sign_in)
        self.stack.addWidget(p)

        # create account -------------------------------------------------------
        r = self.register_page = FormPage(self.tr("Create account"), self.tr("It takes a minute. We'll email you a code."),
                                       self.tr("Create account"))
        self.reg_name = r.add_field("display_name", Field(self.tr("Your name"),
                                                          hint=self.tr("How people see you, 1 to 64 characters.")))
        self.reg_email = r.add_field("email", Field(self.tr("Email"), placeholder="you@example.org"))
        self.reg_password = r.add_field("password", Field(self.tr("Password"), password=True,
                                                          hint=self._password_rule()))
        self.reg_password.edit.textChanged.connect(lambda t: self._check_password(self.reg_password, t))
        r.finish()
        r.layout_.addWidget(self._link(self.tr("I already have an account"), self._show_sign_in))
        r.layout_.addStretch(1)
        r.button.clicked.connect(self._register)
        self.stack.addWidget(r)

        # verify ------------------------------------------------------------
        v = self.verify_page = FormPage(self.tr("Check your email"), "", self.tr("Verify"))
        self.code = v.add_field("code", Field(self.tr("6-digit code"), placeholder="123456"))
        self.code.edit.setMaxLength(6)
        self.code.edit.setInputMask("")
        v.finish()
        self.resend = QPushButton(self.tr("Send a new code"))
        self.resend.setObjectName("link")
        self.resend.clicked.connect(self._resend)
        v.layout_.addWidget(self.resend)
        v.layout_.addWidget(self._link(self.tr("Back to sign in"), self._show_sign_in))
        v.layout_.addStretch(1)
        v.button.clicked.connect(self._verify)
        self.stack.addWidget(v)

        # forgot password -------------------------------------------------------
        f = self.forgot_page = FormPage(self.tr("Reset your password"),
                                     self.tr("We'll email you a code to choose a new password."),
                                     self.tr("Send code"))
        self.forgot_email = f.add_field("email", Field(self.tr("Email"), placeholder="you@example.org"))
        f.finish()
        f.layout_.addWidget(self._link(self.tr("Back to sign in"), self._show_sign_in))
        f.layout_.addStretch(1)
        f.button.clicked.connect(self._forgot)
        self.stack.addWidget(f)

        # reset password --------------------------------------------------------
        s = self.reset_page = FormPage(self.tr("Choose a new password"), "", self.tr("Change password"))
        self.reset_code = s.add_field("code", Field(self.tr("6-digit code"), placeholder="123456"))
        self.reset_code.edit.setMaxLength(6)
        self.new_password = s.add_field("new_password", Field(self.tr("New password"), password=True,
                                                             hint=self._password_rule()))
        self.new_password.edit.textChanged.connect(lambda t: self._check_password(self.new_password, t))
        s.finish()
        s.layout_.addWidget(self._link(self.tr("Back to sign in"), self._show_sign_in))
        s.layout_.addStretch(1)
        s.button.clicked.connect(self._reset)
        self.stack.addWidget(s)

        self.setTabOrder(self.email.edit, self.password.edit)
        self.setTabOrder(self.password.edit, p.button)
        self.setTabOrder(p.button, self.forgot_link)
        self.setTabOrder(self.forgot_link, self.create_link)
        self.setTabOrder(self.create_link, self.server.edit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self._escape)
        self._show_sign_in()

    # navigation -------------------------------------------------------------------
    def _link(self, text: str, slot: object) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName("link")
        b.setCursor(Qt.CursorShape.PointingHandCursor)
        b.setAccessibleName(text)
        b.clicked.connect(slot)
        return b

    def _go(self, page: FormPage, focus: Field) -> None:
        page.clear_errors()
        self.stack.setCurrentWidget(page)
        focus.edit.setFocus()

    def _show_sign_in(self) -> None:
        self._verify_password = ""
        self._go(self.sign_in_page, self._first_empty_sign_in_field())

    def _first_empty_sign_in_field(self) -> Field:
        """Where typing starts: the password when the email is already there (a returning person)."""
        return self.password if self.email.text().strip() else self.email

    def _show_register(self) -> None:
        self.reg_email.edit.setText(self.reg_email.text() or self.email.text())
        self._go(self.register_page, self.reg_name)

    def _show_verify(self, email: str, password: str, note: str = "") -> None:
        """The code step; ``password`` is the one just typed (registering or signing in), sent with the code."""
        self._verify_email = email
        self._verify_password = password
        self.verify_page.subtitle.setText(self.tr("We sent a 6-digit code to %1. Type it here.").replace("%1", email))
        self.code.edit.clear()
        self._go(self.verify_page, self.code)
        self.verify_page.show_note(note)

    def _show_forgot(self) -> None:
        self.forgot_email.edit.setText(self.forgot_email.text() or self.email.text())
        self._go(self.forgot_page, self.forgot_email)

    def _escape(self) -> None:
        if self.stack.currentWidget() is not self.sign_in_page and not self._busy:
            self._show_sign_in()

    def use_server(self, url: str) -> None:
        """Fills in a server address (the hosted one) and goes back to signing in."""
        self.server.edit.setText(url)
        self._show_sign_in()

    def show_message(self, text: str) -> None:
        """A note above the sign-in form (e.g. why the session ended)."""
        self._show_sign_in()
        self.sign_in_page.show_note(text)

    def show_keyring_missing(self) -> None:
        """Why the person must sign in although they did not sign out: no usable keyring.

        Without this the window just reappears after every restart, which looks like a bug.
        """
        self.show_message(self.tr(
            "Parley couldn't use this computer's keyring (the system's safe store for passwords), so it "
            "could not keep you signed in. Sign in again. Until a keyring is available (for example GNOME "
            "Keyring or KWallet), Parley asks for your password each time it starts."))

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.stack.currentWidget() is self.sign_in_page:
            self._first_empty_sign_in_field().edit.setFocus()

    # actions ---------------------------------------------------------------------------
    def _server_url(self) -> str | None:
        url = self.server.text().strip()
        if not url:
            self._go(self.sign_in_page, self.server)
            self.server.set_error(self.tr("Enter the address of your Parley server."))
            return None
        return url

    def _sign_in(self) -> None:
        p = self.sign_in_page
        p.clear_errors()
        email, password = self.email.text().strip(), self.password.text()
        ok = self._need(self.email, email, self.tr("Enter your email address.")) & \
            self._need(self.password, password, self.tr("Enter your password."))
        url = self._server_url()
        if not ok or url is None:
            return
        self._set_busy(p, True, self.tr("Signing in…"))

        def failed(exc: Exception) -> None:
            self._set_busy(p, False)
            if isinstance(exc, ApiError) and exc.code == "email_not_verified":
                self._show_verify(email, password, self.tr("Verify your email address first."))
                return
            if isinstance(exc, ApiError) and exc.code == "invalid_credentials":
                self.password.set_error(self._explain(exc))
                self.password.edit.selectAll()
                self.password.edit.setFocus()
                return
            self._show_failure(p, exc, {"email": self.email, "password": self.password})

        self.session.sign_in(url, email, password, failed)

    def _register(self) -> None:
        r = self.register_page
        r.clear_errors()
        name, email, password = self.reg_name.text().strip(), self.reg_email.text().strip(), self.reg_password.text()
        ok = self._need(self.reg_name, name, self.tr("Enter your name."))
        ok &= self._need(self.reg_email, email, self.tr("Enter your email address."))
        if email and "@" not in email:
            self.reg_email.set_error(self.tr("That doesn't look like an email address."))
            ok = False
        if len(password) < protocol.MIN_PASSWORD or len(password) > protocol.MAX_PASSWORD:
            self.reg_password.set_error(self._password_rule())
            ok = False
        if len(name) > protocol.MAX_DISPLAY_NAME:
            self.reg_name.set_error(self.tr("Use at most 64 characters."))
            ok = False
        url = self._server_url()
        if not ok or url is None:
            return
        self._set_busy(r, True, self.tr("Creating account…"))

        def done(_: object) -> None:
            self._set_busy(r, False)
            self.email.edit.setText(email)
            self._start_cooldown(RESEND_COOLDOWN_S)
            self._show_verify(email, password)

        def failed(exc: Exception) -> None:
            self._set_busy(r, False)
            self._show_failure(r, exc, {"display_name": self.reg_name, "email": self.reg_email,
                                        "password": self.reg_password})

        locale = "vi" if QLocale().language() == QLocale.Language.Vietnamese else "en"
        self.session.register(url, email, password, name, locale, done, failed)

    def _verify(self) -> None:
        v = self.verify_page
        v.clear_errors()
        code = self.code.text().strip()
        if not (len(code) == 6 and code.isdigit()):
            self.code.set_error(self.tr("The code has 6 digits."))
            return
        url = self._server_url()
        if url is None:
            return
        self._set_busy(v, True, self.tr("Checking…"))

        def failed(exc: Exception) -> None:
            self._set_busy(v, False)
            self._show_failure(v, exc, {"code": self.code, "email": self.code},
                               code_field={"invalid_code", "code_expired", "too_many_attempts"})

        self.session.verify(url, self._verify_email, code, self._verify_password, failed)

    def _resend(self) -> None:
        url = self._server_url()
        if url is None or self._cooldown > 0:
            return
        v = self.verify_page
        v.clear_errors()
        self.resend.setEnabled(False)

        def done(_: object) -> None:
            v.show_note(self.tr("We sent a new code."))
            self._start_cooldown(RESEND_COOLDOWN_S)

        def failed(exc: Exception) -> None:
            if isinstance(exc, ApiError) and exc.code == "rate_limited":
                self._start_cooldown(int((exc.retry_after or RESEND_COOLDOWN_S) + 0.999))
            else:
                self.resend.setEnabled(True)
            v.show_error(self._explain(exc))

        self.session.resend_code(url, self._verify_email, done, failed)

    def _forgot(self) -> None:
        f = self.forgot_page
        f.clear_errors()
        email = self.forgot_email.text().strip()
        if not self._need(self.forgot_email, email, self.tr("Enter your email address.")):
            return
        url = self._server_url()
        if url is None:
            return
        self._set_busy(f, True, self.tr("Sending…"))

        def done(_: object) -> None:
            self._set_busy(f, False)
            self._reset_email = email
            self.reset_page.subtitle.setText(
                self.tr("If %1 has an account, we sent it a 6-digit code.").replace("%1", email))
            self.reset_code.edit.clear()
            self.new_password.edit.clear()
            self._go(self.reset_page, self.reset_code)

        def failed(exc: Exception) -> None:
            self._set_busy(f, False)
            self._show_failure(f, exc, {"email": self.forgot_email})

        self.session.forgot_password(url, email, done, failed)

    def _reset(self) -> None:
        s = self.reset_page
        s.clear_errors()
        code, password = self.reset_code.text().strip(), self.new_password.text()
        ok = True
        if not (len(code) == 6 and code.isdigit()):
            self.reset_code.set_error(self.tr("The code has 6 digits."))
            ok = False
        if len(password) < protocol.MIN_PASSWORD or len(password) > protocol.MAX_PASSWORD:
            self.new_password.set_error(self._password_rule())
            ok = False
        url = self._server_url()
        if not ok or url is None:
            return
        self._set_busy(s, True, self.tr("Changing password…"))

        def done(_: object) -> None:
            self._set_busy(s, False)
            self.email.edit.setText(self._reset_email)
            self.password.edit.clear()
            self.show_message(self.tr("Your password was changed. Sign in with the new one."))
            self.password.edit.setFocus()

        def failed(exc: Exception) -> None:
            self._set_busy(s, False)
            self._show_failure(s, exc, {"code": self.reset_code, "new_password": self.new_password,
                                        "password": self.new_password},
                               code_field={"invalid_code", "code_expired", "too_many_attempts"})

        self.session.reset_password(url, self._reset_email, code, password, done, failed)

    # helpers ------------------------------------------------------------------------------
    def _password_rule(self) -> str:
        return self.tr("At least %1 characters (at most %2).").replace("%1", str(protocol.MIN_PASSWORD)) \
            .replace("%2", str(protocol.MAX_PASSWORD))

    def _check_password(self, field: Field, text: str) -> None:
        ok = protocol.MIN_PASSWORD <= len(text) <= protocol.MAX_PASSWORD
        field.set_hint(("✓ " if ok else "") + self._password_rule(), ok=ok)

    def _need(self, field: Field, value: str, message: str) -> bool:
        if not value:
            field.set_error(message)
            return False
        return True

    def _set_busy(self, page: FormPage, busy: bool, label: str = "") -> None:
        self._busy = busy
        page.set_busy(busy, label)
        self.busyChanged.emit(busy)

    def _explain(self, exc: Exception) -> str:
        from desktop.ui.texts import explain

        return explain(exc)

    def _show_failure(self, page: FormPage, exc: Exception, fields: dict[str, Field],
                      code_field: set[str] | None = None) -> None:
        """Put each server message next to its field; the rest above the form."""
        if isinstance(exc, NetworkError) and exc.kind == "cleartext":
            self._confirm_cleartext(page)
            return
        if isinstance(exc, NetworkError) and exc.kind == "bad_address":
            self._go(self.sign_in_page, self.server)
            self.server.set_error(self._explain(exc))
            return
        page.show_failure(exc, fields, code_field or set())

    def _confirm_cleartext(self, page: FormPage) -> None:
        """Plain http to a public host: only after the person confirms the warning."""
        url = self._server_url()
        if url is None:
            return
        if confirm_cleartext(self, url):
            self.session.allow_cleartext(url)
            page.show_note(self.tr("Unencrypted connection allowed for this server. Press the button again."))
        else:
            self._go(self.sign_in_page, self.server)
            self.server.set_error(self.tr("Use an https:// address, or ask the server's admin to set up HTTPS."))

    def _start_cooldown(self, seconds: int) -> None:
        self._cooldown = max(self._cooldown, seconds)
        self._tick(advance=False)
        self._cooldown_timer.start()

    def _tick(self, advance: bool = True) -> None:
        if advance:
            self._cooldown -= 1
        if self._cooldown > 0:
            self.resend.setEnabled(False)
            self.resend.setText(self.tr("Send a new code in %1 s").replace("%1", str(self._cooldown)))
        else:
            self._cooldown_timer.stop()
            self.resend.setEnabled(True)
            self.resend.setText(self.tr("Send a new code"))


def confirm_cleartext(parent: QWidget | None, url: str) -> bool:
    """Asks before a password goes to ``url`` unencrypted; No is the default button."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("LoginWindow", "Unencrypted connection"),
                      QCoreApplication.translate(
                          "LoginWindow", "%1 uses plain http://. Your password and messages would travel "
                          "unencrypted, and anyone on the network path could read them. Continue anyway?")
                      .replace("%1", normalize_url(url)),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
