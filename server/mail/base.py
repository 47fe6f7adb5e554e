"""The mail interface and the background queue that sends with retries.

Sending never blocks an HTTP request: endpoints enqueue, a worker thread
sends, retrying with backoff. A failure is logged, counted, and shown by
``/readyz`` until a later send succeeds; the account it was for is kept.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str

    def to_mime(self, sender: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="parley.invalid")
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg


class Mailer(Protocol):
    name: str

    def send(self, email: Email) -> None:
        """Sends one message; raises on failure."""

    def check(self) -> str:
        """Checks the backend is usable; returns a short description or raises."""


class MailQueue:
    """Sends queued mail on a worker thread, retrying each message a few times."""

    def __init__(self, mailer: Mailer, *, retries: int = 3, backoff: float = 1.0,
                 on_sent: Callable[[], object] | None = None, on_failed: Callable[[], object] | None = None,
                 on_outcome: Callable[[bool, str | None], object] | None = None) -> None:
        self.mailer = mailer
        #: told (sent?, error) of every message once it went out or was given up on (the admin status)
        self._on_outcome = on_outcome
        self._on_sent = on_sent or (lambda: None)
        self._on_failed = on_failed or (lambda: None)
        self.retries = retries
        self.backoff = backoff
        self.sent = 0
        self.failed = 0
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        self._q: queue.Queue[Email | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="parley-mail", daemon=True)
        self._thread.start()

    def enqueue(self, email: Email) -> None:
        self._idle.clear()
        self._q.put(email)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Waits until everything queued was sent or given up (tests, shutdown)."""
        return self._idle.wait(timeout)

    def healthy(self) -> bool:
        return self.last_error is None

    def close(self, timeout: float = 5.0) -> None:
        self._q.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            self._deliver(item)
            if self._q.empty():
                self._idle.set()

    def _deliver(self, email: Email) -> None:
        for attempt in range(1, self.retries + 1):
            try:
                self.mailer.send(email)
            except Exception as exc:  # noqa: BLE001 - any backend failure is retried
                log.warning("mail to %s failed (attempt %d/%d) via %s: %s",
                            email.to, attempt, self.retries, self.mailer.name, exc)
                if attempt == self.retries:
                    self.failed += 1
                    self._on_failed()
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    self.last_error_at = time.time()
                    log.error("giving up on mail to %s via %s", email.to, self.mailer.name)
                    self._tell(False, self.last_error)
                    return
                time.sleep(self.backoff * attempt)
            else:
                self.sent += 1
                self._on_sent()
                self.last_error = None
                log.info("mail sent to %s via %s: %s", email.to, self.mailer.name, email.subject)
                self._tell(True, None)
                return

    def _tell(self, ok: bool, error: str | None) -> None:
        if self._on_outcome is None:
            return
        try:
            self._on_outcome(ok, error)
        except Exception:  # noqa: BLE001 - recording the outcome must never stop the queue
            log.warning("could not record a mail outcome", exc_info=True)
