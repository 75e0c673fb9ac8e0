# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The scanner's work per match, compiled: from what the automata found to evidence spans.

A 4,000-character contact holds hundreds of matches (every "home", "money" and "my son" is a
partner word of some indicator). Looking at each in Python, with a set or a dictionary per
step, cost more than finding them: the scanner ran at half the issue's 5 MB/s. Here the same
rules run over C arrays, with each match's `with_any` indicators as a bit mask, and Python
objects are made only for the evidence kept. `scanner.py` says what the rules are and why;
this module must find exactly what they say (tests/harm/test_evidence_spans.py checks it
against a plain Python reading of the same rules).

Every position is in the scanner's normalised words (" word word ... "), as the automata
report them; `points` and `shifts` map one back to the text as written
(`scanner.Normalised`).
"""

from libc.stdint cimport uint64_t
from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.unicode cimport Py_UNICODE_ISSPACE
from libc.stdlib cimport calloc, free, malloc

ctypedef Py_ssize_t position


cdef extern from *:
    int lowest_bit "__builtin_ctzll"(unsigned long long) nogil


cdef extern from "Python.h":
    # An item of a tuple or of a named tuple (`model.Evidence`), borrowed, unchecked.
    PyObject* PyTuple_GET_ITEM(object, Py_ssize_t)


cdef position* _copy(list values) except NULL:
    """A C array of a list of ints (one slot more, so an empty list is not NULL)."""
    cdef position count = len(values), i
    cdef position* copy = <position*>malloc((count + 1) * sizeof(position))
    if copy == NULL:
        raise MemoryError()
    for i in range(count):
        copy[i] = values[i]
    return copy


cdef inline position _bisect_right(const position* values, position count,
                                   position x) noexcept nogil:
    """`bisect.bisect_right` on a C array."""
    cdef position low = 0, high = count, middle
    while low < high:
        middle = (low + high) >> 1
        if x < values[middle]:
            high = middle
        else:
            low = middle + 1
    return low


cdef class _Text:
    """One text's cues, sentence ends and offset map as C arrays, for the length of a call."""

    cdef position* cue_ends
    cdef position* reaches
    cdef position* sentence_ends
    cdef position* points
    cdef position* shifts
    cdef position cues, sentences, changes

    def __cinit__(self, list cue_ends, list reaches, list sentence_ends, list points,
                  list shifts):
        self.cues, self.sentences, self.changes = len(cue_ends), len(sentence_ends), len(points)
        self.cue_ends = _copy(cue_ends)
        self.reaches = _copy(reaches)
        self.sentence_ends = _copy(sentence_ends)
        self.points = _copy(points)
        self.shifts = _copy(shifts)

    def __dealloc__(self):
        free(self.cue_ends)
        free(self.reaches)
        free(self.sentence_ends)
        free(self.points)
        free(self.shifts)

    cdef inline bint denied(self, position start) noexcept:
        """Whether the nearest cue ending before `start` reaches past it (`scanner._Cues`)."""
        cdef position before = _bisect_right(self.cue_ends, self.cues, start - 1)
        return before > 0 and start < self.reaches[before - 1]

    cdef inline position sentence(self, position start) noexcept:
        return _bisect_right(self.sentence_ends, self.sentences, start)

    cdef inline position to_text(self, position at) noexcept:
        """`scanner.Normalised.to_text`."""
        return at - 1 + self.shifts[_bisect_right(self.points, self.changes, at) - 1]


def squeeze(bytes plain):
    """The scanner's words from a text already lower-cased and reduced to letters, digits,
    apostrophes inside words and spaces (`scanner.normalise`): each run of spaces made one
    space, each apostrophe dropped, one space added either side. Returns the words and where
    the length changed: for each change, its end in the text (`text_points`), the characters
    removed up to it (`shifts`), and its end in the words (`points`), each list starting with
    a change that changes nothing (`scanner.Normalised`)."""
    cdef const unsigned char* read = plain
    cdef position length = len(plain), i = 0, run, removed = 0, written = 1
    cdef bytearray words = bytearray(length + 2)
    cdef unsigned char* write = words
    cdef list points = [0], text_points = [-1], shifts = [0]
    write[0] = 32
    while i < length:
        if read[i] == 32 and i + 1 < length and read[i + 1] == 32:
            run = i
            while i < length and read[i] == 32:
                i += 1
            write[written] = 32
            written += 1
            removed += i - run - 1
        elif read[i] == 39:  # an apostrophe inside a word
            i += 1
            removed += 1
        else:
            write[written] = read[i]
            written += 1
            i += 1
            continue
        text_points.append(i)
        shifts.append(removed)
        points.append(i + 1 - removed)
    write[written] = 32
    return words[:written + 1].decode("ascii"), points, text_points, shifts


