"""Development harness shared by scripts/develop, scripts/simulate and tests/e2e.

One piece of code for one job: the end-to-end tests and the demo start the ICWS simulator and
Home Assistant, onboard and run the config flow through the same functions.
"""
