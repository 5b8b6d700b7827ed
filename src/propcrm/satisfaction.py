"""Satisfaction (满意度) and NPS: honest scores, each with its sample size and interval.

The survey and its indicators come from 001 §2; the targets from the Dongke
KPI table in 002, from 002 住宅区回访制度 and from 000 §3.2 (see ``RULES.md`` §7):

* :func:`nps` — the Net Promoter Score (客户推荐意愿, 0-10 answers; promoters
  9-10, passives 7-8, detractors 0-6) with an adjusted-Wald interval;
* :func:`csat` — top-2-box satisfaction on a 1-5 scale with a Wilson or
  Agresti-Coull interval;
* :class:`SatisfactionIndex` — per-dimension scores on 0-100 for the survey
  dimensions of the policy (:class:`SurveyDimension`) and a weighted overall index;
* ``compare_*`` — is a change between two survey waves or two periods more than
  noise? For NPS, CSAT, every rate KPI and the index, for independent samples and
  for the same households (:class:`Comparison`);
* :class:`KpiScorecard` — the indicators of 001 §2.2 against their targets,
  grouped by community, tier, month or quarter.

An interval is a statement about the method, not about one survey: of many
surveys drawn the same way, about ``level`` of their intervals cover the true
value. It unpacks as ``low, high`` and prints as ``[2.97, 24.62]`` (see
:class:`Interval`). Only the standard library is used
(:class:`statistics.NormalDist` for normal quantiles).

>>> from propcrm.satisfaction import nps
>>> result = nps([10, 9, 8, 7, 6, 3])
>>> result.score, result.n
(0.0, 6)
>>> low, high = result.ci()
>>> print(result.ci())
[-51.07, 51.07]
"""

from __future__ import annotations

# The classes' annotations are resolved here, in their public module (typing.get_type_hints,
# attrs.resolve_types and the storage converter do so): it must know every name they use.
from datetime import date  # noqa: F401

from propcrm._satisfaction_compare import (
    Comparison,
    compare_csat,
    compare_csat_paired,
    compare_event_rate,
    compare_nps,
    compare_nps_paired,
    compare_rate,
)
from propcrm._satisfaction_compare_index import compare_index, compare_index_paired
from propcrm._satisfaction_compare_kpi import compare_kpi
from propcrm._satisfaction_index import DimensionScore, SatisfactionIndex
from propcrm._satisfaction_policy import Kpi, SatisfactionPolicy, SurveyDimension
from propcrm._satisfaction_scorecard import (
    GroupBy,
    Indicator,
    KpiGroup,
    KpiScorecard,
    KpiStatus,
    ServiceFigures,
    SurveyResponse,
)
from propcrm._satisfaction_scores import (
    Attainment,
    CsatResult,
    Interval,
    NoDataError,
    NpsResult,
    csat,
    nps,
)
from propcrm.explain import Reason  # noqa: F401  (see the annotations note above)

__all__ = [
    "Attainment",
    "Comparison",
    "CsatResult",
    "DimensionScore",
    "GroupBy",
    "Indicator",
    "Interval",
    "Kpi",
    "KpiGroup",
    "KpiScorecard",
    "KpiStatus",
    "NoDataError",
    "NpsResult",
    "SatisfactionIndex",
    "SatisfactionPolicy",
    "ServiceFigures",
    "SurveyDimension",
    "SurveyResponse",
    "compare_csat",
    "compare_csat_paired",
    "compare_event_rate",
    "compare_index",
    "compare_index_paired",
    "compare_kpi",
    "compare_nps",
    "compare_nps_paired",
    "compare_rate",
    "csat",
    "nps",
]

# Everything above is defined in private modules and documented, stored and
# pickled under this public one.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
