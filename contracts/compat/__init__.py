"""Compatibility: field-by-field diffs, jsoncompat verdicts, baselines at git refs."""
