"""Makes the module names of this folder unique (tests/store has a test_counts.py too)."""
