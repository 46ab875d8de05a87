"""Quote speakers: pronouns by the text's own gender evidence and by salience, descriptions through
appositions, subjects up chains of clauses, headings and nouns of speech."""

from __future__ import annotations

import pytest

from stakes.reading.nlp import make_doc, nlp_pipeline


@pytest.fixture(scope="module")
def nlp():
    return nlp_pipeline()


def direct(nlp, text: str) -> list[tuple[str, str | None, str]]:
    """(quoted words, speaker actor's name, speaker phrase) of each direct quote."""
    doc = nlp(make_doc(nlp, text))
    return [(q.text, doc._.actors[q.speaker].name if q.speaker else None, q.speaker_text)
            for q in doc._.quotes if q.direct]


def speaker_of(nlp, text: str, words: str) -> str | None:
    return next(name for quoted, name, _ in direct(nlp, text) if quoted.startswith(words))


def test_a_heading_repeating_words_quoted_below_it_is_said_by_their_speaker(nlp):
    text = ('2. "We will not back down"\n'
            'The union leader Sara Kim addressed the rally. "We will not back down, whatever the cost," Kim said.')
    found = direct(nlp, text)
    assert [(quoted, name) for quoted, name, _ in found] == [
        ("We will not back down", "Sara Kim"), ("We will not back down, whatever the cost,", "Sara Kim")]


def test_words_after_a_noun_of_speech_are_said_by_who_gave_it(nlp):
    text = 'The raids followed orders from Governor Lina Park to "clear every camp before the winter comes."'
    assert [(quoted, phrase) for quoted, _, phrase in direct(nlp, text)] == [
        ("clear every camp before the winter comes.", "Governor Lina Park")]


def test_a_negated_subject_compared_with_someone_gives_the_words_to_that_someone(nlp):
    text = ("Few diplomats in Geneva have spoken as frankly as Helga Berg, the Norwegian envoy, did on Monday.\n"
            '"The ceasefire exists only on paper. Both sides know it."')
    assert [(quoted, phrase) for quoted, _, phrase in direct(nlp, text)] == [
        ("The ceasefire exists only on paper. Both sides know it.", "Helga Berg, the Norwegian envoy,")]


@pytest.mark.parametrize("text, words, speaker", [
    pytest.param('Mr. Richard Grant questioned Ms. Ellen Holt for an hour.\n'
                 '"I stand by every word of the report," she said.',
                 "I stand by", "Ellen Holt", id="she_skips_a_man_the_text_calls_mr"),
    pytest.param("Anna Novak told reporters that her client regretted the call. "
                 "Her client, Peter Hale, was arrested in March after he threatened the mayor.\n"
                 '"He has apologised to everyone involved," she said.',
                 "He has apologised", "Anna Novak", id="she_skips_a_man_the_text_refers_to_as_he"),
    pytest.param("Daniel Ortiz, an economist at the central bank, said the budget had failed. "
                 '"By raising rates again, Carla Mendes makes a recession more likely," he said.',
                 "By raising rates", "Daniel Ortiz", id="he_is_not_a_name_inside_the_quote_and_prefers_the_last_speaker"),
    pytest.param("Senator Tom Reyes toured the border crossing on Monday. "
                 "A shortage of staff, Reyes said, is the main problem.\n"
                 'Border agents "say you have to watch the trucks, not the cars," he said.',
                 "say you have", "Tom Reyes", id="he_after_a_quote_with_a_subject_of_its_own_is_the_speaker_before"),
    pytest.param('Brazil\'s ambassador to Argentina warned that the government "will not accept any new tariffs on steel."\n'
                 "Brazil's ambassador to Argentina Paulo Reis repeated the warning on Friday.",
                 "will not accept", "Paulo Reis", id="a_description_is_the_name_it_stands_beside_elsewhere"),
    pytest.param("German Chancellor Olaf Scholz rejected the request. Ukraine's ambassador Oleksii Makeiev said "
                 'he was disappointed. "We expected more from Berlin," he said.',
                 "We expected", "Oleksii Makeiev", id="he_after_a_name_the_model_takes_for_an_organisation_but_a_role_precedes"),
    pytest.param('Foreign Minister Penny Wong arrived in Beijing on Friday. "We want a stable relationship with '
                 'our largest trading partner," the minister said.',
                 "We want", "Penny Wong", id="the_minister_is_the_person_named_earlier_with_that_title"),
])
def test_the_speaker_of_a_quote(nlp, text, words, speaker):
    assert speaker_of(nlp, text, words) == speaker


@pytest.mark.parametrize("text, phrases", [
    pytest.param("The victim's sister testified on Tuesday, describing her brother as calm before describing the "
                 'attack as "the worst night of our lives."',
                 ["The victim's sister"], id="a_speaker_is_found_up_a_chain_of_clauses"),
    pytest.param('Jane Moss: The minister promised "no new taxes this year". Will he keep his word?',
                 ["The minister"], id="a_transcript_label_is_not_the_subject_of_its_line"),
    pytest.param('INTERVIEWER: Your finance minister said last week, and I quote, "There will be no new taxes." Is that true?',
                 ["Your finance minister"], id="and_i_quote_is_an_aside_of_whoever_repeats_the_words"),
])
def test_the_speaker_phrase_of_each_quote(nlp, text, phrases):
    assert [phrase for _, _, phrase in direct(nlp, text)] == phrases
