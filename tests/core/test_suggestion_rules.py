"""Cue rules: what the default lexicon proposes on the seed article and on
the ambiguity cases of ../shared/cues.md, in code points after emoji, CJK
and CRLF; and lexicon errors that name the line."""

import json
import time

import pytest

from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.lexicon import Lexicon, LexiconError
from tests.core.cue_rules import LABELS, SEEDS, default_suggester, proposed, rules


@pytest.fixture(scope="module")
def default():
    return default_suggester()


def test_the_seed_article_gets_the_sample_annotators_cues(default):
    text = (SEEDS / "russia-ukraine-false-flag.txt").read_text(encoding="utf-8")
    found = {(s.start, s.end, s.label) for s in default.suggest(text, LABELS)}
    # Spans of the guideline-following sample annotator the rules can find.
    assert {
        (626, 673, "denial"),  # vehemently denied any involvement in the attack
        (736, 749, "hedge"),  # unable to say
        (882, 962, "false_flag_warning"),  # a Russian attack could be … misinformation
        (899, 904, "hedge"),  # could
        (1958, 1967, "hedge"),  # basically
        (1983, 1989, "hedge"),  # almost
        (2465, 2492, "denial"),  # NATO's assessment was wrong
    } <= found
    claims = {text[s[0] : s[1]] for s in found if s[2] == "claim"}
    # What a reporting verb reports, without the speaker and the verb.
    assert "key Russian units were moving towards the border, not away" in claims
    # A denial or a warning is not proposed again as a claim (the ties).
    assert "it never plans to attack Ukraine" not in claims
    assert not any("false flag" in claim for claim in claims)
    # "could" of ability: "NATO could prove Russia's failure" is no hedge.
    could = text.index("NATO could prove") + len("NATO ")
    assert (could, could + len("could"), "hedge") not in found


@pytest.mark.parametrize(
    "sentence",
    [
        "US B-52 bombers and fighter jets staged a series of attacks on Taliban "
        "positions overnight.",
        "Any small act of provocation could snowball into conflict.",
        "Israel was using suicide attacks as a pretext for waging war.",
    ],
)
def test_a_trigger_in_its_innocent_sense_is_no_false_flag_warning(default, sentence):
    assert [
        p for p in proposed(default, sentence) if p[0] == "false_flag_warning"
    ] == []


def test_a_trigger_in_a_staging_frame_is_a_warning_without_the_speaker(default):
    text = (
        "Officials said Russia could stage a provocation to create a pretext "
        "for an invasion, the minister added."
    )
    warning = "Russia could stage a provocation to create a pretext for an invasion"
    assert ("false_flag_warning", warning) in proposed(default, text)


def test_a_denial_covers_what_is_denied_and_not_the_speaker(default):
    text = "Moscow flatly denied sending troops, but talks went on."
    assert proposed(default, text) == [("denial", "flatly denied sending troops")]


def test_a_negation_alone_is_no_denial(default):
    assert proposed(default, "The troops did not leave the border.") == []


def test_noise_words_are_not_hedges(default):
    text = "Troops around Ukraine can say what they like, and some will find it."
    assert proposed(default, text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Rescuers could not find the missing fishermen.",
        "She could swim before she could walk.",
        "NATO could prove the failure with satellite imagery.",
        "Divers couldn't find the wreck.",
        "He could barely stand after the blast.",
    ],
)
def test_could_of_ability_is_no_hedge(default, sentence):
    assert [p for p in proposed(default, sentence) if p[0] == "hedge"] == []


@pytest.mark.parametrize(
    ("sentence", "hedge"),
    [
        ("The death toll could rise.", "could"),
        ("Russia could still attack.", "could still"),
        ("Analysts could not rule out a leak.", "could not rule out"),
        ("It was too early to say who fired.", "too early to say"),
        ("The company could not identify the vehicles.", "could not identify"),
        ("The voice was almost certainly synthetic.", "almost certainly"),
        ("A leak was the most likely cause.", "most likely"),
        ("At least 12 people died.", "At least"),
        ("The images appear to show tanks.", "appear to"),
    ],
)
def test_epistemic_modals_and_hedge_phrases_are_hedges(default, sentence, hedge):
    assert ("hedge", hedge) in proposed(default, sentence)


def test_a_denial_is_not_proposed_again_as_a_claim(default):
    text = "Russia said it never plans to attack Ukraine."
    assert proposed(default, text) == [("denial", "it never plans to attack Ukraine")]


def test_a_second_report_and_a_trailing_verb_end_the_clause(default):
    text = (
        "Moscow flatly denied any role in the blackout and called the "
        "accusation absurd."
    )
    assert ("denial", "flatly denied any role in the blackout") in proposed(
        default, text
    )
    text = (
        'The broadcaster warned that Valdoria might be preparing a "staged '
        'provocation", suggesting that outages could be engineered.'
    )
    assert (
        "false_flag_warning",
        'Valdoria might be preparing a "staged provocation"',
    ) in proposed(default, text)


