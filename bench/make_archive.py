"""A realistic archive of N bulletins, and the same articles as a Hugo site, for benchmarks.

    python bench/make_archive.py N OUT [--seed S]

OUT/ is a bulletin-site project:

- ``seeds/NNNN_<hash>.txt``: N raw bulletins laid out as the bureau's PDFs come out as text
  (``tests/layout_maker.py``: column widths of 17–36 characters, with or without paragraph
  indents, threaded text reprinted on the next page and cut short, captions between the halves
  of a sentence, letter-spaced lines, running footers). Each issue reshuffles 8–12 of the seeds'
  articles (the reviewed ones, ``tests/fixtures/seeds/``) and varies them: every number in the
  text is redrawn, a long article may lose a paragraph, a paragraph's sentences may swap places.
  About half of the issues are printed in Simplified, the others in Traditional.
- ``content/issues/<stem>.yaml``: issue number and date (weekly, oldest first),
  ``content/site.yaml`` (the project's, without its template folder) and
  ``content/glossary.yaml`` (copied from the project).

OUT/hugo/ is a plain Hugo site with the same articles as Markdown, in both editions (each
article in its own script and converted by the site's converter for the other): one section per
issue (``content/zh-hant/bulletins/<stem>/_index.md``) with one page per article (``<n>.md``),
two languages in subfolders, and three templates (baseof, list, single) that print what the
site's pages print. No theme, nothing downloaded.

The same N and seed always give the same files.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # layout_maker lives with the tests

from bulletin_site.convert import Converter, load_glossary  # noqa: E402
from bulletin_site.model import HANS, HANT  # noqa: E402
from layout_maker import Layout, SampleArticle, lay_out  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "seeds"
FIRST_DATE = datetime.date(2006, 1, 6)
LEAD = {HANT: "第{n}期《緊貿安排快訊》經已出版。", HANS: "第{n}期《紧贸安排快讯》经已出版。"}
DESCRIPTION_LENGTH = 90  # as site.DESCRIPTION_LENGTH


@dataclass(frozen=True)
class Issue:
    stem: str
    number: int
    date: datetime.date
    script: str  # the script it is printed in
    text: str  # the raw bulletin
    articles: dict[str, list[SampleArticle]]  # script → its articles in that script
    summary: dict[str, list[str]]
    contact: dict[str, str]


# ---------------------------------------------------------------------------------------------
# The seeds' articles, in both scripts


@dataclass(frozen=True)
class Pool:
    """The seeds' articles, each in both scripts (the same index in both lists)."""

    hant: list[SampleArticle]
    hans: list[SampleArticle]
    contact: dict[str, str]

    def script(self, script: str) -> list[SampleArticle]:
        return self.hant if script == HANT else self.hans


def load_pool(converter: Converter) -> Pool:
    articles: list[tuple[str, SampleArticle]] = []
    contact: dict[str, str] = {}
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["kind"] != "bulletin":
            continue
        if data.get("contact"):
            contact.setdefault(data["script"], data["contact"])
        for a in data["articles"]:
            article = SampleArticle(
                a["number"], a["title"], tuple(a["paragraphs"]), tuple(a["captions"])
            )
            articles.append((data["script"], article))
    by_script: dict[str, list[SampleArticle]] = {HANT: [], HANS: []}
    for script, article in articles:
        for target in (HANT, HANS):
            by_script[target].append(
                article if target == script else _convert_article(article, target, converter)
            )
    for script in (HANT, HANS):
        if script not in contact:
            other = next(iter(contact.values()))
            contact[script] = converter.convert(other, script)
    return Pool(by_script[HANT], by_script[HANS], contact)


def _convert_article(article: SampleArticle, script: str, converter: Converter) -> SampleArticle:
    def convert(text: str) -> str:
        return converter.convert(text, script)

    return SampleArticle(
        article.number,
        convert(article.title),
        tuple(map(convert, article.paragraphs)),
        tuple(map(convert, article.captions)),
    )


# ---------------------------------------------------------------------------------------------
# Issues


# A number and what follows it: a date's parts are redrawn as dates, the rest digit by digit.
_NUMBER = re.compile(r"(\d+)(年|月|日|)")
_SENTENCE = re.compile(r"[^。！？]+[。！？][”’」』）》]*")


