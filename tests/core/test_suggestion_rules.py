"""Cue rules: what the default lexicon proposes on the seed article and on
the ambiguity cases of ../shared/cues.md, in code points after emoji, CJK
and CRLF; and lexicon errors that name the line."""

import json
import time
from pathlib import Path

import pytest

from annotator.core.suggestions import Suggestion
from annotator.core.suggestions.lexicon import Lexicon, LexiconError
from annotator.core.suggestions.rules import RuleSuggester

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LABELS = ["claim", "denial", "hedge", "false_flag_warning"]


@pytest.fixture(scope="module")
def default():
    data = json.loads((SEEDS / "cues.json").read_text(encoding="utf-8"))
    return RuleSuggester(Lexicon.from_data(data), "1")


def proposed(suggester, text, labels=LABELS):
    return [(s.label, text[s.start : s.end]) for s in suggester.suggest(text, labels)]


def rules(labels, contexts=None):
    return RuleSuggester(Lexicon(labels=labels, contexts=contexts or {}), "7")


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


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        (
            "The ministry said on Monday that the bridge was destroyed.",
            "the bridge was destroyed",
        ),
        (
            "The minister told parliament that a device was found, officials said.",
            "a device was found",
        ),
        ("Police said they had opened an inquiry.", "they had opened an inquiry"),
        (
            "Her office said the clip was fake and that the voice was synthetic.",
            "the voice was synthetic",
        ),
        (
            "The embassy rejected the report, saying the blast was an accident.",
            "the blast was an accident",
        ),
    ],
)
def test_a_claim_is_what_a_reporting_verb_reports(default, sentence, claim):
    assert ("claim", claim) in proposed(default, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # an adjunct after the verb, not what was said
        "The minister said in a televised statement.",
        "Stoltenberg said before an alliance meeting in Brussels.",
        # no reporting verb
        "The convoy moved north of the river.",
        # "told" without "that": whom, not what
        "Soldiers told them to leave.",
    ],
)
def test_no_claim_without_a_report(default, sentence):
    assert [p for p in proposed(default, sentence) if p[0] == "claim"] == []


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


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        # "that" opens the report: an adjunct after it is part of what was said
        (
            "Officials said that on Monday troops crossed the border.",
            "on Monday troops crossed the border",
        ),
        (
            "The ministry reported that in March the plant was shelled.",
            "in March the plant was shelled",
        ),
        (
            "He told reporters that during the night the town was shelled.",
            "during the night the town was shelled",
        ),
        (
            "Her office said the clip was fake and that in fact the voice was "
            "synthetic.",
            "in fact the voice was synthetic",
        ),
    ],
)
def test_an_adjunct_after_that_is_part_of_the_claim(default, sentence, claim):
    assert ("claim", claim) in proposed(default, sentence)


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        # a relative "that" after the verb's object: the report is the whole
        # object, not what follows "that"
        (
            "The government says the cyberattack that hit the ministry was the "
            "worst ever.",
            "the cyberattack that hit the ministry was the worst ever",
        ),
        (
            "The ministry said the video that shows the strike was edited.",
            "the video that shows the strike was edited",
        ),
        (
            "Officials said the troops that crossed were reservists.",
            "the troops that crossed were reservists",
        ),
        # a reporting verb's own "that", after a short adverbial or at once
        (
            "Officials claimed on Monday that the dam was mined.",
            "the dam was mined",
        ),
        ("He said last week that troops would stay.", "troops would stay"),
        (
            "The spokesman said in a statement that no shots were fired.",
            "no shots were fired",
        ),
    ],
)
def test_a_that_after_a_noun_does_not_open_the_report(default, sentence, claim):
    claims = [p[1] for p in proposed(default, sentence) if p[0] == "claim"]
    assert claims == [claim]


@pytest.mark.parametrize(
    ("sentence", "denial"),
    [
        # a noun's complement "that": the denied claim is the whole noun phrase
        (
            "The ministry said the claim that the attack was staged was false.",
            "the claim that the attack was staged was false",
        ),
        (
            "He said reports that the troops were withdrawn were false.",
            "reports that the troops were withdrawn were false",
        ),
        (
            "Analysts said the idea that Kyiv planned the blast was absurd.",
            "the idea that Kyiv planned the blast was absurd",
        ),
    ],
)
def test_a_clause_goes_on_across_a_nouns_that(default, sentence, denial):
    assert ("denial", denial) in proposed(default, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "She ignored the fact that the bridge was closed.",
        "Analysts discussed the idea that the blast was an accident.",
        "Reports that the troops were withdrawn spread on Monday.",
        "Nobody watched the video that shows the convoy.",
    ],
)
def test_a_nouns_that_is_no_report(default, sentence):
    assert [p for p in proposed(default, sentence) if p[0] == "claim"] == []


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


@pytest.mark.parametrize(
    "sentence",
    [
        # a report that admits ignorance: its hedge only (the guideline)
        "Investigators said it was too early to say what caused the fire.",
        "US officials said they were unable to say who was responsible.",
        "The firm said it could not identify the vehicles.",
        # the verb ends its clause: nothing is reported after the comma
        '"That is what they promised," the minister said, and then the talks '
        "collapsed.",
        # a verb right after the reporting verb: a relative clause ("it said
        # showed" is the guideline's distancing hedge), not a report
        "The agency published photos it said showed burned vehicles.",
        "Rebels shelled a depot the army said was empty.",
    ],
)
def test_no_claim_where_nothing_checkable_is_reported(default, sentence):
    assert [p for p in proposed(default, sentence) if p[0] == "claim"] == []


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        # ignorance past the report's head does not drop it
        (
            "The army said 12 soldiers died and it was unclear who fired first.",
            "12 soldiers died and it was unclear who fired first",
        ),
        # a second speech act of the speaker ends the report
        (
            "Kyiv said Moscow had moved troops to the border, and accused it of "
            "preparing an offensive.",
            "Moscow had moved troops to the border",
        ),
        (
            "The ministry said the dam was intact, questioning the report's sources.",
            "the dam was intact",
        ),
        # a participle of the reported event does not
        (
            "Police said a truck crashed into the bridge, killing two people.",
            "a truck crashed into the bridge, killing two people",
        ),
        # a whole quotation: what was said, without its marks
        ('The minister said, "The border is closed."', "The border is closed"),
    ],
)
def test_where_a_report_ends(default, sentence, claim):
    claims = [p[1] for p in proposed(default, sentence) if p[0] == "claim"]
    assert claims == [claim]


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
