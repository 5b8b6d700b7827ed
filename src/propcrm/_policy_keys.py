"""What each policy key means: the one place that describes every setting.

Each entry is keyed by the key's dotted path in a policy file. In a path, ``*``
stands for a name the company chooses (a calendar's name, a repair kind) and
``[]`` for an item of a list of tables (``sla.sets[].name``). ``propcrm policy
show`` writes an entry as the comment above its key; the test suite checks that
every key of the default policy has an entry and that no entry is stale.

>>> describe("grading.resolve_within.major").source
'000 §3.2'
>>> describe("calendars.night.week").zh
'工作时间'
>>> describe("sla.sets[3].targets[0].allowance.kind").meaning
'how the allowance is measured: business, wall, close_of_day or appointment'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache

from attrs import frozen

__all__ = ["KEYS", "KeyInfo", "describe", "entry", "key_paths", "matches", "pattern"]


@frozen
class KeyInfo:
    """The description of one policy key.

    Attributes:
        meaning: What the key sets, in English.
        zh: The Chinese term the sources use.
        source: The seed article whose text states the default, or ``"Decision"``.
        unit: The unit or form of the value, ``""`` for a table.
    """

    meaning: str
    zh: str
    source: str
    unit: str = ""

    def comment(self) -> str:
        """The one-line comment ``policy show`` writes above the key."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.meaning}{unit} · {self.zh} · {self.source}"


def _k(meaning: str, zh: str, source: str, unit: str = "") -> KeyInfo:
    return KeyInfo(meaning, zh, source, unit)


_DUR = "duration such as 24h, 7d"
_MONTHS = "calendar months"
_ROLE = "role"
_RATE = "fraction, 0.85 is 85 %"
_PER_YEAR = "times a year"
_RESOLVE = "000 §3.2"
_ROLES_002 = "002 §41"
_GRADES_002 = "002 §40"
_REPAIRS = "002 回访工作制度"
_ROUNDS = "002 回访制度"
_DONGKE = "002 Dongke KPI"

