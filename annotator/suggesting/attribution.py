"""Who asserts a sentence: reporting cues, their speaker, its type and its full name.

Rules over words, for any English news text, with no model and no download. A sentence is
read as words with their character offsets; a *cue* (a reporting verb or phrase from
``CUES``) is found, then its *source*: the noun phrase before it ("Foreign Minister Jeyhun
Bayramov said"), after it ("…," said Bayramov; "according to the ministry"), or a pronoun.
The source's *type* comes from its words (a title or a name: person; "Ministry", "Inc":
organisation; an outlet: media; "officials", "a source": anonymous), and its *entity* from
the document: "Bayramov", "the minister" and "he" become the full name the article used
before ("Jeyhun Bayramov").

Why rules and not spaCy: spaCy installs from the package index, but its English models do
not (they are downloaded from GitHub at install time, which this project's machines cannot
do and its users should not need); the benchmark in ``bench/RESULTS.md`` measures what the
rules give.

A ``Suggestion``'s confidence is the share of its pattern's suggestions that were right on
the hand-labelled development sentences (``tests/data/labelled``): "0.79" means about four in
five were.
"""

import re
from dataclasses import dataclass
from typing import NamedTuple

NAME = "attribution-rules"
VERSION = 1

# reporting verbs in the forms news uses them (third person, past, present)
VERBS = {
    "joked", "quipped", "said", "says", "say", "told", "tells", "added", "adds", "stated",
    "states", "noted", "notes", "emphasized", "emphasised", "emphasizes", "stressed", "stresses",
    "explained", "explains", "argued", "argues", "claimed", "claims", "insisted", "insists",
    "warned", "warns", "announced", "announces", "reported", "reports", "confirmed", "confirms",
    "denied", "denies", "acknowledged", "acknowledges", "admitted", "admits", "estimated",
    "estimates", "predicted", "predicts", "wrote", "writes", "asserted", "asserts", "declared",
    "declares", "maintained", "maintains", "contended", "contends", "testified", "alleged",
    "alleges", "revealed", "reveals", "disclosed", "discloses", "tweeted", "observed", "observes",
    "concluded", "replied", "responded", "recalled", "recalls", "cautioned", "cautions",
    "forecast", "forecasts", "projected", "projects", "conceded", "concedes", "countered",
    "counters", "complained", "complains", "agreed", "charged", "charges", "pledged", "pledges",
    "vowed", "vows", "promised", "promises", "indicated", "indicates", "suggested",
    "suggests", "believes", "believed", "thinks", "thought", "expects", "expected",
}  # fmt: skip
PHRASES = (
    "according to",
    "quoted as saying",
    "pointed out",
    "points out",
    "went on to say",
)
# verbs that report only with a named speaker before them ("suggested", "expected" and
# "believes" are often not reporting at all: "the data suggested", "is expected to")
WEAK = {
    "suggested", "suggests", "believes", "believed", "thinks", "thought", "expects",
    "expected", "indicated", "indicates", "projected", "projects", "forecast", "forecasts",
    "claims", "reports", "states", "notes", "charges", "promises", "agreed", "estimates",
}  # fmt: skip
# a word (with the inner dots of "U.S." and the dot of an abbreviation before a name:
# "Mr. Smith", "Sen. Chris Dodd"), a number, or a mark
WORD = re.compile(r"[A-Za-z](?:[\w’'-]|\.(?=\w))*(?:\.(?= [A-Z]))?|\d+(?:[.,]\d+)*|[^\w\s]")
# capitalised words that never name a speaker
CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december", "today", "yesterday",
            "tomorrow"}  # fmt: skip
# what ends a company's name and is left out of its entity ("Champion Products Inc")
LEGAL_FORMS = {"inc", "inc.", "co", "co.", "corp", "corp.", "ltd", "ltd.", "llc", "plc"}
# what a source's phrase may end with that is not part of the entity ("Labor Department data")
NOT_ENTITY = {"data", "figures", "report", "statement", "survey", "study", "on", "in"}

