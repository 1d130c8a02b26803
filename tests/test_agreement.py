"""Agreement statistics: published values through the functions, and the same values through
the database (annotations stored, then ``flask agreement`` computed)."""

import json
import re
from collections import Counter
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sqlalchemy import update

from annotator.agreement import statistics as stats
from annotator.agreement.report import Figures, Options, report
from annotator.extensions import db
from annotator.models import Annotation, Document, User
from annotator.schema import Scheme
from tests.helpers import hashed, import_texts, import_two_topics, labels
from tests.test_review import figures_page

VECTORS = {
    **json.loads((Path(__file__).parent / "vectors" / "agreement_vectors.json").read_text()),
    **json.loads((Path(__file__).parent / "vectors" / "more_agreement_vectors.json").read_text()),
}
KRIPPENDORFF = [name for name, v in VECTORS.items() if "coders" in v]
TABLES = [name for name, v in VECTORS.items() if "table" in v]


def decimals(expected):
    """How many decimals a published value was given to."""
    text = repr(expected)
    return len(text.split(".")[1]) if "." in text else 0


def assert_published(value, expected):
    """``value`` equals the published figure to the decimals it was published with."""
    assert value is not None
    assert round(value, decimals(expected)) == pytest.approx(expected), (value, expected)


def coder_counts(coders):
    """Items x categories counts from coder rows (values 1..k, None missing)."""
    top = max(v for row in coders for v in row if v is not None)
    counts = np.zeros((len(coders[0]), top), dtype=int)
    for row in coders:
        for unit, value in enumerate(row):
            if value is not None:
                counts[unit, value - 1] += 1
    return counts


def table_counts(table):
    """Items x categories counts of a two-rater contingency table."""
    rows = []
    size = len(table)
    for a in range(size):
        for b in range(size):
            for _ in range(table[a][b]):
                row = [0] * size
                row[a] += 1
                row[b] += 1
                rows.append(row)
    return np.array(rows)


# -- the functions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", KRIPPENDORFF)
def test_krippendorff_alpha_reproduces_published_values(name):
    vector = VECTORS[name]
    counts = coder_counts(vector["coders"])
    values = list(range(1, counts.shape[1] + 1))
    for key, expected in vector["expected"].items():
        level = key.removeprefix("alpha_")
        assert_published(stats.krippendorff_alpha(counts, level, values).value, expected)
        # the bootstrap's own alpha agrees with the library at the point estimate
        by_hand = stats.alpha_of_coincidences(stats.coincidences(counts), level, values)
        assert by_hand == pytest.approx(stats.krippendorff_alpha(counts, level, values).value)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_large_inputs_give_the_package_s_alpha(level, monkeypatch):
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 5, size=3000)
    noisy = np.where(rng.random((3000, 3)) < 0.8, truth[:, None], rng.integers(0, 5, (3000, 3)))
    counts = np.stack([np.bincount(row, minlength=5) for row in noisy])
    values = [1, 2, 3, 4, 5]
    package = stats.krippendorff_alpha(counts, level, values).value
    monkeypatch.setattr(stats, "LIBRARY_CELLS", 0)
    assert stats.krippendorff_alpha(counts, level, values).value == pytest.approx(package)


def test_fleiss_kappa_reproduces_the_published_value():
    vector = VECTORS["fleiss_wikipedia"]
    kappa = stats.fleiss_kappa(vector["counts"])
    assert_published(kappa.value, 0.210)
    assert_published(kappa.value, vector["expected"]["fleiss_kappa"])


@pytest.mark.parametrize("name", TABLES)
def test_two_rater_coefficients_reproduce_published_values(name):
    vector = VECTORS[name]
    table, expected = vector["table"], vector["expected"]
    computed = {
        "cohen_kappa": stats.cohen_kappa(table).value,
        "scott_pi": stats.scott_pi(table).value,
        "percent": stats.table_percent(table).value,
        "ac1": stats.gwet_ac1(table_counts(table)).value,
    }
    for key, value in expected.items():
        assert_published(computed[key], value)
    assert stats.percent_agreement(table_counts(table)).value == pytest.approx(computed["percent"])


