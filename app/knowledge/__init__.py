"""Knowledge entries: facts the assistants tell callers (both the offline engine and the LLM)."""
