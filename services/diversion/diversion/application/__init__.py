"""Diversion's commands, their decisions, and the process manager's reactions to other services' events."""
