"""Zicht: sight on the online sex-work market for control teams, with every signal explained."""

__version__ = "0.1.0"
