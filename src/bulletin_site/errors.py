"""Problems with a place in a file, and the errors that carry them.

Every command prints a problem the same way, ``path:line: level: message`` (``path: level:
message`` when it concerns the whole file), the form editors' tools jump from: Sphinx and
compilers print theirs so.
"""

from __future__ import annotations

import dataclasses
import gettext
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

ERROR = "error"
WARNING = "warning"


class Language(Protocol):
    """What a message needs of a language: the standard library's gettext translations."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


ENGLISH: Language = gettext.NullTranslations()  # the messages as written


class Message(str):
    """A value put into a message that is itself a message of the catalogue (a YAML mistake
    explained, "a work plan"): shown in the editor's language with the message around it."""


@dataclass(frozen=True)
class Problem:
    """One finding about one place in an editor's or the bureau's file.

    ``message`` is in English. A message made from a template (``Problem.error(path, "issue
    {number} …", line, number=72)``) keeps the template and its values, so it can be shown in
    the editor's language (``shown``): the template is the key in the catalogue (i18n.py)."""

    path: str
    message: str
    line: int | None = None
    severity: str = ERROR  # ERROR or WARNING
    template: str = ""  # the message before its values were put in; "" when it has none
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.shown()

    def shown(self, language: Language | None = None) -> str:
        """``path:line: level: message`` in ``language`` (default: English). The place comes
        first in every language, so an editor's tools still jump to the line."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        level = language.gettext(self.severity) if language else self.severity
        return f"{where}: {level}: {self.text(language)}"

    def text(self, language: Language | None = None) -> str:
        """The message in ``language``; in English when the catalogue has no translation."""
        if language is None:
            return self.message
        template = self.template or self.message
        translated = language.gettext(template)
        if translated == template:
            return self.message
        values = {k: language.gettext(v) if isinstance(v, Message) else v for k, v in self.values}
        return translated.format(**values)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @classmethod
    def error(cls, path: str, message: str, line: int | None = None, **values: Any) -> Problem:
        return cls.made(path, message, line, ERROR, values)

    @classmethod
    def warning(cls, path: str, message: str, line: int | None = None, **values: Any) -> Problem:
        return cls.made(path, message, line, WARNING, values)

    @classmethod
    def made(
        cls, path: str, template: str, line: int | None, severity: str, values: Mapping[str, Any]
    ) -> Problem:
        """A problem whose message is ``template`` with ``values`` put in (str.format)."""
        if not values:
            return cls(path, template, line, severity)
        return cls(
            path,
            template.format(**values),
            line,
            severity,
            template,
            tuple(sorted(values.items())),
        )


def plural(n: int, word: str) -> str:
    """``1 page``, ``2 pages`` (every noun the commands count takes an s)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def tally(problems: Iterable[Problem], language: Language | None = None) -> str:
    """``2 errors, 1 warning``, or ``no problems`` (in ``language``)."""
    found = list(problems)
    say = language or ENGLISH
    if not found:
        return say.gettext("no problems")
    errors = sum(p.is_error for p in found)
    warnings = len(found) - errors
    return say.gettext("{errors}, {warnings}").format(
        errors=say.ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=say.ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
    )


class BulletinError(Exception):
    """Base class: everything the CLI turns into one line per problem and exit status 1."""

    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        return self.shown()

    def shown(self, language: Language | None = None) -> str:
        """One line per problem, in ``language`` (default: English)."""
        return "\n".join(p.shown(language) for p in self.problems) or super().__str__()


class InputError(BulletinError):
    """A file that cannot be read as a bulletin, plan or page."""

    def __init__(self, path: str, message: str, line: int | None = None, **values: Any) -> None:
        self.problems = (Problem.made(str(path), message, line, ERROR, values),)
        super().__init__(str(self.problems[0]))

    @property
    def problem(self) -> Problem:
        return self.problems[0]

    @classmethod
    def of(cls, problem: Problem, path: str | None = None) -> InputError:
        """The error of ``problem`` (at ``path`` instead, if given), its template kept."""
        error = cls(problem.path, problem.message)
        error.problems = (dataclasses.replace(problem, path=path or problem.path),)
        return error


class BuildError(BulletinError):
    """The site cannot be built; the previous site is left as it was.

    Made from the problems found in the project's files (printed one per line), or from a
    message about the build itself (printed as the program's own error)."""

    def __init__(
        self,
        message: str = "",
        problems: Iterable[Problem] = (),
        *,
        at: str = "bulletin-site",
        **values: Any,
    ) -> None:
        """``message`` is about ``at`` (a file or folder of the build; by default the program)."""
        self.problems = tuple(problems) or (Problem.made(at, message, None, ERROR, values),)
        super().__init__(str(self))
