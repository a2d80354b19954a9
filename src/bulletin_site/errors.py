"""Errors that carry a source location, printed as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about one place in an editor's or the bureau's file."""

    path: str
    message: str
    line: int | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class BulletinError(Exception):
    """Base class: everything the CLI turns into one line and exit status 1."""


class InputError(BulletinError):
    """A file that cannot be read as a bulletin, plan or page."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.problem = Problem(str(path), message, line)
        super().__init__(str(self.problem))


class BuildError(BulletinError):
    """The site cannot be built; the previous site is left as it was."""
