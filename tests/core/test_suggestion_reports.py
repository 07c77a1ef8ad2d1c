"""Cue rules, where a report or a clause opens: which "that" is a reporting
verb's and which a noun's, the noun that is also a verb ("Moscow fears
that" / "the fears that"), a time or an aside between the verb and its
"that", and where a report ends."""

import pytest

from tests.core.cue_rules import default_suggester, proposed


@pytest.fixture(scope="module")
def default():
    return default_suggester()


def claims_in(suggester, sentence):
    return [words for label, words in proposed(suggester, sentence) if label == "claim"]


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


@pytest.mark.parametrize(
    ("sentence", "warning"),
    [
        # a verb after its subject: the speaker and the verb stay out
        (
            "Moscow fears that Kyiv is preparing a staged provocation to blame Russia.",
            "Kyiv is preparing a staged provocation to blame Russia",
        ),
        (
            "Officials fear that Ukraine will stage a false-flag attack.",
            "Ukraine will stage a false-flag attack",
        ),
        (
            "Many fear that Moscow will stage a provocation to justify an invasion.",
            "Moscow will stage a provocation to justify an invasion",
        ),
        (
            "The Kremlin claims that Kyiv is planning a false flag operation.",
            "Kyiv is planning a false flag operation",
        ),
        (
            "Beijing fears that the blast was a false flag operation.",
            "the blast was a false flag operation",
        ),
        (
            "Kyiv hopes that the staged provocation will be exposed.",
            "the staged provocation will be exposed",
        ),
    ],
)
def test_a_warning_after_a_verb_of_fear_or_claim_leaves_the_speaker_out(
    default, sentence, warning
):
    """'fear(s)', 'hope(s)', 'claim(s)', 'report(s)' are nouns owning their
    "that" and verbs opening a clause; after a subject they are verbs."""
    assert ("false_flag_warning", warning) in proposed(default, sentence)


@pytest.mark.parametrize(
    ("sentence", "denial"),
    [
        # the same words as nouns (after a verb, a determiner, an adjective,
        # a possessive): the "that" is theirs, the clause goes on across it
        (
            "He said fears that Kyiv was preparing a staged provocation were baseless.",
            "fears that Kyiv was preparing a staged provocation were baseless",
        ),
        (
            "Analysts said growing fears that the dam was mined were unfounded.",
            "growing fears that the dam was mined were unfounded",
        ),
        (
            "The ministry said the hopes that the talks would resume were false.",
            "the hopes that the talks would resume were false",
        ),
        (
            "The ministry said Kyiv's claims that Russia shelled the plant were lies.",
            "Kyiv's claims that Russia shelled the plant were lies",
        ),
    ],
)
def test_the_same_words_as_nouns_keep_their_that(default, sentence, denial):
    assert ("denial", denial) in proposed(default, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials said Tuesday that the dam was mined.",
        "The ministry said Monday that the dam was mined.",
        "The ministry said Monday the dam was mined.",
        "Officials said late Tuesday that the dam was mined.",
        "Officials said on Sunday night that the dam was mined.",
        "Kyiv said March 3 that the dam was mined.",
        "Kyiv said 3 March 2022 that the dam was mined.",
        "Kyiv said on March 3, 2022, that the dam was mined.",
        "The army said last week the dam was mined.",
        "The army said earlier this month that the dam was mined.",
        "Officials said Tuesday in a statement that the dam was mined.",
    ],
)
def test_a_time_after_the_verb_is_not_what_was_said(default, sentence):
    assert claims_in(default, sentence) == ["the dam was mined"]


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        # a weekday that is part of what was said
        (
            "Officials said Tuesday's strike hit a school.",
            ["Tuesday's strike hit a school"],
        ),
        # a time and then a comma: nothing is reported, as "said on Wednesday, as…"
        ("Officials said Tuesday, as the talks opened.", []),
        # a month without its day: what was said
        ("Officials said March was the deadline.", ["March was the deadline"]),
    ],
)
def test_a_time_word_that_opens_no_time_adjunct(default, sentence, claims):
    assert claims_in(default, sentence) == claims


@pytest.mark.parametrize(
    "sentence",
    [
        "Moscow said, without providing evidence, that the dam was mined.",
        "The ministry said, however, that the dam was mined.",
        "Kyiv claimed, citing intelligence sources, that the dam was mined.",
    ],
)
def test_an_aside_between_commas_before_that_keeps_the_claim(default, sentence):
    assert claims_in(default, sentence) == ["the dam was mined"]


def test_an_aside_before_that_leaves_a_warning_without_the_speaker(default):
    text = (
        "Moscow said, without providing evidence, that Kyiv was preparing a "
        "staged provocation."
    )
    assert ("false_flag_warning", "Kyiv was preparing a staged provocation") in (
        proposed(default, text)
    )