def make_issue(index: int, pool: Pool, seed: int) -> Issue:
    rng = random.Random(f"{seed}:{index}")
    number = index + 1
    script = HANS if rng.random() < 0.5 else HANT
    count = rng.randint(8, 12)
    # The same articles in both scripts: by their index in the pool, varied alike.
    chosen = rng.sample(range(len(pool.hant)), k=min(count, len(pool.hant)))
    variation = rng.randrange(1 << 30)
    seen: set[str] = set()  # two photos of one issue do not carry the same caption
    kept: list[tuple[int, ...]] = []
    for i in chosen:
        captions = tuple(k for k, c in enumerate(pool.hant[i].captions) if c not in seen)
        seen.update(pool.hant[i].captions)
        kept.append(captions)
    articles: dict[str, list[SampleArticle]] = {}
    for s in (HANT, HANS):
        source = pool.script(s)
        articles[s] = [
            _vary(
                SampleArticle(
                    n,
                    source[i].title,
                    source[i].paragraphs,
                    tuple(source[i].captions[k] for k in captions),
                ),
                random.Random(f"{variation}:{n}"),
            )
            for n, (i, captions) in enumerate(zip(chosen, kept, strict=True), start=1)
        ]
    summary = {
        s: [LEAD[s].format(n=number) + articles[s][0].paragraphs[0], articles[s][-1].paragraphs[0]]
        for s in (HANT, HANS)
    }
    layout = Layout(
        width=rng.randint(17, 36), indent=rng.random() < 0.5, seed=rng.randrange(1 << 30)
    )
    text = lay_out(
        articles[script],
        layout,
        issue_number=number,
        summary=summary[script],
        contact=pool.contact[script],
    )
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return Issue(
        stem=f"{index:04d}_{digest}",
        number=number,
        date=FIRST_DATE + datetime.timedelta(weeks=index),
        script=script,
        text=text,
        articles=articles,
        summary=summary,
        contact=pool.contact,
    )


def _vary(article: SampleArticle, rng: random.Random) -> SampleArticle:
    """The same article with other numbers, maybe a paragraph less, maybe two sentences swapped.

    ``rng`` is seeded per article, so both scripts get the same changes."""
    paragraphs = list(article.paragraphs)
    if len(paragraphs) >= 3 and rng.random() < 0.5:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    if rng.random() < 0.5:
        k = rng.randrange(len(paragraphs))
        sentences = _SENTENCE.findall(paragraphs[k])
        if len(sentences) >= 2 and "".join(sentences) == paragraphs[k]:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
            paragraphs[k] = "".join(sentences)
    digits = random.Random(rng.randrange(1 << 30))

    def redraw(match: re.Match[str]) -> str:
        old, unit = match.groups()
        if unit == "年" and len(old) == 4:
            return f"{digits.randint(2006, 2025)}{unit}"
        if unit == "月" and len(old) <= 2:
            return f"{digits.randint(1, 12)}{unit}"
        if unit == "日" and len(old) <= 2:
            return f"{digits.randint(1, 28)}{unit}"
        first = str(digits.randint(1, 9)) if old[0] != "0" else "0"
        return first + "".join(str(digits.randint(0, 9)) for _ in old[1:]) + unit

    def numbers(text: str) -> str:
        # Both scripts have the same numbers in the same order: they change alike.
        return _NUMBER.sub(redraw, text)

    return SampleArticle(
        article.number,
        article.title,
        tuple(numbers(p) for p in paragraphs),
        article.captions,
    )


# ---------------------------------------------------------------------------------------------
# The project


def write_project(issues: Sequence[Issue], out: Path) -> None:
    seeds = out / "seeds"
    metas = out / "content" / "issues"
    seeds.mkdir(parents=True)
    metas.mkdir(parents=True)
    for issue in issues:
        (seeds / f"{issue.stem}.txt").write_text(issue.text, encoding="utf-8")
        (metas / f"{issue.stem}.yaml").write_text(
            f"number: {issue.number}\ndate: {issue.date.isoformat()}\n", encoding="utf-8"
        )
    site = (ROOT / "content" / "site.yaml").read_text(encoding="utf-8")
    # The build reads a project's own templates/ (never the package's): the archive gets a
    # copy of the repository's, so its pages do not change if those are edited meanwhile.
    site = re.sub(r"(?m)^templates:.*\n", "", site)
    (out / "content" / "site.yaml").write_text(site, encoding="utf-8")
    shutil.copyfile(ROOT / "content" / "glossary.yaml", out / "content" / "glossary.yaml")
    shutil.copytree(ROOT / "templates", out / "templates")


# ---------------------------------------------------------------------------------------------
# The Hugo site

EDITIONS = (("zh-hant", "zh-Hant", HANT, "繁體"), ("zh-hans", "zh-Hans", HANS, "简体"))
SITE_TITLE = {HANT: "緊貿安排快訊", HANS: "紧贸安排快讯"}
CAPTIONS_LABEL = {HANT: "圖片說明", HANS: "图片说明"}
ISSUE_LABEL = "第{n}期"
DATE_TEXT = "{y}年{m}月{d}日"

