"""Write the speaker corpus: one small transcript per convention and its expected turns.

SYNTHETIC: every line below was written for qualcode's tests; nobody real is quoted. Each
dialogue is held here once as (speaker, role, words), and rendered in the convention a file
tests, so the expected turns come from what was written, not from the parser. Run
`python tests/data/speakers/make_corpus.py` to rebuild the files after changing a dialogue.
The two Word conventions are written as `NAME.rows.json` (speaker, words, bold or table);
tests build the .docx from it (`build_docx`), so no binary is committed.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
INT, PAR = "interviewer", "participant"
Turn = tuple[str, str, str]  # speaker, role, words

CARER = [  # an unpaid carer and a community researcher: padded, hard-wrapped
    (
        "INTERVIEWER",
        INT,
        "Thanks for making time. Could you start by telling me who you look "
        "after and how long you have been doing it?",
    ),
    (
        "admin-1",
        PAR,
        "It's my husband, Derek. He had a stroke four years ago in the February "
        "and since then it's been me, mostly. Our son helps when he's off shift.",
    ),
    ("INTERVIEWER", INT, "And what does a normal day look like for you both?"),
    (
        "admin-1",
        PAR,
        "Up at six for his tablets. Then washing, dressing, breakfast. The carers "
        "were meant to come at eight but half the time it's nearer ten, so I just do it.",
    ),
    ("INTERVIEWER", INT, "Who arranged the carers in the first place?"),
    (
        "admin-1",
        PAR,
        "The hospital, when he came home. Then it went over to the agency and "
        "nobody told me. I rang the number on the letter and it was a fax.",
    ),
    ("INTERVIEWER", INT, "A fax?"),
    (
        "admin-1",
        PAR,
        "A fax. In this day and age. So I rang them.\nCouncil: they said it was "
        "the agency's job, and the agency said ring the Council.",
    ),
    ("INTERVIEWER", INT, "How did that get sorted out, in the end?"),
    (
        "admin-1",
        PAR,
        "It didn't, really. A lady at the carers' centre wrote an email for me "
        "and copied in the social worker. Then things moved, a bit.",
    ),
    ("INTERVIEWER", INT, "What difference does the carers' centre make for you?"),
    (
        "admin-1",
        PAR,
        "Somewhere to go where nobody asks you to fill a form in.\nTuesdays: "
        "there is a sit-down with a cup of tea and somebody sits with Derek.\nAge Concern Day "
        "Centre: they do a lunch as well, on a Friday.",
    ),
    ("INTERVIEWER", INT, "Is there anything about your own health you want to say?"),
    (
        "admin-1",
        PAR,
        "My back's gone, to be honest.\nThe GP said: rest it. I laughed. Rest "
        "it when? She meant well. She just hasn't got the answer.",
    ),
    ("INTERVIEWER", INT, "Have you been offered a carer's assessment?"),
    (
        "admin-1",
        PAR,
        "Twice. The first one was booked for\n10:30 on a Monday and got lost when "
        "the lady left. The second one I am still waiting on, that's since the spring.",
    ),
    ("INTERVIEWER", INT, "What would make the biggest difference, if you could pick one thing?"),
    (
        "admin-1",
        PAR,
        "A night off. One night a month where I know he's safe and I can "
        "sleep through. That's all. Not a holiday. A night.\nDerek: he says go to your "
        "sister's. Derek: he means it, too.",
    ),
    ("INTERVIEWER", INT, "Thank you. Is there anything I should have asked and didn't?"),
    (
        "admin-1",
        PAR,
        "Only that there's a lot of us. Every street's got one. We just don't "
        "make a fuss, so nobody counts us.\nDerek: he'd say the same.",
    ),
]

COURSE = [  # a focus group after a falls-prevention course, ids as other QDA tools ship them
    ("id1", INT, "So, first of all, what did everyone think of the course?"),
    ("id2", PAR, "hello, I like the course, the exercises were easy to follow"),
    ("id3", PAR, "I liked the chair ones. I do them at home now with the telly on."),
    ("id1", INT, "Was there anything that made it hard to come along each week?"),
    ("id4", PAR, "The bus. The 14 only goes every hour and the stop's up the hill."),
    ("id2", PAR, "My daughter drove me, otherwise I wouldn't have managed it."),
    ("id1", INT, "And did anybody find it too much, physically?"),
    ("id3", PAR, "The first week, yes. By week three I was fine."),
    ("id4", PAR, "I'd have liked it longer. Six weeks went quick."),
    ("id1", INT, "What would you tell a neighbour who was thinking of going?"),
    ("id2", PAR, "Go. You meet people. That's half of it."),
]

MEETING = [  # a patient participation group meeting, chaired by a moderator
    (
        "Moderator",
        INT,
        "Welcome, everyone, and thanks for staying on after the clinic. "
        "Can we start with the phone line?",
    ),
    ("Speaker 12", PAR, "It is still engaged at eight. I tried four mornings running."),
    ("Mr. Tyeri", PAR, "Same for me. In the end I walked down and queued at the door."),
    ("Moderator", INT, "Has anyone used the online form instead?"),
    ("Dr. Khan", PAR, "We put it live in October. About a third of requests come that way now."),
    ("Speaker 3", PAR, "I didn't know there was one. Where is it?"),
    ("Dr. Khan", PAR, "On the website, under appointments. We can put a poster up too."),
    ("Moderator", INT, "Would a poster have helped you, Mr. Tyeri?"),
    ("Mr. Tyeri", PAR, "A poster and somebody to show me. I'm not good with the forms."),
    ("Speaker 12", PAR, "The library does a session on Thursdays for that."),
    ("Moderator", INT, "Good. Shall we put that in the newsletter?"),
    ("Speaker 3", PAR, "Yes, and in the window of the chemist."),
]

CLINIC = [  # a diabetes clinic interview: a titled researcher and a participant code
    ("Dr. Khan", INT, "How long have you been coming to the clinic?"),
    ("P-07", PAR, "About three years, since the diagnosis."),
    ("Dr. Khan", INT, "And how do you find getting here?"),
    ("P-07", PAR, "I drive, so it's alright. Parking is the problem. You go round and round."),
    ("Dr. Khan", INT, "Has anyone talked to you about the foot checks?"),
    ("P-07", PAR, "The nurse does them. She's very good. She explains it all."),
    ("Dr. Khan", INT, "What about the education course, did you go?"),
    ("P-07", PAR, "I went to one of the four. It was in the day and I was working."),
]

PHARMACY = [  # a pharmacist and a carer, as a transcription service labels them
    ("Interviewer", INT, "Can you tell me how you get your mum's prescriptions?"),
    ("Sandra Lee", PAR, "I order them on the app and pick them up on a Friday."),
    ("Interviewer", INT, "Does that work for you?"),
    (
        "Sandra Lee",
        PAR,
        "Mostly. When something's out of stock nobody rings, so I find out at the counter.",
    ),
    ("Interviewer", INT, "What happens then?"),
    ("Sandra Lee", PAR, "I go round the other chemists. Once it took three."),
]

CALL = [  # a video call, speakers numbered by the recording app
    ("Speaker 1", INT, "Right, can you hear me alright? Shall we start?"),
    ("Speaker 2", PAR, "Yes, loud and clear. Sorry about the dog."),
    ("Speaker 1", INT, "No problem. How long have you lived on the estate?"),
    ("Speaker 2", PAR, "Twenty years. Since before the new surgery was built."),
    ("Speaker 1", INT, "What changed when it opened?"),
    ("Speaker 2", PAR, "You could get seen in the week. Before that it was the walk-in in town."),
    ("Speaker 1", INT, "And now?"),
    ("Speaker 2", PAR, "Now it's three weeks for a routine one. Same as everywhere."),
]

LUNCH = [  # a lunch club interview, two first names
    ("Priya", INT, "Shall we start? How did you hear about the lunch club?"),
    ("Tom", PAR, "My neighbour dragged me. I didn't want to go."),
    ("Priya", INT, "And now?"),
    ("Tom", PAR, "Now I go Monday and Thursday. It's the only hot dinner I have."),
    ("Priya", INT, "What would you miss if it closed?"),
    ("Tom", PAR, "The talking. The dinner I could do without, don't tell them."),
]

HOUSING = [  # a housing officer visit
    ("Interviewer", INT, "When did the damp start?"),
    ("Gwen", PAR, "Last winter. First the bathroom, then the little one's room."),
    ("Interviewer", INT, "Did you report it?"),
    ("Gwen", PAR, "Three times. They came once and painted over it."),
    ("Interviewer", INT, "And the children's health?"),
    ("Gwen", PAR, "The baby's chest is bad. The health visitor wrote a letter for us."),
]

WALKING = [  # a walking group, as notes typed in Markdown
    ("Interviewer", INT, "What got you into the walking group?"),
    ("Amina", PAR, "The social prescriber at the surgery. She sat with me for half an hour."),
    ("Interviewer", INT, "Half an hour? That's a long appointment."),
    ("Amina", PAR, "It was the first time anyone asked what I did all day."),
    ("Interviewer", INT, "And what do you do all day now?"),
    ("Amina", PAR, "Walk on Wednesdays. Coffee after. My blood pressure is down, too."),
]

DENTAL = [  # a video call about dental access, captioned with voice tags
    ("Interviewer", INT, "Are you registered with a dentist at the moment?"),
    (
        "Joan Bell",
        PAR,
        "No. Mine went private in the summer and the letter said sixty pounds a month.",
    ),
    ("Interviewer", INT, "Have you tried anywhere else?"),
    ("Joan Bell", PAR, "I rang eleven practices. Not one taking on NHS adults."),
    ("Interviewer", INT, "What do you do if you get toothache?"),
    ("Joan Bell", PAR, "Paracetamol and hope. Or the emergency line, which is in another town."),
]

MENTAL = [  # a phone interview captioned by a service, names inside the cues
    ("Facilitator", INT, "How long did you wait for the talking therapy?"),
    ("Kez", PAR, "Fourteen weeks from the referral. I nearly gave up."),
    ("Facilitator", INT, "Did anyone check in with you while you waited?"),
    ("Kez", PAR, "One text. That was it. The GP said to ring if it got worse."),
    ("Facilitator", INT, "And when it started, was it what you needed?"),
    ("Kez", PAR, "Yes. Six sessions on the phone. I'd have liked to meet her, though."),
]

HOMECARE = [  # a home care review typed in Word, speakers in bold
    ("Interviewer", INT, "How many visits a day do you get from the carers?"),
    ("Mrs. Okafor", PAR, "Four. Morning, dinner, tea and bed."),
    ("Interviewer", INT, "Is it the same carers each time?"),
    ("Mrs. Okafor", PAR, "No. I have had nine different girls this month. I counted."),
    ("Interviewer", INT, "What difference would the same faces make?"),
    ("Mrs. Okafor", PAR, "I wouldn't have to tell my whole life every morning."),
]

DAYCENTRE = [  # a day centre interview typed in Word, in a table of speaker and words
    ("Researcher", INT, "How often do you come to the day centre?"),
    ("Bill", PAR, "Three days. Monday, Wednesday, Friday. The minibus picks me up."),
    ("Researcher", INT, "What would your week look like without it?"),
    ("Bill", PAR, "Four walls and the radio. My wife went two years ago."),
    ("Researcher", INT, "Is there anything you would change about it?"),
    ("Bill", PAR, "More of the music afternoons. And the minibus could be on time."),
]


PANTRY = [  # a food pantry volunteer, exported from Word with tabs after the labels
    ("Interviewer", INT, "How did you start volunteering at the pantry?"),
    ("Marek", PAR, "I came for a parcel first. Then they asked if I could lift boxes."),
    ("Interviewer", INT, "Who comes in, mostly?"),
    ("Marek", PAR, "Working people now. Nurses, even. That surprised me."),
    ("Interviewer", INT, "What do people ask for that you can't give?"),
    ("Marek", PAR, "Nappies and toiletries. And someone to talk to about the debts."),
]


def stamp(i: int, *, hours: bool = True) -> str:
    seconds = 5 + 17 * i
    if hours:
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def padded(turns: list[Turn]) -> str:
    """Labels padded to a column and words hard-wrapped at 80 characters; wrapped lines start
    at the text column, or at the margin in the second half, as services do both."""
    out = ["SYNTHETIC transcript written for qualcode's tests. Not a real interview.", ""]
    for n, (speaker, _, words) in enumerate(turns):
        head = f"   {speaker:<12}:   "
        indent = " " * len(head) if n < len(turns) // 2 else ""
        lines: list[str] = []
        for k, piece in enumerate(words.split("\n")):  # "\n": where the typist broke it
            first = indent if k else head
            lines += textwrap.wrap(piece, 80, initial_indent=first, subsequent_indent=indent)
        out += [*lines, ""]
    return "\n".join(out)


def lines_with(fmt: Callable[[int, str, str], str]) -> Callable[[list[Turn]], str]:
    def render(turns: list[Turn]) -> str:
        head = "SYNTHETIC transcript written for qualcode's tests. Not a real interview.\n\n"
        return head + "".join(fmt(i, s, " ".join(w.split())) for i, (s, _, w) in enumerate(turns))

    return render


def vtt(turns: list[Turn]) -> str:
    """Voice tags (`<v.loud ...>` and `</v>` too); a long turn split over two cues, the second
    without a voice, as it continues the speaker's sentence."""
    out = ["WEBVTT", "", "NOTE SYNTHETIC captions written for qualcode's tests", ""]
    cue = 0
    for speaker, _, words in turns:
        half = words.split(" ")
        parts = [" ".join(half[: len(half) // 2]), " ".join(half[len(half) // 2 :])]
        parts = parts if len(half) > 10 else [words]
        for k, part in enumerate(parts):
            voice = "" if k else ("<v.loud {}>" if cue % 4 == 3 else "<v {}>").format(speaker)
            close = "</v>" if cue % 2 and not k else ""
            out += [f"{stamp(cue)}.000 --> {stamp(cue + 1)}.000", f"{voice}{part}{close}", ""]
            cue += 1
    return "\n".join(out)


def srt(turns: list[Turn]) -> str:
    """`Name:` at the start of a cue; a long turn's second cue carries no name."""
    out, cue = [], 0
    for speaker, _, words in turns:
        half = words.split(" ")
        parts = [" ".join(half[: len(half) // 2]), " ".join(half[len(half) // 2 :])]
        parts = parts if len(half) > 10 else [words]
        for k, part in enumerate(parts):
            cue += 1
            start, end = stamp(cue - 1), stamp(cue)
            text = part if k else f"{speaker}: {part}"
            out += [str(cue), f"{start},000 --> {end},000", text, ""]
    return "\n".join(out)


RENDER = {
    "txt": {
        "padded-wrapped": (CARER, padded),
        "focus-group-ids": (COURSE, lines_with(lambda i, s, w: f"[{s}] {w}\n")),
        "meeting-titles-codes": (MEETING, lines_with(lambda i, s, w: f"{s}: {w}\n")),
        "clinic-code-and-title": (CLINIC, lines_with(lambda i, s, w: f"{s}: {w}\n\n")),
        "service-stamp-in-parens": (
            PHARMACY,
            lines_with(lambda i, s, w: f"{s} ({stamp(i)}):\n{w}\n\n"),
        ),
        "label-and-stamp-alone": (
            CALL,
            lines_with(lambda i, s, w: f"{s}  {stamp(i, hours=False)}\n{w}\n\n"),
        ),
        "stamp-in-brackets-first": (
            LUNCH,
            lines_with(lambda i, s, w: f"[{stamp(i)}] {s}: {w}\n"),
        ),
        "stamp-first": (HOUSING, lines_with(lambda i, s, w: f"{stamp(i)} {s}: {w}\n")),
        "tab-separated": (PANTRY, lines_with(lambda i, s, w: f"{s}\t{w}\n")),
    },
    "md": {"markdown-bold": (WALKING, lines_with(lambda i, s, w: f"**{s}:** {w}\n\n"))},
    "vtt": {"captions-voices": (DENTAL, vtt)},
    "srt": {"captions-names": (MENTAL, srt)},
}
WORD = {"docx-bold": (HOMECARE, "bold"), "docx-table": (DAYCENTRE, "table")}


def expected(source: str, turns: list[Turn]) -> dict[str, object]:
    words: dict[str, int] = {}
    for _, role, said in turns:
        words[role] = words.get(role, 0) + len(said.split())
    return {
        "synthetic": True,
        "source": source,
        "turns": [
            {"speaker": s, "role": r, "starts": " ".join(w.split()[:4])} for s, r, w in turns
        ],
        "words": words,
    }


def build_docx(rows_file: Path, out: Path) -> Path:
    """The .docx a `NAME.rows.json` describes: speakers in bold (every other one with its
    colon inside the bold), or a table of speaker and words under a header row."""
    import docx

    spec = json.loads(rows_file.read_text(encoding="utf-8"))
    document = docx.Document()
    document.add_paragraph("SYNTHETIC transcript written for qualcode's tests.")
    table = document.add_table(rows=0, cols=2) if spec["layout"] == "table" else None
    rows = [["Speaker", "Words"], *spec["rows"]] if table is not None else spec["rows"]
    for n, (speaker, said) in enumerate(rows):
        if table is not None:
            left, right = table.add_row().cells
            left.text, right.text = speaker, said
        else:
            paragraph = document.add_paragraph()
            paragraph.add_run(speaker + (":" if n % 2 else "")).bold = True
            paragraph.add_run(" " + said)
    document.save(out)
    return out


def main() -> None:
    for suffix, files in RENDER.items():
        for name, (turns, render) in files.items():
            (HERE / f"{name}.{suffix}").write_text(render(turns), encoding="utf-8")
            _write(name, expected(f"{name}.{suffix}", turns))
    for name, (turns, layout) in WORD.items():
        rows = {"synthetic": True, "layout": layout, "rows": [[s, w] for s, _, w in turns]}
        _write(f"{name}.rows", rows)
        _write(name, expected(f"{name}.docx", turns))


def _write(name: str, data: dict[str, object]) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    (HERE / f"{name}{'' if name.endswith('.rows') else '.expected'}.json").write_text(
        text, encoding="utf-8"
    )


if __name__ == "__main__":
    main()
