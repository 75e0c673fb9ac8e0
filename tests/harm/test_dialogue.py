"""A pasted dialogue is read on the public's words: the force's own turns are blanked, spans
still point into the text as written, and a question the public answer yes to is theirs."""

from __future__ import annotations

import pytest

from firstcontact.harm import policy
from firstcontact.harm.dialogue import public_words
from firstcontact.harm.scanner import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return policy.scanner()


def harms(scanner: Scanner, text: str) -> set[str]:
    return {finding.harm_type for finding in scanner.scan(text)}


def test_the_call_handlers_own_words_raise_no_prompt(scanner: Scanner) -> None:
    dialogue = ("CH: Police, what's your emergency?\n"
                "C: A man's collapsed outside the chip shop on Bridge Street.\n"
                "CH: Stay on the line for me. Is he breathing?\n"
                "C: He is, he's groaning. The ambulance is coming.")
    as_one_account = dialogue.replace("CH: ", "").replace("C: ", "")
    assert "stalking" in harms(scanner, as_one_account), "read whole, the CH's words raise it"
    assert harms(scanner, dialogue) == set()


def test_the_publics_words_in_a_dialogue_are_read_with_true_spans(scanner: Scanner) -> None:
    dialogue = ("Agent: Thank you for contacting us. Are you safe right now?\n"
                "Visitor: my ex keeps following me to work and waits outside my house every "
                "night")
    [*found] = scanner.scan(dialogue)
    assert {finding.harm_type for finding in found} >= {"stalking"}
    visitor_starts = dialogue.index("Visitor:")
    for finding in found:
        for evidence in finding.evidence:
            assert dialogue[evidence.start:evidence.end] == evidence.text
            assert evidence.start > visitor_starts, "nothing from the agent's turn"


def test_a_question_answered_yes_is_the_publics_and_no_is_not(scanner: Scanner) -> None:
    asked = "CH: Is your boss holding your passport?\nC: {answer}"
    assert "modern_slavery" in harms(scanner, asked.format(answer="Yes. Since March."))
    assert "modern_slavery" in harms(scanner, asked.format(answer="He is, yeah."))
    assert "modern_slavery" not in harms(scanner, asked.format(answer="No, I've got it."))
    assert "modern_slavery" not in harms(scanner, asked.format(answer="He is not."))
    assert "modern_slavery" not in harms(scanner, asked.format(answer="What? My bike's gone."))


def test_the_force_side_is_blanked_to_the_same_length_with_its_line_breaks() -> None:
    text = ("Call handler Jones: Has anyone taken\nyour passport?\n"
            "Mrs Patel: No. It's about my neighbour's dog. Call handler Jones: Which address? "
            "Mrs Patel: 4.")
    blanked = public_words(text)
    assert len(blanked) == len(text)
    assert blanked.count("\n") == text.count("\n")
    assert "passport" not in blanked
    assert "Which address" not in blanked, "a turn on the same line as the last"
    assert "Mrs Patel: No. It's about my neighbour's dog." in blanked
    assert blanked.endswith("Mrs Patel: 4.")


@pytest.mark.parametrize("text", [
    "Subject: noise\nFrom: a neighbour\nThe party next door went on till 4:30 again.",
    "Time: 23:15\nLocation: Market Street\nCaller says the bins are on fire.",
    "Police: informed by the school.\nThe boy says his uncle takes his money.",
    "CH: What's happening?\nCH: Caller has hung up, no answer on ring-back.",
    "Staff: Found Mr Hill on the floor with bruises.\nResident: His son did it, he said.",
    "No colon anywhere in this one.",
])
def test_a_text_that_is_no_dialogue_is_read_whole(text: str) -> None:
    assert public_words(text) == text
