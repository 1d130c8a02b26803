"""Is a sentence a claim? A rule-based prior, then a classifier trained on the project's labels.

The prior reads signs a fact-checker looks for: numbers, money and casualties make a
sentence checkworthy; a named source makes it a claim; a question, a greeting or a wish is
not one. Once the project has ``MINIMUM_LABELS`` labelled sentences of at least two kinds, a
classifier learns from them (scikit-learn: TF-IDF words and word pairs, with the prior's
signs as extra tokens, into a logistic regression with balanced class weights). It is
trained in the background (``training.py``), never while a page waits; its accuracy on a
fifth of the labelled sentences it did not learn from is kept with it, beside the prior's on
the same fifth, and shown to the lead. It replaces the prior only once it is the better.
"""

import hashlib
import hmac
import io
import pickle
import random
import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

PRIOR = "claim-prior"
PRIOR_VERSION = 1
CLASSIFIER = "claim-classifier"
MINIMUM_LABELS = 50
PRIOR_LABELS = ("not_claim", "claim", "checkworthy_claim")

# read from the lower-cased sentence (case-blind patterns cost several times more)
NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?"
    r"|millions?|billions?|percent|per cent)\b"
)
WEIGHTY = re.compile(
    r"\b(?:killed|dead|died|deaths?|injured|wounded|arrested|charged|convicted|sentenced|"
    r"accused|alleged|violat\w*|fraud|attack\w*|bomb\w*|shot|murder\w*|crash\w*|missing|"
    r"billion|million|percent|per cent|rate|rates|budget|tax\w*|prices?|profits?|loss(?:es)?|"
    r"debt|deficit|unemployment|jobs|sales|revenue|earnings|shares?|increase\w*|decrease\w*|"
    r"rose|fell|dropped|surged|declined|record)\b",
)
PLEASANTRY = re.compile(
    r"\b(?:thank\w*|congratulat\w*|welcome\w*|wish\w*|hope\w*|pleased|happy|glad|proud|"
    r"excited|love|loved|condolences|sorry|please|good luck|best wishes)\b",
)
OPINION = re.compile(
    r"\b(?:should|must|ought|believe\w*|think\w*|feel\w*|opinion|seems?|perhaps|maybe|"
    r"might|may|could|would|will|going to|plan\w*|want\w*|need\w*|important|"
    r"great|terrible|wonderful|best|worst)\b",
)


def signs(text, attributed):
    """The prior's evidence in a sentence, as tokens (the classifier learns from them too)."""
    found = []
    lower = text.lower()
    if NUMBER.search(lower):
        found.append("_number_")
    if WEIGHTY.search(lower):
        found.append("_weighty_")
    if attributed:
        found.append("_attributed_")
    if text.rstrip().rstrip("\"”’'").endswith("?"):
        found.append("_question_")
    if PLEASANTRY.search(lower):
        found.append("_pleasantry_")
    if OPINION.search(lower):
        found.append("_opinion_")
    if len(text.split()) < 6:
        found.append("_short_")
    return found


def prior(evidence):
    """(label, confidence) from a sentence's ``signs``; labels are ``PRIOR_LABELS``. Each
    confidence is the share its rule had right on the 677 hand-labelled development
    sentences (``tests/data/labelled``): the prior is a weak start, which the classifier
    replaces once the project has labels of its own."""
    evidence = set(evidence)
    if "_question_" in evidence or "_pleasantry_" in evidence or "_short_" in evidence:
        return "not_claim", 0.69
    if "_number_" in evidence and "_weighty_" in evidence:
        return "checkworthy_claim", 0.68
    if "_opinion_" in evidence and "_number_" not in evidence:
        return "not_claim", 0.64
    if "_number_" in evidence or "_weighty_" in evidence:
        return "claim", 0.44  # a number or a weighty word alone: more often a plain claim
    return "claim", 0.46


def classifier_input(text, evidence):
    """The sentence as the classifier reads it: its words and the prior's ``signs``."""
    return f"{text} {' '.join(evidence)}"


