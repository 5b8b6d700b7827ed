"""Deadlines on China's business calendar: holidays, make-up days, lunch and night duty.

Run: python examples/business_calendar.py

(Not named calendar.py: a script of that name would hide the standard library's
``calendar`` module from every script in this folder.)
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from propcrm import BusinessCalendar, Policy

SHANGHAI = ZoneInfo("Asia/Shanghai")

policy = Policy()
office, desk, contact = (policy.calendar(n, years=[2025]) for n in ("office", "desk", "contact"))

checks: list[tuple[str, object, object]] = []

request = datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)
due = office.add(request, timedelta(hours=4))
print(f"request {request:%a %m-%d %H:%M}, 4 office hours -> due {due:%a %m-%d %H:%M}")
checks.append(("National Day deadline", datetime(2025, 10, 9, 10, 30, tzinfo=SHANGHAI), due))

for day in (date(2025, 9, 28), date(2025, 10, 1), date(2025, 10, 4), date(2025, 10, 11)):
    print(
        f"{day:%a %Y-%m-%d}: office {'works' if office.is_working_day(day) else 'closed':<6}"
        f" desk {'works' if desk.is_working_day(day) else 'closed':<6}"
        f" callbacks {'yes' if contact.is_working_day(day) else 'no'}"
    )
checks.append(("make-up Sunday works", True, office.is_working_day(date(2025, 9, 28))))
checks.append(("desk works on holidays", True, desk.is_working_day(date(2025, 10, 1))))
checks.append(("no callbacks in golden week", False, contact.is_working_day(date(2025, 10, 4))))

morning = office.add(datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI), timedelta(hours=3))
print(f"3 h from Mon 09:00 -> {morning:%H:%M} (the morning is used up by noon)")
checks.append(("lunch boundary", datetime(2025, 3, 3, 12, 0, tzinfo=SHANGHAI), morning))

night = BusinessCalendar("mon-sun 18:30-08:30")
closes = night.close_of_day(datetime(2025, 3, 4, 7, 0, tzinfo=SHANGHAI))
print(f"night duty on at 07:00 closes its day at {closes:%a %H:%M}")
checks.append(("night duty close", datetime(2025, 3, 4, 8, 30, tzinfo=SHANGHAI), closes))

wrong = [(name, want, got) for name, want, got in checks if want != got]
for name, want, got in wrong:
    print(f"WRONG {name}: expected {want}, got {got}")
raise SystemExit(1 if wrong else 0)
