"""Routing examples: phrasings callers use to ask for a department (the classifier's data)."""
