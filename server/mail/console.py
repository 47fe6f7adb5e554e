"""Console backend: logs each message and writes it as an .eml file to the outbox.

This is the default, so ``make run`` works with no mail server and no
internet: the verification code is in ``<data dir>/outbox/``.
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from server.mail.base import Email

log = logging.getLogger(__name__)


class ConsoleMailer:
    name = "console"

    def __init__(self, outbox: Path, sender: str = "Parley <no-reply@parley.invalid>") -> None:
        self.outbox = outbox
        self.sender = sender

    def send(self, email: Email) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}.eml"
        tmp = self.outbox / f".{name}.tmp"
        # codes and links are secrets: only the server's user may read them
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(email.to_mime(self.sender)))
        os.replace(tmp, self.outbox / name)  # readers never see a half-written file
        log.info("mail to %s: %s (saved as %s)\n%s", email.to, email.subject, self.outbox / name, email.text)

    def check(self) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        if not os.access(self.outbox, os.W_OK):
            raise OSError(f"outbox {self.outbox} is not writable")
        return f"console outbox {self.outbox}"
