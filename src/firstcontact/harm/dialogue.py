"""A pasted dialogue read on the public's words: the force's side of a transcript left out.

A recorded call, a chat from another system or a partner's referral is sometimes typed into a
contact as a dialogue ("CH: Has he ever threatened to kill you?" / "C: No, never"). The call
handler's own questions name harms; read as the caller's words, they raise prompts nobody
disclosed. The platform's own chats and messages are already scanned on the public's words
only (`contacts.service.grown_in`); this does the same for a dialogue typed as text.

The force's turns are blanked, not cut: each of their characters becomes a space (line breaks
stay), so every span the scanner finds is still a span of the text as it was written. A
question the public answer "yes" to is kept ("CH: Is anyone holding your passport?" / "C: Yes,
the boss"), because the answer makes its words theirs.

Pure: text in, text out.
"""

from __future__ import annotations

import re

FORCE_SPEAKERS = (
    "ch", "call handler", "call-handler", "handler", "call taker", "call-taker", "operator",
    "op", "police", "officer", "pc", "dc", "ps", "agent", "advisor", "adviser", "dispatcher",
    "controller", "control", "999", "101", "q", "fcir", "interviewer", "me (ch)",
)
"""Who speaks for the force, as transcripts label it: a label that is one of these, or starts
with one and a name ("Call handler Jones", "PC 1234 Smith"). Not "staff": a care home's or a
school's staff, quoted in a partner's referral, are telling the police what happened."""
_LABEL = re.compile(r"\n[ \t]*(?P<label>[A-Za-z0-9][A-Za-z0-9 .'()-]{0,30}?)[ \t]*:(?=[ \t\n]|$)")
"""A speaker's label at the start of a line (searched for in the text after a line break, so
the engine skips straight to line starts): a few words, then a colon and a space."""
_FORCE = re.compile(r"(?:" + "|".join(re.escape(s) for s in FORCE_SPEAKERS) + r")(?:\s|$)")
YES = re.compile(
    r"[\W_]*(?:(?:yes|yeah|yep|yup|yea|aye|correct|that'?s right|definitely|absolutely|"
    r"sometimes|all the time|a few times|a couple of times|loads of times|once|twice|"
    r"i think so|sort of|kind of)\b|(?:he|she|they|it|i|we) (?:has|have|did|does|do|is|are|"
    r"was|were|am|will|would)\b(?: (?!not\b|never\b)[a-z]+)?[ \t]*(?:[.,!;]|$))",
    re.IGNORECASE)
"""How an answer that agrees with the question starts."""


def public_words(text: str) -> str:
    """The text with the force's turns blanked, or the text itself when it is no dialogue.

    A dialogue has turns from at least one force speaker (`FORCE_SPEAKERS`) and one other."""
    if ":" not in text:
        return text
    at_line_starts = [(m.start("label") - 1, m.group("label"))
                      for m in _LABEL.finditer(f"\n{text}")]
    labels = {label for _, label in at_line_starts}
    force = {label for label in labels if _FORCE.match(label.lower() + " ")}
    if not force or not labels - force:
        return text
    turns = _turns(text, labels, at_line_starts)
    parts, kept_to = [], 0
    for index, (start, end, speaker) in enumerate(turns):
        if speaker not in force:
            continue
        if _agreed(text, turns, index, force):
            end = _question_start(text, start, end)
        parts += [text[kept_to:start], _blank(text[start:end])]
        kept_to = end
    return "".join([*parts, text[kept_to:]])


def _turns(text: str, labels: set[str], at_line_starts: list[tuple[int, str]]
           ) -> list[tuple[int, int, str]]:
    """Each turn's start, end and speaker: from a label to the next. A label opens a turn at a
    line's start, or after a sentence's end on the same line ("CH: Is he there? C: Yes")."""
    names = "|".join(map(re.escape, sorted(labels, key=len, reverse=True)))
    in_lines = re.finditer(rf"[.?!\"')][ \t]+({names})[ \t]*:(?=[ \t]|$)", text)
    starts = sorted([*at_line_starts, *((m.start(1), m.group(1)) for m in in_lines)])
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return [(start, end, label) for (start, label), end in zip(starts, ends, strict=True)]


def _blank(turn: str) -> str:
    """A turn as spaces, its line breaks kept: a blanked turn still ends its sentence."""
    return "\n".join(" " * len(line) for line in turn.split("\n"))


def _question_start(text: str, start: int, end: int) -> int:
    """Where the question that ends a turn starts: after the turn's last sentence before it
    ("Stay on the line for me. **Is he breathing?**")."""
    question_ends = text.rindex("?", start, end)
    return max(text.find(":", start, end) + 1,
               *(text.rfind(mark, start, question_ends) + len(mark)
                 for mark in (". ", "? ", "! ", "\n")))


def _agreed(text: str, turns: list[tuple[int, int, str]], index: int, force: set[str]) -> bool:
    """Whether a force turn is a question the public's next turn answers yes to."""
    start, end, _ = turns[index]
    if not text[start:end].rstrip().endswith("?") or index + 1 == len(turns):
        return False
    answer_start, answer_end, speaker = turns[index + 1]
    if speaker in force:
        return False
    answer = text[answer_start:answer_end].split(":", 1)[1]
    return YES.match(answer) is not None
