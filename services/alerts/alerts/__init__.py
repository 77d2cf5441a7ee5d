"""Alerts: early warning of overdose spikes, as ODMAP raises them (see README.md)."""
