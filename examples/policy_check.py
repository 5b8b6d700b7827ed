"""Load a company's policy, change one setting, and show what a mistake looks like.

Run: python examples/policy_check.py
"""

from pathlib import Path

from propcrm import Policy, PolicyError

HERE = Path(__file__).resolve().parent

policy = Policy.load(HERE / "company-policy.toml")
print(f"loaded policy for zone {policy.tz}")

broken = '{"tz": "Asia/Shanhai", "zone": "UTC"}'
try:
    Policy.from_json(broken, source="broken.json")
except PolicyError as e:
    print(e)
    if not e.problems:
        raise SystemExit("a policy error must list its problems") from e
else:
    raise SystemExit("a broken policy was accepted")
