"""Entry point of the bundled app: the desktop client, or the bundled server.

``Parley`` starts the desktop app; ``Parley server serve ...`` runs the
bundled ``parley-server`` (the desktop app uses this for "Host a server on
this computer", since a bundle has no Python of its own to run ``-m server``).
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if len(sys.argv) > 1 and sys.argv[1] == "server":
        from server.cli import main as server_main
        sys.exit(server_main(sys.argv[2:]))
    from desktop.__main__ import main
    sys.exit(main(sys.argv[1:]))
