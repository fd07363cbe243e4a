"""Default confidence thresholds, importable without loading scikit-learn (settings use them).
Chosen on the held-out set (bench/README.md, NLU); NLU_ROUTE_THRESHOLD and
NLU_KNOWLEDGE_THRESHOLD override them."""

ROUTE_THRESHOLD = 0.32  # below: ask the caller which department instead of guessing
# (0.30 until the second batch of examples, with which keyboard mash reached 0.319)
KNOWLEDGE_THRESHOLD = 0.25  # below: do not answer from a knowledge entry
# below this share of a sentence's character n-grams that occur in the examples, it is not
# understood whatever the margins say (keyboard mash, another language): real phrasings,
# dialect and mis-recognised ones included, have 57 % or more on the dev sets, mash under 48 %
MIN_KNOWN = 0.5
