"""Qt glue without widgets: task runner, socket bridge, session, list models."""
