"""Settings read from ``PARLEY_*`` environment variables.

AWS settings are deliberately *not* here: boto3 reads its own standard chain
(``AWS_DEFAULT_REGION``, credentials, ``AWS_ENDPOINT_URL_S3``,
``AWS_ENDPOINT_URL_SESV2``), so an admin configures Parley the same way as any
other AWS tool. A missing or invalid setting raises :class:`ConfigError`
naming the variable, which the CLI prints before exiting.
"""
from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import platformdirs

MAIL_BACKENDS = ("console", "smtp", "ses")
STORAGE_BACKENDS = ("local", "s3")
SMTP_SECURITY = ("starttls", "ssl", "none")

#: Default rate limits (Flask-Limiter syntax). Each can be overridden by
#: ``PARLEY_RATE_LIMIT_<NAME>``; ``PARLEY_RATE_LIMITS=off`` disables them all.
DEFAULT_RATE_LIMITS = {
    "login": "10/minute;100/hour",
    "register": "5/minute;50/hour",
    "verify": "10/minute",
    "resend": "3/minute;20/hour",
    "forgot": "3/minute;20/hour",
    "reset": "10/minute",
}


#: Limits per signed-in person (``limits`` syntax), whatever socket or REST call
#: they use; ``send`` is built from PARLEY_MESSAGE_RATE / PARLEY_MESSAGE_BURST.
#: Each can be overridden by ``PARLEY_USER_LIMIT_<NAME>`` (``off`` disables one).
DEFAULT_USER_LIMITS = {
    "typing": "30 per 10 seconds",
    "sync": "60 per 10 seconds",
    "user_search": "60/minute;600/hour",  # the desktop searches as one types (300 ms debounce)
    "message_search": "60/minute",
    # POST /api/me/password checks the current password: without a limit, a stolen access token
    # guessed it at will (login's limits are per IP) and each guess cost the server an argon2 hash
    "password": "5/minute;20/hour",
    # Blocking and marking read are database writes (on SQLite, each takes the one write lock that
    # every message send needs): unlimited, one account flooding user:block/unblock from 4 sockets
    # took another person's send from 11 ms to over 600 ms.
    "block": "30/minute",
    "read": "120 per 10 seconds",
    # message:delivered reads up to 500 messages per event on the event loop: 4 sockets repeating
    # 500 ids took another person's send from 19 ms to about a second. The desktop batches its
    # receipts every 50 ms, so it sends at most 20 a second per device, and only while messages arrive.
    "delivered": "300 per 10 seconds",
    # /api/admin/*: the status runs a dozen aggregate queries and a storage probe; the desktop's
    # status window asks every 10 s, so this is ample for a person and bounds a stolen admin token
    "admin": "60/minute",
    # PUT /api/media/{id}/position: the desktop saves every 5 s while playing, and on pause, seek and
    # close; a person watching on two devices at once stays far under this. Each save is one write.
    "position": "30 per 10 seconds;120/minute",
}


def _send_limit(rate: int, burst: int) -> str:
    """A burst of ``burst`` and ``rate`` a second on average, as a moving window."""
    return f"{burst} per {max(1, round(burst / rate))} second"


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


