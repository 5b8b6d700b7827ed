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
_WEIGHT = "relative weight"
_RESOLVE = "000 §3.2"
_ROLES_002 = "002 §41"
_GRADES_002 = "002 §40"
_DESK_DUTY = "002 物业服务中心管理制度 一"
_REPAIRS = "002 回访工作制度"
_ROUNDS = "002 回访制度 2"
_HOUSEHOLDS = "002 住宅区回访制度 一.4"
_DONGKE = "002 东科物业客户关系管理维护方案"
_DIMENSIONS = "001 §2.1"
_ENVIRONMENT = "002 §45"
_ACCESS = "Decision (RULES §8)"

#: The survey dimensions of the default policy: name, Chinese term, source.
_DEFAULT_DIMENSIONS = (
    ("security", "安保", _DIMENSIONS),
    ("cleaning", "清洁", _DIMENSIONS),
    ("greening", "绿化", f"{_DIMENSIONS}; {_ENVIRONMENT}"),
    ("engineering", "工程维修", _DIMENSIONS),
    ("service_centre", "客户服务中心", _DIMENSIONS),
    ("community_culture", "社区文化", _DIMENSIONS),
    ("value_added", "增值服务", _DIMENSIONS),
    ("neighbour_relations", "邻里关系", _ENVIRONMENT),
    ("signage", "小区指牌", _ENVIRONMENT),
    ("house_quality", "房屋质量", _ENVIRONMENT),
    ("layout", "户型、功能布局", _ENVIRONMENT),
    ("light", "采光", _ENVIRONMENT),
    ("ventilation", "通风", _ENVIRONMENT),
    ("orientation", "朝向", _ENVIRONMENT),
)

#: The grades, most severe last, with their Chinese terms.
_GRADES = (
    ("general", "一般投诉"),
    ("important", "重要投诉"),
    ("hot", "热点投诉"),
    ("major", "重大投诉"),
)


def _allowance(prefix: str) -> dict[str, KeyInfo]:
    """The keys of an allowance table at ``prefix`` (a target's, or an overlay's)."""
    return {
        prefix: _k("how long the target allows", "时限", "000 §3.2"),
        f"{prefix}.kind": _k(
            "how the allowance is measured: business, wall, close_of_day or appointment",
            "计时方式",
            "Decision",
        ),
        f"{prefix}.duration": _k("the time allowed", "时长", "000 §3.2", _DUR),
        f"{prefix}.days": _k(
            "close_of_day: working days after the day the clock starts",
            "工作日",
            "Decision",
            "days",
        ),
        f"{prefix}.grace": _k(
            "appointment: how late after the appointment still counts", "宽限", "Decision", _DUR
        ),
        f"{prefix}.lead": _k(
            "close_of_day: the least working time allowed before the close",
            "最短时限",
            "Decision",
            _DUR,
        ),
    }


def _role_keys(prefix: str, meaning: str, zh: str, unit: str) -> dict[str, KeyInfo]:
    """One entry per role of the vocabulary under ``prefix`` (the access tables)."""
    return {f"{prefix}.{role}": _k(meaning, zh, _ACCESS, unit) for role in _ROLE_NAMES}


#: The role values of propcrm.roles.Role (kept here: this table imports no engine).
_ROLE_NAMES = (
    "general_manager",
    "assistant_general_manager",
    "service_centre_manager",
    "project_manager",
    "general_affairs_manager",
    "office_director",
    "customer_supervisor",
    "department_head",
    "engineering_supervisor",
    "repair_lead",
    "technician",
    "property_officer",
    "vip_assistant",
    "desk_staff",
    "monitoring_room",
)