cdef inline bint _ends_sentence(Py_UCS4 c) noexcept:
    return c == 46 or c == 33 or c == 63  # . ! ?


def sentence_ends(str lowered, list text_points, list shifts):
    """Where each sentence of a text ends, in the text and in its normalised words
    (`scanner.Sentences`). A sentence ends at a run of . ! or ? before whitespace or the end
    of the text, or at a blank line (a line break, then only whitespace up to another line
    break: the end is the first line break). This is the regular expression
    `[.!?\\n](?:(?<=[.!?])[.!?]*(?=\\s|$)|(?<=\\n)\\s*\\n)`, searched left to right
    without overlaps, taking each match's start."""
    cdef position length = len(lowered), at = 0, run, last_break, changes = len(text_points)
    cdef Py_UCS4 c
    cdef list in_text = [], in_words = []
    cdef position* points
    cdef position* removed
    while at < length:
        c = lowered[at]
        if _ends_sentence(c):
            run = at + 1
            while run < length and _ends_sentence(lowered[run]):
                run += 1
            if run == length or Py_UNICODE_ISSPACE(lowered[run]):
                in_text.append(at)
            at = run
        elif c == 10:  # a line break
            run, last_break = at + 1, -1
            while run < length and Py_UNICODE_ISSPACE(lowered[run]):
                if lowered[run] == 10:
                    last_break = run
                run += 1
            if last_break >= 0:
                in_text.append(at)
                at = last_break + 1
            else:
                at += 1
        else:
            at += 1
    points = _copy(text_points)
    removed = NULL
    try:
        removed = _copy(shifts)
        for end in in_text:  # `scanner.Normalised.from_text`
            in_words.append(end + 1 - removed[_bisect_right(points, changes, end) - 1])
    finally:
        free(points)
        free(removed)
    return in_text, in_words

def plain_evidence(list matches, list entries, list cue_ends, list reaches, list points,
                   list shifts, str text, set set_aside, evidence, found):
    """Add to `found` (harm type -> list of `evidence`) the phrases that are evidence alone,
    each mapped back to its span in `text`, less those denied or supposed, whose harm types go
    into `set_aside`. `entries[number]` is a pattern's ((indicator, harm type), ...)."""
    cdef _Text where = _Text(cue_ends, reaches, [], points, shifts)
    cdef position i, start, end, first, last
    cdef tuple match, uses, use
    new = tuple.__new__  # an `evidence` without its Python-level __new__
    for i in range(len(matches)):
        match = <tuple>matches[i]
        uses = <tuple>entries[<position>match[0]]
        start = <position>match[1] + 1  # the phrase without the spaces either side
        end = <position>match[2] - 1
        if where.denied(start):
            for use in uses:
                set_aside.add(use[1])
            continue
        first, last = where.to_text(start), where.to_text(end)
        span = text[first:last]
        for use in uses:
            found[use[1]].append(new(evidence, (use[0], first, last, span)))
    return found


