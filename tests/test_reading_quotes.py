"""Quotes: direct and indirect attribution, speakers resolved to actors, unbalanced quotation marks."""

from __future__ import annotations

import pytest

from stakes.reading.nlp import make_doc, nlp_pipeline
from stakes.reading.quotes import quote_spans


@pytest.fixture(scope="module")
def nlp():
    return nlp_pipeline()


def quotes(nlp, text: str):
    doc = nlp(make_doc(nlp, text))
    return doc, doc._.quotes


def speaker(doc, quote) -> str | None:
    return doc._.actors[quote.speaker].name if quote.speaker else None


def test_quote_spans_balanced_and_unbalanced():
    assert quote_spans('He said "we will not stop now" today.') == [(9, 29)]
    text = "“We will fight on,” she said.\n“This never ends\nNext paragraph” stray."
    spans = quote_spans(text)
    assert [text[a:b] for a, b in spans] == ["We will fight on,", "This never ends"]
    assert quote_spans("a stray closing mark” here") == []


def test_direct_quote_with_speaker(nlp):
    doc, found = quotes(nlp, "“We will take the war to the enemy’s territory,” Avigdor Lieberman said on Sunday.")
    direct = [q for q in found if q.direct]
    assert direct and speaker(doc, direct[0]) == "Avigdor Lieberman"
    assert direct[0].cue == "say"


def test_direct_quote_left_open(nlp):
    doc, found = quotes(nlp, "Hamas warned that “any attack on Rafah will end the talks for good\n"
                             "Israel did not answer.")
    direct = [q for q in found if q.direct]
    assert direct and speaker(doc, direct[0]) == "Hamas"
    assert direct[0].text.endswith("for good")


def test_indirect_attributions(nlp):
    doc, found = quotes(nlp, "Egypt warned that an influx of refugees could destabilize the region. "
                             "According to Jordan, the crossing stays closed.")
    cues = {q.cue: speaker(doc, q) for q in found if not q.direct}
    assert cues["warn"] == "Egypt"
    assert cues["according to"] == "Jordan"


def test_called_for(nlp):
    doc, found = quotes(nlp, "The United Nations called for an immediate ceasefire.")
    assert any(q.cue == "call for" and speaker(doc, q) == "United Nations" for q in found)


def direct(nlp, text: str) -> list[tuple[str, str | None]]:
    doc, found = quotes(nlp, text)
    return [(q.text, speaker(doc, q)) for q in found if q.direct]


def test_a_quote_continued_after_its_attribution(nlp):
    found = direct(nlp, '"The border stays closed," Jordan\'s King Abdullah said on Friday. "Nobody will cross it."')
    assert [t for t, _ in found] == ["The border stays closed,", "Nobody will cross it."]
    assert found[0][1] == found[1][1] and "Abdullah" in found[0][1]


def test_a_quoted_paragraph_under_an_attribution(nlp):
    text = ("Antonio Guterres spoke to reporters at the crossing.\n"
            "“The aid must flow now, without conditions.”\n"
            "“Every day of delay costs lives.”\n")
    found = direct(nlp, text)
    assert [t for t, _ in found] == ["The aid must flow now, without conditions.", "Every day of delay costs lives."]
    assert {s for _, s in found} == {"Antonio Guterres"}


def test_short_quotes_count_only_when_a_speech_verb_governs_them(nlp):
    found = direct(nlp, 'Egypt called the plan "reckless." Meanwhile the so-called "managed war" goes on.')
    assert found == [("reckless.", "Egypt")]
    assert [t for t, _ in direct(nlp, '"Never," Hamas said.')] == ["Never,"]


@pytest.mark.parametrize("text", [
    'Turkey released a statement saying "the blockade of Gaza must end at once."',
    'Turkey wrote in a post saying "the blockade of Gaza must end at once."',
])
def test_the_releaser_of_a_statement_is_the_speaker(nlp, text):
    assert direct(nlp, text) == [("the blockade of Gaza must end at once.", "Turkey")]


def test_single_quote_marks_are_quotes_and_apostrophes_are_not():
    def texts(text):
        return [text[a:b] for a, b in quote_spans(text)]
    assert texts("‘We don’t accept it,’ she said.") == ["We don’t accept it,"]
    assert texts("‘The farmers’ anger is real,’ he said.") == ["The farmers’ anger is real,"]
    assert texts("The minister called them ‘cowards’ on Monday.") == ["cowards"]
    assert texts("Brazil's 'green deal' stalls") == ["green deal"]
    assert texts("Talks resumed in the 1990s’ spirit, Oslo's mediators said.") == []
    assert texts("He said “the delay is ‘absurd’ by now” today.") == ["the delay is ‘absurd’ by now"]


