"""``parley-server``: serve, db upgrade, check, and admin commands.

Every command runs with the standard library patched for gevent (the server's
one concurrency model, see :mod:`server.green`); :func:`main` patches before it
imports anything else of the server.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

from server.config import Config, ConfigError

log = logging.getLogger("parley")


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as exc:
        print(f"parley-server: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_serve(args: argparse.Namespace) -> int:
    config = _config()  # first: a settings mistake is reported before the app's imports (a second)
    from server import create_app
    from server.serving import serve

    app = create_app(config)
    db = app.extensions["parley"].db
    if config.is_sqlite:
        db.upgrade()  # the embedded default keeps itself up to date
    elif db.current_revision() is None:
        print("parley-server: the database has no schema yet: run `parley-server db upgrade` first",
              file=sys.stderr)
        return 2
    start_background_work(app)
    from server.api.admin import STARTED_AT
    from server.services import server_clock
    server_clock.write(config.data_dir, app.extensions[STARTED_AT])
    url = f"http://{args.host}:{args.port}"
    log.info("Parley server %s on %s", app.extensions["parley"].config.public_url, url)
    print(f"Parley server listening on {url}\n"
          f"  API docs:   {url}/docs\n"
          f"  data dir:   {config.data_dir}\n"
          f"  database:   {'SQLite (embedded)' if config.is_sqlite else 'PostgreSQL'}\n"
          f"  mail:       {config.mail_backend}"
          + (f" (codes are written to {config.outbox_dir})" if config.mail_backend == "console" else "")
          + f"\n  storage:    {config.storage_backend}", flush=True)
    serve(app, args.host, args.port, grace=args.grace)
    return 0


def start_background_work(app) -> None:  # noqa: ANN001 - a Flask app from create_app
    """What a serving process runs besides requests: SQLite's WAL checkpoints (off the event loop),
    and the media worker, which picks up every video still processing (a job survives a restart)
    and purges expired uploads."""
    from server.services.processing import MediaWorker
    svc = app.extensions["parley"]
    svc.db.checkpoint_in_background()
    worker = svc.media_worker = MediaWorker(app, svc, svc.media_processor)
    worker.start()


def cmd_media_worker(_args: argparse.Namespace) -> int:
    """A video worker process; the server starts these itself (server/media_workers.py)."""
    from server.media_workers import worker_main
    return worker_main()


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    from server.db import Database
    db = Database(_config().database_url)
    db.upgrade()
    print(f"database schema is at revision {db.current_revision()}")
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    from server import close_app, create_app
    from server.health import check_all
    app = create_app(_config())
    comps = check_all(app.extensions["parley"])
    for c in comps:
        print(f"{c.name:<9} {'ok  ' if c.ok else 'FAIL'}  {c.detail}")
    close_app(app)
    return 0 if all(c.ok for c in comps) else 1


def cmd_create_user(args: argparse.Namespace) -> int:
    from server import close_app, create_app
    from server.errors import ApiError
    app = create_app(_config())
    svc = app.extensions["parley"]
    password = args.password
    if password is None:
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")
    try:
        with svc.db.session() as s:
            user = svc.accounts.create_verified_user(s, args.email, password, args.name, args.locale)
            if args.admin:
                user.is_admin = True
                s.commit()
            print(f"created verified {'admin' if args.admin else 'user'} {user.email} ({user.display_name}), "
                  f"id {user.id}")
    except ApiError as exc:
        print(f"parley-server: {exc.message}", file=sys.stderr)
        return 1
    finally:
        close_app(app)
    return 0


def cmd_disable_user(args: argparse.Namespace) -> int:
    from server.db import Database
    from server.errors import ApiError
    from server.services.maintenance import disable_user
    db = Database(_config().database_url)
    try:
        with db.session() as s:
            user, ended = disable_user(s, args.email)
    except ApiError as exc:
        print(f"parley-server: {exc.message}", file=sys.stderr)
        return 1
    print(f"disabled {user.email}; ended {len(ended)} session(s). Its open connections close at their next event.")
    return 0


def cmd_set_admin(args: argparse.Namespace) -> int:
    from server.db import Database
    from server.errors import ApiError
    from server.services.admin_accounts import set_admin
    db = Database(_config().database_url)
    try:
        with db.session() as s:
            user = set_admin(s, args.email, args.command == "grant-admin")
    except ApiError as exc:
        print(f"parley-server: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"{user.email} {'is now an admin' if user.is_admin else 'is no longer an admin'}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy.exc import DBAPIError

    from server import close_app, create_app
    from server.api.admin import status_of
    from server.services import server_clock
    from server.status_report import lines
    config = _config()
    app = create_app(config)
    svc = app.extensions["parley"]
    try:
        # who is online is known only to the serving processes, unless they share it through Redis
        online = svc.presence.count() if config.redis_url else None
        status = status_of(svc, server_clock.read(config.data_dir), online)
    except DBAPIError as exc:
        print(f"parley-server: cannot read the status ({type(exc.orig).__name__}: {exc.orig}). If the schema is "
              "older than this version, run `parley-server db upgrade` (serve does it for SQLite).", file=sys.stderr)
        return 2
    finally:
        close_app(app)
    print(json.dumps(status, indent=2) if args.json else "\n".join(lines(status)))
    return 0 if all(c["ok"] for c in status["health"]) else 1


def cmd_list_users(_args: argparse.Namespace) -> int:
    from server.db import Database
    from server.models import iso
    from server.services.maintenance import list_users
    db = Database(_config().database_url)
    with db.session() as s:
        users = list_users(s)
    print(f"{'email':<36} {'name':<24} {'state':<10} {'created':<20} last seen")
    for u in users:
        state = "disabled" if u.disabled_at else ("verified" if u.verified else "unverified")
        print(f"{u.email:<36} {u.display_name[:24]:<24} {state:<10} {(iso(u.created_at) or '')[:19]:<20} "
              f"{(iso(u.last_seen_at) or '-')[:19]}")
    print(f"{len(users)} user(s)")
    return 0


def cmd_purge_expired(_args: argparse.Namespace) -> int:
    from server import close_app, create_app
    from server.services.maintenance import purge_account_data
    app = create_app(_config())
    svc = app.extensions["parley"]
    try:
        with svc.db.session() as s:
            for line in purge_account_data(s).lines():
                print(line)
        purge_uploads = svc.purge_expired_uploads
        if purge_uploads is not None:
            for line in purge_uploads():
                print(line)
    finally:
        close_app(app)
    return 0


def cmd_encode_renditions(args: argparse.Namespace) -> int:
    """Queues HLS encodes (media from before renditions existed); a serving process runs them."""
    from server import close_app, create_app
    if not args.all and not args.media_ids:
        print("parley-server encode-renditions: name MEDIA_ID ... or --all", file=sys.stderr)
        return 2
    config = _config()
    if not config.hls_enabled:
        print("parley-server: PARLEY_HLS=off: encodes would not run", file=sys.stderr)
        return 2
    app = create_app(config)
    svc = app.extensions["parley"]
    try:
        with svc.db.session() as s:
            done = svc.renditions.queue(s, None if args.all else list(args.media_ids))
    finally:
        close_app(app)
    for media_id, what in done:
        print(f"{media_id}  {what}")
    queued = sum(1 for _m, what in done if what == "queued")
    print(f"queued {queued} of {len(done)}; a running server encodes them (within "
          f"{max(1, config.media_lease_seconds // 2)} s), one at a time per PARLEY_HLS_WORKERS")
    return 0 if queued == len(done) or args.all else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="parley-server", description="The Parley chat server.")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=os.environ.get("PARLEY_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PARLEY_PORT", "8000")))
    serve.add_argument("--grace", type=float, default=10.0,
                       help="seconds in-flight requests get to finish on SIGTERM (default 10)")
    serve.set_defaults(fn=cmd_serve)

    db = sub.add_parser("db", help="database schema")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="apply every migration").set_defaults(fn=cmd_db_upgrade)

    sub.add_parser("check", help="check database, mail and storage").set_defaults(fn=cmd_check)

    cu = sub.add_parser("create-user", help="create a verified user (admins)")
    cu.add_argument("--email", required=True)
    cu.add_argument("--name", required=True, help="display name")
    cu.add_argument("--password", help="read from standard input (or a prompt) when not given")
    cu.add_argument("--locale", default="en")
    cu.add_argument("--admin", action="store_true", help="with the admin role (the app's Server status)")
    cu.set_defaults(fn=cmd_create_user)

    for name, what in (("grant-admin", "give an account the admin role"),
                       ("revoke-admin", "take the admin role away from an account")):
        ga = sub.add_parser(name, help=what)
        ga.add_argument("email")
        ga.set_defaults(fn=cmd_set_admin)
    st = sub.add_parser("status", help="users, messages, storage, video queue, mail and health at a glance")
    st.add_argument("--json", action="store_true", help="the same JSON as GET /api/admin/status")
    st.set_defaults(fn=cmd_status)

    du = sub.add_parser("disable-user", help="disable an account and end its sessions (admins)")
    du.add_argument("--email", required=True)
    du.set_defaults(fn=cmd_disable_user)
    sub.add_parser("list-users", help="list every account (admins)").set_defaults(fn=cmd_list_users)
    sub.add_parser("purge-expired", help="remove expired codes, tokens and stale uploads").set_defaults(
        fn=cmd_purge_expired)
    er = sub.add_parser("encode-renditions", help="queue HLS renditions for videos sent before they existed")
    er.add_argument("media_ids", nargs="*", metavar="MEDIA_ID")
    er.add_argument("--all", action="store_true", help="every ready video that has no renditions")
    er.set_defaults(fn=cmd_encode_renditions)
    worker = sub.add_parser("media-worker", help="(internal) a video processing worker, started by serve")
    worker.set_defaults(fn=cmd_media_worker)
    return p


def main(argv: list[str] | None = None) -> int:
    from server.green import patch
    early = patch()  # first: before Flask, psycopg, redis-py, boto3 and smtplib are imported
    from server.observability import configure_logging
    # Everything the server writes (database, WAL, videos, posters, outbox) is its own business:
    # files 0600, folders 0700, whatever umask the shell or service manager left.
    os.umask(0o077)
    configure_logging()
    if early:
        log.warning("imported before gevent patched the standard library: %s", ", ".join(early))
    args = build_parser().parse_args(argv)
    return int(args.fn(args) or 0)
