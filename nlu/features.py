"""The text representation the classifier learns from: TF-IDF over character n-grams (2 to
5, within word boundaries) of the normalised text (`nlu.normalize.canonical`).

Character n-grams are what make it robust to Arabic morphology (affixes change a few
characters of a word, not all of them), spelling variants, typos and mis-recognised words that
sound alike, with no dictionary and no model download. Word n-grams and word + character
features were measured against it (bench/README.md, NLU).
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.normalize import canonical

NGRAMS = (2, 5)


def vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True,
                           lowercase=False, preprocessor=canonical, dtype=np.float32)