@pytest.mark.parametrize(
    ("sentence", "denial"),
    [
        (
            "The mayor rejected the opposition's account of the meeting.",
            "rejected the opposition's account of the meeting",
        ),
        (
            "The ministry disputed both versions.",
            "disputed both versions",
        ),
    ],
)
def test_rejecting_an_account_or_a_version_is_a_denial(default, sentence, denial):
    assert ("denial", denial) in proposed(default, sentence)


def test_rejecting_a_thing_is_no_denial(default):
    text = "The committee rejected the budget and dismissed two officials."
    assert [p for p in proposed(default, text) if p[0] == "denial"] == []


def test_blamed_on_is_a_warning_only_in_a_deception_frame(default):
    innocent = "The outage was blamed on a storm."
    assert [p for p in proposed(default, innocent) if p[0] != "hedge"] == []
    staged = (
        "Outages could be engineered and blamed on the neighbour to justify sanctions."
    )
    assert ("false_flag_warning", staged.rstrip(".")) in proposed(default, staged)


def test_unless_next_and_yields_settings():
    suggester = rules(
        {
            "hedge": ("could ; unless_next=ability",),
            "claim": ("said ; span=after ; yields=denial",),
            "denial": ("denied ; span=rest",),
        },
        {"ability": ("swim",)},
    )
    assert proposed(suggester, "It could swim. It could rain.") == [("hedge", "could")]
    assert proposed(suggester, "Kyiv said it denied nothing.") == [
        ("denial", "denied nothing")
    ]
    assert proposed(suggester, "Kyiv said the army left.") == [
        ("claim", "the army left")
    ]


def test_a_proposal_another_rule_makes_too_does_not_yield():
    """Two claim rules propose the same words; only one yields to denials:
    the other's proposal stays, as it would without the yielding rule."""
    both = rules(
        {
            "claim": ("said ; span=after ; yields=denial", "said ; span=after"),
            "denial": ("denied ; span=rest",),
        },
        {},
    )
    text = "Kyiv said it denied nothing."
    assert ("claim", "it denied nothing") in proposed(both, text)
    only_yielding = rules(
        {
            "claim": ("said ; span=after ; yields=denial",),
            "denial": ("denied ; span=rest",),
        },
        {},
    )
    assert ("claim", "it denied nothing") not in proposed(only_yielding, text)


def test_an_approximator_is_a_hedge_only_before_a_number(default):
    text = "They talked about peace. About 3,000 troops left."
    assert proposed(default, text) == [("hedge", "About")]


def test_offsets_are_code_points_after_emoji_cjk_and_crlf():
    text = "👍🏽 👨‍👩‍👧 中文\r\nMoscow reportedly denied it.\r\nAllegedly."
    found = rules({"hedge": ("reportedly", "allegedly")}).suggest(text, ["hedge"])
    assert [(s.start, s.end) for s in found] == [(20, 30), (43, 52)]
    assert text[20:30] == "reportedly"
    assert text[43:52] == "Allegedly"


def test_matching_is_case_insensitive_on_unicode_word_boundaries():
    suggester = rules({"hedge": ("peut-être", "apparently")})
    text = "PEUT-ÊTRE. Apparentlyé apparently_x Apparently"
    assert proposed(suggester, text, ["hedge"]) == [
        ("hedge", "PEUT-ÊTRE"),
        ("hedge", "Apparently"),
    ]
    assert proposed(suggester, text, ["hedge"])[1] == ("hedge", text[-10:])


def test_a_phrase_matches_across_a_line_break_and_quotes_only_as_a_phrase():
    suggester = rules({"false_flag_warning": ("false flag",)})
    text = 'a "false\r\nflag" op; a flag that is false; a false-flag plot'
    assert proposed(suggester, text, ["false_flag_warning"]) == [
        ("false_flag_warning", "false\r\nflag"),
        ("false_flag_warning", "false-flag"),
    ]


def test_alternatives_and_wildcards_cover_inflections():
    suggester = rules({"denial": ("deny/denies/denied", "refut*")})
    text = "He denies it. She refuted it. They deny. Denial."
    assert [p[1] for p in proposed(suggester, text, ["denial"])] == [
        "denies",
        "refuted",
        "deny",
    ]


def test_only_the_wanted_labels_are_proposed(default):
    text = "Moscow reportedly denied it."
    assert proposed(default, text, ["hedge"]) == [("hedge", "reportedly")]


