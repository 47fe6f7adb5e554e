"""SMTP backend (also fits SES's SMTP interface: port 587 with STARTTLS)."""
from __future__ import annotations

import smtplib
import ssl

from server.config import Config
from server.mail.base import Email


class SmtpMailer:
    name = "smtp"

    def __init__(self, config: Config) -> None:
        self.c = config

    def _connect(self) -> smtplib.SMTP:
        c = self.c
        if c.smtp_security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(c.smtp_host, c.smtp_port, timeout=c.smtp_timeout,
                                                  context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.smtp_timeout)
            if c.smtp_security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        if c.smtp_username:
            conn.login(c.smtp_username, c.smtp_password or "")
        return conn

    def send(self, email: Email) -> None:
        with self._connect() as conn:
            conn.send_message(email.to_mime(self.c.mail_from))

    def check(self) -> str:
        with self._connect() as conn:
            code, _ = conn.noop()
            if code != 250:
                raise smtplib.SMTPException(f"NOOP answered {code}")
        return f"smtp {self.c.smtp_host}:{self.c.smtp_port}"