KEYS: Mapping[str, KeyInfo] = {
    "tz": _k(
        "the company's time zone; calendars that name none use it", "时区", "Decision", "IANA name"
    ),
    # --- calendars -------------------------------------------------------------------------
    "calendars": _k("the named business calendars other rules run on", "营业日历", "Decision"),
    "calendars.*": _k("a named business calendar", "营业日历", "Decision"),
    "calendars.24x7": _k("always open: answering calls, emergency repairs", "全天候", "Decision"),
    "calendars.desk": _k(
        "the service desk's day shift, every day of the year",
        "服务中心白班",
        "002 物业服务中心管理制度",
    ),
    "calendars.office": _k("office hours with China's holidays", "办公时间", "Decision"),
    "calendars.contact": _k(
        "when customers may be called back: calling hours, closed on holidays",
        "回访时间",
        "Decision",
    ),
    "calendars.*.week": _k("the working week", "工作时间", "Decision", "e.g. mon-fri 08:30-18:00"),
    "calendars.*.holidays": _k(
        "public holidays and make-up days: CN for China's, none for none",
        "法定节假日及调休",
        "Decision",
        "CN or none",
    ),
    "calendars.*.tz": _k(
        "the calendar's time zone; empty means the policy's tz",
        "时区",
        "Decision",
        "IANA name or empty",
    ),
    "calendars.*.closed": _k(
        "the company's own closed dates", "停业日", "Decision", "list of dates"
    ),
    "calendars.*.extra_working": _k(
        "the company's own extra working dates", "加班日", "Decision", "list of dates"
    ),
    "calendars.*.overrides": _k(
        "hours for single dates, empty text for closed", "特别营业时间", "Decision", "date = hours"
    ),
    # --- customers -------------------------------------------------------------------------
    "customers": _k("customer tiers and household segments", "客户分级与细分", "002 §§6-7"),
    "customers.tiers": _k("the thresholds of the tier rules", "客户分级", "002 §7"),
    "customers.tiers.precedence": _k(
        "which tier wins when several apply, highest first",
        "分级优先次序",
        "Decision",
        "list of A-D",
    ),
    "customers.tiers.loyal_min_purchases": _k(
        "B (loyal) from this many purchases from the group", "多次购买", "002 §7", "purchases"
    ),
    "customers.tiers.loyal_min_satisfaction": _k(
        "B (loyal) from this latest satisfaction score", "非常认可", "Decision", "score 0-100"
    ),
    "customers.tiers.difficult_min_invalid_complaints": _k(
        "D (difficult) from this many invalid complaints in the window",
        "时常无效投诉",
        "Decision",
        "complaints",
    ),
    "customers.tiers.invalid_complaints_window_months": _k(
        "the window for counting invalid complaints", "无效投诉统计期", "Decision", _MONTHS
    ),
    "customers.tiers.difficult_min_arrears_months": _k(
        "D (difficult) from this many months of fees overdue", "恶意欠缴", "Decision", "months"
    ),
    "customers.tiers.difficult_min_group_complaints_led": _k(
        "D (difficult) from this many group complaints led in the window",
        "牵头聚众投诉",
        "Decision",
        "complaints",
    ),
    "customers.tiers.group_complaints_window_months": _k(
        "the window for counting group complaints led", "聚众投诉统计期", "Decision", _MONTHS
    ),
    "customers.tiers.newly_signed_months": _k(
        "a C customer who signed this recently is newly signed", "新签约客户", "Decision", "months"
    ),
    "customers.segments": _k("the age thresholds of the household segments", "客户细分", "002 §6"),
    "customers.segments.child_under": _k(
        "a son or daughter under this age is a child", "小孩", "Decision", "years of age"
    ),
    "customers.segments.older_single_min_age": _k(
        "a single person without children is an older single from this age",
        "大龄单身贵族",
        "Decision",
        "years of age",
    ),
    "customers.segments.elder_min_age": _k(
        "an elder from this age", "长者", "Decision", "years of age"
    ),
    # --- vip -------------------------------------------------------------------------------
    "vip": _k("the VIP card programme", "VIP客户", "002 §§19-35"),
    "vip.card_prefix": _k(
        "the group's two letters that start every card number",
        "卡号前两位",
        "002 §23",
        "two capitals",
    ),
    "vip.validity_years": _k("how long a card is valid", "有效期", "002 §26", "calendar years"),
    "vip.renewal_window_days": _k(
        "a card may be renewed from this many days before it expires", "续办期", "Decision", "days"
    ),
    "vip.emergency_aid_limit": _k(
        "the most cash emergency aid per case", "紧急援助限额", "Decision", "yuan (元)"
    ),
    "vip.benefits": _k(
        "the services of each benefit family; an empty list is not offered",
        "VIP服务",
        "002 §§30-33",
    ),
    "vip.benefits.priority": _k("priority services", "优先服务", "002 §31", "list of names"),
    "vip.benefits.discount": _k("discounts", "优惠服务", "002 §32", "list of names"),
    "vip.benefits.consultation": _k("consultation", "咨询服务", "002 §30", "list of names"),
    "vip.benefits.family_care": _k(
        "family care and value-added services", "亲情服务", "002 §33", "list of names"
    ),
    "vip.benefits.emergency_aid": _k("emergency aid", "紧急援助服务", "002 §33", "list of names"),
    # --- satisfaction ----------------------------------------------------------------------
    "satisfaction": _k("satisfaction surveys, NPS and KPI targets", "满意度调研", "001 §2"),
    "satisfaction.confidence": _k(
        "confidence level of every interval a scorecard reports", "置信水平", "Decision", "fraction"
    ),
    "satisfaction.weights": _k(
        "weight of each survey dimension in the overall index", "满意度维度权重", "Decision"
    ),
    "satisfaction.weights.*": _k(
        "weight of a survey dimension", "维度权重", "Decision", "relative weight"
    ),
    "satisfaction.weights.security": _k(
        "weight of security", "安全管理", "Decision", "relative weight"
    ),
    "satisfaction.weights.cleaning": _k(
        "weight of cleaning", "保洁服务", "Decision", "relative weight"
    ),
    "satisfaction.weights.greening": _k(
        "weight of greening", "绿化养护", "Decision", "relative weight"
    ),
    "satisfaction.weights.engineering": _k(
        "weight of engineering and repair", "工程维修", "Decision", "relative weight"
    ),
    "satisfaction.weights.service_centre": _k(
        "weight of the customer-service centre", "客户服务中心", "Decision", "relative weight"
    ),
    "satisfaction.weights.community_culture": _k(
        "weight of community culture", "社区文化", "Decision", "relative weight"
    ),
    "satisfaction.weights.value_added": _k(
        "weight of value-added services", "增值服务", "Decision", "relative weight"
    ),
    "satisfaction.min_answered_dimensions": _k(
        "a respondent enters the overall index after rating this many dimensions",
        "有效答卷维度数",
        "Decision",
        "dimensions",
    ),
    "satisfaction.satisfied_from": _k(
        "the lowest rating that counts as satisfied", "满意", "Decision", "rating 1-5"
    ),
    "satisfaction.loyal_from": _k(
        "the lowest recommendation answer that counts as loyal", "忠诚", "Decision", "answer 0-10"
    ),
    "satisfaction.targets": _k("the target of each KPI", "关键业绩指标", "001 §2.2"),
    "satisfaction.targets.*": _k("the target of a KPI", "指标目标", "Decision"),
    "satisfaction.targets.overall_satisfaction": _k(
        "overall satisfaction, at least", "总体满意率", _DONGKE, _RATE
    ),
    "satisfaction.targets.loyalty": _k("loyalty, at least", "客户忠诚度", _DONGKE, _RATE),
    "satisfaction.targets.complaint_resolution_satisfaction": _k(
        "complaint-resolution satisfaction, at least", "投诉解决满意度", "000 §3.2", _RATE
    ),
    "satisfaction.targets.response_timeliness": _k(
        "response timeliness, at least", "需求响应及时率", "000 §3.2", _RATE
    ),
    "satisfaction.targets.complaint_handling_timeliness": _k(
        "complaint handling timeliness, at least", "投诉处理及时率", _DONGKE, _RATE
    ),
    "satisfaction.targets.complaint_rate": _k(
        "complaints per household served, below", "投诉率", _ROUNDS, _RATE
    ),
    # --- grading ---------------------------------------------------------------------------
    "grading": _k(
        "complaint grading: thresholds, roles and resolution allowances", "投诉分级", "002 §§40-41"
    ),
    "grading.collective_hot_people": _k(
        "a collective complaint by this many people is HOT", "集体投诉", _GRADES_002, "people"
    ),
    "grading.collective_major_people": _k(
        "a collective complaint by this many people is MAJOR", "集体投诉", _GRADES_002, "people"
    ),
    "grading.repeat_complainants": _k(
        "the same complaint from this many complainants in the window is HOT",
        "相同投诉",
        _GRADES_002,
        "complainants",
    ),
    "grading.repeat_window_months": _k(
        "the window for repeated complaints", "累计期", _GRADES_002, _MONTHS
    ),
    "grading.major_after_months": _k(
        "unresolved through the company's delay this long after receipt: MAJOR",
        "一个月后仍未解决",
        _GRADES_002,
        _MONTHS,
    ),
    "grading.hot_after": _k(
        "unresolved through the company's delay this long after receipt: HOT",
        "一周以后仍未解决",
        _GRADES_002,
        _DUR,
    ),
    "grading.same_complaint_key": _k(
        "the fields that make two complaints the same",
        "相同投诉",
        "Decision",
        "list of field names",
    ),
    "grading.categories": _k(
        "the allowed complaint categories; empty allows any",
        "投诉类别",
        "Decision",
        "list of names",
    ),
    "grading.task_force_from": _k(
        "from this grade on a dedicated task force handles the complaint",
        "专项小组",
        _RESOLVE,
        "grade",
    ),
    "grading.callback_after_handling": _k(
        "the complainant is called back after handling", "投诉回访", "002 §42", "true or false"
    ),
    "grading.handler_roles": _k("who handles each grade", "投诉处理具体实施", _ROLES_002),
    "grading.handler_roles.general": _k(
        "handles a GENERAL complaint", "一般投诉", _ROLES_002, _ROLE
    ),
    "grading.handler_roles.important": _k(
        "handles an IMPORTANT complaint", "重要投诉", _ROLES_002, _ROLE
    ),
    "grading.handler_roles.hot": _k("handles a HOT complaint", "热点投诉", _ROLES_002, _ROLE),
    "grading.handler_roles.major": _k("handles a MAJOR complaint", "重大投诉", _ROLES_002, _ROLE),
    "grading.supervisor_roles": _k(
        "who supervises the outcome of each grade", "投诉处理效果监督", _ROLES_002
    ),
    "grading.supervisor_roles.general": _k(
        "supervises a GENERAL complaint", "一般投诉", _ROLES_002, _ROLE
    ),
    "grading.supervisor_roles.important": _k(
        "supervises an IMPORTANT complaint", "重要投诉", _ROLES_002, _ROLE
    ),
    "grading.supervisor_roles.hot": _k("supervises a HOT complaint", "热点投诉", _ROLES_002, _ROLE),
    "grading.supervisor_roles.major": _k(
        "supervises a MAJOR complaint", "重大投诉", _ROLES_002, _ROLE
    ),
    "grading.resolve_within": _k(
        "the resolution allowance of each grade; the SLA's complaint targets follow it",
        "投诉处理时限",
        _RESOLVE,
    ),
    "grading.resolve_within.general": _k(
        "resolve a GENERAL complaint within", "一般投诉", _RESOLVE, _DUR
    ),
    "grading.resolve_within.important": _k(
        "resolve an IMPORTANT complaint within", "重要投诉", _RESOLVE, _DUR
    ),
    "grading.resolve_within.hot": _k(
        "resolve a HOT complaint within", "热点投诉", "Decision", _DUR
    ),
    "grading.resolve_within.major": _k(
        "resolve a MAJOR complaint within", "重大投诉", _RESOLVE, _DUR
    ),
    # --- callbacks -------------------------------------------------------------------------
    "callbacks": _k("callbacks, visits and VIP care", "回访与拜访", "000 §3.2; 002 回访制度"),
    "callbacks.service_phone_within": _k(
        "phone callback after a service within", "电话回访", "000 §3.2", _DUR
    ),
    "callbacks.service_visit_within": _k(
        "visit after a service within", "上门回访", "000 §3.2", _DUR
    ),
    "callbacks.service_questionnaire_within": _k(
        "questionnaire after a service within", "问卷回访", "000 §3.2", _DUR
    ),
    "callbacks.repair_within": _k("repair callback by repair kind", "维修回访", _REPAIRS),
    "callbacks.repair_within.*": _k(
        "callback after a repair of this kind within", "维修回访", "Decision", _DUR
    ),
    "callbacks.repair_within.ordinary": _k(
        "callback after an ordinary repair within", "维修回访", _REPAIRS, _DUR
    ),
    "callbacks.repair_within.safety": _k(
        "callback after a safety-facility repair within", "安全设施维修回访", _REPAIRS, _DUR
    ),
    "callbacks.repair_within.leak": _k(
        "callback after a leak repair within", "漏水维修回访", _REPAIRS, _DUR
    ),
    "callbacks.rectification_within": _k(
        "a problem found on a callback becomes a written notice within", "整改通知", _REPAIRS, _DUR
    ),
    "callbacks.complaint_callback_within": _k(
        "callback after a complaint is handled within", "投诉回访", "Decision", _DUR
    ),
    "callbacks.role_shares": _k(
        "minimum share of repair callbacks per owner role", "回访比例", _REPAIRS
    ),
    "callbacks.role_shares.*": _k(
        "minimum share of repair callbacks for this role", "回访比例", "Decision", _RATE
    ),
    "callbacks.role_shares.service_centre_manager": _k(
        "the service-centre manager's minimum share", "经理", _REPAIRS, _RATE
    ),
    "callbacks.role_shares.engineering_supervisor": _k(
        "the engineering supervisor's minimum share", "主管", _REPAIRS, _RATE
    ),
    "callbacks.role_shares.repair_lead": _k(
        "the repair lead's minimum share", "维修负责人", _REPAIRS, _RATE
    ),
    "callbacks.service_role": _k("who owns the three-step callback", "回访人", "Decision", _ROLE),
    "callbacks.complaint_role": _k("who owns complaint callbacks", "投诉回访人", "002 §42", _ROLE),
    "callbacks.director_role": _k("the office director", "办公室主任", _ROUNDS, _ROLE),
    "callbacks.officer_role": _k("the property officers", "物管员", _ROUNDS, _ROLE),
    "callbacks.vip_role": _k("the VIP assistant", "客户助理", "002 §19", _ROLE),
    "callbacks.director_visits_per_year": _k(
        "the director's visits to each household", "主任回访", _ROUNDS, _PER_YEAR
    ),
    "callbacks.officer_rounds_per_year": _k(
        "the officers' calls to each household of their area", "物管员回访", _ROUNDS, _PER_YEAR
    ),
    "callbacks.forums_per_year": _k(
        "residents' forums per community", "住户座谈会", _ROUNDS, _PER_YEAR
    ),
    "callbacks.visits_per_year_by_tier": _k(
        "relationship visits per customer by tier", "拜访频次", "Decision"
    ),
    "callbacks.visits_per_year_by_tier.*": _k(
        "visits a year to a customer of this tier; 0 for none", "拜访频次", "Decision", _PER_YEAR
    ),
    "callbacks.festivals": _k(
        "festivals that get a VIP greeting", "节日问候", "002 §33", "list of holiday names"
    ),
    "callbacks.card_expiry_reminder_lead": _k(
        "how long before a VIP card expires the reminder starts", "到期提醒", "Decision", _DUR
    ),
    "callbacks.daily_capacity": _k(
        "callbacks one person can do in a day", "每日回访量", "Decision", "callbacks"
    ),
    "callbacks.coverage_target": _k(
        "share of customers reached each month", "回访覆盖率", "002 东科方案 5.1", _RATE
    ),
    "callbacks.contact_calendar": _k(
        "the calendar callbacks are made in", "回访时间", "Decision", "calendar name"
    ),
    # --- sla -------------------------------------------------------------------------------
    "sla": _k("service-level targets", "服务时限", "000 §3.2"),
    "sla.default": _k(
        "the set used when no set's conditions match", "默认时限", "Decision", "set name"
    ),
    "sla.sets": _k(
        "target sets in the order they are tried; the first that matches applies",
        "服务时限",
        "000 §3.2",
    ),
    "sla.sets[].name": _k("the set's name", "名称", "Decision", "text"),
    "sla.sets[].kinds": _k(
        "the work-order kinds it applies to; empty for any", "工单类型", "Decision", "list of kinds"
    ),
    "sla.sets[].grades": _k(
        "the complaint grades it applies to; empty for any",
        "投诉等级",
        "Decision",
        "list of grades",
    ),
    "sla.sets[].tiers": _k(
        "the customer tiers it applies to; empty for any", "客户等级", "Decision", "list of tiers"
    ),
    "sla.sets[].targets": _k("the set's targets", "时限目标", "000 §3.2"),
    "sla.sets[].targets[].name": _k("the target's name", "名称", "Decision", "text"),
    "sla.sets[].targets[].start": _k(
        "the event that starts the clock", "起算事件", "Decision", "event"
    ),
    "sla.sets[].targets[].stop": _k(
        "the event that meets the target", "完成事件", "Decision", "event"
    ),
    "sla.sets[].targets[].calendar": _k(
        "the calendar the clock runs on", "营业日历", "Decision", "calendar name"
    ),
    "sla.sets[].targets[].pause_on": _k(
        "reasons that stop the clock while they last", "暂停原因", "Decision", "list of reasons"
    ),
    "sla.sets[].targets[].warnings": _k(
        "warn when these shares of the allowance are used", "预警", "Decision", "list of fractions"
    ),
    "sla.sets[].targets[].source": _k(
        "the article the target comes from", "依据", "Decision", "text"
    ),
    "sla.sets[].targets[].allowance": _k("how long the target allows", "时限", "000 §3.2"),
    "sla.sets[].targets[].allowance.kind": _k(
        "how the allowance is measured: business, wall, close_of_day or appointment",
        "计时方式",
        "Decision",
    ),
    "sla.sets[].targets[].allowance.duration": _k("the time allowed", "时长", "000 §3.2", _DUR),
    "sla.sets[].targets[].allowance.days": _k("working days allowed", "工作日", "Decision", "days"),
    "sla.sets[].targets[].allowance.grace": _k(
        "extra time after the allowance", "宽限", "Decision", _DUR
    ),
}

