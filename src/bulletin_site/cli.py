"""Command line: arguments → pipeline calls; every error → one line on stderr and exit 1."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bulletin_site.errors import BulletinError


def _cmd_parse(args: argparse.Namespace) -> int:
    from bulletin_site.model import to_dict
    from bulletin_site.parse import read_document
    from bulletin_site.textreport import format_reading

    reading = read_document(Path(args.path))
    if args.format == "json":
        data = to_dict(reading.document)
        if args.report:
            data["report"] = [
                {"line": t.line, "role": t.role, "target": t.target, "text": t.text}
                for t in reading.report
            ]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_reading(reading, report=args.report))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from bulletin_site.pipeline import build_command

    return build_command(Path(args.root), clean=args.clean, quiet=args.quiet)


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

    c = sub.add_parser("convert", help="convert stdin to the other script, as the site does")
    c.add_argument("--to", required=True, choices=("zh-Hans", "zh-Hant", "zh-hans", "zh-hant"))
    c.add_argument("--root", default=".", help="project folder whose content/glossary.yaml applies")
    c.set_defaults(func=_cmd_convert)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BulletinError as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