PRONOUNS = {"he": "person", "she": "person", "they": "anonymous", "we": "anonymous",
            "i": "person", "it": "organisation"}  # fmt: skip
DETERMINERS = {"the", "a", "an", "another", "one", "two", "three", "several", "some", "many",
               "other", "its", "his", "her", "their", "this", "that", "these", "those", "senior",
               "top", "u.s.", "federal", "local", "state", "western", "chinese",
               "american"}  # fmt: skip
LINKS = {"of", "for", "at", "and", "&"}
AUXILIARIES = {"has", "have", "had", "was", "were", "is", "are", "will", "would", "could",
               "also", "later", "previously", "earlier", "then", "further", "again", "recently",
               "repeatedly", "publicly", "privately", "separately", "reportedly", "not",
               "did", "does", "never", "already", "once", "even", "just", "only"}  # fmt: skip
TITLES = {
    "president", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson",
    "chairman", "chairwoman", "chair", "director", "chief", "executive", "officer", "ceo",
    "governor", "senator", "sen.", "rep.", "representative", "mayor", "judge", "prosecutor",
    "prosecutors", "commissioner", "ambassador", "general", "gen.", "col.", "lt.", "sgt.",
    "captain", "capt.", "mr.", "mrs.", "ms.", "dr.", "prof.", "professor", "economist",
    "analyst", "analysts", "leader", "head", "manager", "founder", "adviser", "advisor",
    "official", "officials", "lawyer", "attorney", "police", "detective",
    "sheriff", "coach", "father", "mother", "son", "daughter", "wife", "husband", "brother",
    "sister", "friend", "neighbor", "neighbour", "witness", "witnesses", "researchers",
    "scientists", "experts", "source", "sources", "people", "residents", "investigators",
    "authorities", "agency", "ministry", "department", "company", "firm", "government",
    "bank", "court", "statement", "report", "study", "survey", "data", "figures", "vice",
    "deputy", "foreign", "prime", "defense", "defence", "finance", "interior", "state",
    "white", "house", "press", "service", "office", "spokesmen", "staff", "member", "mr", "mrs",
    "ms", "dr", "sen", "rep", "gov", "cfo", "fm", "pm", "supervisor", "ranger", "elder",
    "oceanographer", "spokesman,", "patrol", "first", "lady", "gov.", "coo",
    "members", "lawmakers", "legislators", "traders", "dealers", "economists", "banker",
    "bankers", "observers", "diplomats", "diplomat", "aide", "aides", "student", "students",
    "passenger", "passengers", "doctor", "doctors", "nurse", "union", "team", "board",
    "council", "committee", "commission", "group", "party", "army", "military", "navy",
    "newspaper", "agency's", "organization", "organisation", "association", "institute",
    "university", "hospital", "authority", "airline", "airlines", "operator", "owner",
    "employee", "employees", "worker", "workers", "resident", "victim", "victims",
}  # fmt: skip
ORGANISATION_WORDS = {
    "ministry", "department", "agency", "inc", "inc.", "corp", "corp.", "co", "co.", "company",
    "ltd", "ltd.", "plc", "llc", "bank", "court", "council", "commission", "committee",
    "association", "union", "party", "government", "reserve", "airlines", "airline", "airways",
    "university", "institute", "office", "service", "board", "authority", "group", "police",
    "army", "military", "navy", "organization", "organisation", "federation", "fund",
    "foundation", "administration", "bureau", "corporation", "senate", "congress",
    "parliament", "cabinet", "kremlin", "pentagon", "firm", "exchange", "nasa", "fbi", "cia",
    "opec", "imf", "un", "nato", "eu", "who", "fed", "hospital", "center", "centre",
    "coalition", "network", "statement", "report", "study", "survey", "data", "figures",
    "limited", "partnership", "holdings", "industries", "products", "foods", "systems",
    "technologies", "services", "securities", "capital", "partners", "brands", "motors",
    "energy", "oil", "petroleum", "communications", "research", "insurance", "financial",
    "investments", "trust", "international", "entertainment", "laboratories", "pharmaceuticals",
    "investors",
    "house", "coast", "guard",
}  # fmt: skip
ANONYMOUS_WORDS = {
    "officials", "official", "sources", "source", "analysts", "analyst", "experts", "people",
    "witnesses", "witness", "residents", "economists", "traders", "dealers", "observers",
    "diplomats", "critics", "some", "many", "others", "insiders", "bankers", "investors",
    "researchers", "scientists", "lawmakers", "legislators", "aides", "aide", "one",
    "spokesman", "spokeswoman", "spokesperson", "they", "we",
}  # fmt: skip
MEDIA = {
    "reuters", "ap", "associated press", "afp", "agence france-presse", "tass", "ria",
    "interfax", "xinhua", "bbc", "cnn", "bloomberg", "new york times", "washington post",
    "wall street journal", "financial times", "guardian", "telegraph", "times", "fox news",
    "nbc", "abc", "cbs", "npr", "al jazeera", "trend", "azertac", "apa", "anadolu",
    "dpa", "kyodo", "yonhap", "politico", "axios", "the hill", "newsweek", "time",
    "daily mail", "sun", "mirror", "independent", "der spiegel", "le monde", "efe", "ansa",
    "press trust of india", "pti", "ians", "cnbc", "msnbc", "usa today", "los angeles times",
    "chicago tribune", "daily caller", "new york post", "huffington post", "yahoo",
}  # fmt: skip
MEDIA_WORDS = {"newspaper", "daily", "magazine", "broadcaster", "news", "tv", "radio",
               "television", "agency", "outlet", "channel", "journal", "gazette",
               "herald"}  # fmt: skip
