"""Naming a replacement like the original: moved to ``auditor.enrich.naming`` so the plan
(enrich) and ``fix`` name it with the same code; re-exported here for fix's callers."""

from auditor.enrich.naming import Shaped, Unshapeable, routing_prefix, shape

__all__ = ["Shaped", "Unshapeable", "routing_prefix", "shape"]
