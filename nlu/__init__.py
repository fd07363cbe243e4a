"""Understanding what callers mean: intent classification and knowledge retrieval.

Pure (no database, no livekit): it is fitted on data the caller of it loads — routing
examples per department, knowledge entries — and used by the offline dialogue engine, the
LLM's `lookup_knowledge` tool and the evaluation in `bench/nlu.py`.
"""

from nlu.classifier import IntentClassifier, Prediction
from nlu.retrieval import KnowledgeEntry, KnowledgeIndex, Match
from nlu.understand import (
    Answer,
    Clarify,
    HumanRequest,
    Meaning,
    NluData,
    Route,
    SmallTalk,
    Understanding,
    build_understanding,
)

__all__ = ["Answer", "Clarify", "HumanRequest", "IntentClassifier", "KnowledgeEntry",
           "KnowledgeIndex", "Match", "Meaning", "NluData", "Prediction", "Route", "SmallTalk",
           "Understanding", "build_understanding"]