TIME_WORDS = {"on", "last", "this", "next", "early", "late", "since"}
PASSIVE = {"is", "are", "was", "were", "be", "been", "being"}
# lower-case words inside a name: "Erik van Sebille", "Ursula von der Leyen"
PARTICLES = {"van", "von", "der", "de", "da", "del", "della", "di", "du", "la", "le", "bin",
             "al", "el", "ibn", "ter", "ten"}  # fmt: skip
# words that end a name read backwards (sentence words that are never part of a source)
NOT_NAME = {"that", "which", "who", "and", "but", "or", "as", "when", "while", "if", "because",
            "after", "before", "since", "though", "although", "where", "so", "than"}  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    """The attribution suggested for one sentence: spans as (start, end) within it."""

    source_type: str
    source: tuple[int, int] | None = None
    cue: tuple[int, int] | None = None
    entity: str | None = None
    confidence: float = 0.0
    pattern: str = "none"


class Word(NamedTuple):
    """A word (or mark) of a sentence, with its offsets; worked out once, as every rule
    reads them many times (the rules run on every sentence imported)."""

    text: str
    start: int
    end: int
    lower: str
    capital: bool


def words_of(sentence):
    """The sentence's words and marks, with their offsets."""
    return [
        Word(text, m.start(), m.end(), text.lower(), text[:1].isupper())
        for m in WORD.finditer(sentence)
        for text in (m.group(),)
    ]


END = Word(".", 0, 0, ".", False)  # closes the last run of capitalised words
# each phrase by its first word, longest first; a word that may start a cue
PHRASE_STARTS = {}
for _phrase in sorted(PHRASES, key=len, reverse=True):
    PHRASE_STARTS.setdefault(_phrase.split()[0], []).append((tuple(_phrase.split()), _phrase))
CUE_STARTS = frozenset(VERBS) | PHRASE_STARTS.keys()
# whether a sentence may hold a cue at all, found by the regular expression engine: most
# sentences do not, and are only scanned for names (``CAPITAL_RUN``)
CUE_SEARCH = re.compile(rf"\b(?:{'|'.join(sorted(CUE_STARTS))})\b|^According")
# two or more capitalised words in a row ("of" between them): where full names are
CAPITAL_RUN = re.compile(r"[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)+")


