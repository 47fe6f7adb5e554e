"""Blocking I/O (HTTP, Socket.IO, keyring). Called only from worker threads."""
