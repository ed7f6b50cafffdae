"""Payer rules as data: the rule-file models, loading, schema export and the compliance check.

The format is documented for analysts in ``payer_rules/README.md``.
"""

from __future__ import annotations

from priorauth.rules.loader import RuleSet, load_policy_file, load_rules
from priorauth.rules.models import Policy

__all__ = ["Policy", "RuleSet", "load_policy_file", "load_rules"]
