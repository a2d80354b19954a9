"""Command line: arguments → pipeline calls; every error → one line on stderr and exit 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bulletin_site import i18n
from bulletin_site.errors import BulletinError


def _cmd_parse(args: argparse.Namespace) -> int:
    from bulletin_site.kinds import KINDS
    from bulletin_site.parse import read_document
    from bulletin_site.textreport import format_reading

    reading = read_document(Path(args.path), KINDS)
    if args.format == "json":
        data = reading.document.to_dict()
        if args.report:
            data["report"] = [
                {"line": t.line, "role": t.role, "target": t.target, "text": t.text}
                for t in reading.report
            ]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        outline = KINDS.of(reading.document).outline(reading.document)
        sys.stdout.write(format_reading(reading, outline, report=args.report))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from bulletin_site.pipeline import build_command

    return build_command(
        Path(args.root), clean=args.clean, quiet=args.quiet, language=args.language
    )


def _cmd_add(args: argparse.Namespace) -> int:
    from bulletin_site.intake import add_command
    from bulletin_site.kinds import KINDS

    return add_command(
        Path(args.root), Path(args.file), sys.stdout, KINDS, args.replace, args.language
    )


def _cmd_check(args: argparse.Namespace) -> int:
    from bulletin_site.check import check_command
    from bulletin_site.kinds import KINDS

    return check_command(Path(args.root), sys.stdout, KINDS, args.language, doubts=args.doubts)


def _cmd_export(args: argparse.Namespace) -> int:
    from bulletin_site.corrections import export_command
    from bulletin_site.kinds import KINDS

    return export_command(Path(args.root), args.stem, sys.stdout, KINDS, args.language)


def _cmd_show(args: argparse.Namespace) -> int:
    from bulletin_site.kinds import KINDS
    from bulletin_site.show import show_command

    script = args.script and args.script.removeprefix("zh-")
    return show_command(
        Path(args.root),
        args.stem,
        KINDS,
        sys.stdout,
        sys.stderr,
        script=script,
        form=args.format,
        language=args.language,
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    from bulletin_site.serve import serve_command

    return serve_command(Path(args.root), args.port, sys.stderr, language=args.language)


def _cmd_convert(args: argparse.Namespace) -> int:
    from bulletin_site.convert import convert_command

    return convert_command(args.to, Path(args.root), sys.stdin, sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bulletin-site",
        description="Turn the CEPA bulletin's raw PDF text into a bilingual static site.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="read one raw file and print what the reader made of it")
    p.add_argument("path", help="a raw .txt file (bulletin, work plan or Markdown page)")
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.add_argument(
        "--report",
        action="store_true",
        help="add the conservation report: where every source line went",
    )
    p.set_defaults(func=_cmd_parse)

    b = sub.add_parser("build", help="build the site into _site/")
    b.add_argument("--root", default=".", help="project folder (default: the current one)")
    b.add_argument("--clean", action="store_true", help="ignore the cache: a full build")
    b.add_argument("--quiet", action="store_true", help="no progress line")
    b.set_defaults(func=_cmd_build)

    a = sub.add_parser("add", help="add a new raw bulletin to seeds/ and print its reading")
    a.add_argument("file", help="the raw .txt file of the new issue")
    a.add_argument(
        "--replace",
        metavar="STEM",
        help="the bureau re-sent this seed's issue: FILE takes its place; metadata kept",
    )
    a.add_argument("--root", default=".", help="project folder (default: the current one)")
    a.set_defaults(func=_cmd_add)

    k = sub.add_parser("check", help="report every problem in seeds/ and content/ at once")
    k.add_argument("--root", default=".", help="project folder (default: the current one)")
    k.add_argument(
        "--doubts",
        action="store_true",
        help="also the reader's doubts about each seed that has no correction file yet",
    )
    k.set_defaults(func=_cmd_check)

    e = sub.add_parser(
        "export", help="write the reader's output as content/corrections/STEM.md to correct"
    )
    e.add_argument("stem", help="the seed's name, e.g. 005_3f2a9c0e1b7d4a55 (or its path)")
    e.add_argument("--root", default=".", help="project folder (default: the current one)")
    e.set_defaults(func=_cmd_export)

    w = sub.add_parser(
        "show", help="print a document as the site will publish it (correction, metadata applied)"
    )
    w.add_argument("stem", help="the seed's name, e.g. 005_3f2a9c0e1b7d4a55 (or its path)")
    w.add_argument("--format", choices=("json", "text"), default="json")
    w.add_argument(
        "--script",
        choices=("hant", "hans", "zh-hant", "zh-hans"),
        help="the edition's script (default: the document's own)",
    )
    w.add_argument("--root", default=".", help="project folder (default: the current one)")
    w.set_defaults(func=_cmd_show)

    v = sub.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on change")
    v.add_argument("--port", type=int, default=8000, help="default: 8000 (0: any free port)")
    v.add_argument("--root", default=".", help="project folder (default: the current one)")
    v.set_defaults(func=_cmd_serve)

    c = sub.add_parser("convert", help="convert stdin to the other script, as the site does")
    c.add_argument("--to", required=True, choices=("zh-Hans", "zh-Hant", "zh-hans", "zh-hant"))
    c.add_argument("--root", default=".", help="project folder whose content/glossary.yaml applies")
    c.set_defaults(func=_cmd_convert)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Messages in the editor's language (the locale: LANG=zh_MO.UTF-8 …), chosen once here.
    args.language = i18n.language(os.environ)
    try:
        return int(args.func(args))
    except BulletinError as error:
        print(error.shown(args.language), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(args.language.gettext("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
