"""The words of a synthetic report: headings with their real wording variants, section
bodies from the sentence pool, title, preamble, signature, attachment names, table notes.

Everything is composed in simplified script; `Voice.say` turns it into the
report's script (and glosses characters with pinyin where the copy does).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import pool
from .names import Organization
from .script import add_pinyin, in_script

CN_NUMBERS = "一二三四五六七八九十"

HEADINGS = {
    "overview": ("总体情况", "总体情况", "总体情况", "概述", "基本情况"),
    "active_disclosure": ("主动公开政府信息情况", "主动公开政府信息情况", "行政机关主动公开政府信息情况",
                          "主动公开政府信息的情况"),
    "applications": ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请情况",
                     "行政机关收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请的情况"),
    "review_litigation": ("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议、行政诉讼情况",
                          "因政府信息公开工作被申请行政复议、提起行政诉讼情况", "政府信息公开行政复议、行政诉讼的情况"),
    "problems": ("存在的主要问题及改进情况", "存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况",
                 "存在的主要问题和改进情况", "存在的问题及改进情况"),
    "other_matters": ("其他需要报告的事项", "其他需要报告的事项", "其他需要报告的事项", "其他事项"),
}
SUBHEADINGS = {
    "overview.active": ("主动公开", "主动公开情况", "主动公开政府信息情况"),
    "overview.requests": ("依申请公开", "依申请公开情况", "依申请公开办理情况"),
    "overview.management": ("政府信息管理", "政府信息管理情况"),
    "overview.platform": ("政府信息公开平台建设", "政府信息公开平台建设情况", "平台建设"),
    "overview.supervision": ("监督保障", "监督保障情况", "人员保障和监督考核"),
    "problems.issues": ("存在的主要问题", "存在问题", "主要问题"),
    "problems.improvements": ("改进情况", "改进措施", "下一步工作打算"),
}
OVERVIEW_TOPICS = ("overview.active", "overview.requests", "overview.management", "overview.platform",
                   "overview.supervision")
# Opening sentences that name the issuing body the way the extractor reads it from prose.
OPENINGS = (
    "{year}年，{org}认真贯彻落实《中华人民共和国政府信息公开条例》，不断加强政府信息公开工作。",
    "{year}年，{org}坚持以人民为中心的发展思想，依法做好政府信息公开各项工作。",
    "{year}年，{org}严格按照上级部署，扎实推进政务公开工作。",
    "{year}年，{org}围绕中心工作，持续提升政府信息公开质量。",
)
TABLE_INTROS = {
    "active_disclosure": ("{year}年度主动公开政府信息情况见下表。", "本年度主动公开政府信息情况统计如下。"),
    "applications": ("{year}年度收到和处理政府信息公开申请情况见下表。", "本年度依申请公开办理情况统计如下。"),
    "review_litigation": ("本年度政府信息公开行政复议、行政诉讼情况见下表。",),
}
NOTES = {
    "active_disclosure": ("注：行政事业性收费金额单位为万元。", "说明：本表数据统计期限为{year}年1月1日至12月31日。"),
    "applications": ("注：本表数据按申请人身份分类统计。", "备注：上年结转的申请已在本年度全部办结。"),
    "review_litigation": ("注：本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。",
                          "说明：表中数据为本年度新发生的案件数。"),
}


_SITE_WORDS = ("gov", "zwgk", "xxgk", "zfxxgk", "www")
_MAIL_HOSTS = ("163.com", "126.com", "qq.com", "sina.com")


def contact(rng: random.Random) -> dict[str, str]:
    """Contact details as reports print them: web address, phone, e-mail, postcode, street address."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))
    province = "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
    host = f"{rng.choice(['www.', ''])}{word}.gov.cn"
    site = rng.choice([f"http://{host}", f"https://{host}/", f"http://{host}/{rng.choice(_SITE_WORDS)}/", host])
    mail = rng.choice([f"{word}{rng.choice(['zwgk', 'gk', 'bgs', ''])}@{rng.choice(_MAIL_HOSTS)}",
                       f"{word}@{province}.gov.cn", f"{rng.randint(10000, 999999999)}@qq.com"])
    phone = rng.choice([f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}",
                        f"（0{rng.randint(10, 999)}）{rng.randint(2000000, 89999999)}",
                        f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}"])
    street = rng.choice(["人民路", "府前街", "解放大道", "政务服务中心", "行政中心", "中山路", "建设路"])
    return {"site": site, "mail": mail, "phone": phone, "postcode": f"{rng.randint(100000, 859999)}",
            "address": f"{street}{rng.randint(1, 2999)}号"}


@dataclass(frozen=True)
class Voice:
    """Who is writing and how it is printed: the body, the year, the script and its quirks."""

    org: Organization
    year: int
    script: str = "simplified"
    opencc_config: str = "s2t"
    glossed: frozenset[str] = frozenset()  # characters glossed with inline pinyin
    fullwidth_parens: bool = True  # （一） rather than (一)

    def say(self, text: str) -> str:
        return add_pinyin(in_script(text, self.script, self.opencc_config), self.glossed)

    def fill(self, template: str, rng: random.Random) -> str:
        values = {"org": self.org.name, "short": self.org.short, "region": self.org.region or self.org.short,
                  "self": self.org.self_ref, "year": self.year, "prev_year": self.year - 1,
                  "next_year": self.year + 1, "n": rng.randint(1, 400), "m": rng.randint(1, 60),
                  "k": rng.randint(1, 200), **contact(rng)}
        return template.format_map(values)

    def number(self, i: int) -> str:
        return ("（{}）" if self.fullwidth_parens else "({})").format(CN_NUMBERS[i])


