"""Placeholder: the owning issue replaces this with its commands."""

import typer


def register(app: typer.Typer) -> None:
    return None
