"""The label scheme: default, TOML replacement, errors with file and line, label checks."""

import pytest

from annotator import create_app
from annotator.schema import Field, Scheme, SchemeError, load_scheme
from tests.helpers import SETTINGS, labels


def write(tmp_path, text):
    path = tmp_path / "scheme.toml"
    path.write_text(text)
    return path


def test_default_scheme():
    scheme = load_scheme(None)
    assert scheme.claim_labels == ("not_claim", "claim", "checkworthy_claim")
    assert scheme.stance_targets == ("Azerbaijan", "Armenia")
    assert scheme.check(labels(), 20) == {}


def test_toml_replaces_the_default(tmp_path):
    path = write(
        tmp_path,
        '[claim]\nlabels = ["no", "yes"]\nlevel = "ordinal"\n\n'
        '[stance]\nlabels = ["pro", "con", "none"]\ntargets = ["EU"]\n',
    )
    scheme = load_scheme(path)
    assert scheme.claim_labels == ("no", "yes") and scheme.claim_level == "ordinal"
    assert scheme.stance_targets == ("EU",)
    assert scheme.source_types == Scheme().source_types


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[claim]\nlabels = ["a"]\ncolour = "red"\n',
            "scheme.toml:3: unknown key 'colour' in [claim]",
        ),
        ("[claim]\nlabels = []\n", "scheme.toml:2: [claim] labels must be a non-empty list"),
        (
            '[claim]\nlabels = ["a", "b", "a"]\n',
            "scheme.toml:2: [claim] labels lists a more than once",
        ),
        ('[claim]\nlevel = "loud"\n', "scheme.toml:2: [claim] level 'loud' is not one of"),
        ("\n[outlets]\nx = 1\n", "scheme.toml:2: unknown section [outlets]"),
        (
            '[stance]\nlabels = ["pro", "con"]\n',
            "scheme.toml:2: [stance] labels must include 'none'",
        ),
        ("[claim\nlabels = 1\n", "scheme.toml: "),
    ],
)
def test_invalid_scheme_names_file_line_and_problem(tmp_path, text, message):
    with pytest.raises(SchemeError) as error:
        load_scheme(write(tmp_path, text))
    assert message in str(error.value)


def test_invalid_scheme_stops_start_up(tmp_path, database_uri):
    path = write(tmp_path, "[claim]\nlabels = []\n")
    with pytest.raises(SchemeError, match="labels must be a non-empty list"):
        create_app(
            {**SETTINGS, "SQLALCHEMY_DATABASE_URI": database_uri, "ANNOTATOR_SCHEMA_FILE": path}
        )


def test_missing_scheme_file(tmp_path):
    with pytest.raises(SchemeError, match="cannot read the scheme file"):
        load_scheme(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"claim": "maybe"}, "claim", "choose one of not_claim"),
        ({"claim": None}, "claim", "choose one of"),
        ({"stance": {"Armenia": "love"}}, "stance.Armenia", "choose one of favor"),
        ({"stance": {"Mars": "favor"}}, "stance", "unknown stance target(s): Mars"),
    ],
)
def test_check_reports_each_field(changes, field, message):
    errors = Scheme().check({**labels(), **changes}, 20)
    assert message in errors[field]


@pytest.mark.parametrize(
    "span",
    [
        {"start": 5, "end": 5},
        {"start": 6, "end": 2},
        {"start": 0, "end": 21},
        {"start": -1, "end": 3},
    ],
)
def test_spans_must_lie_inside_the_sentence(span):
    attribution = {"source_type": "person", "source": span, "cue": None}
    errors = Scheme().check({**labels(), "attribution": attribution}, 20)
    assert "is not inside the sentence" in errors["attribution.source"]


@pytest.mark.parametrize(
    "given",
    [
        labels(),
        {},
        {"attribution": "not an object", "stance": None, "certainty": "low"},
        {"claim": "claim", "stance": {"Armenia": "favor"}, "attribution": {"cue": {"start": 1}}},
    ],
)
def test_the_fast_values_are_each_fields_value(given):
    extra = Field(("certainty",), "choice", "Certainty", "certainty", ("low", "high"), "ordinal")
    for scheme in (Scheme(), Scheme(extra_fields=(extra,))):
        assert scheme.values(given) == tuple(field.value(given) for field in scheme.fields)
