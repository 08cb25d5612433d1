"""Issuing bodies of synthetic reports, composed from pools of place names and body types.

Real reports come from every level of government: street offices and towns,
county and city governments, their bureaus and commissions, provincial
departments. A body has its full name (as printed in titles and signatures),
a short name (as the prose calls it) and a self-reference (我局, 本街道 …).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PROVINCES = (
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省",
    "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省",
    "青海省", "内蒙古自治区", "广西壮族自治区", "宁夏回族自治区",
)
CITIES = (
    "石家庄市", "保定市", "大同市", "晋中市", "鞍山市", "锦州市", "四平市", "通化市", "齐齐哈尔市", "牡丹江市",
    "徐州市", "常州市", "南通市", "扬州市", "湖州市", "绍兴市", "台州市", "芜湖市", "蚌埠市", "泉州市",
    "漳州市", "九江市", "赣州市", "洛阳市", "开封市", "南阳市", "宜昌市", "襄阳市", "株洲市", "岳阳市",
    "韶关市", "江门市", "绵阳市", "宜宾市", "遵义市", "曲靖市", "宝鸡市", "天水市", "柳州市", "桂林市",
    "包头市", "银川市", "西宁市", "三亚市", "楚雄彝族自治州", "恩施土家族苗族自治州",
)
DISTRICTS = (
    "城关区", "新华区", "长安区", "鼓楼区", "铁西区", "和平区", "朝阳区", "东湖区", "西湖区", "江北区",
    "高新区", "经开区", "城中区", "河西区", "清河区", "青山区", "龙华区", "金水区", "二七区", "雁塔区",
)
COUNTIES = (
    "永安县", "平山县", "清水县", "南漳县", "宁乡县", "泾阳县", "富平县", "通江县", "沐川县", "金沙县",
    "弥勒市", "宣威市", "永和县", "石门县", "大安市", "海城市", "灵宝市", "新安县", "宜良县", "崇义县",
    "彭水苗族土家族自治县", "长阳土家族自治县", "孟连傣族拉祜族佤族自治县",
)
PLACES = (  # streets, towns, townships
    "东关", "西城", "南门", "北塘", "青龙", "白马", "黄石", "桃源", "杏花", "柳林", "新桥", "太平", "永丰",
    "长乐", "三里", "双河", "石桥", "龙泉", "凤凰", "金山", "银湖", "花园", "红星", "东风", "建设", "解放",
    "胜利", "文化", "光明", "和平", "兴隆", "高桥", "茶山", "梅林", "竹园", "大营", "马坊", "沙河", "古城",
    "北关", "清源", "玉泉", "华山", "云峰", "松林", "泉水", "槐荫", "临河", "东港", "朝阳",
)
ETHNIC_GROUPS = ("彝族", "苗族", "瑶族", "回族", "土家族", "侗族", "壮族", "傣族", "蒙古族", "满族")
DEPARTMENTS = (
    "公安", "财政", "自然资源和规划", "生态环境", "住房和城乡建设", "交通运输", "水利", "农业农村", "商务",
    "文化和旅游", "卫生健康", "应急管理", "市场监督管理", "统计", "医疗保障", "行政审批服务",
    "人力资源和社会保障", "民政", "司法", "教育", "退役军人事务", "林业", "审计", "城市管理综合执法",
)
COMMISSIONS = ("发展和改革委员会", "卫生健康委员会", "教育委员会", "民族宗教事务委员会", "科学技术委员会")
OFFICES = ("人民政府办公室", "人民政府外事办公室", "人民政府研究室", "机关事务管理办公室")
ZONES = ("经济技术开发区", "高新技术产业开发区", "工业园区", "综合保税区")


@dataclass(frozen=True)
class Organization:
    name: str  # full name, as printed in a title or signature
    short: str  # what the prose calls it
    region: str  # the county, district or city it belongs to ("" for none)
    self_ref: str  # how it names itself: 我局, 本街道 …
    kind: str


def _street(rng: random.Random) -> Organization:
    place, district, city = rng.choice(PLACES), rng.choice(DISTRICTS), rng.choice(CITIES)
    prefix = rng.choice(["", district, city + district])
    name = rng.choice([f"{prefix}{place}街道办事处", f"{prefix}{place}街道办事处", f"{place}街道"])
    return Organization(name, f"{place}街道", district, rng.choice(["我街道", "本街道", "街道"]), "street")


def _town(rng: random.Random) -> Organization:
    place, county = rng.choice(PLACES), rng.choice(COUNTIES)
    if rng.random() < 0.5:
        unit = "镇"
    elif rng.random() < 0.7:
        unit = "乡"
    else:
        unit = rng.choice(ETHNIC_GROUPS) + "乡"
    short = place + unit
    name = rng.choice(["", county]) + short + "人民政府"
    return Organization(name, short, county, "我" + unit[-1], "town")


def _government(rng: random.Random) -> Organization:
    city = rng.choice(CITIES)
    county = rng.choice(COUNTIES + DISTRICTS)
    if rng.random() < 0.6:
        name = rng.choice(["", city]) + county + "人民政府"
        self_ref = "我" + county[-1]
        return Organization(name, county, county, self_ref, "government")
    return Organization(city + "人民政府", city, city, "我" + city[-1], "government")


def _bureau(rng: random.Random) -> Organization:
    region = rng.choice(CITIES + COUNTIES + DISTRICTS)
    name = f"{region}{rng.choice(DEPARTMENTS)}局"
    return Organization(name, name, region, rng.choice(["我局", "本局", "本机关"]), "bureau")


def _commission(rng: random.Random) -> Organization:
    region = rng.choice(CITIES + COUNTIES)
    name = region + rng.choice(COMMISSIONS)
    return Organization(name, name, region, rng.choice(["我委", "本机关"]), "commission")


def _office(rng: random.Random) -> Organization:
    region = rng.choice(CITIES + COUNTIES)
    name = region + rng.choice(OFFICES)
    return Organization(name, name, region, rng.choice(["我办", "本机关"]), "office")


def _zone(rng: random.Random) -> Organization:
    city = rng.choice(CITIES)
    zone = rng.choice(ZONES)
    return Organization(f"{city}{zone}管理委员会", f"{zone}管委会", city, "我委", "zone")


def _department(rng: random.Random) -> Organization:
    province = rng.choice(PROVINCES)
    name = province + rng.choice(DEPARTMENTS) + "厅"
    return Organization(name, name, province, rng.choice(["我厅", "本机关"]), "department")


KINDS = {"street": (_street, 26), "town": (_town, 22), "government": (_government, 10), "bureau": (_bureau, 22),
         "commission": (_commission, 6), "office": (_office, 6), "zone": (_zone, 3), "department": (_department, 5)}


def random_organization(rng: random.Random, kind: str | None = None) -> Organization:
    """An issuing body; `kind` one of KINDS, else drawn by how often each level publishes reports."""
    if kind is None:
        kind = rng.choices(list(KINDS), weights=[w for _, w in KINDS.values()])[0]
    return KINDS[kind][0](rng)
