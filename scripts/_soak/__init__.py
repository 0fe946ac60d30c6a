"""The chaos soak (scripts/soak, tests/e2e/test_soak.py).

A real Home Assistant and the simulator under a seeded random sequence of faults, then a
comparison of both sides.
"""
