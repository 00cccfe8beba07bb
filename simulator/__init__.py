"""The event simulator: engines, topology, publisher, scenarios, faults, fake business API, timeline."""
