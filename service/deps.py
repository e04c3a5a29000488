"""Shared FastAPI dependencies: the one store of the running app."""

from fastapi import Request


def get_store(request: Request):
    """The store the app was created with (the service keeps no other state)."""
    return request.app.state.store