def _size(value: str, name: str) -> int:
    units = {"": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
             "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}
    v = value.strip().lower().replace(" ", "")
    num = v.rstrip("kmgib")
    unit = v[len(num):]
    try:
        n = int(num)
    except ValueError:
        raise ConfigError(f"{name} must be a size such as 2147483648 or 2GiB, not {value!r}") from None
    if unit not in units or n < 0:
        raise ConfigError(f"{name} must be a size such as 2147483648 or 2GiB, not {value!r}")
    return n * units[unit]


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        n = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if n < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {n}")
    return n


def _float(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        n = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if n < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {n}")
    return n


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    v = raw.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be on or off, not {raw!r}")


def _make_private(path: Path) -> None:
    """The data dir holds the secret key, the database and everyone's videos: owner only (0700)."""
    st = path.stat()
    if st.st_uid == os.getuid() and st.st_mode & 0o077:
        os.chmod(path, 0o700)


def _secret_key(data_dir: Path) -> str:
    """Reads the generated secret key, creating it with 0600 permissions."""
    path = data_dir / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    os.chmod(path, 0o600)
    return key


def _admin_token(env: Mapping[str, str]) -> str | None:
    token = env.get("PARLEY_ADMIN_TOKEN") or None
    if token is not None and len(token) < 24:
        raise ConfigError("PARLEY_ADMIN_TOKEN must be at least 24 characters long")
    return token


@dataclass(frozen=True)
class Config:
    """Everything the server needs to start; built by :meth:`from_env`."""

    data_dir: Path
    database_url: str
    secret_key: str
    public_url: str = "http://127.0.0.1:8000"
    mail_backend: str = "console"
    mail_from: str = "Parley <no-reply@parley.invalid>"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: str = "none"
    smtp_timeout: int = 10
    redis_url: str | None = None
    rate_limits_enabled: bool = True
    rate_limits: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    storage_backend: str = "local"
    s3_bucket: str | None = None
    max_upload_bytes: int = 2 << 30
    upload_part_size: int = 8 << 20
    upload_expiry_seconds: int = 24 * 3600
    user_quota_bytes: int = 10 << 30
    #: A media processing job's claim lasts this long without a heartbeat; then another worker
    #: (or this one after a restart) takes the job over.
    media_lease_seconds: int = 30
    #: Tests only: seconds a processing job waits before it starts (to test a restart mid-job).
    media_processing_delay: float = 0.0
    #: Worker processes for video work (probe, poster, faststart), each running one job at a time.
    media_workers: int = 2
    #: A job's wall-clock limit: this many seconds, plus ``media_job_seconds_per_gib`` per GiB of video.
    media_job_seconds: float = 60.0
    media_job_seconds_per_gib: float = 120.0
    #: A worker process's address-space limit (RLIMIT_AS, Linux), libraries included; 0: none.
    media_job_memory: int = 1 << 30
    #: How much workers lower their CPU priority (POSIX niceness increment, 0-19).
    media_worker_nice: int = 10
    #: HLS renditions (docs/media.md, "HLS renditions"): encode each ready video (PARLEY_HLS on/off).
    hls_enabled: bool = True
    #: Encodes at once per server process, each in its own worker process (not the processing ones).
    hls_workers: int = 1
    #: An encode's wall-clock limit: this many seconds plus ``hls_job_seconds_per_minute`` per minute of video.
    hls_job_seconds: float = 120.0
    hls_job_seconds_per_minute: float = 600.0
    #: An encode worker's address-space limit (RLIMIT_AS, Linux); 0: none.
    hls_job_memory: int = 1 << 30
    #: How much encode workers lower their CPU priority (below the processing workers').
    hls_worker_nice: int = 15
    #: Linux: encode workers run under SCHED_IDLE (only on CPU time nothing else wants).
    hls_idle_priority: bool = True
    #: Tests only: seconds an encode sleeps after each decoded frame (to cancel one mid-way).
    hls_test_frame_delay: float = 0.0
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 30 * 24 * 3600
    allowed_origins: tuple[str, ...] = ()
    message_rate_per_second: int = 20
    message_rate_burst: int = 60
    #: Per-person limits (see DEFAULT_USER_LIMITS); a missing name means no limit.
    user_limits: dict[str, str] = field(default_factory=lambda: {"send": _send_limit(20, 60),
                                                                 **DEFAULT_USER_LIMITS})
    socketio_max_payload: int = 64 * 1024
    trusted_proxies: int = 0
    testing: bool = False
    #: Seconds a typing indicator lasts without renewal (the contract says 6).
    typing_ttl: float = 6.0
    #: Redis pub/sub channel and key prefix, so several Parley clusters can share one Redis.
    redis_channel: str = "parley"
    #: Sockets one user may have open on one server process; the next is refused.
    max_sockets_per_user: int = 20
    #: Seconds an Engine.IO session may stay open without completing the Socket.IO CONNECT.
    socketio_connect_timeout: float = 5.0
    #: Connections (HTTP and WebSocket) one process serves at once; more wait to be accepted.
    max_connections: int = 12000
    #: Seconds a request's line and headers may take to arrive (also ends idle keep-alive connections);
    #: a body gets this long plus its length at 16 KiB/s.
    http_timeout: float = 10.0
    #: Per-account limits (docs/security.md), whatever IP addresses ask; not turned off by
    #: PARLEY_RATE_LIMITS=off. Codes issued per hour for each purpose (verify, reset) and address:
    codes_per_hour: int = 5
    #: Codes tried per hour and per day for each purpose and address, right or wrong:
    code_guesses_per_hour: int = 10
    code_guesses_per_day: int = 30
    #: Mails of any kind one address receives per hour, whoever asks:
    mails_per_address_per_hour: int = 5
    #: Bearer token that opens /metrics and /readyz details to non-loopback callers (None: loopback only).
    admin_token: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> "Config":
        """Builds the configuration, creating the data dir and secret key when needed."""
        env = os.environ if env is None else env
        raw_dir = env.get("PARLEY_DATA_DIR") or platformdirs.user_data_dir("parley-server", "Parley")
        data_dir = Path(raw_dir).expanduser().resolve()
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            _make_private(data_dir)
            probe = data_dir / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise ConfigError(f"PARLEY_DATA_DIR={data_dir} is not a writable folder: {exc.strerror}") from None

        database_url = env.get("PARLEY_DATABASE_URL") or f"sqlite:///{data_dir / 'parley.db'}"
        scheme = database_url.split(":", 1)[0]
        if scheme not in ("sqlite", "postgresql", "postgresql+psycopg", "postgres"):
            raise ConfigError(
                f"PARLEY_DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme!r}")
        if scheme in ("postgresql", "postgres"):
            database_url = "postgresql+psycopg" + database_url[len(scheme):]

        secret = env.get("PARLEY_SECRET_KEY")
        if secret is not None and len(secret) < 32:
            raise ConfigError("PARLEY_SECRET_KEY must be at least 32 characters long")
        secret = secret or _secret_key(data_dir)

        public_url = (env.get("PARLEY_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
        parsed = urlparse(public_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"PARLEY_PUBLIC_URL must be an http(s) URL, not {public_url!r}")

        mail_backend = _choice(env, "PARLEY_MAIL_BACKEND", MAIL_BACKENDS, "console")
        smtp_host = env.get("PARLEY_SMTP_HOST") or ("" if mail_backend == "smtp" else "localhost")
        if mail_backend == "smtp" and not smtp_host:
            raise ConfigError("PARLEY_SMTP_HOST is required when PARLEY_MAIL_BACKEND=smtp")
        smtp_security = _choice(env, "PARLEY_SMTP_SECURITY", SMTP_SECURITY, "none")

        storage_backend = _choice(env, "PARLEY_STORAGE_BACKEND", STORAGE_BACKENDS, "local")
        s3_bucket = env.get("PARLEY_S3_BUCKET") or None
        if storage_backend == "s3" and not s3_bucket:
            raise ConfigError("PARLEY_S3_BUCKET is required when PARLEY_STORAGE_BACKEND=s3")

        limits_raw = (env.get("PARLEY_RATE_LIMITS") or "on").strip().lower()
        if limits_raw not in ("on", "off"):
            raise ConfigError(f"PARLEY_RATE_LIMITS must be on or off, not {limits_raw!r}")
        limits = dict(DEFAULT_RATE_LIMITS)
        for name in limits:
            override = env.get(f"PARLEY_RATE_LIMIT_{name.upper()}")
            if override:
                limits[name] = override

        origins = tuple(o.strip().rstrip("/") for o in (env.get("PARLEY_ALLOWED_ORIGINS") or "").split(",")
                        if o.strip())
        max_upload = _size(env["PARLEY_MAX_UPLOAD_BYTES"], "PARLEY_MAX_UPLOAD_BYTES") \
            if env.get("PARLEY_MAX_UPLOAD_BYTES") else 2 << 30
        part_size = _size(env["PARLEY_UPLOAD_PART_SIZE"], "PARLEY_UPLOAD_PART_SIZE") \
            if env.get("PARLEY_UPLOAD_PART_SIZE") else 8 << 20
        if part_size < (5 << 20) and storage_backend == "s3":
            raise ConfigError("PARLEY_UPLOAD_PART_SIZE must be at least 5MiB with S3 (S3's own minimum)")
        if part_size < 64 * 1024:
            raise ConfigError("PARLEY_UPLOAD_PART_SIZE must be at least 64KiB")
        quota = _size(env["PARLEY_USER_QUOTA_BYTES"], "PARLEY_USER_QUOTA_BYTES") \
            if env.get("PARLEY_USER_QUOTA_BYTES") else 10 << 30
        job_memory = _size(env["PARLEY_MEDIA_JOB_MEMORY"], "PARLEY_MEDIA_JOB_MEMORY") \
            if env.get("PARLEY_MEDIA_JOB_MEMORY") else 1 << 30
        worker_nice = _int(env, "PARLEY_MEDIA_WORKER_NICE", 10, 0)
        if worker_nice > 19:
            raise ConfigError(f"PARLEY_MEDIA_WORKER_NICE must be from 0 to 19, not {worker_nice}")
        hls_nice = _int(env, "PARLEY_HLS_WORKER_NICE", 15, 0)
        if hls_nice > 19:
            raise ConfigError(f"PARLEY_HLS_WORKER_NICE must be from 0 to 19, not {hls_nice}")
        hls_workers = _int(env, "PARLEY_HLS_WORKERS", 1, 1)
        if hls_workers > 4:
            raise ConfigError(f"PARLEY_HLS_WORKERS must be from 1 to 4, not {hls_workers}: "
                              "each encode keeps a CPU core busy")
        hls_memory = _size(env["PARLEY_HLS_JOB_MEMORY"], "PARLEY_HLS_JOB_MEMORY") \
            if env.get("PARLEY_HLS_JOB_MEMORY") else 1 << 30
        if 0 < hls_memory < (256 << 20):
            raise ConfigError("PARLEY_HLS_JOB_MEMORY must be 0 (no limit) or at least 256MiB")
        if 0 < job_memory < (256 << 20):
            raise ConfigError("PARLEY_MEDIA_JOB_MEMORY must be 0 (no limit) or at least 256MiB: "
                              "a worker needs about 250 MiB for Python and FFmpeg alone")

        values: dict[str, object] = dict(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=secret,
            public_url=public_url,
            mail_backend=mail_backend,
            mail_from=env.get("PARLEY_MAIL_FROM") or "Parley <no-reply@parley.invalid>",
            smtp_host=smtp_host,
            smtp_port=_int(env, "PARLEY_SMTP_PORT", 25, 1),
            smtp_username=env.get("PARLEY_SMTP_USERNAME") or None,
            smtp_password=env.get("PARLEY_SMTP_PASSWORD") or None,
            smtp_security=smtp_security,
            smtp_timeout=_int(env, "PARLEY_SMTP_TIMEOUT", 10, 1),
            redis_url=env.get("PARLEY_REDIS_URL") or None,
            rate_limits_enabled=limits_raw == "on",
            rate_limits=limits,
            storage_backend=storage_backend,
            s3_bucket=s3_bucket,
            max_upload_bytes=max_upload,
            upload_part_size=part_size,
            upload_expiry_seconds=_int(env, "PARLEY_UPLOAD_EXPIRY_SECONDS", 24 * 3600, 60),
            user_quota_bytes=quota,
            media_lease_seconds=_int(env, "PARLEY_MEDIA_LEASE_SECONDS", 30, 2),
            media_processing_delay=_float(env, "PARLEY_TEST_PROCESSING_DELAY", 0.0, 0.0),
            media_workers=_int(env, "PARLEY_MEDIA_WORKERS", 2, 1),
            media_job_seconds=_float(env, "PARLEY_MEDIA_JOB_SECONDS", 60.0, 1.0),
            media_job_seconds_per_gib=_float(env, "PARLEY_MEDIA_JOB_SECONDS_PER_GIB", 120.0, 0.0),
            media_job_memory=job_memory,
            media_worker_nice=worker_nice,
            hls_enabled=_bool(env, "PARLEY_HLS", True),
            hls_workers=hls_workers,
            hls_job_seconds=_float(env, "PARLEY_HLS_JOB_SECONDS", 120.0, 1.0),
            hls_job_seconds_per_minute=_float(env, "PARLEY_HLS_JOB_SECONDS_PER_MINUTE", 600.0, 0.0),
            hls_job_memory=hls_memory,
            hls_worker_nice=hls_nice,
            hls_idle_priority=_bool(env, "PARLEY_HLS_IDLE_PRIORITY", True),
            hls_test_frame_delay=_float(env, "PARLEY_TEST_HLS_FRAME_DELAY", 0.0, 0.0),
            access_token_ttl=_int(env, "PARLEY_ACCESS_TOKEN_TTL", 15 * 60, 10),
            refresh_token_ttl=_int(env, "PARLEY_REFRESH_TOKEN_TTL", 30 * 24 * 3600, 60),
            allowed_origins=origins,
            message_rate_per_second=_int(env, "PARLEY_MESSAGE_RATE", 20, 1),
            message_rate_burst=_int(env, "PARLEY_MESSAGE_BURST", 60, 1),
            user_limits=_user_limits(env),
            socketio_max_payload=_size(env["PARLEY_SOCKETIO_MAX_PAYLOAD"], "PARLEY_SOCKETIO_MAX_PAYLOAD")
            if env.get("PARLEY_SOCKETIO_MAX_PAYLOAD") else 64 * 1024,
            trusted_proxies=_int(env, "PARLEY_TRUSTED_PROXIES", 0, 0),
            testing=_bool(env, "PARLEY_TESTING", False),
            typing_ttl=_float(env, "PARLEY_TYPING_TTL", 6.0, 0.1),
            redis_channel=(env.get("PARLEY_REDIS_CHANNEL") or "parley").strip(),
            max_sockets_per_user=_int(env, "PARLEY_MAX_SOCKETS_PER_USER", 20, 1),
            socketio_connect_timeout=_float(env, "PARLEY_SOCKETIO_CONNECT_TIMEOUT", 5.0, 0.5),
            max_connections=_int(env, "PARLEY_MAX_CONNECTIONS", 12000, 16),
            http_timeout=_float(env, "PARLEY_HTTP_TIMEOUT", 10.0, 0.5),
            codes_per_hour=_int(env, "PARLEY_CODES_PER_HOUR", 5, 1),
            code_guesses_per_hour=_int(env, "PARLEY_CODE_GUESSES_PER_HOUR", 10, 1),
            code_guesses_per_day=_int(env, "PARLEY_CODE_GUESSES_PER_DAY", 30, 1),
            mails_per_address_per_hour=_int(env, "PARLEY_MAILS_PER_ADDRESS_PER_HOUR", 5, 1),
            admin_token=_admin_token(env),
        )
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _user_limits(env: Mapping[str, str]) -> dict[str, str]:
    from limits import parse_many

    out = {"send": _send_limit(_int(env, "PARLEY_MESSAGE_RATE", 20, 1), _int(env, "PARLEY_MESSAGE_BURST", 60, 1)),
           **DEFAULT_USER_LIMITS}
    for name in list(out):
        raw = (env.get(f"PARLEY_USER_LIMIT_{name.upper()}") or "").strip()
        if not raw:
            continue
        if raw.lower() == "off":
            del out[name]
            continue
        try:
            parse_many(raw)
        except ValueError:
            raise ConfigError(f"PARLEY_USER_LIMIT_{name.upper()} must be a limit such as "
                              f"'30/minute;300/hour' or off, not {raw!r}") from None
        out[name] = raw
    return out
