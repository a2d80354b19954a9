"""Lay out a bulletin the way the bureau's PDFs come out as text, from articles we choose.

Tests use it to prove the reader is general: other column widths, article counts, scripts,
repeat cuts and orders than the seed files. ``bench/make_archive.py`` uses it to generate
large archives. Nothing here is imported by the site itself.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# Invented text, not taken from any bulletin: sentences, captions and titles of a
# plausible economic bulletin, in Traditional script.
SENTENCES = [
    "經濟局於本月舉辦中小企業數碼轉型講座，吸引逾百名業界代表參加。",
    "講座邀請資深顧問分享雲端會計、網上支付及電子發票的實務經驗。",
    "與會者普遍認為活動有助企業降低營運成本，提升競爭力。",
    "當局表示將繼續推出針對性的培訓課程，協助本地企業把握新機遇。",
    "代表團一行三十人先後參觀了物流園區、跨境電商平台及檢測中心。",
    "雙方就進一步便利貨物通關、互認檢測結果等議題交換了意見。",
    "會上簽署了三份合作備忘錄，涵蓋會展、物流及人才培訓等範疇。",
    "2024年首三季，兩地貿易總額按年上升12.5%，達到385億澳門元。",
    "有關計劃自2021年推出以來，累計已批出逾四千宗申請。",
    "申請人可透過網上平台遞交文件，審批時間由二十日縮短至十日。",
    "業界如有查詢，可致電28882888或電郵至enquiry@example.mo。",
    "研討會以“創新驅動 協同發展”為主題，設有三個專題環節。",
    "多位學者就知識產權保護、品牌建設及標準化工作發表演講。",
    "主辦單位指出，區域合作已由單一項目走向全方位的制度銜接。",
    "展覽為期三天，共有來自十二個國家和地區的二百家企業參展。",
    "現場設有商業配對區，促成逾三百場洽談，意向金額超過五億元。",
    "新措施明確了經營者的申報義務，並訂定了相應的處罰制度。",
    "當局將於下月舉行簡介會，向業界講解新制度的具體要求。",
    "青年創業者分享了在大灣區設立公司的經驗，並提出多項建議。",
    "活動期間，參加者亦走訪了當地的孵化基地和科技企業。",
    "根據協議，雙方將共同設立聯合工作小組，定期檢視合作進展。",
    "工作小組首次會議已於上月在珠海舉行，會議由雙方代表共同主持。",
    "與會代表認為，便利化措施有效減少了企業的時間和資金成本。",
    "經濟局代表在會上介紹了澳門的營商環境及最新的投資優惠政策。",
    "World Trade Organization 專家Maria Silva主講了通報程序的要點。",
    "課程內容包括原產地規則、關稅配額及電子簽名的應用。",
    "當局呼籲相關企業及早準備，確保在新制度實施後順利過渡。",
    "交流團成員均表示獲益良多，期望日後有更多同類活動。",
    "本年度共有六十五家企業獲得資助，總額約為一千二百萬元。",
    "計劃亦鼓勵企業聘用本地畢業生，為青年提供實習機會。",
    "今年的論壇首次以線上線下結合的方式舉行，吸引逾千人觀看。",
    "主講嘉賓強調，數據安全是數碼經濟持續發展的重要基礎。",
]
CAPTIONS = [
    "代表團參觀物流園區",
    "簽署合作備忘錄儀式",
    "講座現場",
    "與會嘉賓合照",
    "經濟局代表在會上致辭",
    "業界代表踴躍發問",
    "商業配對活動現場氣氛熱烈",
    "交流團走訪孵化基地了解科技企業的最新發展",
    "工作小組首次會議",
    "展覽開幕儀式",
]
TITLES = [
    "經濟局舉辦中小企業數碼轉型講座",
    "代表團考察跨境物流及檢測設施",
    "兩地簽署會展物流及人才培訓合作備忘錄",
    "新措施便利企業申請資助",
    "“創新驅動 協同發展”研討會在澳門舉行",
    "區域合作工作小組召開首次會議",
    "國際展覽會促成多項商業配對",
    "新監管制度下月起實施",
    "青年創業交流團訪問大灣區城市",
    "World Trade Organization專家主講通報程序培訓課程",
    "企業資助計劃公佈年度成果",
    "數碼經濟論坛首次以線上線下形式舉行",
]


@dataclass(frozen=True)
class SampleArticle:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]


@dataclass
class Layout:
    """How the PDF was set: the knobs a different issue of the bulletin may turn."""

    width: int = 20  # characters per body line
    indent: bool = False  # first line of a paragraph two characters narrower
    repeats: bool = True  # threaded text reprinted (cut short) on the next page
    later_first: bool = True  # a page may print its second article first
    letter_spacing: float = 0.05  # share of lines printed letter-spaced
    seed: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


def sample_articles(count: int, seed: int = 0) -> list[SampleArticle]:
    """Invented articles (at most 12), sharing no sentence."""
    rng = random.Random(seed)
    titles = rng.sample(TITLES, k=min(count, len(TITLES)))
    while len(titles) < count:
        titles.append(f"{rng.choice(TITLES)}（續{len(titles)}）")
    # Each sentence is used once per bulletin, as real articles do not share sentences.
    pool = rng.sample(SENTENCES, k=len(SENTENCES))
    per_article = max(2, len(pool) // count)
    articles = []
    for number, title in enumerate(titles, start=1):
        mine, pool = pool[:per_article], pool[per_article:]
        paragraphs = []
        while mine:
            take = rng.randint(1, 2)
            paragraphs.append("".join(mine[:take]))
            mine = mine[take:]
        captions = tuple(rng.sample(CAPTIONS, k=rng.randint(0, 2)))
        articles.append(SampleArticle(number, title, tuple(paragraphs), captions))
    return articles


def wrap(text: str, width: int, indent: bool = False) -> list[str]:
    """Cut a paragraph into printed lines of `width` characters (Latin runs count ½)."""
    lines: list[str] = []
    current = ""
    size = 0.0
    limit = width - 2 if indent else width
    # Latin words and numbers are never broken: they move to the next line whole.
    for token in re.findall(r"[A-Za-z0-9.,%@-]+ ?|.", text):
        cost = sum(1.0 if ord(ch) > 0x2000 else 0.5 for ch in token)
        if size + cost > limit and current:
            lines.append(current)
            current, size, limit = "", 0.0, width
        current += token
        size += cost
    if current:
        lines.append(current)
    # A line may not start with a space or closing punctuation: pull it back to the line
    # before.
    for i in range(1, len(lines)):
        if lines[i].startswith(" "):
            lines[i - 1] += " "
            lines[i] = lines[i][1:]
        while lines[i] and lines[i][0] in "，。、；：！？）》」”":
            lines[i - 1] += lines[i][0]
            lines[i] = lines[i][1:]
    return [line for line in lines if line]


def lay_out(
    articles: list[SampleArticle],
    layout: Layout,
    *,
    issue_number: int | None = 88,
    summary: list[str] | None = None,
    contact: str | None = "如有垂詢，請聯繫本局（電話: 28882888，或電郵至info@example.mo）。",
) -> str:
    rng = layout.rng
    out: list[str] = []
    for article in articles:
        entry = f"{article.number}. {article.title}"
        cut = _break_point(entry, 30)
        out += [" " + entry[:cut]] + (["   " + entry[cut:]] if cut < len(entry) else [])
    if summary is None:
        lead = f"第{issue_number}期《經貿快訊》經已出版。" if issue_number else ""
        complete = [p for a in articles for p in a.paragraphs if p.endswith("。")]
        summary = [lead + complete[0], complete[-1]]
    summary_width = layout.width + 14
    for paragraph in summary:
        out += wrap(paragraph, summary_width)
    if contact:
        out += wrap(contact, summary_width)

    pages = _pages(articles, rng)
    carry: list[str] = []  # a cut reprint of the previous page's threaded text
    for page in pages:
        order = list(page)
        if layout.later_first and len(order) == 2 and rng.random() < 0.5:
            order.reverse()
        body: list[str] = []
        # A reprint of the previous page's first article, cut short mid-sentence.
        if layout.repeats and carry:
            body += carry
        carry = []
        captions = [c for a in order for c in a.captions]
        rng.shuffle(captions)
        blocks: list[list[str]] = []
        for article in order:
            lines: list[str] = []
            for paragraph in article.paragraphs:
                lines += wrap(paragraph, layout.width, layout.indent)
            blocks.append(lines)
        first_lines = blocks[0]
        if layout.repeats:
            cut = _mid_sentence_cut(first_lines, rng)
            if cut:
                carry = first_lines[:cut]
        for k, lines in enumerate(blocks):
            cut = _mid_sentence_cut(lines, rng)
            if cut and captions:
                lines = [*lines[:cut], captions.pop(), *lines[cut:]]
            body += lines
            if k == 0 and captions and rng.random() < 0.5:
                body.append(captions.pop())
        body += captions
        # Justified full lines are sometimes printed letter-spaced; captions never are.
        all_captions = {c for a in page for c in a.captions}
        body = [
            line
            if line in all_captions or len(line) < layout.width - 1
            else _letter_space(line, layout.letter_spacing, rng)
            for line in body
        ]
        if body:
            body[0] = " " + body[0]
        out += body
        for article in sorted(page, key=lambda a: a.number):
            footer = f"{article.number}. {article.title}"
            cut = _break_point(footer, layout.width + 8)
            out += [footer[:cut]] + ([" " + footer[cut:]] if cut < len(footer) else [])
    return "".join(line + "\n\n" for line in out)


def _break_point(text: str, limit: int) -> int:
    """Where a heading too long for its line breaks: not inside a Latin word."""
    if len(text) <= limit:
        return len(text)
    cut = limit
    while cut > 4 and text[cut - 1].isascii() and text[cut].isascii() and text[cut].isalnum():
        cut -= 1
    return cut


def _pages(articles: list[SampleArticle], rng: random.Random) -> list[list[SampleArticle]]:
    pages: list[list[SampleArticle]] = []
    i = 0
    while i < len(articles):
        size = 2 if i + 1 < len(articles) and rng.random() < 0.5 else 1
        pages.append(articles[i : i + size])
        i += size
    return pages


def _mid_sentence_cut(lines: list[str], rng: random.Random) -> int:
    """A line boundary inside a sentence, where a page may break."""
    spots = [
        i
        for i in range(2, len(lines) - 1)
        if lines[i - 1][-1] not in "。！？" and not lines[i - 1].endswith("”")
    ]
    return rng.choice(spots) if spots else 0


def _letter_space(line: str, share: float, rng: random.Random) -> str:
    if rng.random() >= share or any(ch.isascii() and ch.isalpha() for ch in line):
        return line
    return " ".join(line)


def reshuffled(
    sources: list[list[SampleArticle]], count: int, seed: int = 0
) -> list[SampleArticle]:
    """`count` articles drawn from other bulletins, renumbered, paragraphs kept in order."""
    rng = random.Random(seed)
    pool = [a for articles in sources for a in articles]
    chosen = rng.sample(pool, k=min(count, len(pool)))
    # Two photos of one issue do not carry the same caption.
    seen: set[str] = set()
    unique = []
    for a in chosen:
        captions = tuple(c for c in a.captions if c not in seen)
        seen.update(captions)
        unique.append(SampleArticle(a.number, a.title, a.paragraphs, captions))
    chosen = unique
    return [
        SampleArticle(n, a.title, a.paragraphs, a.captions) for n, a in enumerate(chosen, start=1)
    ]
