"""Text: Rotten Tomatoes sentiment with a fine-tuned MiniLM, and words as features.

* :mod:`~symxai.domains.text.sentence`: :class:`Sentence` (words as features,
  :func:`words_and_token_groups`, :func:`sentence_space`);
* :mod:`~symxai.domains.text.explain`: :func:`explain_sentence` (transformer LRP or
  perturbation over words);
* :mod:`~symxai.domains.text.heatmap`: :func:`token_heatmap`.

Re-exported from the layers below: the sentences (:mod:`symxai.data.rotten_tomatoes`),
the tokenizer and models (:mod:`symxai.models.minilm`) and the cached classifier
:func:`load_sentiment_classifier` (:mod:`symxai.training.sentiment`).
"""

from symxai.data.rotten_tomatoes import (
    NEGATIVE,
    POSITIVE,
    POSITIVE_WORDS,
    negation_sentences,
    rotten_tomatoes,
    sentiment_split,
)
from symxai.domains.text.explain import explain_sentence
from symxai.domains.text.heatmap import token_heatmap
from symxai.domains.text.sentence import Sentence, sentence_space, words_and_token_groups
from symxai.models.minilm import MAX_LENGTH, load_tokenizer, minilm_path, predict_logits, tiny_bert
from symxai.training.sentiment import TrainedText, load_sentiment_classifier

__all__ = [
    "MAX_LENGTH",
    "NEGATIVE",
    "POSITIVE",
    "POSITIVE_WORDS",
    "Sentence",
    "TrainedText",
    "explain_sentence",
    "load_sentiment_classifier",
    "load_tokenizer",
    "minilm_path",
    "negation_sentences",
    "predict_logits",
    "rotten_tomatoes",
    "sentence_space",
    "sentiment_split",
    "tiny_bert",
    "token_heatmap",
    "words_and_token_groups",
]
