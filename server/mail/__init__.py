"""Outgoing email: backends (console, SMTP, SES), templates and a retrying queue."""
from __future__ import annotations

from server.config import Config
from server.mail.base import Email, Mailer, MailQueue


def build_mailer(config: Config) -> Mailer:
    if config.mail_backend == "smtp":
        from server.mail.smtp import SmtpMailer
        return SmtpMailer(config)
    if config.mail_backend == "ses":
        from server.mail.ses import SesMailer
        return SesMailer(config)
    from server.mail.console import ConsoleMailer
    return ConsoleMailer(config.outbox_dir)


__all__ = ["Email", "Mailer", "MailQueue", "build_mailer"]
