from server.green import patch

patch()  # before anything imports sockets (see server.green)

from server.cli import main  # noqa: E402

raise SystemExit(main())