# buildFuture: the archive's weekly dates run past today from about 1,090 issues on (10,000
# issues end in 2197), and Hugo leaves out pages dated in the future unless told.
HUGO_CONFIG = """\
baseURL = "https://cepa.example.org/"
buildFuture = true
defaultContentLanguage = "zh-hant"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term"]
enableRobotsTXT = true
[services.rss]
  limit = 50
[outputs]
  home = ["html", "rss"]
  section = ["html"]
  page = ["html"]
"""
HUGO_LANGUAGE = """\
[languages.{code}]
  contentDir = "content/{code}"
  locale = "{lang}"
  label = "{label}"
  title = "{title}"
  weight = {weight}
  [languages.{code}.params]
"""

# Plain templates (bench/hugo/layouts/_default: baseof, list, single) that print what the site's
# pages print: the head (canonical, hreflang alternates, description, CSP), the header with the
# edition switch, the text, previous/next.
HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo" / "layouts"

HUGO_PARAMS = {
    HANT: {
        "home": "首頁",
        "issue_link": "返回本期目錄",
        "source_note": "內容取自澳門經濟局《緊貿安排快訊》PDF 的文字。",
    },
    HANS: {
        "home": "首页",
        "issue_link": "返回本期目录",
        "source_note": "内容取自澳门经济局《紧贸安排快讯》PDF 的文字。",
    },
}


def write_hugo(issues: Sequence[Issue], out: Path) -> None:
    hugo = out / "hugo"
    config = HUGO_CONFIG
    for weight, (code, lang, script, label) in enumerate(EDITIONS, start=1):
        config += HUGO_LANGUAGE.format(
            code=code, lang=lang, label=label, title=SITE_TITLE[script], weight=weight
        )
        config += "".join(f'    {k} = "{v}"\n' for k, v in HUGO_PARAMS[script].items())
    hugo.mkdir(parents=True)
    (hugo / "hugo.toml").write_text(config, encoding="utf-8")
    shutil.copytree(HUGO_LAYOUTS, hugo / "layouts")
    static = hugo / "static" / "assets"
    static.mkdir(parents=True)
    shutil.copyfile(ROOT / "templates" / "assets" / "style.css", static / "style.css")
    for code, _, script, _ in EDITIONS:
        base = hugo / "content" / code
        (base / "bulletins").mkdir(parents=True)
        (base / "bulletins" / "_index.md").write_text(
            _front({"title": SITE_TITLE[script]}), encoding="utf-8"
        )
        for issue in issues:
            folder = base / "bulletins" / str(issue.number)
            folder.mkdir()
            date = issue.date
            date_text = DATE_TEXT.format(y=date.year, m=date.month, d=date.day)
            label = ISSUE_LABEL.format(n=issue.number)
            body = "\n\n".join([*issue.summary[script], issue.contact[script]])
            (folder / "_index.md").write_text(
                _front(
                    {
                        "title": label,
                        "date": date.isoformat(),
                        "description": _excerpt(" ".join(issue.summary[script])),
                        "date_text": date_text,
                    }
                )
                + body
                + "\n",
                encoding="utf-8",
            )
            for a in issue.articles[script]:
                text = "\n\n".join(a.paragraphs)
                if a.captions:
                    text += f"\n\n## {CAPTIONS_LABEL[script]}\n\n" + "".join(
                        f"- {c}\n" for c in a.captions
                    )
                (folder / f"{a.number}.md").write_text(
                    _front(
                        {
                            "title": a.title,
                            "date": date.isoformat(),
                            "weight": a.number,
                            "description": _excerpt(" ".join(a.paragraphs) or a.title),
                            "date_text": date_text,
                        }
                    )
                    + text
                    + "\n",
                    encoding="utf-8",
                )


def _front(values: dict[str, object]) -> str:
    lines = ["---"]
    for key, value in values.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join([*lines, "---", ""]) + "\n"


def _excerpt(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------


def make_archive(count: int, out: Path, *, seed: int = 0, hugo: bool = True) -> list[Issue]:
    """Write the archive of ``count`` bulletins (and the Hugo site) into ``out``, which must not
    exist or be empty."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out}: exists and is not empty")
    converter = Converter(load_glossary(ROOT / "content" / "glossary.yaml"))
    pool = load_pool(converter)
    issues = [make_issue(i, pool, seed) for i in range(count)]
    write_project(issues, out)
    if hugo:
        write_hugo(issues, out)
    return issues


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of bulletins")
    parser.add_argument("out", type=Path, help="a new folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-hugo", action="store_true", help="only the bulletin-site project")
    args = parser.parse_args(argv)
    issues = make_archive(args.count, args.out, seed=args.seed, hugo=not args.no_hugo)
    articles = sum(len(i.articles[HANT]) for i in issues)
    print(f"{len(issues)} bulletins, {articles} articles → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