KEYS: Mapping[str, KeyInfo] = {
    "tz": _k(
        "the company's time zone; calendars that name none use it", "时区", "Decision", "IANA name"
    ),
    "replace": _k(
        "keyed tables given whole, without the default entries they leave out",
        "整表替换",
        "Decision",
        "table paths",
    ),
    # --- calendars -------------------------------------------------------------------------
    "calendars": _k("the named business calendars other rules run on", "营业日历", "Decision"),
    "calendars.*": _k("a named business calendar", "营业日历", "Decision"),
    "calendars.24x7": _k(
        "always open: the service desk's round-the-clock duty", "全天候值班", f"{_DESK_DUTY}.1"
    ),
    "calendars.24x7.week": _k(
        "every hour of every day", "24小时值班", f"{_DESK_DUTY}.1", "e.g. mon-sun 00:00-24:00"
    ),
    "calendars.desk": _k(
        "the service desk's day shift, every day of the year", "服务中心白班", f"{_DESK_DUTY}.2"
    ),
    "calendars.desk.week": _k(
        "the day shift: 08:30-18:30", "白天值班时间", f"{_DESK_DUTY}.2", "e.g. mon-sun 08:30-18:30"
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
    "satisfaction.dimensions": _k(
        "the survey dimensions; those switched on make up the overall index",
        "满意度调研维度",
        f"{_DIMENSIONS}; {_ENVIRONMENT}",
    ),
    "satisfaction.dimensions.*": _k("a survey dimension the company adds", "调研维度", "Decision"),
    **{
        f"satisfaction.dimensions.{name}": _k(f"the survey dimension {zh}", zh, source)
        for name, zh, source in _DEFAULT_DIMENSIONS
    },
    "satisfaction.dimensions.*.title": _k(
        "the dimension's title on reports, Chinese then English", "维度名称", "Decision", "text"
    ),
    "satisfaction.dimensions.*.weight": _k(
        "weight in the overall index, normalised over the dimensions switched on; "
        "the sources give none, so every default weighs the same",
        "维度权重",
        "Decision",
        _WEIGHT,
    ),
    "satisfaction.dimensions.*.enabled": _k(
        "whether the survey asks it: 001 §2.1's seven are on, 002 §45's are off",
        "是否调研",
        "Decision",
        "true or false",
    ),
    "satisfaction.dimensions.*.source": _k(
        "the article the dimension comes from", "依据", "Decision", "text"
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
    "satisfaction.targets.*": _k("the target of another KPI", "指标目标", "Decision", _RATE),
    "satisfaction.targets.overall_satisfaction": _k(
        "overall satisfaction, at least", "客户总体满意率", "002 Dongke KPI", _RATE
    ),
    "satisfaction.targets.loyalty": _k("loyalty, at least", "客户忠诚度", "002 Dongke KPI", _RATE),
    "satisfaction.targets.complaint_resolution_satisfaction": _k(
        "complaint-resolution satisfaction, at least", "投诉解决满意度", "000 §3.2", _RATE
    ),
    "satisfaction.targets.response_timeliness": _k(
        "response timeliness, at least", "需求响应及时率", "000 §3.2", _RATE
    ),
    "satisfaction.targets.complaint_handling_timeliness": _k(
        "complaint handling timeliness, at least", "客户投诉处理及时率", "002 Dongke KPI", _RATE
    ),
    "satisfaction.targets.callback_handling_rate": _k(
        "callback issues handled, at least", "回访处理率", _HOUSEHOLDS, _RATE
    ),
    "satisfaction.targets.complaint_rate": _k(
        "complaints per household served, below", "投诉率", _HOUSEHOLDS, _RATE
    ),
    # 001 §2.2 names these KPIs without a number (docs: satisfaction, "Decisions").
    "satisfaction.targets.problem_resolution_rate": _k(
        "problems resolved, at least", "问题解决率", "Decision", _RATE
    ),
    "satisfaction.targets.problem_resolution_timeliness": _k(
        "problems resolved within their target, at least", "问题解决及时率", "Decision", _RATE
    ),
    "satisfaction.targets.repeat_complaint_rate": _k(
        "repeat complaints per complaint, below", "重复投诉率", "Decision", _RATE
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
    **{
        f"grading.handler_roles.{grade}": _k(
            f"handles a {grade.upper()} complaint",
            zh,
            # 002 §41 names 客户主管/物管员 for GENERAL; choosing one role is ours
            "Decision" if grade == "general" else _ROLES_002,
            _ROLE,
        )
        for grade, zh in _GRADES
    },
    # 002 §41's supervision column is garbled: the supervisors are a Decision (RULES §4)
    "grading.supervisor_roles": _k(
        "who supervises the outcome of each grade", "投诉处理效果监督", "Decision"
    ),
    **{
        f"grading.supervisor_roles.{grade}": _k(
            f"supervises a {grade.upper()} complaint", zh, "Decision", _ROLE
        )
        for grade, zh in _GRADES
    },
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
    "callbacks": _k(
        "callbacks, visits and VIP care", "回访与拜访", f"000 §3.2; {_REPAIRS} 一-四; {_ROUNDS}"
    ),
    "callbacks.service_phone_within": _k(
        "phone callback after a service within", "电话回访", "000 §3.2", _DUR
    ),
    "callbacks.service_visit_within": _k(
        "visit after a service within", "上门回访", "000 §3.2", _DUR
    ),
    "callbacks.service_questionnaire_within": _k(
        "questionnaire after a service within, a month of 30 days", "问卷回访", "000 §3.2", _DUR
    ),
    "callbacks.repair_within": _k("repair callback by repair kind", "维修回访", f"{_REPAIRS} 二"),
    "callbacks.repair_within.*": _k(
        "callback after a repair of this kind within", "维修回访", "Decision", _DUR
    ),
    "callbacks.repair_within.ordinary": _k(
        "callback after an ordinary repair within", "维修后一星期之内", f"{_REPAIRS} 二", _DUR
    ),
    "callbacks.repair_within.safety": _k(
        "callback after a safety-facility repair within", "安全设施维修", f"{_REPAIRS} 二", _DUR
    ),
    "callbacks.repair_within.leak": _k(
        "callback after a leak repair within", "漏水项目维修", f"{_REPAIRS} 二", _DUR
    ),
    "callbacks.rectification_within": _k(
        "a problem found on a callback becomes a written notice within",
        "书面通知整改",
        f"{_REPAIRS} 四",
        _DUR,
    ),
    "callbacks.complaint_callback_within": _k(
        "callback after a complaint is handled within: the phone callback after a service",
        "投诉回访",
        "Decision",
        _DUR,
    ),
    "callbacks.role_shares": _k(
        "minimum share of repair callbacks per owner role; 0 leaves a role out",
        "回访率",
        f"{_REPAIRS} 一",
    ),
    "callbacks.role_shares.*": _k(
        "minimum share of repair callbacks for this role", "回访率", "Decision", _RATE
    ),
    "callbacks.role_shares.service_centre_manager": _k(
        "the service-centre manager's minimum share", "经理回访率", f"{_REPAIRS} 一", _RATE
    ),
    "callbacks.role_shares.engineering_supervisor": _k(
        "the engineering supervisor's minimum share", "主管回访率", f"{_REPAIRS} 一", _RATE
    ),
    "callbacks.role_shares.repair_lead": _k(
        "the repair lead's minimum share", "维修负责人回访率", f"{_REPAIRS} 一", _RATE
    ),
    "callbacks.service_role": _k("who owns the three-step callback", "回访人", "Decision", _ROLE),
    "callbacks.complaint_role": _k("who owns complaint callbacks", "投诉回访人", "Decision", _ROLE),
    "callbacks.director_role": _k("the office director", "办公室主任", f"{_ROUNDS}(1)", _ROLE),
    "callbacks.officer_role": _k("the property officers", "物管员", f"{_ROUNDS}(2)", _ROLE),
    "callbacks.vip_role": _k("the VIP assistant", "客户助理", "002 §19, §35", _ROLE),
    "callbacks.director_visits_per_year": _k(
        "the director's visits to each household (the rule says 1-2)",
        "主任登门回访",
        f"{_ROUNDS}(1)",
        _PER_YEAR,
    ),
    "callbacks.officer_rounds_per_year": _k(
        "the officers' calls to each household of their area",
        "物管员回访",
        f"{_ROUNDS}(2)",
        _PER_YEAR,
    ),
    "callbacks.forums_per_year": _k(
        "residents' forums per community", "住户座谈会", f"{_ROUNDS}(3)", _PER_YEAR
    ),
    "callbacks.visits_per_year_by_tier": _k(
        "relationship visits per customer by tier (002 §10 is a heading only)",
        "拜访频次",
        "Decision",
    ),
    "callbacks.visits_per_year_by_tier.*": _k(
        "visits a year to a customer of this tier; 0 for none", "拜访频次", "Decision", _PER_YEAR
    ),
    "callbacks.festivals": _k(
        "festivals that get a VIP greeting (002 §33 says major festivals)",
        "节日问候",
        "Decision",
        "list of holiday names",
    ),
    "callbacks.card_expiry_reminder_lead": _k(
        "how long before a VIP card expires the reminder starts", "到期提醒", "Decision", _DUR
    ),
    "callbacks.daily_capacity": _k(
        "callbacks one person can do in a day", "每日回访量", "Decision", "callbacks"
    ),
    "callbacks.coverage_target": _k(
        "share of customers reached each month", "每月回访85%的客户", f"{_DONGKE} 职责", _RATE
    ),
    "callbacks.contact_calendar": _k(
        "the calendar callbacks are made in", "回访时间", "Decision", "calendar name"
    ),
    # --- sla -------------------------------------------------------------------------------
    "sla": _k("service-level targets", "服务时限", "000 §3.2"),
    "sla.property_types": _k(
        "the property types a community may have", "物业类型", "004 §2.1", "list of names"
    ),
    "sla.sets": _k(
        "target sets; an item gets the first that lists its kind and accepts its grade and tier",
        "服务时限",
        "000 §3.2",
    ),
    "sla.sets[].name": _k("the set's name", "名称", "Decision", "text"),
    "sla.sets[].kinds": _k(
        "the work-order kinds it applies to; the kinds the policy knows",
        "工单类型",
        "Decision",
        "list of kinds",
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
        "reasons that stop the clock while they last; the pause reasons the policy knows",
        "暂停原因",
        "Decision",
        "list of reasons",
    ),
    "sla.sets[].targets[].warnings": _k(
        "warn when these shares of the allowance are used", "预警", "Decision", "list of fractions"
    ),
    "sla.sets[].targets[].source": _k(
        "the article the target comes from", "依据", "Decision", "text"
    ),
    **_allowance("sla.sets[].targets[].allowance"),
    "sla.overlays": _k(
        "differentiated service: new allowances for named targets, by tier or property type",
        "差异化服务",
        "Decision",
    ),
    "sla.overlays[].name": _k("the overlay's name", "名称", "Decision", "text"),
    "sla.overlays[].tiers": _k(
        "the customer tiers it applies to; empty for any", "客户等级", "Decision", "list of tiers"
    ),
    "sla.overlays[].property_types": _k(
        "the property types it applies to; empty for any",
        "物业类型",
        "Decision",
        "list of names",
    ),
    "sla.overlays[].kinds": _k(
        "the work-order kinds it applies to; empty for any", "工单类型", "Decision", "list of kinds"
    ),
    "sla.overlays[].source": _k("the article the overlay comes from", "依据", "Decision", "text"),
    "sla.overlays[].targets": _k(
        "the targets it adjusts, by name, never a complaint resolution", "调整的时限", "Decision"
    ),
    **_allowance("sla.overlays[].targets.*"),
    # --- access ----------------------------------------------------------------------------
    "access": _k("who may read and reveal what, by role", "客户资料保密", "002 §21"),
    "access.levels": _k(
        "the highest confidentiality level each role reads; a role not named reads public",
        "密级权限",
        _ACCESS,
        "role = public, internal, confidential or secret",
    ),
    **_role_keys("access.levels", "the highest level this role reads", "密级权限", "level"),
    "access.reveal": _k(
        "the personal kinds each role may reveal in clear; a role not named reveals none",
        "查看明文",
        _ACCESS,
        "role = list of kinds",
    ),
    "access.reveal.*": _k(
        "the personal kinds this role may reveal", "查看明文", _ACCESS, "list of kinds"
    ),
    "access.assigned_technician_kinds": _k(
        "what the technician dispatched to an open work order reveals from its slip",
        "派工维修员可见",
        _ACCESS,
        "list of kinds",
    ),
    "access.vip_archive_level": _k(
        "the level a VIP's customer record is read at, at least", "VIP档案密级", _ACCESS, "level"
    ),
    "access.complaint_level": _k(
        "the confidentiality level of a complaint register entry", "投诉登记密级", _ACCESS, "level"
    ),
    "access.repair_slip_level": _k(
        "the confidentiality level of a repair slip", "派工单密级", _ACCESS, "level"
    ),
    "access.audit_above": _k(
        "reads of records above this level are written to the audit trail",
        "查阅登记",
        _ACCESS,
        "level",
    ),
    "access.max_purpose_length": _k(
        "the longest purpose a read or reveal may state", "查阅事由", _ACCESS, "characters"
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
