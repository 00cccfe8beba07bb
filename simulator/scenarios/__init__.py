"""Scenario files: YAML, model, templates, params, the plan, faults and the clock."""
