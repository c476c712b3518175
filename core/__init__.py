"""The rule engine: segment definitions, the three kinds of criteria, evaluation.

It knows no Textual: the app and the command line both drive it, so a count can
never differ between them.
"""
