"""The catalog site: static HTML pages and an SVG picture of a registry, written by tidings itself (pure)."""
