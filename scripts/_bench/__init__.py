"""scripts/bench: how much the integration adds on top of what nobody can remove.

A real `hass` process and the ICWS simulator on loopback, started, onboarded and configured
through scripts/_dev (the same code as scripts/develop and the e2e tests). Not part of
scripts/test: it prints numbers; BENCHMARKS.md keeps them.
"""