def test_figures_that_cannot_be_computed_say_why():
    one_label = np.array([[2, 0], [2, 0], [3, 0]])
    assert stats.krippendorff_alpha(one_label).value is None
    assert "one label" in stats.krippendorff_alpha(one_label).reason
    uneven = np.array([[2, 0], [1, 2]])
    assert "different numbers of ratings" in stats.fleiss_kappa(uneven).reason
    assert stats.percent_agreement(np.array([[1, 0]])).reason == "no item has two ratings yet"
    assert stats.cohen_kappa([[0, 0], [0, 0]]).value is None


def test_ac1_is_null_when_only_one_label_was_used():
    # (1 - 0) / (1 - 0) by the formula, yet nobody ever had to tell two labels apart
    ac1 = stats.gwet_ac1(np.array([[2, 0, 0], [3, 0, 0], [2, 0, 0]]), categories=3)
    assert ac1.value is None
    assert "only one label" in ac1.reason
    assert stats.gwet_ac1(np.array([[2, 0, 0], [1, 1, 0]]), categories=3).value is not None


def test_the_bootstrap_interval_is_seeded_and_contains_alpha():
    counts = coder_counts(VECTORS["krippendorff_2011_4x12"]["coders"])
    first = stats.bootstrap_alpha(counts, "nominal", draws=1000, seed=13).value
    again = stats.bootstrap_alpha(counts, "nominal", draws=1000, seed=13).value
    other = stats.bootstrap_alpha(counts, "nominal", draws=1000, seed=14).value
    assert first == again != other
    assert first[0] < stats.krippendorff_alpha(counts).value < first[1]


def three_annotators(used, items=300, seed=1):
    """Counts over ``used[-1] + 1`` categories from three annotators who give one item the
    same label about 60% of the time, using only the categories ``used``; every fifth item
    lacks its third rating."""
    rng = np.random.default_rng(seed)
    used = np.asarray(used)
    truth = rng.choice(used, items)
    chosen = np.where(rng.random((items, 3)) < 0.6, truth[:, None], rng.choice(used, (items, 3)))
    counts = np.zeros((items, used[-1] + 1), dtype=np.int64)
    for item, row in enumerate(chosen):
        for label in row[: 2 if item % 5 == 0 else 3]:
            counts[item, label] += 1
    return counts


def plain_bootstrap(counts, level, values, draws, seed):
    """Alpha's 95% interval the slow way: the same multinomial draw over the distinct rating
    patterns (ordered as the code orders them: compared from the last category), each
    resample's items written out and given to the ``krippendorff`` package."""
    tally = Counter(map(tuple, counts.tolist()))
    patterns = sorted(tally, key=lambda pattern: pattern[::-1])
    frequency = np.array([tally[pattern] for pattern in patterns])
    rng = np.random.default_rng(seed)
    picks = rng.multinomial(len(counts), frequency / frequency.sum(), size=draws)
    alphas = []
    for pick in picks:
        resample = np.repeat(np.array(patterns), pick, axis=0)
        alphas.append(
            krippendorff.alpha(
                value_counts=resample, value_domain=values, level_of_measurement=level
            )
        )
    return list(np.percentile([a for a in alphas if not np.isnan(a)], [2.5, 97.5]))


# with three annotators, the patterns' int64 number keys overflowed from the 33rd category on
@pytest.mark.parametrize(
    ("used", "level"),
    [(range(70), "nominal"), ([32, 33], "ordinal")],
    ids=["70 categories", "the last 2 of 34 categories"],
)
def test_the_bootstrap_interval_with_many_categories(used, level):
    counts = three_annotators(used)
    values = list(range(counts.shape[1]))
    alpha = stats.krippendorff_alpha(counts, level, values).value
    interval = stats.bootstrap_alpha(counts, level, values, draws=1000, seed=13).value
    assert interval is not None
    assert interval[0] < alpha < interval[1]
    few = stats.bootstrap_alpha(counts, level, values, draws=40, seed=5).value
    assert few == pytest.approx(plain_bootstrap(counts, level, values, draws=40, seed=5))


