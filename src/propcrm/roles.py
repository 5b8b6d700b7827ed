"""The one role vocabulary: who does what in a property company.

Every capability names people by these roles: complaint grading (who handles
and who supervises each grade), callbacks (who calls back, the repair role
shares), the workflow desks and, later, the access rules. A policy stores a
role as its value string (``"vip_assistant"``), so a company's TOML reads
naturally; an unknown role is an error that lists the known ones.

>>> from propcrm.roles import Role
>>> Role("vip_assistant").label
'客户助理'
>>> Role.ENGINEERING_SUPERVISOR.value
'engineering_supervisor'
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    """A role in the property company, with its Chinese title.

    The titles follow the seeds: 002 § 41 (complaint responsibility), 002
    回访工作制度 (repair callbacks by 经理/主管/维修负责人), 002 入户维修 3 and
    4.1.2 (engineering supervisor, service-centre manager), 002 物业服务中心管理制度
    (desk and monitoring room) and 002 § 19 (VIP assistant).
    """

    GENERAL_MANAGER = "general_manager"
    ASSISTANT_GENERAL_MANAGER = "assistant_general_manager"
    SERVICE_CENTRE_MANAGER = "service_centre_manager"
    PROJECT_MANAGER = "project_manager"
    GENERAL_AFFAIRS_MANAGER = "general_affairs_manager"
    OFFICE_DIRECTOR = "office_director"
    CUSTOMER_SUPERVISOR = "customer_supervisor"
    DEPARTMENT_HEAD = "department_head"
    ENGINEERING_SUPERVISOR = "engineering_supervisor"
    REPAIR_LEAD = "repair_lead"
    TECHNICIAN = "technician"
    PROPERTY_OFFICER = "property_officer"
    VIP_ASSISTANT = "vip_assistant"
    DESK_STAFF = "desk_staff"
    MONITORING_ROOM = "monitoring_room"

    @property
    def label(self) -> str:
        """The role's Chinese title."""
        return _LABELS[self]


_LABELS: dict[Role, str] = {
    Role.GENERAL_MANAGER: "总经理",
    Role.ASSISTANT_GENERAL_MANAGER: "总经理助理",
    Role.SERVICE_CENTRE_MANAGER: "物业服务中心经理",
    Role.PROJECT_MANAGER: "项目经理",
    Role.GENERAL_AFFAIRS_MANAGER: "综合部经理",
    Role.OFFICE_DIRECTOR: "办公室主任",
    Role.CUSTOMER_SUPERVISOR: "客户主管",
    Role.DEPARTMENT_HEAD: "专业部门主管",
    Role.ENGINEERING_SUPERVISOR: "工程维修部主管",
    Role.REPAIR_LEAD: "维修负责人",
    Role.TECHNICIAN: "工程维修员",
    Role.PROPERTY_OFFICER: "物管员",
    Role.VIP_ASSISTANT: "客户助理",
    Role.DESK_STAFF: "客服专员",
    Role.MONITORING_ROOM: "监控室值班员",
}
