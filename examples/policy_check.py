"""Load a company's policy, see what it changes, and show what a mistake looks like.

Run: python examples/policy_check.py
"""

from datetime import date
from pathlib import Path

from propcrm import Policy, PolicyError

HERE = Path(__file__).resolve().parent

policy = Policy.load(HERE / "company-policy.toml")
print(f"loaded policy for zone {policy.tz}")

# The file names only the office's week: the office keeps China's holidays.
office = policy.calendar("office", years=[2025])
if office.is_working_day(date(2025, 10, 1)):
    raise SystemExit("National Day must stay closed when only the week is changed")
if not office.is_working_day(date(2025, 10, 11)):
    raise SystemExit("the company's Saturday morning must be a working day")

# The SLA's complaint resolution follows grading.resolve_within, changed in one place.
major = policy.sla.select("complaint", "major").targets[1].allowance.duration
print(f"a major complaint is to be resolved within {major}")
if major != policy.grading.resolve_within.major:
    raise SystemExit("the SLA must follow grading.resolve_within")

# A dump reloads exactly.
if Policy.from_toml(policy.to_toml()) != policy:
    raise SystemExit("a dump must reload as the same policy")

broken = '{"tz": "Asia/Shanhai", "zone": "UTC"}'
try:
    Policy.from_json(broken, source="broken.json")
except PolicyError as e:
    print(e)
    if not e.problems:
        raise SystemExit("a policy error must list its problems") from e
else:
    raise SystemExit("a broken policy was accepted")