def draw(rng: random.Random, topic: str, k: int) -> list[str]:
    """Up to k distinct sentences (real ones and templates) about `topic`."""
    choices = pool.sentences()[topic] + pool.templates()[topic]
    return rng.sample(choices, min(k, len(choices)))


def paragraph(rng: random.Random, voice: Voice, topic: str, k: int) -> str:
    return "".join(voice.fill(s, rng) for s in draw(rng, topic, k))


def heading(rng: random.Random, voice: Voice, key: str, index: int) -> str:
    """A section heading as printed: 二、主动公开政府信息情况, 二、行政机关主动公开政府信息情况 …"""
    mark = rng.choices(["、", "．", "."], weights=[90, 5, 5])[0]
    space = " " if rng.random() < 0.08 else ""
    return voice.say(f"{CN_NUMBERS[index]}{mark}{space}{rng.choice(HEADINGS[key])}")


def _subsections(rng: random.Random, voice: Voice, topics: list[str], style: str) -> list[str]:
    lines = []
    for i, topic in enumerate(topics):
        title = voice.number(i) + rng.choice(SUBHEADINGS[topic])
        body = paragraph(rng, voice, topic, rng.randint(1, 3))
        if style == "lines":
            lines += [title, body]
        else:
            lines.append(title + rng.choice(["。", "：", "："]) + body)
    return lines


def overview_text(rng: random.Random, voice: Voice) -> str:
    lines = [paragraph(rng, voice, "overview.intro", 1)] if rng.random() < 0.6 else []
    style = rng.choices(["lines", "inline", "plain"], weights=[45, 35, 20])[0]
    topics = [t for t in OVERVIEW_TOPICS if rng.random() < 0.85] or ["overview.active"]
    if style == "plain":
        lines += [paragraph(rng, voice, topic, rng.randint(1, 2)) for topic in topics]
    else:
        lines += _subsections(rng, voice, topics, style)
    return voice.say("\n".join(lines))


def problems_text(rng: random.Random, voice: Voice) -> str:
    topics = ["problems.issues", "problems.improvements"]
    style = rng.choices(["lines", "inline", "labelled", "label_lines", "listed"], weights=[30, 20, 20, 10, 20])[0]
    if style in ("lines", "inline"):
        lines = _subsections(rng, voice, topics, style)
    elif style == "labelled":
        lines = [rng.choice(SUBHEADINGS[t]) + "：" + paragraph(rng, voice, t, rng.randint(1, 3)) for t in topics]
    elif style == "label_lines":  # 存在的主要问题： alone on its line, the paragraph under it
        lines = [line for t in topics
                 for line in (rng.choice(SUBHEADINGS[t]) + rng.choice(["：", "："]), paragraph(rng, voice, t, rng.randint(1, 3)))]
    else:
        lines = [voice.fill(s, rng) for t in topics for s in draw(rng, t, rng.randint(1, 3))]
    return voice.say("\n".join(lines))


def other_matters_text(rng: random.Random, voice: Voice) -> str:
    return voice.say("\n".join(voice.fill(s, rng) for s in draw(rng, "other_matters", rng.randint(1, 2))))


def table_intro(rng: random.Random, voice: Voice, key: str) -> str:
    return voice.say(voice.fill(rng.choice(TABLE_INTROS[key]), rng))


def opening(rng: random.Random, voice: Voice) -> str:
    return voice.say(voice.fill(rng.choice(OPENINGS), rng))


def preamble(rng: random.Random, voice: Voice, *, name_the_body: bool) -> list[str]:
    """Lines before the first heading; `name_the_body`: open with a sentence naming the issuing body
    (what a report without title and signature says who it is by)."""
    lines = [opening(rng, voice)] if name_the_body else []
    if rng.random() < 0.5:
        lines.append(voice.say(paragraph(rng, voice, "preamble", rng.randint(1, 2))))
    return lines


def title(rng: random.Random, voice: Voice) -> str:
    name, year = voice.org.name, voice.year
    pattern = rng.choices(["{o}{y}年政府信息公开工作年度报告", "{o}{y}年度政府信息公开工作年度报告",
                           "{y}年{o}政府信息公开工作年度报告", "{o} {y} 年政府信息公开工作 年度报告",
                           "{o}\n{y}年政府信息公开工作年度报告"], weights=[50, 15, 15, 10, 10])[0]
    return voice.say(pattern.format(o=name, y=year))


def date(rng: random.Random, voice: Voice) -> str:
    if rng.random() < 0.15:
        return f"{voice.year}年12月31日"
    return f"{voice.year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"


def signature(rng: random.Random, voice: Voice) -> list[str]:
    return [voice.say(voice.org.name), date(rng, voice)]


def trailer(rng: random.Random, voice: Voice, report_title: str) -> list[str]:
    """Attachment file names printed after the signature, as downloads list them."""
    stem = report_title.replace("\n", "").replace(" ", "") if report_title else voice.say(
        f"{voice.org.name}{voice.year}年政府信息公开工作年度报告")
    if rng.random() < 0.5:
        return [f"{stem}.doc", f"{stem}.pdf"]
    return [voice.say("附件：") + stem + rng.choice([".pdf", ".docx", ".wps"])]


def notes(rng: random.Random, voice: Voice) -> dict[str, list[str]]:
    """Notes printed under one or two tables."""
    keys = rng.sample(sorted(NOTES), rng.randint(1, 2))
    return {key: [voice.say(voice.fill(rng.choice(NOTES[key]), rng))] for key in sorted(keys)}
