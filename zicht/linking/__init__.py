"""Linking: ads → personas (the same advertised person) → networks (people who belong together).

Every link keeps its channel, score and evidence; every role its reasons; analysts' decisions are kept
and respected. See docs/linking.md.
"""

# Stored with every result of the stage; a change re-profiles every ad on the next run.
LINKING_VERSION = "linking-3"