def test_british_style_quotes_find_their_speaker(nlp):
    found = direct(nlp, "‘We will not be bullied into a bad treaty,’ Keir Starmer said on Tuesday.")
    assert found == [("We will not be bullied into a bad treaty,", "Keir Starmer")]


@pytest.mark.parametrize("text, words", [
    ('"The vote was rigged from the start," Boris Johnson continued.', "The vote was rigged from the start,"),
    ("Boris Johnson branded the budget 'a disgrace'.", "a disgrace"),
])
def test_verbs_that_attribute_words_only_beside_marks(nlp, text, words):
    assert direct(nlp, text) == [(words, "Boris Johnson")]


def test_continued_to_is_not_indirect_speech(nlp):
    assert quotes(nlp, "Boris Johnson continued to campaign across the north.")[1] == []


def test_quoted_as_saying_is_said_by_who_was_quoted(nlp):
    found = direct(nlp, 'Boris Johnson was quoted as saying "the deal is dead and buried."')
    assert found == [("the deal is dead and buried.", "Boris Johnson")]


@pytest.mark.parametrize("text, words, who", [
    ('Asked about new elections, Prime Minister Keir Starmer was brief: "Not this year."', "Not this year.", "Keir Starmer"),
    ('One senior diplomat, Kaja Kallas, put it plainly to reporters: "The talks are over."', "The talks are over.", "Kaja Kallas"),
])
def test_a_quote_after_a_colon_is_said_by_the_clause_before_it(nlp, text, words, who):
    assert direct(nlp, text) == [(words, who)]


def test_transcript_labels_are_speakers(nlp):
    _, found = quotes(nlp, 'The exchange was short.\nReporter: "Will the army stay?"\nMilei: "Yes. For now."')
    assert [(q.text, q.speaker_text) for q in found if q.direct] == [
        ("Will the army stay?", "Reporter"), ("Yes. For now.", "Milei")]


@pytest.mark.parametrize("text", [
    'The commander, better known as "El Tigre", spoke to the radio station on Monday.',
    'The government calls its plan the "National Recovery and Growth Programme" in every statement.',
])
def test_marks_around_a_name_are_not_a_quote(nlp, text):
    assert direct(nlp, text) == []


def test_he_as_a_speaker_is_the_person_named_last(nlp):
    text = ('Hezbollah leader Hassan Nasrallah said in a speech that the attack was "an act of war." '
            '"We will answer it," he said.')
    doc, found = quotes(nlp, text)
    answer = next(q for q in found if q.direct and q.text.startswith("We will"))
    mention = next(m for m in doc._.mentions if m.text.endswith("Hassan Nasrallah"))
    assert answer.speaker == mention.actor


def test_an_attribution_after_an_exclamation_and_the_short_quote_after_it(nlp):
    text = '"Stay back! Nobody crosses this line!" a border guard shouted. "Go home."'
    assert [(t, s is None) for t, s in direct(nlp, text)] == [
        ("Stay back! Nobody crosses this line!", True), ("Go home.", True)]
    _, found = quotes(nlp, text)
    assert {q.speaker_text for q in found if q.direct} == {"a border guard"}


def test_doubled_single_marks_close_a_double_quote():
    text = "“It was an attempt to mislead voters,’’ the fact-checker told reporters."
    assert [text[a:b] for a, b in quote_spans(text)] == ["It was an attempt to mislead voters,"]


@pytest.mark.parametrize("text", [
    'Boris Johnson said he never used the term "special operation" in public.',
    'The minister said the accord had been reached through an "irregular" and unofficial channel that few knew of.',
])
def test_terms_and_scare_quotes_are_not_quotes(nlp, text):
    assert direct(nlp, text) == []


@pytest.mark.parametrize("text", [
    'The court ordered the "interim" council to hand back the ministries, its lawyers said on Monday.',
    'The party said it had renamed its press account "checkFactsNow" during the televised debate.',
])
def test_a_one_word_label_before_its_noun_and_handles_are_not_quotes(nlp, text):
    assert direct(nlp, text) == []


def test_the_n_year_old_as_a_speaker_is_the_person_named_before(nlp):
    text = ('Chelsea appointed Graham Potter as head coach on Friday.\n'
            'The 47-year-old said after his appointment: "I am proud to join this club."')
    doc, found = quotes(nlp, text)
    quote = next(q for q in found if q.direct)
    mention = next(m for m in doc._.mentions if m.text == "Graham Potter")
    assert quote.speaker == mention.actor