@dataclass
class Classifier:
    """A trained claim classifier and what is known of it."""

    version: int
    labels: int  # labelled sentences it learned from (all of them, after it was scored)
    accuracy: float | None  # on the held-out fifth, when there was one
    held_out: int
    pipeline: object
    prior_accuracy: float | None = None  # the prior's on the same fifth (default labels)
    learned: frozenset = frozenset()  # ``text_key`` of every sentence it learned from

    @property
    def better_than_prior(self):
        """Whether it is used (``beats_prior``)."""
        return beats_prior(self.accuracy, self.prior_accuracy)

    def knows(self, text):
        """Whether it learned from this sentence (or the same words elsewhere: wire copy
        repeats): its label must not come back to another annotator as a suggestion."""
        return text_key(text) in self.learned

    @property
    def name(self):
        return f"{CLASSIFIER}/{self.version}"

    def predict(self, inputs):
        """(label, confidence) for each classifier input."""
        probabilities = self.pipeline.predict_proba(inputs)
        classes = self.pipeline.classes_
        return [(str(classes[row.argmax()]), round(float(row.max()), 2)) for row in probabilities]

    def dumps(self):
        """The fitted pipeline and what it learned from, as bytes to store (with the
        scikit-learn version it needs and ``signature``)."""
        buffer = io.BytesIO()
        kept = {"pipeline": self.pipeline, "learned": self.learned}
        pickle.dump(kept, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()


def beats_prior(accuracy, prior_accuracy):
    """Whether a classifier is used: only once scored, and, where the prior applies (the
    default claim labels), once it beats the prior on the sentences both were scored on
    (with 50 labels it often does not)."""
    if accuracy is None:
        return False
    return prior_accuracy is None or accuracy > prior_accuracy


def text_key(text):
    """A sentence's words, lower-cased (a classifier input's signs left out), as a short
    digest."""
    words = (w for w in text.lower().split() if not (w.startswith("_") and w.endswith("_")))
    return hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()


def signature(model, key):
    """An HMAC of stored model bytes under the app's secret key: a model is unpickled only
    when it is one this app stored (anyone able to write the table could otherwise run
    code in every server process)."""
    return hmac.new(key.encode() if isinstance(key, str) else key, model, "sha256").hexdigest()


@cache
def library():
    """The scikit-learn a stored classifier needs, as stored with it."""
    return f"scikit-learn {version('scikit-learn')}"


def new_pipeline():
    """An untrained classifier (scikit-learn is imported only by what trains or predicts:
    it takes a second, which no page and no other command should wait for)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        # the 20,000 commonest words and pairs: a large project's model stays a few MB
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=20_000),
        LogisticRegression(max_iter=2000, class_weight="balanced", C=4.0),
    )


def train(examples, version, seed=13):
    """A Classifier from ``examples`` [(classifier input, label)], or None when there are too
    few, or only one kind. A fifth, chosen with ``seed``, is held out to score it; the
    classifier kept is then fitted on all of them."""
    if len(examples) < MINIMUM_LABELS or len({label for _, label in examples}) < 2:
        return None
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)
    cut = len(shuffled) // 5
    held_out, learned = shuffled[:cut], shuffled[cut:]
    accuracy = prior_accuracy = None
    if held_out and len({label for _, label in learned}) >= 2:
        scored = new_pipeline().fit(*zip(*learned, strict=True))
        predicted = scored.predict([text for text, _ in held_out])
        right = sum(p == label for p, (_, label) in zip(predicted, held_out, strict=True))
        accuracy = round(right / len(held_out), 3)
        if {label for _, label in examples} <= set(PRIOR_LABELS):
            right = sum(prior(signs_in(text))[0] == label for text, label in held_out)
            prior_accuracy = round(right / len(held_out), 3)
    pipeline = new_pipeline().fit(*zip(*shuffled, strict=True))
    learned = frozenset(text_key(text) for text, _ in examples)
    return Classifier(
        version, len(examples), accuracy, len(held_out), pipeline, prior_accuracy, learned
    )


def signs_in(classifier_text):
    """The prior's signs at the end of a classifier input."""
    return [w for w in classifier_text.split() if w.startswith("_") and w.endswith("_")]


def loadable(row, key):
    """Whether a stored row's model can be unpickled: stored by this scikit-learn, and
    signed with ``key`` (the app's secret key)."""
    return (
        row is not None
        and row.library == library()
        and hmac.compare_digest(row.signature, signature(row.model, key))
    )


def loaded(row, key):
    """A Classifier from its stored row, or None when it was stored by another version of
    scikit-learn or under another secret key (the worker then trains a new one)."""
    if not loadable(row, key):
        return None
    kept = pickle.loads(row.model)  # signed by this app: see ``signature``
    return Classifier(
        row.version, row.labels, row.accuracy, row.held_out, kept["pipeline"],
        row.prior_accuracy, kept["learned"],
    )  # fmt: skip