def cue_at(words, i):
    """The cue that starts at word ``i`` as (number of words, its text), or None."""
    for parts, phrase in PHRASE_STARTS.get(words[i].lower, ()):
        if tuple(w.lower for w in words[i : i + len(parts)]) == parts:
            return len(parts), phrase
    if words[i].lower in VERBS and (not words[i].capital or i == 0):
        return 1, words[i].lower
    return None


def is_name_word(word):
    """A word that can be part of a source's noun phrase."""
    lower = word.lower
    if lower in NOT_NAME or lower in CALENDAR:
        return False
    if lower in PARTICLES:
        return True
    return word.capital or lower in TITLES or lower in DETERMINERS or lower in ANONYMOUS_WORDS


NOT_PLURAL = {"is", "was", "has", "this", "its", "as", "us", "his", "hers", "yours", "ours",
              "always", "perhaps", "sometimes", "less", "unless", "news", "thus",
              "status"}  # fmt: skip


def is_plural(word):
    """A lower-case word that reads as a plural noun: "organizers", "managers"."""
    return (
        not word.capital
        and word.lower.endswith("s")
        and word.lower not in NOT_PLURAL
        and len(word.text) > 3
    )


def plural_alone(words, at, beside):
    """A lower-case plural noun standing alone between punctuation (at ``beside``) and the
    cue: a group as the source ("…, say oceanographers, but")."""
    return is_plural(words[at]) and 0 <= beside < len(words) and not words[beside].text[0].isalnum()


def phrase_before(words, cue):
    """The noun phrase ending just before word ``cue`` (auxiliaries and adverbs skipped),
    as (first, last) word indexes, or None."""
    last = cue - 1
    if last >= 0 and words[last].lower in PASSIVE and words[cue].lower != "quoted":
        return None  # "Iraq is estimated to …", "X was told": reported, not reporting
    while last >= 0:
        if words[last].lower in AUXILIARIES or words[last].lower.endswith("ly"):
            last -= 1
        elif words[last].lower in CALENDAR and last > 0 and words[last - 1].lower in TIME_WORDS:
            last -= 2  # "on Monday", "last week"
        else:
            break
    if last < 0:
        return None
    if words[last].text == "," and last > 1:
        # "John Smith, the mayor of Dover, said": the name before the appositive
        opening = next(
            (n for n in range(last - 1, max(last - 10, 0), -1) if words[n].text == ","), None
        )
        if opening is None:
            return None
        last = opening - 1
    if words[last].lower in PRONOUNS:
        return last, last
    if words[last].text in {"’s", "'s"}:
        return None
    group = plural_group(words, last)
    if group is not None:
        return group, last  # "…, organizers say", "…, securities managers said"
    if not is_name_word(words[last]) or words[last].lower in DETERMINERS:
        return None
    first = last
    while first > 0:
        before = words[first - 1]
        if (
            is_name_word(before)
            or before.text in {"’s", "'s"}
            or (before.lower in LINKS and first > 1 and is_name_word(words[first - 2]))
        ):
            first -= 1
        else:
            break
    while words[first].lower in LINKS:
        first += 1
    return first, last


def plural_group(words, last):
    """The first word of a run of one to three lower-case words ending in the plural noun
    at ``last``, standing alone after punctuation: a group as the source ("…, organizers
    say", "…, securities managers said"), or None."""
    if not is_plural(words[last]):
        return None
    first = last
    while first > 0 and last - first < 2:
        before = words[first - 1]
        if before.capital or not before.text.isalpha() or before.lower in NOT_NAME | AUXILIARIES:
            break
        first -= 1
    return first if first == 0 or not words[first - 1].text[0].isalnum() else None


