"""The tidings pytest plugin (thin adapter over the simulator)."""
