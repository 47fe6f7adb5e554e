"""Business rules. Services take their collaborators as arguments and never import flask.request."""
