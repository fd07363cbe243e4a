"""Departments: the AI persona, prompts, welcome lines and voices behind each number."""
