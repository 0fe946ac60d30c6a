"""End-to-end tests: the ICWS simulator and a real Home Assistant, as separate processes."""