def test_span_f1_exact_and_overlap():
    # (0,5)=(0,5); (0,5)~(2,8); (0,5) vs none; none vs none; (3,4) vs (9,12)
    a_start, a_end = [0, 0, 0, -1, 3], [5, 5, 5, -1, 4]
    b_start, b_end = [0, 2, -1, -1, 9], [5, 8, -1, -1, 12]
    f1 = stats.span_f1(a_start, a_end, b_start, b_end)
    assert f1["exact"].value == pytest.approx(2 * 1 / 7)
    assert f1["overlap"].value == pytest.approx(2 * 2 / 7)
    assert stats.span_f1([-1], [-1], [-1], [-1])["exact"].value is None


def test_pair_confusion_counts_every_pair_of_ratings():
    confusion = stats.pair_confusion(np.array([[2, 1], [0, 2]]))
    # item 1: one agreeing pair (a,a) and two mixed pairs; item 2: one agreeing pair (b,b)
    assert confusion.tolist() == [[2, 2], [2, 2]]


# -- through the database --------------------------------------------------------------


def store(tmp_path, ratings_by_annotator, label_of):
    """Store annotations: ``ratings_by_annotator[name][item]`` is a category or None,
    turned into a labels object by ``label_of``. Returns the sentence ids."""
    items = len(next(iter(ratings_by_annotator.values())))
    (sentences,) = import_texts(tmp_path, [f"Item number {n} is here." for n in range(items)])
    assert len(sentences) == items
    for name, row in ratings_by_annotator.items():
        user = User(name=name, role="annotator")
        user.password_hash = hashed("secret-pass")
        db.session.add(user)
        db.session.flush()
        for sentence_id, value in zip(sentences, row, strict=True):
            if value is not None:
                db.session.add(
                    Annotation(
                        sentence_id=sentence_id, annotator_id=user.id, labels=label_of(value)
                    )
                )
    db.session.commit()
    return sentences


def numbered(value):
    """A labels object whose claim is the category's number."""
    return labels(claim=str(value))


PUBLISHED_ALPHAS = [
    (name, key.removeprefix("alpha_")) for name in KRIPPENDORFF for key in VECTORS[name]["expected"]
]


@pytest.mark.parametrize(("name", "level"), PUBLISHED_ALPHAS)
def test_alpha_through_the_database(app, tmp_path, runner, name, level):
    vector = VECTORS[name]
    expected = vector["expected"][f"alpha_{level}"]
    app.extensions["scheme"] = Scheme(claim_labels=("1", "2", "3", "4", "5"), claim_level=level)
    store(tmp_path, {f"coder{i}": row for i, row in enumerate(vector["coders"])}, numbered)
    result = runner.invoke(args=["agreement", "--json", "--field", "claim"])
    assert result.exit_code == 0, result.output
    claim = json.loads(result.output)["fields"]["claim"]
    assert_published(claim["alpha"], expected)
    assert claim["level"] == level
    low, high = claim["alpha_ci95"]
    assert low < claim["alpha"] < high


def test_fleiss_kappa_through_the_database(app, tmp_path):
    counts = VECTORS["fleiss_wikipedia"]["counts"]
    types = Scheme().source_types
    raters = {f"rater{r:02}": [] for r in range(14)}
    for subject in counts:  # Fleiss' kappa does not depend on who gave which rating
        given = [category for category, n in enumerate(subject) for _ in range(n)]
        for rater, category in zip(raters.values(), given, strict=True):
            rater.append(category)
    store(tmp_path, raters, lambda c: labels(source_type=types[c]))
    figures = report(app.extensions["scheme"], field="attribution.source_type")
    source_type = figures["fields"]["attribution.source_type"]
    assert_published(
        source_type["fleiss_kappa"], VECTORS["fleiss_wikipedia"]["expected"]["fleiss_kappa"]
    )
    assert source_type["items"] == 10 and source_type["annotators"] == 14