def test_overlapping_proposals_of_a_label_keep_the_longest():
    suggester = rules({"hedge": ("could", "could well")})
    found = suggester.suggest("It could well rain.", ["hedge"])
    assert found == [Suggestion(3, 13, "hedge", 0.5)]


def test_unless_drops_a_cue_in_a_sentence_with_the_group():
    suggester = rules(
        {"hedge": ("could ; unless=ability",)}, {"ability": ("prove", "show")}
    )
    text = "NATO could prove it. Russia could attack."
    assert [s.start for s in suggester.suggest(text, ["hedge"])] == [28]


def test_an_initial_does_not_end_the_sentence_a_context_lives_in():
    suggester = rules(
        {"false_flag_warning": ("staged ; needs=blame",)}, {"blame": ("blame",)}
    )
    assert proposed(suggester, "U.S. forces staged it to blame Kyiv.", ["x"]) == []
    found = proposed(
        suggester, "The U.S. said it was staged to blame Kyiv.", ["false_flag_warning"]
    )
    assert found == [("false_flag_warning", "staged")]
    assert (
        proposed(suggester, "It was staged. They blame Kyiv.", ["false_flag_warning"])
        == []
    )


@pytest.mark.parametrize(
    ("labels", "contexts", "message"),
    [
        ({"hedge": ("ok", "", "may ; span=sentence")}, {}, "hedge line 3: span="),
        ({"hedge": ("may ; needs=nowhere",)}, {}, "no such context group"),
        ({"hedge": ("ma*y",)}, {}, "'*' only at the end"),
        ({"hedge": ("[about #",)}, {}, "one pair of [ ]"),
        ({"hedge": ("may ; score=2",)}, {}, "score='2'"),
        ({"hedge": ("may ; colour=red",)}, {}, "unknown setting 'colour'"),
        ({"hedge": ("may ; yields=hedge",)}, {}, "yields='hedge': another label"),
        ({"hedge": ("may ; unless_next=x",)}, {}, "no such context group"),
        ({"Hedge": ("may",)}, {}, "Hedge: not a label name"),
        ({}, {"frame": ("stage ; span=cue",)}, "frame line 1: a context entry"),
        ({}, {"frame": ("# only a comment",)}, "at least one entry"),
    ],
)
def test_a_bad_entry_is_refused_naming_its_label_and_line(labels, contexts, message):
    with pytest.raises(LexiconError, match=message.replace("[", r"\[")):
        rules(labels, contexts)


def test_lexicon_json_round_trips_and_refuses_bad_shapes():
    lexicon = Lexicon(labels={"hedge": ("may",)}, contexts={"c": ("x",)})
    assert Lexicon.from_data(lexicon.to_data()) == lexicon
    with pytest.raises(LexiconError, match=r"labels\.hedge: expected a list"):
        Lexicon.from_data({"labels": {"hedge": "may"}})
    with pytest.raises(LexiconError, match="colours: unknown field"):
        Lexicon.from_data({"colours": {}})


def test_the_default_lexicon_suggests_100_kb_quickly(default):
    text = (SEEDS / "russia-ukraine-false-flag.txt").read_text(encoding="utf-8")
    big = (text * (100_000 // len(text) + 1))[:100_000]
    started = time.perf_counter()
    found = default.suggest(big, LABELS)
    # The benchmark asks for 200 ms; a shared test machine gets a margin.
    assert time.perf_counter() - started < 2.0
    assert len(found) > 100


def test_an_apostrophe_matches_a_curly_one(default):
    text = "Officials can\u2019t rule out an attack."
    assert ("hedge", "can\u2019t rule out") in proposed(default, text)


def test_the_held_out_fixture_offsets_are_its_words():
    """bench.rules_quality_bench scores the rules on this fixture as the
    held-out figure; its offsets must be the words it names."""
    path = SEEDS.parent / "tests" / "data" / "rules_held_out.json"
    documents = json.loads(path.read_text(encoding="utf-8"))["documents"]
    assert len(documents) >= 8
    for document in documents:
        for span in document["spans"]:
            assert document["text"][span["start"] : span["end"]] == span["text"]
            assert span["label"] in LABELS


def test_unless_head_drops_a_proposal_whose_first_words_hold_the_group():
    suggester = rules(
        {"claim": ("said ; span=after ; unless_head=ignorance",)},
        {"ignorance": ("unable to",)},
    )
    assert proposed(suggester, "Kyiv said it was unable to confirm it.") == []
    assert proposed(
        suggester, "Kyiv said two towns had no power and rescuers were unable to help."
    ) == [("claim", "two towns had no power and rescuers were unable to help")]
    with pytest.raises(LexiconError, match="unless_head='x': no such context group"):
        rules({"claim": ("said ; span=after ; unless_head=x",)})
