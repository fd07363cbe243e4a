"""Understanding what callers mean: intent classification and knowledge retrieval.

Pure (no database, no livekit): it is fitted on data the caller of it loads — routing
examples per department, knowledge entries — and used by the offline dialogue engine, the
LLM's `lookup_knowledge` tool and the evaluation in `bench/nlu.py`. Import from the modules
(`nlu.understand`, `nlu.classifier`, ...): this file stays empty so that the settings can
import `nlu.defaults` without loading scikit-learn into the API.
"""