def phrase_after(words, start):
    """The noun phrase starting at word ``start`` (up to a comma, a clause or the end), as
    (first, last) word indexes, or None."""
    if start >= len(words):
        return None
    if words[start].lower in PRONOUNS:
        return start, start
    if plural_alone(words, start, start + 1):
        return start, start  # "…, say oceanographers, but"
    if not is_name_word(words[start]):
        return None
    last = start
    while last + 1 < len(words):
        after = words[last + 1]
        if (
            is_name_word(after)
            or after.text in {"’s", "'s"}
            or (
                after.lower in LINKS
                and last + 2 < len(words)
                and is_name_word(words[last + 2])
                and after.lower not in {"and", "to", "on", "in"}
            )
        ):
            last += 1
        else:
            break
    while words[last].lower in LINKS or words[last].lower in DETERMINERS:
        last -= 1
        if last < start:
            return None
    return start, last


def is_titled(word):
    """A title or a word of a title: "Minister", "Sen.", "spokesman"."""
    return word.lower in TITLES or word.lower.rstrip(".") in TITLES


def personal_name(phrase):
    """The name a phrase ends with after its titles and organisation words, when it reads
    as a person's ("Pentagon spokesman Mark Wright" → Mark Wright), else None."""
    tail = []
    for word in reversed(phrase):
        if word.lower in PARTICLES and tail:
            tail.insert(0, word)
            continue
        if not word.capital or is_titled(word) or word.lower in ORGANISATION_WORDS | MEDIA_WORDS:
            break
        tail.insert(0, word)
    while tail and tail[0].lower in PARTICLES and not tail[0].capital:
        tail.pop(0)
    if not 2 <= len(tail) <= 4 or (len(tail) == len(phrase) and len(phrase) > 4):
        return None
    if any(w.text.isupper() and len(w.text) > 2 for w in tail):
        return None  # an acronym is an organisation's
    if any(w.lower in ORGANISATION_WORDS | LEGAL_FORMS for w in tail):
        return None
    return " ".join(w.text for w in tail).removesuffix("’s").removesuffix("'s")


def source_type_of(phrase, outlets=()):
    """``person``, ``organisation``, ``anonymous`` or ``media`` for a source's words."""
    lowers = [w.lower for w in phrase]
    joined = " ".join(lowers)
    if len(phrase) == 1 and lowers[0] in PRONOUNS:
        return PRONOUNS[lowers[0]]
    if (
        personal_name(phrase)
        and (len(phrase) > 2 or phrase[0].lower not in DETERMINERS)
        and not any(w in LEGAL_FORMS for w in lowers)
    ):
        return "person"
    bare = re.sub(r"^(the|a|an) ", "", joined)
    if bare in MEDIA or bare in {o.lower() for o in outlets} or lowers[-1] in MEDIA_WORDS:
        return "media"
    if (
        not any(w.capital for w in phrase)
        and is_plural(phrase[-1])
        and lowers[0]
        not in {
            "the",
            "its",
            "his",
            "her",
            "their",
        }
    ):
        return "anonymous"  # a group nobody names: "securities managers", "analysts"
    capitals = [w for w in phrase if w.capital and w.lower not in TITLES | DETERMINERS]
    if len(phrase) > 1 and phrase[0].start == 0 and not any(w.capital for w in phrase[1:]):
        capitals = []  # capitalised only as the sentence's first word: "Banking sources said"
    if any(w in ORGANISATION_WORDS for w in lowers) and not (
        lowers[-1] in TITLES - ORGANISATION_WORDS and capitals
    ):
        # "a spokesman for the ministry" speaks for it; "Ministry spokesman Ivanov" is a person
        unnamed = lowers[-1] in {"spokesman", "spokeswoman", "spokesperson"} or not capitals
        if unnamed and (lowers[0] in {"a", "an", "one"} or lowers[-1] in ANONYMOUS_WORDS):
            return "anonymous" if not capitals else "organisation"
        return "organisation"
    if capitals:
        if all(w.text.isupper() and len(w.text) > 1 for w in capitals):
            return "organisation"  # an acronym: NASA, OPEC
        return "person"
    if len(phrase) == 1 and lowers[0].endswith("s"):
        return "anonymous"  # "organizers say"
    if (
        lowers[0] in {"a", "an", "one", "some", "many", "several", "two", "three"}
        or lowers[-1] in ANONYMOUS_WORDS
    ):
        return "anonymous"
    return "person"  # "the minister", "his father"


