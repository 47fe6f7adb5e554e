"""Widgets and windows. They talk to controllers through signals and plain calls."""
