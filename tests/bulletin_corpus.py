"""Invented bulletin articles: titles, paragraphs and photo captions the reader has never seen.

Nothing here is taken from a bulletin. Every article is drawn around a *topic* (who organised
what, where, about which subject, with whom), so that its sentences, title and captions share
the names and terms a reader would use to tell one article from another, as real articles do.
Sentences are of every length (4 to 90 characters), with Latin words and numbers, so that
sentence ends fall at every position of a printed line. Everything is in Traditional script;
``bulletin_maker`` converts an issue to Simplified with the site's converter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ORGS = [
    "經濟局",
    "經濟及科技發展局",
    "澳門貿易投資促進局",
    "勞工事務局",
    "澳門生產力暨科技轉移中心",
    "知識產權廳",
    "澳門海關",
    "市政署",
    "澳門金融管理局",
    "旅遊局",
    "文化局",
    "高等教育局",
]
PARTNERS = [
    "廣東省商務廳",
    "珠海市市場監督管理局",
    "國家知識產權局",
    "海關總署",
    "香港貿易發展局",
    "橫琴粵澳深度合作區執行委員會",
    "福建省商務廳",
    "四川省人民政府",
    "葡萄牙投資貿易促進局",
    "巴西駐華大使館",
    "中山市科學技術局",
    "深圳市前海管理局",
    "廣西壯族自治區商務廳",
    "江門市人民政府",
    "安哥拉駐澳門總領事館",
    "佛山市工商業聯合會",
]
PLACES = [
    "廣州",
    "深圳",
    "珠海",
    "中山",
    "江門",
    "佛山",
    "北京",
    "上海",
    "杭州",
    "成都",
    "南寧",
    "福州",
    "里斯本",
    "聖保羅",
    "羅安達",
    "橫琴",
    "南沙",
    "前海",
    "肇慶",
    "東莞",
]
VENUES = [
    "國際會議中心",
    "政府總部",
    "科學館會議中心",
    "展覽中心",
    "大學演講廳",
    "商務大廈多功能廳",
    "中葡平台綜合體",
    "創新中心",
]
SUBJECTS = [
    "跨境電商",
    "中醫藥產業",
    "會展經濟",
    "知識產權保護",
    "原產地規則",
    "數碼轉型",
    "綠色金融",
    "食品安全",
    "檢測認證",
    "融資租賃",
    "智慧城市",
    "文化創意產業",
    "青年創業",
    "物流通關",
    "品牌建設",
    "電子簽名",
    "現代金融",
    "海洋經濟",
    "標準化工作",
    "商事登記",
]
EVENTS = [
    "講座",
    "研討會",
    "交流會",
    "推介會",
    "工作坊",
    "座談會",
    "論壇",
    "培訓課程",
    "工作會議",
    "展覽會",
    "考察活動",
    "說明會",
]
FACILITIES = [
    "孵化基地",
    "檢測中心",
    "物流園區",
    "跨境電商產業園",
    "科技企業",
    "創新中心",
    "自動化生產線",
    "展覽館",
    "實驗室",
    "口岸查驗大樓",
    "中藥材交易中心",
    "青創空間",
]
REGIONS = ["粵澳兩地", "澳門與內地", "兩地", "粵港澳三地", "澳門與葡語國家", "閩澳兩地", "川澳兩地"]
WHO = ["中小企業", "青年創業者", "業界代表", "本地企業", "專業人士", "經營者", "商會代表"]
SURNAMES = "李陳黃張梁林何吳劉鄭周蘇馮葉崔區譚羅郭莫"
GIVEN = "志強美玲國華建明嘉慧永康偉文家寶麗珊子聰詠琪海濤少芳振輝"
RANKS = ["局長", "副局長", "廳長", "副廳長", "主任", "副主任", "司長", "處長", "會長", "總經理"]
LATIN_PEOPLE = [
    "Maria Silva",
    "João Pereira",
    "Ana Costa",
    "Faustin Mukela Luanga",
    "Paulo Santos",
    "Helena Ribeiro",
    "David Wong",
]
LATIN_TERMS = [
    "CEPA",
    "WTO",
    "EDI",
    "ISO 9001",
    "AI",
    "5G",
    "RCEP",
    "GMP",
    "HACCP",
    "World Trade Organization",
    "e-Invoice",
    "ESG",
]
AGREEMENTS = [
    "CEPA貨物貿易協議",
    "粵澳合作框架協議",
    "CEPA服務貿易協議",
    "內地與澳門關於建立更緊密經貿關係的安排",
    "關於商務領域支持粵港澳大灣區建設的意見",
]
SCHEMES = [
    "中小企業援助計劃",
    "青年創業援助計劃",
    "企業數碼轉型支援計劃",
    "品牌推廣資助計劃",
    "澳門產品優質認證計劃",
    "會展活動激勵計劃",
]
CHANNELS = ["網上平台", "一戶通", "經濟局服務櫃檯", "專用電郵", "郵遞方式"]

OPENINGS = [
    "{org}於{date}在{place}舉辦{eventname}，吸引{n}名業界代表參加。",
    "為推動{subject}發展，深化{region}在{subject2}領域的交流與合作，{org}與{partner}於{date}"
    "聯合舉辦{eventname}。",
    "由{partner}、{org}及{org2}共同主辦的{eventname}於{date}在{place}{venue}舉行，來自{region}的"
    "{n}多名代表出席。",
    "{eventname}於{date}在{place}召開，會議由{person}與{person2}共同主持。",
    "{org}組織{who}一行{n}人，於{daterange}赴{place}進行{subject}考察交流。",
    "為協助{who}把握{subject}帶來的機遇，{org}於{date}推出“{scheme}”，即日起接受申請。",
    "{year}年{region}{subject}工作專責小組會議於{date}在{place}舉行。",
    "{org}於{date}與{partner}簽署{subject}合作協議，進一步推動{region}在{subject2}方面的合作。",
    "{date}，{eventname}在{place}開幕。",
]
DETAILS = [
    "{event}設有{k}個專題環節，分別以“{subject}新機遇”、“{subject2}與創新”及“區域合作"
    "新格局”為主題，邀請多位專家擔任主講嘉賓。",
    "與會代表就{subject}、{subject2}及{subject3}等議題進行深入討論，並交流了各自的經驗與做法。",
    "代表團先後參觀了{place}的{facility}、{facility2}及{facility3}，了解當地{subject}的最新發展。",
    "{latinperson}在會上介紹了{latinterm}的最新要求，並解答了與會者的提問。",
    "活動期間，{org}代表與{partner}負責人會面，雙方就進一步便利{subject}、加強{subject2}合作"
    "等交換了意見。",
    "根據協議，雙方將在{subject}、{subject2}、{subject3}等範疇開展合作，並設立聯合工作小組，"
    "定期檢視合作進展。",
    "截至{year}年{month}月底，“{scheme}”累計收到{n}宗申請，其中{m}宗已獲批准，涉及金額約{money}。",
    "{year}年首{k}個月，{region}貿易總額按年上升{pct}，達到{money}。",
    "申請人可透過{channel}遞交申請，審批時間由{d1}個工作日縮短至{d2}個工作日。",
    "課程內容包括{subject}概況、{latinterm}的應用及{subject2}實務，並輔以案例分析。",
    "{person}致辭時表示，{region}在{subject}方面優勢互補，合作空間廣闊，期望雙方繼續深化交流。",
    "{person2}指出，{subject}是推動經濟適度多元發展的重要方向，特區政府將繼續加大支持力度。",
    "會上簽署了{k}份合作備忘錄，涵蓋{subject}、{subject2}及人才培訓等範疇。",
    "與會者普遍認為活動內容豐富，有助加深對{subject}的認識。",
    "此外，代表團亦拜訪了{partner}，就{subject}的合作機制進行交流。",
    "當局呼籲相關企業及早準備，確保在新制度實施後順利過渡。",
    "會議氣氛熱烈。",
    "活動反應踴躍。",
    "雙方均表示滿意。",
    "本澳已有{n}家企業取得{latinterm}認證。",
    "有關資料已上載至www.economia.gov.mo。",
    "{org}代表在會上介紹了澳門的營商環境、{subject}的發展情況及最新的投資優惠政策，並邀請"
    "{partner}組織企業來澳考察。",
    "現場設有商業配對區，促成逾{n}場洽談，意向金額超過{money}。",
    "新措施明確了經營者的申報義務，並訂定了相應的處罰制度。",
    "{event}以線上線下結合的方式進行，吸引逾{n}人次觀看。",
    "主講嘉賓強調，{subject}的持續發展有賴完善的制度和專業人才，並建議企業善用{latinterm}等"
    "國際通行的工具。",
    "{who}紛紛表示獲益良多。",
    "展覽為期{k}天，共有來自{k2}個國家和地區的{n}家企業參展。",
    "{org}將於{month}月舉行簡介會，向業界講解新制度的具體要求，有興趣人士可透過{channel}報名。",
    "工作小組首次會議已於上月在{place}舉行。",
    "在{subject}方面，雙方同意加強資訊互通，並探索建立{subject2}的互認機制。",
    "是次活動亦安排了{n}場專題分享，{latinperson}等{k}位嘉賓分別就{subject}的國際經驗、"
    "{subject2}的實踐案例及{latinterm}的最新趨勢作分享。",
]
CLOSINGS = [
    "{event}為期{k}天，{org}將適時公佈相關成果。",
    "{org}表示，將繼續與{partner}保持緊密溝通，推動{subject}合作取得更多成果。",
    "有關詳情可瀏覽{org}網頁。",
    "雙方同意於明年在{place}舉行下一次會議。",
    "{org}、{partner}等多個部門的代表出席了活動。",
    "代表團成員均認為活動有助了解{place}的{subject}發展，並期望日後有更多同類交流。",
]
LIST_LEADS = ["相關措施如下：", "主要內容包括：", "計劃的資助範圍如下："]
LIST_ITEMS = [
    "便利{who}在{place}開設銀行賬戶。",
    "放寬{subject}領域的准入限制。",
    "支持{who}參與{subject2}項目。",
    "簡化{subject}相關證照的審批程序。",
    "設立{subject}專項資金，每年資助上限為{money}。",
    "加強{region}在{subject2}方面的資訊互通。",
    "推動{latinterm}在{subject}領域的應用。",
    "為{who}提供{subject}專業培訓。",
]
# A title and the opening sentence that restates it, as bulletin articles begin.
TITLES = [
    (
        "{org}舉辦{subject}{event}",
        "{org}於{date}在{place}舉辦{subject}{event}，吸引{n}名{who}參加。",
    ),
    (
        "{eventname}在{place}舉行",
        "{eventname}於{date}在{place}{venue}舉行，來自{region}的{n}多名代表出席。",
    ),
    (
        "{org}代表出席{place}{subject}交流活動，推動兩地{subject2}發展",
        "為推動兩地{subject2}發展，{org}代表於{date}出席在{place}舉行的{subject}交流活動。",
    ),
    (
        "{partner}代表團訪澳 推動{subject}合作",
        "{partner}代表團於{daterange}訪澳，與{org}就推動{subject}合作進行交流。",
    ),
    (
        "{year}年{region}{subject}工作專責小組會議",
        "{year}年{region}{subject}工作專責小組會議於{date}在{place}舉行，會議由{person}與"
        "{person2}共同主持。",
    ),
    (
        "《{agreement}》項下{subject}工作組、{subject2}工作組及{subject3}工作組會議在{place}召開",
        "《{agreement}》項下{subject}工作組、{subject2}工作組及{subject3}工作組會議於{date}在"
        "{place}召開，{org}代表出席會議。",
    ),
    (
        "{org}與{partner}簽署{subject}合作協議",
        "{org}於{date}與{partner}簽署{subject}合作協議，進一步推動{region}在{subject2}方面的合作。",
    ),
    (
        "{latinterm}專家主講{subject}培訓課程",
        "{org}於{date}舉辦{subject}培訓課程，邀請{latinterm}專家{latinperson}擔任主講嘉賓。",
    ),
    (
        "“{scheme}”接受申請",
        "為協助{who}把握{subject}帶來的機遇，{org}於{date}推出“{scheme}”，即日起接受申請。",
    ),
    (
        "{org}、{org2}及{partner}聯合舉辦“{year}{region}{subject}暨{subject2}高峰論壇”並簽署多項"
        "合作協議，推動{subject3}及{subject}領域的交流與合作",
        "{org}、{org2}及{partner}於{date}在{place}聯合舉辦“{year}{region}{subject}暨{subject2}"
        "高峰論壇”，並簽署多項合作協議。",
    ),
    (
        "{org}組織{who}赴{place}考察{subject}",
        "{org}組織{who}一行{n}人，於{daterange}赴{place}考察{subject}的最新發展。",
    ),
    (
        "第{k}屆{subject}{event}於{place}召開",
        "第{k}屆{subject}{event}於{date}在{place}召開，{org}派員出席。",
    ),
]
GENERIC_CAPTIONS = [
    "與會者合照",
    "會議現場",
    "活動現場",
    "嘉賓合照",
    "雙方合照",
    "簽署儀式",
    "講座現場",
    "研討會現場",
    "代表團合照",
    "交流現場",
]
CAPTIONS = [
    "{person}致辭",
    "{person}發表主題演講",
    "{org}代表介紹{subject}的最新發展",
    "代表團參觀{place}{facility}",
    "{eventname}開幕儀式",
    "{org}與{partner}代表合影",
    "{latinperson}主講{latinterm}",
    "{subject}{event}吸引眾多業界人士參加",
    "與會嘉賓在{place}{facility}了解{subject}的應用情況及未來發展方向",
    "{partner}代表參觀{facility}",
    "{region}代表出席{subject}{event}",
    "{who}在{event}上踴躍發問",
    "{person}與{person2}共同主持{subject}工作會議",
    "{org}{person}在{place}{venue}向與會的{who}介紹“{scheme}”的申請條件及審批流程",
    "{subject}{event}",
]


@dataclass(frozen=True)
class Invented:
    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)) + rng.choice(RANKS)


def _topic(rng: random.Random) -> dict[str, str]:
    org, org2 = rng.sample(ORGS, 2)
    subject, subject2, subject3 = rng.sample(SUBJECTS, 3)
    facility, facility2, facility3 = rng.sample(FACILITIES, 3)
    event = rng.choice(EVENTS)
    year = rng.randint(2015, 2026)
    place = rng.choice(PLACES)
    region = rng.choice(REGIONS)
    named = rng.choice(
        [
            f"“{subject}{event}”",
            f"{year}{place}{subject}{event}",
            f"“{region}{subject}合作{event}”",
            f"第{_cn_number(rng.randint(2, 30))}屆{subject}{event}",
        ]
    )
    return {
        "org": org,
        "org2": org2,
        "partner": rng.choice(PARTNERS),
        "place": place,
        "venue": rng.choice(VENUES),
        "subject": subject,
        "subject2": subject2,
        "subject3": subject3,
        "event": event,
        "eventname": named,
        "facility": facility,
        "facility2": facility2,
        "facility3": facility3,
        "region": region,
        "who": rng.choice(WHO),
        "person": _person(rng),
        "person2": _person(rng),
        "latinperson": rng.choice(LATIN_PEOPLE),
        "latinterm": rng.choice(LATIN_TERMS),
        "agreement": rng.choice(AGREEMENTS),
        "scheme": rng.choice(SCHEMES),
        "channel": rng.choice(CHANNELS),
        "year": str(year),
    }


def _fill(template: str, topic: dict[str, str], rng: random.Random) -> str:
    return template.format(**_values(topic, rng))


def _values(topic: dict[str, str], rng: random.Random) -> dict[str, str]:
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    n = rng.choice([rng.randint(12, 99), rng.randint(100, 999), rng.randint(20, 60)])
    values = dict(topic)
    values.update(
        date=rng.choice([f"{month}月{day}日", f"{topic['year']}年{month}月{day}日", "本月"]),
        daterange=f"{month}月{day}日至{min(day + rng.randint(1, 4), 30)}日",
        month=str(month),
        n=str(n),
        m=str(max(1, n - rng.randint(1, n))),
        k=str(rng.randint(2, 6)),
        k2=str(rng.randint(8, 40)),
        d1=str(rng.choice([15, 20, 30])),
        d2=str(rng.choice([5, 7, 10])),
        pct=rng.choice([f"{rng.randint(1, 40)}.{rng.randint(1, 9)}%", f"{rng.randint(2, 30)}%"]),
        money=rng.choice(
            [
                f"{rng.randint(2, 900)}億澳門元",
                f"{rng.randint(1, 9)},{rng.randint(100, 999)}萬元",
                f"{rng.randint(10, 99)}.{rng.randint(1, 9)}億美元",
                f"{rng.randint(1, 9)},{rng.randint(100, 999)},{rng.randint(100, 999)}澳門元",
            ]
        ),
    )
    return values


def invented_article(rng: random.Random) -> Invented:
    """One article: a title, 2–7 paragraphs of 1–5 sentences, 0–3 captions."""
    topic = _topic(rng)
    values = _values(topic, rng)
    title_template, opening = rng.choice(TITLES)
    title = title_template.format(**values)
    if rng.random() < 0.25:  # an opening that says it in other words
        opening = rng.choice(OPENINGS)
    paragraphs = [opening.format(**values)]
    details = rng.sample(DETAILS, k=len(DETAILS))  # each sentence once in an article
    if rng.random() < 0.5:
        paragraphs[0] += _fill(details.pop(), topic, rng)
    wanted = rng.choice([1, 1, 2, 2, 3, 3, 4, 5])
    # Real articles run from about 200 to 900 characters: at least two paragraphs here.
    while details and (wanted > 0 or sum(map(len, paragraphs)) < 150):
        count = rng.choice([1, 1, 2, 2, 3, 4])
        take, details = details[:count], details[count:]
        paragraphs.append("".join(_fill(t, topic, rng) for t in take))
        wanted -= 1
    if rng.random() < 0.12:
        paragraphs[-1] += rng.choice(LIST_LEADS)
        items = rng.sample(LIST_ITEMS, k=rng.randint(2, 6))
        paragraphs += [f"{k}. {_fill(item, topic, rng)}" for k, item in enumerate(items, 1)]
    if rng.random() < 0.7:
        paragraphs.append(_fill(rng.choice(CLOSINGS), topic, rng))
    count = rng.choices([0, 1, 2, 3], weights=[15, 40, 30, 15])[0]
    captions: list[str] = []
    for _ in range(count):
        pool = GENERIC_CAPTIONS if rng.random() < 0.25 else CAPTIONS
        caption = _fill(rng.choice(pool), topic, rng)
        if caption not in captions and caption != title:
            captions.append(caption)
    return Invented(title, tuple(paragraphs), tuple(captions))