@pytest.mark.parametrize("name", TABLES)
def test_two_rater_tables_through_the_database(app, tmp_path, name):
    vector = VECTORS[name]
    table, expected = vector["table"], vector["expected"]
    a, b = [], []
    for row, cells in enumerate(table):
        for column, n in enumerate(cells):
            a += [row] * n
            b += [column] * n
    claims = Scheme().claim_labels  # three labels; the 2x2 tables use the first two
    store(tmp_path, {"ann": a, "bob": b}, lambda c: labels(claim=claims[c]))
    claim = report(app.extensions["scheme"], field="claim", options=Options(draws=1000))
    claim = claim["fields"]["claim"]
    if "cohen_kappa" in expected:
        assert_published(claim["pairs"]["ann|bob"], expected["cohen_kappa"])
        assert_published(claim["cohen_kappa"], expected["cohen_kappa"])
    if "percent" in expected:
        assert_published(claim["percent"], expected["percent"])
    if "ac1" in expected:
        assert_published(claim["ac1"], expected["ac1"])
    assert claim["pair_items"]["ann|bob"] == sum(map(sum, table))


def test_the_outlet_field_s_interval_with_64_outlets(app, tmp_path, runner):
    counts = three_annotators(range(64), items=200)
    outlets = {"ann": [], "bob": [], "cyd": []}
    for row in counts:
        given = [f"Outlet {number:02}" for number, n in enumerate(row) for _ in range(n)]
        given += [None] * (3 - len(given))
        for rater, outlet in zip(outlets.values(), given, strict=True):
            rater.append(outlet)
    store(tmp_path, outlets, lambda outlet: labels(outlet=outlet))
    result = runner.invoke(args=["agreement", "--json", "--field", "outlet"])
    assert result.exit_code == 0, result.output
    outlet = json.loads(result.output)["fields"]["outlet"]
    assert outlet["items"] == 200 and len(outlet["labels"]) == 64
    assert outlet["alpha"] == pytest.approx(stats.krippendorff_alpha(counts).value, abs=1e-6)
    low, high = outlet["alpha_ci95"]
    assert low < outlet["alpha"] < high


# -- the report and the command -----------------------------------------------------------


def span_labels(claim, source=None, stance="none"):
    """Labels with a claim, an optional source span and a stance on Armenia."""
    value = labels(claim=claim)
    value["attribution"]["source"] = source and {"start": source[0], "end": source[1]}
    value["stance"]["Armenia"] = stance
    return value


def test_claims_only_figures_leave_out_sentences_not_all_marked_as_claims(app, tmp_path):
    # items 0-2: both say claim; item 3: one says not_claim; item 4: both not_claim
    ann = [("claim", (0, 4), "against"), ("claim", (0, 4), "favor"),
           ("checkworthy_claim", None, "none"), ("claim", (5, 9), "favor"),
           ("not_claim", None, "none")]  # fmt: skip
    bob = [("claim", (0, 4), "against"), ("claim", (1, 3), "against"), ("claim", None, "none"),
           ("not_claim", None, "none"), ("not_claim", None, "none")]  # fmt: skip
    store(tmp_path, {"ann": ann, "bob": bob}, lambda v: span_labels(*v))
    result = report(app.extensions["scheme"])
    assert result["fields"]["stance.Armenia"]["items"] == 5
    assert result["claims_only"]["stance.Armenia"]["items"] == 3
    assert result["claims_only"]["stance.Armenia"]["percent"] == pytest.approx(2 / 3)
    assert "claim" not in result["claims_only"] and "outlet" not in result["claims_only"]
    source = result["fields"]["attribution.source"]
    # marked spans: ann 3, bob 2; exact matches 1 (item 0), overlaps 2 (items 0 and 1)
    assert source["f1_exact"] == pytest.approx(2 / 5)
    assert source["f1_overlap"] == pytest.approx(4 / 5)
    assert source["pairs"]["ann|bob"]["exact"] == pytest.approx(2 / 5)
    assert result["claims_only"]["attribution.source"]["f1_overlap"] == pytest.approx(1.0)


