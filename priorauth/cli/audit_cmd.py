"""Commands of this subject are added by their owner; see priorauth/cli/__init__.py."""
