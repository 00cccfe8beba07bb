"""The embedded engine: moto's server in this process, its patches and transport."""
