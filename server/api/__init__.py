"""Thin REST endpoints: authenticate, validate, call one service, answer."""