_INDEX = re.compile(r"\[\d+\]")


def pattern(path: str) -> str:
    """``path`` with list indices written as ``[]``: ``sla.sets[3].name`` -> ``sla.sets[].name``."""
    return _INDEX.sub("[]", path)


@cache
def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def matches(entry: str, path: str) -> bool:
    """Whether the entry ``entry`` describes the concrete key ``path``."""
    want, have = _split(entry), _split(pattern(path))
    return len(want) == len(have) and all(w in ("*", h) for w, h in zip(want, have, strict=True))


def entry(path: str) -> str | None:
    """The key of the entry for a concrete path: the exact one, else the one with fewest ``*``."""
    if pattern(path) in KEYS:
        return pattern(path)
    found = [e for e in KEYS if "*" in e and matches(e, path)]
    return min(found, key=lambda e: e.count("*")) if found else None


def describe(path: str) -> KeyInfo | None:
    """The entry for a concrete key path (see :func:`entry`), or ``None``."""
    found = entry(path)
    return None if found is None else KEYS[found]


def key_paths(data: Mapping[str, object], prefix: str = "") -> Iterator[str]:
    """Every key path of plain policy data, tables and list items of tables included."""
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path
        if isinstance(value, Mapping):
            yield from key_paths(value, path)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from key_paths(item, f"{path}[{i}]")
