"""The control API under /_tidings/: state, scenario runs and their timelines."""
