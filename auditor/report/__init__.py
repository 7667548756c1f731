"""Renderers: pure functions from an AuditResult to text in one format."""
