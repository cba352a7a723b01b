"""Synthetic budget documents for measuring the indexer and the API at scale.

    .venv/bin/python -m bench.synth OUT_DIR --documents 10000 [--pdf-share 0.1] [--seed 1]

Our own templates, in the layouts the parser reads: a title, 第一部分 to 第三部分 with the
numbered 项目支出 list (items with sub-items, stated changes), 第七部分's 重点项目 table, then the
tables part (收支总表, 支出总表 with function codes, 项目支出总表, 整体支出绩效目标表 with
年度主要任务 and indicator rows). Names and figures follow the real budgets' shapes; every
document adds up (its listed projects make its 项目支出). Text files are written directly; a
share of the documents is printed to PDF by Chromium (a CJK font, ruled tables, several pages).
"""

import argparse
import html
import random
import sys
from dataclasses import dataclass
from pathlib import Path

CITIES = {
    "深圳市": ["福田区", "罗湖区", "南山区", "宝安区", "龙岗区", "市本级"],
    "广州市": ["天河区", "越秀区", "海珠区", "市本级"],
    "示例市": ["东湖区", "西山区", "市本级"],
}
AGENCIES = [
    "政务服务数据管理局",
    "交通运输局",
    "卫生健康局",
    "教育局",
    "城市管理和综合执法局",
    "民政局",
    "司法局",
    "审计局",
    "统计局",
    "科技创新局",
    "应急管理局",
    "文化广电旅游体育局",
]
PROJECTS = [
    "民意速办平台运营",
    "政务热线运维",
    "信息化运维项目",
    "一般管理事务",
    "预算准备金",
    "智慧城市建设管理",
    "数据共享交换平台",
    "网络安全保障",
    "综合事务",
    "离退休干部管理",
    "政府投资项目",
    "专项业务经费",
    "培训及宣传",
    "办公设备购置",
    "物业管理服务",
]
SUBS = ["运行维护经费", "系统建设经费", "服务外包经费", "宣传推广经费", "劳务派遣人员经费"]
FUNCTIONS = [
    ("201", "一般公共服务支出"),
    ("20103", "政府办公厅(室)及相关机构事务"),
    ("2010301", "行政运行"),
    ("2010350", "事业运行"),
    ("208", "社会保障和就业支出"),
    ("2080505", "机关事业单位基本养老保险缴费支出"),
    ("221", "住房保障支出"),
    ("2210201", "住房公积金"),
]
INDICATORS = [
    ("产出指标", "数量指标", "平台受理事件数量", "≥{n}件"),
    ("产出指标", "数量指标", "系统巡检次数", "{k}次"),
    ("产出指标", "质量指标", "事件分拨准确率", "≥{p}%"),
    ("产出指标", "质量指标", "系统运行维护验收合格率", "100%"),
    ("产出指标", "时效指标", "事件处理及时性", "24小时内"),
    ("产出指标", "成本指标", "支出进度达标率", "≥{p}%"),
    ("效益指标", "社会效益指标", "政务服务提升程度", "显著"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥{p}%"),
]


@dataclass
class Doc:
    name: str
    lines: list[str]  # paragraphs and flattened table rows
    tables: list[tuple[str, list[list[str]]]]  # for the PDF: (title, rows)


def money(value: float) -> str:
    return f"{value:,.2f}"


# A project: its name, amount (万元) and sub-items with theirs (the amount is their sum).
Project = tuple[str, float, list[tuple[str, float]]]


def make_doc(rng: random.Random, number: int) -> Doc:
    city = rng.choice(list(CITIES))
    district = rng.choice(CITIES[city])
    agency = rng.choice(AGENCIES)
    year = rng.randint(2019, 2026)
    name = f"synth-{number:05d}-{year}"
    return budget_doc(rng, name, city, district, agency, year, random_projects(rng))


def random_projects(rng: random.Random) -> list[Project]:
    projects = []
    for name in rng.sample(PROJECTS, rng.randint(3, 7)):
        subs = [(s, round(rng.uniform(5, 900), 2)) for s in rng.sample(SUBS, rng.randint(0, 3))]
        amount = round(sum(a for _, a in subs) if subs else rng.uniform(10, 3000), 2)
        projects.append((name, amount, subs))
    return projects


def budget_doc(
    rng: random.Random,
    doc_name: str,
    city: str,
    district: str,
    agency: str,
    year: int,
    projects: list[Project],
    note: str | None = None,
    separator: str = " ",
) -> Doc:
    """One body's budget for a year in the template, the text under its title opening with
    ``note`` when given, the tables' cells apart by ``separator``."""
    dept = f"{city}{'' if district == '市本级' else district}{agency}"
    project_total = round(sum(a for _, a, _ in projects), 2)
    basic = round(rng.uniform(500, 5000), 2)
    total = round(project_total + basic, 2)
    change = round(rng.uniform(-500, 500), 2)
    lines = [
        f"{year}年{dept}部门预算",
        *([note] if note else []),
        "第一部分 部门概况",
        "一、部门职责",
        f"负责本{'市' if district == '市本级' else '区'}{agency[:-1]}相关工作,"
        "统筹推进民意速办、政务热线和数字政府建设。",
        "第二部分 部门预算收支总体情况",
        f"{year}年{dept}部门预算收入{money(total)}万元,较{year - 1}年年初预算"
        f"{'增加' if change >= 0 else '减少'}{money(abs(change))}万元。",
        "第三部分 部门预算支出具体情况",
        f"{dept}预算{money(total)}万元,包括人员支出{money(basic)}万元、项目支出{money(project_total)}万元。",
        f"(四)项目支出{money(project_total)}万元,具体包括:",
    ]
    for i, (name, amount, subs) in enumerate(projects, 1):
        detail = ";".join(f"{s}{money(a)}万元" for s, a in subs)
        lines.append(f"{i}.{name}{money(amount)}万元,主要用于{detail or '保障日常运行'}。")
    lines += [
        "第四部分 政府采购预算情况",
        f"{dept}纳入{year}年部门预算的政府采购项目共计{money(project_total / 3)}万元。",
    ]
    key = [["项目名称", "预算数(万元)", "绩效目标"]] + [
        [n, money(a), f"通过本项目的实施,保障{n}顺利开展。"] for n, a, _ in projects[:3]
    ]
    lines += ["第七部分 重点项目预算绩效情况说明", f"{year}年,本单位重点项目绩效目标情况如下:"]
    lines += [separator.join(row) for row in key]
    functions = [
        [c, n, money(rng.uniform(1, total)), money(rng.uniform(1, basic)), "0.00"]
        for c, n in FUNCTIONS
    ]
    tasks = [["任务名称", "主要内容", "总额", "其中:财政拨款", "其中:其他资金"]] + [
        [n, f"主要用于{n}。", money(a), money(a), "0.00"] for n, a, _ in projects
    ]
    indicators = [["一级指标", "二级指标", "三级指标", "目标值"]]
    for level1, level2, name, target in INDICATORS:
        value = target.format(
            n=rng.randint(100, 5000), k=rng.randint(1, 12), p=rng.choice([85, 90, 95])
        )
        indicators.append([level1, level2, name, value])
    tables = [
        (
            "收支总表",
            [
                ["项目", "预算数", "项目", "预算数"],
                ["一、财政拨款", money(total), "一、一般公共服务支出", money(total)],
                ["收入总计", money(total), "支出总计", money(total)],
            ],
        ),
        ("支出总表", [["科目编码", "科目名称", "支出总计", "基本支出", "项目支出"], *functions]),
        (
            "项目支出总表",
            [
                ["支出项目类别", "总计", "财政拨款"],
                *[[n, money(a), money(a)] for n, a, _ in projects],
            ],
        ),
        (
            f"{dept}整体支出绩效目标表",
            tasks + [["金额合计", "", money(project_total), money(project_total), "0.00"]],
        ),
        ("年度绩效指标", indicators),
    ]
    lines.append("二、表格部分")
    for title, rows in tables:
        lines.append(title)
        lines += [separator.join(cell for cell in row if cell) for row in rows]
    return Doc(doc_name, lines, tables)


# The demo `make run` indexes when there is no corpus beside the checkout: every body of these
# cities' districts (and the city's own) for four years, each keeping its projects from year to
# year with amounts that move, so that facets, timelines and targets mean something.
DEMO_CITIES = {
    "深圳市": ["福田区", "南山区", "市本级"],
    "广州市": ["天河区", "越秀区", "市本级"],
    "杭州市": ["西湖区", "上城区", "市本级"],
}
DEMO_AGENCIES = AGENCIES[:6]
DEMO_YEARS = range(2023, 2027)
DEMO_NOTE = "说明：本文件是程序生成的合成示例数据（bench/synth.py），不是真实的部门预算。"


def demo_docs(rng: random.Random) -> list[Doc]:
    docs = []
    for city, districts in DEMO_CITIES.items():
        for district in districts:
            for agency in DEMO_AGENCIES:
                projects = random_projects(rng)  # the body's projects, kept over the years
                for year in DEMO_YEARS:
                    name = f"demo-{len(docs):04d}-{year}"
                    body = (city, district, agency, year)
                    docs.append(budget_doc(rng, name, *body, projects, DEMO_NOTE, "\t"))
                    projects = [drifted(rng, project) for project in projects]
    return docs


def drifted(rng: random.Random, project: Project) -> Project:
    """The project a year later: each amount up to a fifth up or down."""
    name, amount, subs = project
    subs = [(s, round(a * rng.uniform(0.8, 1.2), 2)) for s, a in subs]
    amount = round(sum(a for _, a in subs) if subs else amount * rng.uniform(0.8, 1.2), 2)
    return name, amount, subs


def to_html(doc: Doc) -> str:
    parts = [
        '<html><head><meta charset="utf-8"><style>body{font-family:"Noto Sans CJK SC",sans-serif;'
        "font-size:11pt}table{border-collapse:collapse;margin:8pt 0}td{border:1px solid #000;"
        "padding:3pt 5pt}h2{page-break-before:always}</style></head><body>"
    ]
    narrative = doc.lines[: doc.lines.index("二、表格部分")]
    parts += [f"<p>{html.escape(line)}</p>" for line in narrative]
    for title, rows in doc.tables:
        parts.append(f"<h2>{html.escape(title)}</h2><table>")
        parts += [
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        ]
        parts.append("</table>")
    return "".join(parts) + "</body></html>"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.synth", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--pdf-share", type=float, default=0.1, help="share printed to PDF")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"the demo instead: {len(DEMO_CITIES)} cities' bodies over {len(DEMO_YEARS)} years, "
        "as text (make run without ../shared)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.demo:
        for doc in demo_docs(rng):
            (args.out / f"{doc.name}.txt").write_text("\n".join(doc.lines) + "\n", encoding="utf-8")
        return
    pdf_every = round(1 / args.pdf_share) if args.pdf_share > 0 else 0
    browser = page = playwright = None
    if pdf_every:
        from playwright.sync_api import sync_playwright

        from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
    for number in range(args.documents):
        doc = make_doc(rng, number)
        if pdf_every and number % pdf_every == 0:
            page.set_content(to_html(doc))
            page.pdf(path=str(args.out / f"{doc.name}.pdf"), format="A4")
        else:
            (args.out / f"{doc.name}.txt").write_text("\n".join(doc.lines) + "\n", encoding="utf-8")
        if (number + 1) % 500 == 0:
            print(f"{number + 1}/{args.documents}", file=sys.stderr, flush=True)
    if browser:
        browser.close()
        playwright.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