@dataclass
class Mentions:
    """The people and organisations an article names, in reading order, so that later
    short mentions ("Bayramov", "the minister", "he", "the company") resolve to their full
    names: the speaker last quoted first, then the names met in the text."""

    people: list  # (full name, its title words)
    organisations: list
    last_person: str | None = None  # the person last suggested as a source
    last_organisation: str | None = None  # and the organisation

    def remember(self, sentence_words):
        """Collect the full names in a sentence (runs of two to four capitalised words)."""
        run = []
        for word in [*sentence_words, END]:
            if (
                word.capital and word.lower not in DETERMINERS | CALENDAR and word.text not in {"I"}
            ) or (run and word.lower == "of"):
                run.append(word)
                continue
            while run and run[-1].lower == "of":
                run.pop()
            if run:
                self.take(run)
            run = []

    def take(self, run):
        """Keep a run of capitalised words as a person (the words after its last title:
        "Italian Minister Antonio Tajani" is Antonio Tajani) or an organisation."""
        lowers = [w.lower for w in run]
        name = personal_name(run)
        if name and not any(w in ORGANISATION_WORDS | LEGAL_FORMS for w in name.lower().split()):
            self.people.append((name, set(lowers) & TITLES))
            return
        if any(w in ORGANISATION_WORDS | LEGAL_FORMS for w in lowers) and len(run) >= 2:
            self.organisations.append(organisation_name(run))
            return
        titled = [n for n, w in enumerate(run) if is_titled(w)]
        names = run[titled[-1] + 1 :] if titled else run
        if 2 <= len(names) <= 4 and all(w.text[1:].islower() or "-" in w.text for w in names):
            self.people.append((" ".join(w.text for w in names), set(lowers) & TITLES))

    def person(self, phrase):
        """The full name a person's mention refers to, or None."""
        lowers = [w.lower for w in phrase]
        if len(phrase) == 1 and lowers[0] in {"he", "she", "i"}:
            return self.last_person or (self.people[-1][0] if self.people else None)
        if name := personal_name(phrase):
            return name
        names = [w.text for w in phrase if w.capital and not is_titled(w)]
        names = [n for n in names if n.lower() not in DETERMINERS]
        if len(names) == 1:
            surname = names[0].removesuffix("’s").removesuffix("'s")
            for full, _ in reversed(self.people):
                if surname in (full.split()[-1], full.split()[0]):
                    return full
            return surname
        titles = {w for w in lowers if w in TITLES}
        for full, known in self.people:
            if full == self.last_person and titles & known:
                return full
        for full, known in reversed(self.people):
            if titles & known:
                return full
        return self.last_person if titles else None

    def organisation(self, phrase):
        """The name of an organisation as the article gives it, or None."""
        if len(phrase) == 1 and phrase[0].lower in {"it", "they", "we"}:
            return self.last_organisation
        if any(w.capital and w.lower not in {"the", "a", "an"} for w in phrase):
            return organisation_name(phrase)
        head = phrase[-1].lower
        if self.last_organisation:
            return self.last_organisation  # "the company", "the airline": the one quoted
        for name in reversed(self.organisations):
            if head in name.lower():
                return name
        return None


def organisation_name(words):
    """An organisation's entity from its words: without a leading article, a legal form
    ("Inc") or what it issued ("data") at the end."""
    words = list(words)
    while words and words[0].lower in {"the", "a", "an"}:
        words.pop(0)
    while len(words) > 1 and (words[-1].lower in LEGAL_FORMS | NOT_ENTITY or words[-1].text == ","):
        words.pop()
    return " ".join(w.text for w in words) or None


