"""Storage for Segments: tables, database set-up, import and demo data.

This layer knows nothing of the rule engine or the app above it.
"""