def test_by_outlet_and_by_annotator(app, tmp_path, runner):
    store(tmp_path, {"ann": [0, 1, 1, 0], "bob": [0, 1, 0, 0], "cyd": [0, 1, 1, None]},
          lambda c: labels(claim=Scheme().claim_labels[c]))  # fmt: skip
    result = runner.invoke(args=["agreement", "--json", "--by", "outlet", "--field", "claim"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["by"] == "outlet" and list(data["groups"]) == ["Wire"]
    assert data["groups"]["Wire"]["fields"]["claim"]["items"] == 4
    result = runner.invoke(args=["agreement", "--json", "--by", "annotator"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)["groups"]
    assert set(groups) == {"ann", "bob", "cyd"}
    bob = groups["bob"]["fields"]["claim"]
    # bob shares 4 items; of his 7 pairs with others, 5 agree; without him the rest agree fully
    assert bob["items"] == 4 and bob["percent"] == pytest.approx(5 / 7)
    assert bob["alpha_without"] == pytest.approx(1.0)
    assert groups["ann"]["fields"]["claim"]["percent"] > bob["percent"]


def test_the_terminal_report_reads_well_and_says_why_a_figure_is_missing(app, tmp_path, runner):
    store(tmp_path, {"ann": [0, 0, 0], "bob": [0, 0, 0]}, lambda c: labels())
    result = runner.invoke(args=["agreement"])
    assert result.exit_code == 0, result.output
    assert "claim (nominal): 3 items, 2 annotators; labels used: not_claim" in result.output
    assert "alpha: — only one label was used" in result.output
    assert "percent 1.000" in result.output


def test_outlets_and_names_reach_the_terminal_as_escapes(app, tmp_path, runner):
    hostile = "Evil\x1b[31mRED\x1b]0;title\x07\x9b\u202e"
    store(
        tmp_path, {"ann": [0, 1], f"bob{hostile}": [0, 0]}, lambda c: labels(outlet=f"{c}{hostile}")
    )
    db.session.execute(update(Document).values(outlet=hostile))
    db.session.commit()
    for by in ("outlet", "annotator"):
        text = runner.invoke(args=["agreement", "--by", by])
        assert text.exit_code == 0, text.output
        assert "Evil\\x1b[31mRED\\x1b]0;title\\x07\\x9b\\u202e" in text.output, by
        assert not any(c in text.output for c in "\x1b\x07\x9b\u202e"), by
        data = runner.invoke(args=["agreement", "--json", "--by", by])
        assert data.exit_code == 0, data.output
        assert not any(c in data.output for c in "\x1b\x07\x9b\u202e"), by
    assert f"bob{hostile}" in json.loads(data.output)["groups"]  # the JSON reads back as stored


def test_one_label_everywhere_leaves_ac1_null_with_its_reason(app, tmp_path):
    store(tmp_path, {"ann": [0, 0, 0], "bob": [0, 0, 0]}, lambda c: labels())
    claim = report(app.extensions["scheme"], field="claim")["fields"]["claim"]
    assert claim["ac1"] is None
    assert claim["why"]["ac1"] == claim["why"]["alpha"] == claim["why"]["fleiss_kappa"]


def test_one_annotator_gives_dashes_not_errors(app, tmp_path, runner):
    store(tmp_path, {"ann": [0, 1]}, lambda c: labels(claim=Scheme().claim_labels[c]))
    result = runner.invoke(args=["agreement", "--json"])
    assert result.exit_code == 0, result.output
    claim = json.loads(result.output)["fields"]["claim"]
    assert claim["items"] == 0 and claim["alpha"] is None and claim["percent"] is None
    assert claim["why"]["alpha"]


def test_min_items_leaves_small_fields_out(app, tmp_path, runner):
    store(
        tmp_path, {"ann": [0, 1], "bob": [0, 1]}, lambda c: labels(claim=Scheme().claim_labels[c])
    )
    result = runner.invoke(args=["agreement", "--json", "--min-items", "3", "--field", "claim"])
    assert result.exit_code == 0, result.output
    claim = json.loads(result.output)["fields"]["claim"]
    assert claim["alpha"] is None
    assert (
        claim["why"]["alpha"] == "only 2 sentences have two annotations or more; at least 3 wanted"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--field", "claims"],
            1,
            "no field 'claims'; the fields are: claim, attribution.source_type",
        ),
        (["--by", "document"], 2, "Invalid value for '--by'"),
        (["--min-items", "0"], 2, "Invalid value for '--min-items'"),
        (["--draws", "10"], 2, "Invalid value for '--draws'"),
    ],
)
def test_bad_options_fail_with_one_clear_line(app, runner, args, code, message):
    result = runner.invoke(args=["agreement", *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_level_the_labels_cannot_carry_is_refused(app, runner, tmp_path):
    app.extensions["scheme"] = Scheme(claim_level="interval")
    result = runner.invoke(args=["agreement"])
    assert result.exit_code == 1, result.output
    assert "claim: level 'interval' needs numeric labels, but 'not_claim' is text" in result.output
    assert len(result.output.strip().splitlines()) == 1


def strict_json(text):
    """``text`` parsed as JSON proper: NaN, Infinity and -Infinity are refused."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("numbers", "reason"), [(("1", "1.0"), "all stand for one number"), (("1", "inf"), "finite")]
)
def test_the_json_report_holds_no_nan_or_infinity(app, tmp_path, runner, numbers, reason):
    # "1" and "1.0" are two labels but one number: alpha's expected disagreement is 0
    app.extensions["scheme"] = Scheme(claim_labels=numbers, claim_level="interval")
    ratings = {"ann": [0, 0, 1, 1], "bob": [0, 1, 1, 0], "cyd": [1, 0, 1, 0]}
    store(tmp_path, ratings, lambda c: labels(numbers[c]))
    result = runner.invoke(args=["agreement", "--json", "--field", "claim", "--by", "annotator"])
    assert result.exit_code == 0, result.output
    data = strict_json(result.output)
    claim = data["fields"]["claim"]
    for name in ("alpha", "alpha_ci95"):
        assert claim[name] is None
        assert reason in claim["why"][name]
    assert claim["percent"] == 0.5
    for group in data["groups"].values():
        assert group["fields"]["claim"]["alpha_without"] is None
        assert reason in group["fields"]["claim"]["why"]["alpha_without"]


def test_a_figure_that_is_not_a_finite_number_becomes_null_with_a_reason():
    figures = Figures()
    figures.put("alpha", stats.Figure(float("nan")))
    figures.put("alpha_ci95", stats.Figure((0.1, float("inf"))))
    figures.put("percent", stats.Figure(0.5))
    result = figures.result()
    assert result["alpha"] is None and result["alpha_ci95"] is None
    assert set(result["why"]) == {"alpha", "alpha_ci95"}
    assert result["percent"] == 0.5


def test_skips_are_not_labels(app, tmp_path):
    sentences = store(tmp_path, {"ann": [0, 0], "bob": [0, 0]}, lambda c: labels())
    db.session.execute(
        update(Annotation).where(Annotation.sentence_id == sentences[0]).values(skipped=True)
    )
    db.session.commit()
    assert report(app.extensions["scheme"])["fields"]["claim"]["items"] == 1


@pytest.mark.parametrize("categories", [3, 70])  # numbered in int64; compared whole
def test_rating_patterns_are_the_distinct_rows_in_one_order(categories):
    rng = np.random.default_rng(categories)
    counts = rng.multinomial(3, np.ones(categories) / categories, size=500)
    patterns, frequency = stats.rating_patterns(counts)
    expected = sorted(Counter(map(tuple, counts.tolist())).items(), key=lambda p: p[0][::-1])
    assert [tuple(row) for row in patterns.tolist()] == [row for row, _ in expected]
    assert frequency.tolist() == [n for _, n in expected]


def test_counts_in_one_byte_give_the_figures_of_int64_counts():
    # 40 raters: n (n - 1) and the products of the coincidence matrix overflow one byte
    rng = np.random.default_rng(40)
    counts = rng.multinomial(40, [0.7, 0.2, 0.1], size=300)
    counts[::7] = rng.multinomial(2, [0.5, 0.3, 0.2], size=len(counts[::7]))
    small = counts.astype(np.int8)
    for figure in (
        stats.percent_agreement,
        stats.krippendorff_alpha,
        stats.gwet_ac1,
        lambda c: stats.bootstrap_alpha(c, draws=1000, seed=13),
    ):
        assert figure(small).value == pytest.approx(figure(counts).value, rel=1e-12)
    assert stats.pair_confusion(small).tolist() == stats.pair_confusion(counts).tolist()
    uniform = counts[counts.sum(axis=1) == 40].astype(np.int8)
    assert stats.fleiss_kappa(uniform).value == stats.fleiss_kappa(uniform.astype(int)).value


# -- stance targets of each document ---------------------------------------------------------


def label(annotator, sentence_id, claim, stance):
    """Store one annotation whose stance holds exactly the targets ``annotator`` was asked."""
    user = db.session.scalar(db.select(User).where(User.name == annotator))
    if user is None:
        user = User(name=annotator, role="annotator")
        db.session.add(user)
        db.session.flush()
    given = labels(claim=claim, stance=stance)
    db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id, labels=given))


@pytest.fixture
def topics(app, tmp_path):
    """alice and bob label both articles; then the lead adds "Mayor" to the water article,
    and cyd and dan label its first two sentences, asked about the mayor too. alice's
    labels of the border article still hold "City council", a target it no longer has."""
    ids = import_two_topics(tmp_path)
    water = [("claim", "claim"), ("not_claim", "claim"), ("claim", "claim")]  # alice, bob
    for (alice, bob), sentence_id in zip(water, ids["water"], strict=True):
        label("alice", sentence_id, alice, {"Water utility": "favor", "City council": "none"})
        label("bob", sentence_id, bob, {"Water utility": "favor", "City council": "none"})
    for sentence_id in ids["border"]:
        stale = {"Azerbaijan": "none", "Armenia": "against", "City council": "favor"}
        label("alice", sentence_id, "not_claim", stale)
        label("bob", sentence_id, "not_claim", {"Azerbaijan": "none", "Armenia": "none"})
    db.session.get(Document, "water").targets = ["Water utility", "City council", "Mayor"]
    db.session.commit()
    mayors = [("favor", "favor"), ("against", "none")]  # the third sentence is not theirs
    for sentence_id, (cyd, dan) in zip(ids["water"][:2], mayors, strict=True):
        for name, mayor in (("cyd", cyd), ("dan", dan)):
            asked = {"Water utility": "favor", "City council": "against", "Mayor": mayor}
            label(name, sentence_id, "claim", asked)
    db.session.commit()
    return ids


def test_a_target_counts_on_its_documents_and_for_the_annotators_asked(topics, app):
    result = report(app.extensions["scheme"])
    stance = {name: f for name, f in result["fields"].items() if name.startswith("stance.")}
    # the scheme's targets first, then the others in the order documents were imported
    assert list(stance) == ["stance.Azerbaijan", "stance.Armenia", "stance.Water utility",
                            "stance.City council", "stance.Mayor"]  # fmt: skip
    assert stance["stance.Azerbaijan"]["items"] == 2  # the border article's sentences
    assert stance["stance.Water utility"]["items"] == 3
    assert stance["stance.Water utility"]["annotators"] == 4
    # alice's stale "City council" on the border article counts nowhere
    assert stance["stance.City council"]["items"] == 3
    assert stance["stance.City council"]["label_counts"] == {
        "favor": 0, "against": 4, "neutral": 0, "none": 6,
    }  # fmt: skip
    # alice and bob were never asked about the mayor: only cyd and dan's two sentences count
    mayor = stance["stance.Mayor"]
    assert mayor["items"] == 2 and mayor["annotators"] == 2
    assert mayor["percent"] == pytest.approx(0.5)
    assert list(mayor["pairs"]) == ["cyd|dan"]
    # claims only: every annotator of the sentence called it a claim (alice did not on the 2nd)
    assert result["claims_only"]["stance.Water utility"]["items"] == 2
    assert result["claims_only"]["stance.Mayor"]["items"] == 1
    assert result["claims_only"]["stance.Azerbaijan"]["items"] == 0
    assert result["fields"]["claim"]["items"] == 5  # the other fields as before


def test_by_target_lists_each_target_with_its_documents_items_and_figures(topics, runner):
    result = runner.invoke(args=["agreement", "--json", "--by", "target"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["by"] == "target"
    groups = data["groups"]
    assert list(groups) == ["Azerbaijan", "Armenia", "Water utility", "City council", "Mayor"]
    assert {target: (g["documents"], g["fields"][f"stance.{target}"]["items"])
            for target, g in groups.items()} == {
        "Azerbaijan": (1, 2), "Armenia": (1, 2), "Water utility": (1, 3),
        "City council": (1, 3), "Mayor": (1, 2),
    }  # fmt: skip
    mayor = groups["Mayor"]
    assert list(mayor["fields"]) == ["stance.Mayor"] and list(mayor["claims_only"]) == [
        "stance.Mayor"
    ]
    assert mayor["fields"]["stance.Mayor"] == data["fields"]["stance.Mayor"]
    assert mayor["claims_only"]["stance.Mayor"]["items"] == 1
    assert set(data["fields"]) >= {"claim", "outlet"}  # the top-level shape is unchanged
    text = runner.invoke(args=["agreement", "--by", "target"])
    assert text.exit_code == 0, text.output
    assert "== target: Mayor (1 document)\nstance.Mayor (nominal): 2 items, 2 annotators" in (
        text.output
    )
    assert "stance.Mayor | claims only (nominal): 1 items" in text.output
    one = runner.invoke(args=["agreement", "--json", "--by", "target", "--field", "stance.Mayor"])
    assert one.exit_code == 0, one.output
    assert list(json.loads(one.output)["groups"]) == ["Mayor"]


def test_by_target_with_a_field_that_is_no_target_says_so(topics, runner):
    result = runner.invoke(args=["agreement", "--by", "target", "--field", "claim"])
    assert result.exit_code == 1, result.output
    assert "--by target gives the stance figures of each target; 'claim' is not one" in (
        result.output
    )


def test_the_review_page_lists_targets_with_their_item_counts(topics, client, auth):
    auth.login("reviewer")
    page = figures_page(client, "?by=target").text
    assert ">By target</a>" in page
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>',
        page,
    )
    assert rows == [("Azerbaijan", "1", "2"), ("Armenia", "1", "2"), ("Water utility", "1", "3"),
                    ("City council", "1", "3"), ("Mayor", "1", "2")]  # fmt: skip


def test_adding_a_target_to_a_document_makes_the_page_recompute(topics, client, auth):
    auth.login("reviewer")
    assert "stance.Mayor" in figures_page(client).text
    db.session.get(Document, "water").targets = ["Water utility", "City council"]
    db.session.commit()
    assert "stance.Mayor" not in figures_page(client).text


@pytest.mark.parametrize(
    "target", ["Türkiye", 'The "deal"', "Smith, John", "back\\slash", "{braces}", "null", "x.y"]
)
def test_a_target_of_any_name_is_found_in_the_labels(app, tmp_path, target):
    (sentences,) = import_texts(tmp_path, ["One is here.", "Two is here."])
    db.session.execute(update(Document).values(targets=[target]))
    given = [("favor", "favor"), ("favor", "none")]
    for sentence_id, (first, second) in zip(sentences, given, strict=True):
        label("ann", sentence_id, "claim", {target: first})
        label("bob", sentence_id, "claim", {target: second})
    db.session.commit()
    figures = report(app.extensions["scheme"], field=f"stance.{target}")["fields"]
    assert figures[f"stance.{target}"]["items"] == 2
    assert figures[f"stance.{target}"]["percent"] == pytest.approx(0.5)