cdef class PairMasks:
    """The `with_any` patterns of a catalogue as bit masks, built once with the scanner: for
    each pattern (by number), the indicators it is the phrase of (`needs`) and those it is a
    partner word of (`partners`), one bit per indicator, `words` 64-bit words per mask."""

    cdef readonly position words, patterns
    cdef readonly list ids, harm_types
    """The indicator of each bit, and its harm type."""
    cdef uint64_t* needs
    cdef uint64_t* partners

    def __cinit__(self, list needs, list partners, dict harm_types):
        """`needs[number]` and `partners[number]`: sets of indicator ids; `harm_types`: each
        indicator's harm type."""
        cdef position number, bit, size
        if len(needs) != len(partners):
            raise ValueError("needs and partners must have one entry per pattern")
        self.ids = sorted(harm_types)
        self.harm_types = [harm_types[indicator] for indicator in self.ids]
        bits = {indicator: bit for bit, indicator in enumerate(self.ids)}
        self.words = (len(self.ids) + 63) // 64 or 1
        self.patterns = len(needs)
        size = self.patterns * self.words + 1
        self.needs = <uint64_t*>calloc(size, sizeof(uint64_t))
        self.partners = <uint64_t*>calloc(size, sizeof(uint64_t))
        if self.needs == NULL or self.partners == NULL:
            raise MemoryError()
        for number in range(self.patterns):
            for indicator in needs[number]:
                bit = bits[indicator]
                self.needs[number * self.words + bit // 64] |= (<uint64_t>1) << (bit % 64)
            for indicator in partners[number]:
                bit = bits[indicator]
                self.partners[number * self.words + bit // 64] |= (<uint64_t>1) << (bit % 64)

    def __dealloc__(self):
        free(self.needs)
        free(self.partners)

    cdef inline uint64_t uses(self, position number, position word) noexcept:
        """One word of the mask of every indicator the pattern is phrase or partner of."""
        return self.needs[number * self.words + word] | self.partners[number * self.words + word]


def paired_evidence(PairMasks masks, list matches, list sentence_ends, list cue_ends,
                    list reaches, list points, list shifts, str text, set set_aside, evidence,
                    found):
    """Add to `found` (harm type -> list of `evidence`) the evidence of the `with_any`
    indicators whose phrase and a partner word share a sentence, neither of them denied or
    supposed.

    First, the indicators with both parts somewhere in the text (`both`): a match concerning
    none of them is passed over (most partner words are heard without their phrase). Each
    sentence then gathers the masks of the phrases and of the partner words it holds; where the
    two meet, the indicator is complete in that sentence, and only then are its spans mapped
    back to the text. A denied or supposed match adds the harm types of the indicators it
    concerns to `set_aside`."""
    cdef position count = len(matches), words = masks.words, sentences = len(sentence_ends) + 1
    cdef position i, w, number, start, end, sentence, kept = 0, first, last, bit
    cdef uint64_t bits, any_both = 0, any_complete = 0
    cdef tuple match
    cdef _Text where
    cdef uint64_t* both = <uint64_t*>calloc(2 * words, sizeof(uint64_t))
    cdef uint64_t* partnering = both + words
    cdef uint64_t* phrases_in = NULL  # per sentence, then what is complete in it
    cdef uint64_t* partners_in = NULL
    cdef position* held = NULL  # number, start, end and sentence of each match kept
    new = tuple.__new__  # an `evidence` without its Python-level __new__
    if both == NULL:
        raise MemoryError()
    try:
        for i in range(count):
            number = <position>(<tuple>matches[i])[0]
            for w in range(words):
                both[w] |= masks.needs[number * words + w]
                partnering[w] |= masks.partners[number * words + w]
        for w in range(words):
            both[w] &= partnering[w]
            any_both |= both[w]
        if not any_both:
            return
        where = _Text(cue_ends, reaches, sentence_ends, points, shifts)
        phrases_in = <uint64_t*>calloc(2 * sentences * words, sizeof(uint64_t))
        held = <position*>malloc((4 * count + 1) * sizeof(position))
        if phrases_in == NULL or held == NULL:
            raise MemoryError()
        partners_in = phrases_in + sentences * words
        for i in range(count):
            match = <tuple>matches[i]
            number = <position>match[0]
            bits = 0
            for w in range(words):
                bits |= masks.uses(number, w) & both[w]
            if not bits:
                continue
            start = <position>match[1] + 1
            end = <position>match[2] - 1
            if where.denied(start):
                for w in range(words):
                    bits = masks.uses(number, w) & both[w]
                    while bits:
                        set_aside.add(masks.harm_types[w * 64 + lowest_bit(bits)])
                        bits &= bits - 1
                continue
            sentence = where.sentence(start)
            for w in range(words):
                phrases_in[sentence * words + w] |= masks.needs[number * words + w]
                partners_in[sentence * words + w] |= masks.partners[number * words + w]
            held[4 * kept], held[4 * kept + 1] = number, start
            held[4 * kept + 2], held[4 * kept + 3] = end, sentence
            kept += 1
        for i in range(sentences * words):
            phrases_in[i] &= partners_in[i]
            any_complete |= phrases_in[i]
        if not any_complete:
            return
        for i in range(kept):
            number, start, end, sentence = held[4 * i], held[4 * i + 1], held[4 * i + 2], \
                held[4 * i + 3]
            bits = 0
            for w in range(words):
                bits |= phrases_in[sentence * words + w] & masks.uses(number, w)
            if not bits:
                continue
            first, last = where.to_text(start), where.to_text(end)
            span = text[first:last]
            for w in range(words):
                bits = phrases_in[sentence * words + w] & masks.uses(number, w)
                while bits:
                    bit = w * 64 + lowest_bit(bits)
                    found[masks.harm_types[bit]].append(
                        new(evidence, (masks.ids[bit], first, last, span)))
                    bits &= bits - 1
    finally:
        free(both)
        free(phrases_in)
        free(held)



cdef class AsideMasks:
    """The `not_with` patterns of a catalogue as bit masks, built once with the scanner: for
    each pattern (by number), the indicators it sets aside in its sentence, one bit per
    indicator that has a `not_with` word, `words` 64-bit words per mask."""

    cdef readonly position words, patterns
    cdef readonly dict bits
    """Indicator id -> its bit."""
    cdef uint64_t* masks

    def __cinit__(self, list entries):
        """`entries[number]`: the set of indicator ids the pattern sets aside."""
        cdef position number, bit
        self.bits = {}
        for ids in entries:
            for indicator in sorted(ids):
                self.bits.setdefault(indicator, len(self.bits))
        self.words = (len(self.bits) + 63) // 64 or 1
        self.patterns = len(entries)
        self.masks = <uint64_t*>calloc(self.patterns * self.words + 1, sizeof(uint64_t))
        if self.masks == NULL:
            raise MemoryError()
        for number in range(self.patterns):
            for indicator in entries[number]:
                bit = self.bits[indicator]
                self.masks[number * self.words + bit // 64] |= (<uint64_t>1) << (bit % 64)

    def __dealloc__(self):
        free(self.masks)


def set_aside_said_with(AsideMasks masks, list matches, list sentence_words,
                        list sentence_text, found, set set_aside):
    """Drop, in place from `found` (harm type -> list of evidence), the evidence said in the
    same sentence as one of its indicator's `not_with` words (the `matches` of the `not_with`
    automaton). The harm types of what is dropped go into `set_aside`. `sentence_words` and
    `sentence_text` are where each sentence ends, in the normalised words and in the text
    (`scanner.Sentences`).

    Only the indicators with evidence are looked for: most `not_with` words belong to an
    indicator the text gave no evidence of, and are passed over by one mask test each."""
    cdef position words = masks.words, sentences = len(sentence_words) + 1, i, w, bit, number
    cdef position sentence
    cdef uint64_t any_said = 0, bits
    cdef tuple match
    cdef _Text in_words, in_text
    cdef PyObject* found_bit
    cdef uint64_t* evidenced = <uint64_t*>calloc(words, sizeof(uint64_t))
    cdef uint64_t* said_in = NULL  # per sentence, the indicators set aside in it
    if evidenced == NULL:
        raise MemoryError()
    try:
        for items in found.values():
            for evidence in <list>items:
                found_bit = PyDict_GetItem(masks.bits, <object>PyTuple_GET_ITEM(evidence, 0))
                if found_bit != NULL:
                    bit = <position><object>found_bit
                    evidenced[bit // 64] |= (<uint64_t>1) << (bit % 64)
        said_in = <uint64_t*>calloc(sentences * words, sizeof(uint64_t))
        if said_in == NULL:
            raise MemoryError()
        in_words = _Text([], [], sentence_words, [], [])
        for i in range(len(matches)):
            match = <tuple>matches[i]
            number = <position>match[0]
            bits = 0
            for w in range(words):
                bits |= masks.masks[number * words + w] & evidenced[w]
            if not bits:
                continue
            sentence = in_words.sentence(<position>match[1] + 1)
            for w in range(words):
                said_in[sentence * words + w] |= masks.masks[number * words + w] & evidenced[w]
            any_said = 1
        if not any_said:
            return
        in_text = _Text([], [], sentence_text, [], [])
        for harm_type, items in list(found.items()):
            kept = [evidence for evidence in <list>items
                    if not _said_in(masks, said_in, in_text, evidence)]
            if len(kept) == len(<list>items):
                continue
            set_aside.add(harm_type)
            if kept:
                found[harm_type] = kept
            else:
                del found[harm_type]
    finally:
        free(evidenced)
        free(said_in)


cdef bint _said_in(AsideMasks masks, const uint64_t* said_in, _Text in_text,
                   evidence) except -1:
    """Whether the evidence's indicator is set aside in the evidence's sentence."""
    cdef position bit, sentence
    cdef PyObject* found_bit = PyDict_GetItem(masks.bits, <object>PyTuple_GET_ITEM(evidence, 0))
    if found_bit == NULL:
        return False
    bit = <position><object>found_bit
    sentence = in_text.sentence(<position><object>PyTuple_GET_ITEM(evidence, 1))
    return (said_in[sentence * masks.words + bit // 64] >> (bit % 64)) & 1
