"""Problems with a place in a file, and the errors that carry them.

Every command prints a problem the same way, ``path:line: level: message`` (``path: level:
message`` when it concerns the whole file), the form editors' tools jump from: Sphinx and
compilers print theirs so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about one place in an editor's or the bureau's file."""

    path: str
    message: str
    line: int | None = None
    severity: str = ERROR  # ERROR or WARNING

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @classmethod
    def error(cls, path: str, message: str, line: int | None = None) -> Problem:
        return cls(path, message, line, ERROR)

    @classmethod
    def warning(cls, path: str, message: str, line: int | None = None) -> Problem:
        return cls(path, message, line, WARNING)


def plural(n: int, word: str) -> str:
    """``1 page``, ``2 pages`` (every noun the commands count takes an s)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def tally(problems: Iterable[Problem]) -> str:
    """``2 errors, 1 warning``, or ``no problems``."""
    found = list(problems)
    if not found:
        return "no problems"
    errors = sum(p.is_error for p in found)
    return f"{plural(errors, 'error')}, {plural(len(found) - errors, 'warning')}"


class BulletinError(Exception):
    """Base class: everything the CLI turns into one line per problem and exit status 1."""

    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or super().__str__()


class InputError(BulletinError):
    """A file that cannot be read as a bulletin, plan or page."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.problems = (Problem(str(path), message, line),)
        super().__init__(str(self.problems[0]))

    @property
    def problem(self) -> Problem:
        return self.problems[0]


class BuildError(BulletinError):
    """The site cannot be built; the previous site is left as it was.

    Made from the problems found in the project's files (printed one per line), or from a
    message about the build itself (printed as the program's own error)."""

    def __init__(
        self, message: str = "", problems: Iterable[Problem] = (), *, at: str = "bulletin-site"
    ) -> None:
        """``message`` is about ``at`` (a file or folder of the build; by default the program)."""
        self.problems = tuple(problems) or (Problem(at, message),)
        super().__init__(str(self))
