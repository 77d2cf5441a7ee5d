"""Benchmarks of the event store, outbox relay, projector and the training path end to end.

Run with `python -m bench` (see bench/README.md). They print figures; they never assert timing.
"""