def find(words, mentions, outlets=()):
    """The attribution of a sentence's ``words`` (the speaker's full name from
    ``mentions``)."""
    best = None
    for i, word in enumerate(words):
        if word.lower not in CUE_STARTS:
            continue
        found = cue_at(words, i)
        if found is None:
            continue
        size, cue = found
        cue_words = (i, i + size - 1)
        if cue == "according to":
            phrase = phrase_after(words, i + size)
            pattern = "according to"
        else:
            phrase = phrase_before(words, i)
            pattern = "source cue"
            after_quote = i > 0 and words[i - 1].text in {",", '"', "”", "’", "'"}
            if phrase is None and cue not in WEAK and after_quote:
                phrase = phrase_after(words, i + size)  # "…," said the minister
                pattern = "cue source"
                if phrase is not None and words[phrase[0]].lower in {"it", "that", "this"}:
                    phrase = None
            if phrase is not None and cue in WEAK and not words[phrase[1]].capital:
                phrase = None
        if phrase is None:
            continue
        suggestion = made(words, phrase, cue_words, pattern, mentions, outlets)
        if suggestion is not None:
            best = suggestion
            break
    return best


def made(words, phrase, cue_words, pattern, mentions, outlets):
    """The suggestion for a source phrase and its cue."""
    first, last = phrase
    source_words = words[first : last + 1]
    if all(w.lower in DETERMINERS | LINKS for w in source_words):
        return None
    source_type = source_type_of(source_words, outlets)
    if source_type == "person":
        entity = mentions.person(source_words)
    elif source_type in {"organisation", "media"}:
        entity = (
            mentions.organisation(source_words)
            if len(source_words) > 1 or source_words[0].capital
            else None
        )
    else:
        entity = None
    return Suggestion(
        source_type=source_type,
        source=(words[first].start, words[last].end),
        cue=(words[cue_words[0]].start, words[cue_words[1]].end),
        entity=entity,
        confidence=CONFIDENCE.get(pattern, 0.5),
        pattern=pattern,
    )


# the share of each pattern's suggestions that were right (cue exact, source overlapping,
# type right) on the 677 development sentences: 216 "source cue", 28 "cue source" and only
# 4 "according to" (so it is given the next pattern's figure, not a perfect one)
CONFIDENCE = {"source cue": 0.79, "cue source": 0.89, "according to": 0.89}


def suggest_document(sentences, outlets=()):
    """The attribution suggested for each sentence of an article, in reading order (None
    where no cue is found): ``outlets`` are names that mean another news outlet (the
    article's own, the project's)."""
    return read(sentences, Mentions([], []), outlets)


def marked_source(sentences, index, source, outlets=()):
    """``(source type, entity)`` of an annotator's source span ``(start, end)`` in sentence
    ``index`` of an article, as the suggester would give them: the entity a full name from
    the sentences before ("Isaac" → Oscar Isaac, "she" → the person last quoted), without
    titles ("Pentagon spokesman Mark Wright" → Mark Wright), None for an anonymous source;
    ``(None, None)`` when the span holds no word."""
    mentions = Mentions([], [])
    read(sentences[:index], mentions, outlets)
    words = words_of(sentences[index])
    inside = [n for n, w in enumerate(words) if w.end > source[0] and w.start < source[1]]
    if not inside:
        return None, None
    phrase, cue = (inside[0], inside[-1]), (inside[-1], inside[-1])  # no cue: not read
    suggestion = made(words, phrase, cue, "", mentions, outlets)
    return (suggestion.source_type, suggestion.entity) if suggestion else (None, None)


def read(sentences, mentions, outlets):
    """Suggest for each sentence in turn, remembering its names in ``mentions``."""
    found = []
    for sentence in sentences:
        suggestion = None
        if CUE_SEARCH.search(sentence):
            words = words_of(sentence)
            suggestion = find(words, mentions, outlets)
            mentions.remember(words)
        else:
            for run in CAPITAL_RUN.finditer(sentence):
                mentions.remember(words_of(run.group()))
        if suggestion is not None and suggestion.entity:
            if suggestion.source_type == "person":
                mentions.last_person = suggestion.entity
            elif suggestion.source_type == "organisation":
                mentions.last_organisation = suggestion.entity
        found.append(suggestion)
    return found
