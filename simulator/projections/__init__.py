"""Projections: how events change the business API\x27s resources, applied from the catalogue\x27s YAML."""
