# ruff: noqa: E501  (the sentence frames read best one per line)
"""A synthetic coded corpus for the suggestion and theme-quality benchmarks (SYNTHETIC: every
sentence is generated from templates written for qualcode; no real person's words).

`build(path)` writes a qualcode project with two areas:

- `interviews`: several hundred two-speaker interviews. Participant turns hold one to three
  sentences; a sentence either expresses one code of the sample codebook (sometimes two, joined
  in one sentence) or is chit-chat (weather, family, the kettle; some of it uses words such as
  "bus" or "doctor" in passing, which no coder would code). Each coded sentence is coded, whole,
  by the coder `CODER`.
- `questionnaire`: short free-text answers (one to three sentences, one to three codes), each
  coded as a whole; a few answers ("Nothing to add.") are left uncoded.

Each code has ten or so sentence frames written in different words (a code's frames share few
content words on purpose: "ring at eight" and "the receptionist said call back" are both Access
to GP), with alternatives inside each frame, negated and mild forms ("I've never had bother
getting an appointment, to be fair" is still about Access to GP), fillers and informal
spellings. The generator's labels are the hand coding; both methods in a benchmark see the
same data. The frames were written once, before any method was measured on them.

Wording groups: a template corpus is learnt by heart. Drawn from the same frames, held-out
units repeat training wording and every method scores near 1 (measured: TF-IDF p@1 0.999), so
each code's frames are dealt into two groups (even and odd positions) and each document uses
one group (`wording(title)`: even-numbered documents group 0). A benchmark can then test on
wording the training coding never used, as a new interview does.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODER = "sam"  # the named coder whose codings the generator writes
SEED = 2024

# code path -> frames; "{a|b|c}" picks one alternative
FRAMES: dict[str, list[str]] = {
    "Access to services/Access to GP": [
        "You ring at {eight|8 o'clock|opening time} and you're {twentieth|thirtieth|number 40} in the queue",
        "By the time I get through {all the slots have gone|there's nothing left for today|they've run out}",
        "The receptionist {just|always} says {ring back tomorrow|try again in the morning|there's nothing till next month}",
        "I {haven't seen|can't remember the last time I saw} an actual doctor, it's always {the nurse|a pharmacist|a phone call}",
        "I've never had any bother getting {an appointment|in at the surgery|seen at the practice}, to be fair",
        "{Getting|Trying to get} a face to face with the GP is {like winning the lottery|impossible|a nightmare} now",
        "They {closed|merged} our {surgery|practice} so now it's {three miles|two villages} away and you never get in",
        "The online booking {opens at seven|is full by five past|never shows anything}, so I {give up|go without}",
        "I ended up at {A and E|the walk-in centre|urgent care} because I couldn't {get an appointment|see my own doctor}",
        "You have to {explain|tell} your whole {problem|life story} to the {woman on the desk|receptionist} before they'll book you in",
    ],
    "Access to services/Single point of access": [
        "Every number I {rang|phoned|called} gave me {another number|a different number}",
        "They {pass|passed} you from {pillar to post|one team to the next|department to department}",
        "The {hub|triage line|referral line} {said|told me} it wasn't them, I needed {the other number|social services|the council}",
        "I was on hold {for an hour|forty minutes|all morning} and then it {went to an answerphone|cut off|rang out}",
        "Nobody {owns|takes on} your case, you're just a {reference number|ticket|file} going round",
        "{If there was|I wish there was} one {place|number|door} you could ring and they'd {sort it|pass it on properly}",
        "The crisis line {said ring the GP|told me to ring 111} and 111 {said ring the crisis line|sent me back to them}",
        "I filled in the {same form|same details} for {three|four|five} different {teams|services}",
    ],
    "Access to services/Navigation and signposting": [
        "Nobody {tells|told} you {what you're entitled to|what's out there|about the help}",
        "I {found out|heard} about it from {a woman at the bus stop|my neighbour|someone at church|a lady in the queue at the chemist}",
        "The {social prescriber|link worker|lady from Age UK} {knew who to ring|pointed me to the right people|sorted it all}",
        "There's {loads of|plenty of} help {if you know where to look|apparently}, but how would you know",
        "{It was|It's all} word of mouth, there's {no leaflet|nothing written down|no list anywhere}",
        "I didn't even know {carers' assessments|attendance allowance|the day centre} {existed|was a thing} until {last year|recently}",
        "The {library|community centre|mosque} has a board with {numbers|leaflets} on and that's where I {found it|started}",
        "If {she hadn't|my daughter hadn't} {looked it up|pointed me to it} I'd {never have known|still be in the dark}",
    ],
    "Access to services/Waiting times": [
        "{Eighteen months|Two years|Fourteen months} for the {hip|knee|operation|scan} and I'm {worse|on the sofa most days}",
        "I'm {still|just} waiting {to hear|for a letter|for the referral}, {nobody|no one} has {rung|been in touch}",
        "They said {six weeks|a few weeks} and it's been {six months|nearly a year}",
        "We {paid to go private|borrowed money to go private} because {we couldn't wait|he was getting worse}",
        "I keep {chasing|ringing about} the referral and they say {it's in the system|be patient}",
        "The list for {the assessment|the wheelchair|the equipment} is {months|over a year} long",
        "By the time the {appointment|letter} came {it had cleared up|I'd already been admitted}",
        "I wasn't kept waiting long at all, {I'll give them that|fair play}, {three weeks|a fortnight} and I was seen",
    ],
    "Support and care/Peer support": [
        "The {Tuesday|Thursday|Monday} group {saved me|got me through|kept me going}",
        "{Talking to|Being with} people who've been through it {is different|helps more than anything}",
        "Nobody there {looks at you funny|judges you}, they {get it|understand}",
        "We've got a {WhatsApp|Facebook} group for {mums|carers|people with the same thing} and it's {a lifeline|brilliant}",
        "The {carers' cafe|coffee morning|walking group} {closed|lost its funding} and {we all lost touch|that was that}",
        "{Another|A} {mum|lad|woman} at the {group|meeting} showed me {how she copes|what worked for her}",
        "I go for {the company|a natter} but really it's {the advice|knowing I'm not the only one}",
        "I'd never have {gone|walked in} on my own, but {the others|the regulars} {made me welcome|were lovely}",
    ],
    "Support and care/Carers": [
        "I'm {her|his} {wife|husband|daughter|son}, {nurse|driver|secretary} and {cleaner|everything}",
        "Nobody {asks|ever asks} how I am, it's all about {him|her|Mum|Dad}",
        "{Looking after|Caring for} {Mum|my husband|my brother} is a {full-time|twenty-four hour} job",
        "I haven't had a {night off|proper sleep|holiday} in {three|four|five} years",
        "The {respite|sitting service|short break} {was cancelled|got cut} and I {just broke down|didn't know what to do}",
        "{Our|My} {lad|eldest|daughter} does {the meds|his dad's tablets|the shopping} before school",
        "My own {back|health|blood pressure} has gone {downhill|to pot} since I started {caring|looking after her}",
        "I had to {give up work|go part time|drop my hours} to {be there for him|look after her}",
    ],
    "Support and care/Direct payments": [
        "The {personal budget|direct payment} is {brilliant|a godsend} {when it works|most of the time}",
        "I'm an employer now and nobody {trained|showed} me {how to do payroll|what that means}",
        "They {clawed back|took back} {money|two thousand pounds} because I {hadn't spent it|saved some up}",
        "{Finding|Keeping} a {PA|personal assistant} on what they pay is {impossible|a nightmare}",
        "The {audit|paperwork|quarterly return} {takes me days|is endless}",
        "With my own {budget|money for care} I choose {who comes|when they come}, which I never could before",
        "My {PA|carer I employ} left and the council said {find another|that's your problem now}",
    ],
    "Support and care/Dementia support": [
        "After the diagnosis we got {a leaflet and a number|a pamphlet|nothing}, and that was it",
        "{She|He} {doesn't know|didn't recognise} {me|our daughter} {some days|any more}",
        "The memory clinic {was kind|took ages|just gave us tablets}",
        "{He|She} {goes wandering|gets up} at {three in the morning|night} looking for {his mother|the shop|work}",
        "The {dementia adviser|Admiral nurse} {is the only one who helps|rings every month}",
        "The {day centre|singing group|memory cafe} is the one {place|thing} {she's|he's} {calm|happy}",
        "We're {looking at|dreading} a care home because {he|she} {forgets to eat|can't be left}",
        "{She|He} keeps asking {the same question|where {he|she} is} over and over",
    ],
    "Support and care/Mental health": [
        "They said I wasn't {ill enough|bad enough} for them and {too ill|too complicated} for the app",
        "My {anxiety|depression|panic attacks} got {so bad|that bad} I {couldn't leave the house|stopped eating}",
        "The {counselling|talking therapy|CBT} was {six sessions|a few weeks} and then {nothing|you're on your own}",
        "{Our|My} {son|daughter|lad} has been on the CAMHS list {since last year|for ages}",
        "I {wasn't sleeping|couldn't stop crying} and {didn't want to be here|felt like giving up}",
        "Some days I {can't face|can't get out of bed for} anything, my head's {all over|just gone}",
        "I've never really struggled {in myself|with my nerves}, {touch wood|thank God}, {I just get on with it|I'm lucky}",
        "The crisis team {came out|were kind} but {then discharged me|never followed up}",
    ],
    "Support and care/Living with long-term conditions": [
        "With the {COPD|emphysema|chest} I plan {my whole day|everything} round the {stairs|inhaler}",
        "My {sugars|blood sugar|diabetes} {go all over|are up and down} and {I'm always tired|my feet are bad}",
        "The {arthritis|Parkinson's|MS} is {worse|bad} {in the mornings|when it's cold}",
        "I'm on {twelve|fourteen|that many} tablets a day and I've {a dosette box|a chart on the fridge}",
        "The annual {review|check} is just {ticking boxes|bloods and go}",
        "Good days I {garden|walk the dog|do the shopping}, bad days I {don't move|stay in bed}",
        "I've learnt to {pace myself|listen to my body|manage it} since the {diagnosis|flare-up}",
        "My {hands|legs|lungs} {won't do|don't do} what {they used to|I want}",
    ],
    "Everyday life/Loneliness and isolation": [
        "Some weeks the only voice I hear is {the telly|the radio}",
        "Since {he died|I lost her|my wife passed} I {don't go out much|keep myself to myself}",
        "{Out here|In the village} you can go {days|a week} without seeing {anyone|a soul}",
        "Winter's the worst, {it's dark at four|nobody calls} and I {just sit|don't speak to anyone}",
        "I {miss|long for} {having someone to talk to|a bit of company|a conversation}",
        "My {family|kids|son} live {down south|in Australia|miles away} and {ring|visit} {once a month|at Christmas}",
        "I'm never lonely, {there's always someone popping in|the neighbours are in and out}, {I'm lucky that way|I know I'm lucky}",
        "{Nobody|No one} would {notice|know} if I {fell|didn't get up} one morning",
    ],
    "Everyday life/Transport": [
        "{Two buses|A bus and a train} and a walk to the hospital, and the appointment's at {half eight|nine}",
        "The bus {only comes|runs} {twice a week|every two hours|once in the morning}",
        "I rely on {my neighbour|my son|a friend from chapel} for {a lift|lifts}, and I {hate asking|don't like to keep asking}",
        "The {hospital transport|patient transport} {never turned up|came three hours late|got cancelled}",
        "A taxi {there and back|each way} is {thirty|forty} pounds",
        "Since I {lost my licence|stopped driving|sold the car} I {can't get anywhere|depend on everybody}",
        "Parking at the {hospital|clinic} {costs a fortune|is impossible}",
        "I can {walk|get} to the surgery {in five minutes|easily}, so {getting there|travel} is no problem for me",
    ],
    "Everyday life/Digital exclusion": [
        "Everything's {the app|online} now and I haven't got {the app|a smartphone|the internet}",
        "I {can't do|don't understand} {the online form|the website|computers}",
        "My {granddaughter|daughter|grandson} has to {log me in|fill it in|do it on her phone}",
        "{We've no|There's no} {signal|internet|wifi} {up here|on the site|in the village}",
        "They {text|email} you the {appointment|letter|link} and I {don't read texts|haven't got email}",
        "I {haven't the data|can't afford the data|ran out of credit} to {do video calls|go online}",
        "{Password|Codes|Log-ins}, {verification|two-step}, I {give up|panic} {every time|straight away}",
    ],
    "Everyday life/Housing": [
        "The {mould|damp} comes back every {winter|year} and so does {his chest|the cough}",
        "We've been {waiting|on the list} for {an adaptation|a stairlift|a walk-in shower} for {a year|ages}",
        "{Five|Six} of us in {two bedrooms|a one-bed flat} and {the baby|the kids} {can't sleep|share with us}",
        "The {caravan|chalet|trailer} is {freezing|damp|cold} {in winter|all year}",
        "The council {moved us|put us} {into temporary|into a hostel|miles from school}",
        "I can't {manage|get up} the stairs so I {sleep downstairs|live in one room}",
        "The landlord {won't fix|ignores} the {roof|boiler|window} and {it's leaking|we've no heating}",
        "The new {bungalow|flat} has made {all the difference|life so much easier}",
    ],
    "Everyday life/Money and cost of living": [
        "It's heat or eat, {honestly|really}, and the heating's losing",
        "{The prescriptions|The bills|The electric} {cost|costs} {a fortune|more than I can afford}",
        "We {use|go to} the food bank {now|most weeks} and I {never thought I would|felt ashamed}",
        "My {benefits|PIP|Universal Credit} {got stopped|was cut|was sanctioned} and {I had nothing|we went under}",
        "I {work|keep working} {even when I'm ill|through it} because {I can't afford not to|there's no sick pay}",
        "{After|Once} the rent's gone there's {nothing left|twenty quid left} for {food|the week}",
        "We're {alright|comfortable} for money, {thankfully|touch wood}, {it's not something I worry about|we manage}",
        "{I turned the fridge off|We sit in coats|I only put the oven on on Sundays} to {save|keep the bill down}",
    ],
    "Trust and relationships/Being listened to": [
        "{They|The doctor|The consultant} {didn't listen|wouldn't listen} {to me|when I said something was wrong}",
        "I felt {fobbed off|dismissed|like a nuisance}, like it was {all in my head|my fault}",
        "{For once|Finally} {someone|she} {actually|really} {listened|heard me out} and {it made all the difference|I cried}",
        "I {know my own body|know my son} and {they|nobody} {believe|believed} me",
        "They {talk|talked} {over me|to my daughter instead of me|about me like I'm not there}",
        "{Nobody|No one} ever asked {what I wanted|my opinion|what mattered to me}",
        "I had to {shout|kick up a fuss|complain} before {anybody|anyone} took me seriously",
    ],
}

CHAT = [
    "{Do you want|Would you like} {a cup of tea|a biscuit|a coffee} before we start",
    "{It's|It has been} {freezing|lovely|miserable|chucking it down} {today|this week|out there}",
    "The dog {will settle down|is fine|barks at everyone} {in a minute|once he's sniffed you}",
    "My {grandson|granddaughter|nephew} {wants to be|is training to be} a {bus driver|doctor|nurse} {when he's older|bless him}",
    "We watched a {programme|documentary} about {hospitals|doctors|trains} {last night|on Sunday}, it was {good|rubbish}",
    "{Sorry|Excuse} the mess, I've been {meaning to tidy|sorting the cupboards}",
    "{The football|The darts|The racing} was on {last night|at the weekend} and {we lost again|it was a good one}",
    "I've lived {here|in this street} {all my life|forty years|since I was married}",
    "{Is that thing recording|Is it on}, {I never know with these|is the red light on}",
    "My {sister|cousin|friend} {rang|popped round} {this morning|yesterday} about {the wedding|her holiday|the grandkids}",
    "{Oh|Well|Right}, {where was I|what was the question again|I've lost my thread}",
    "The {garden|allotment|window box} is {coming on|a jungle|looking nice} this {year|spring}",
    "We had {fish and chips|a takeaway|a roast} {on Friday|at the weekend}, {a treat|lovely}",
    "{That's|That was} {about it really|all I can think of|it, I think}",
    "My {husband|wife|son} {drives|drove} a {taxi|bus|lorry} for {twenty years|a living}",
    "{Ha|Ha ha}, {you don't want to hear about that|I'm going off on one|listen to me}",
]

QUESTIONS = [
    "Can you tell me a bit about yourself?",
    "What's it like getting help round here?",
    "How do you get to appointments?",
    "Who do you turn to when things are hard?",
    "What would make the biggest difference?",
    "How have things been lately?",
    "Is there anything else you want to tell us?",
    "And how did that make you feel?",
    "Mm. Go on.",
]

FILLERS = ["", "", "", "Well, ", "I mean, ", "Honestly, ", "You know, ", "Oh, ", "And ", "But "]
ENDINGS = ["", "", "", ", you know", ", to be honest", ", really", ", like"]
ANSWER_ENDS = ["", "", "", " Thanks.", " Please sort it.", " Nothing else to add.", " Keep it up."]
UNCODED_ANSWERS = ["Nothing to add.", "No comment.", "n/a", "Not really.", "All fine thanks."]
_CHOICE = re.compile(r"\{([^{}]*)\}")


def expand(frame: str, rng: random.Random) -> str:
    """One surface form of a frame: each "{a|b}" becomes one of its alternatives."""
    while "{" in frame:
        frame = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), frame, count=1)
    return frame


def wording(title: str) -> int:
    """The wording group (0 or 1) of a generated document, from its number."""
    return int(title.rsplit("-", 1)[1]) % 2


def sentence(codes: list[str], rng: random.Random, group: int, *, spoken: bool = True) -> str:
    """A sentence expressing `codes` (one clause each, in frames of wording `group`, joined)
    or chit-chat if none."""
    if not codes:
        clauses = [expand(rng.choice(CHAT), rng)]
    else:
        clauses = [expand(rng.choice(FRAMES[c][group::2]), rng) for c in codes]
    text = clauses[0]
    for clause in clauses[1:]:
        text += rng.choice([", and ", ", and on top of that ", "; ", ", plus "]) + _lower(clause)
    if spoken:
        filler = rng.choice(FILLERS)
        text = filler + _lower(text) if filler else text
        text = text[0].upper() + text[1:] + rng.choice(ENDINGS)
    elif rng.random() < 0.3:  # typed answers: some lower-case, no full stop
        return text.lower()
    return text + rng.choice([".", ".", ".", "!", "..."])


def _lower(text: str) -> str:
    """Lower-case the first letter, unless the first word is "I" or an acronym."""
    first = re.split(r"[ ']", text, maxsplit=1)[0]
    return (
        text if first == "I" or (len(first) > 1 and first.isupper()) else text[0].lower() + text[1:]
    )


def code_weights(rng: random.Random) -> dict[str, float]:
    """Uneven code frequencies (a few common codes, a long tail), as in real projects."""
    codes = list(FRAMES)
    rng.shuffle(codes)
    return {c: 1.0 / (i + 2) ** 0.8 for i, c in enumerate(codes)}


@dataclass
class Corpus:
    """What `build` wrote: documents per area and the coded spans (document title -> list of
    (start, end, code))."""

    interviews: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    codings: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)


def interview(rng: random.Random, weights: dict[str, float], group: int) -> tuple[str, list]:
    """One interview's text and its coded spans (offsets into the text)."""
    codes = list(weights)
    topics = set()
    while len(topics) < rng.randint(3, 5):
        topics.add(rng.choices(codes, weights=list(weights.values()))[0])
    topics_list = sorted(topics)
    lines = ["[SYNTHETIC interview generated by benchmarks/coded_corpus.py]"]
    spans = []
    offset = len(lines[0]) + 1
    for _ in range(rng.randint(9, 15)):
        question = f"Interviewer: {rng.choice(QUESTIONS)}"
        lines.append(question)
        offset += len(question) + 1
        turn = "Participant: "
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            roll = rng.random()
            if roll < 0.35:
                chosen: list[str] = []
            elif roll < 0.9:
                chosen = [rng.choice(topics_list)]
            else:
                chosen = rng.sample(topics_list, 2)
            text = sentence(chosen, rng, group)
            start = offset + len(turn)
            spans.extend((start, start + len(text), c) for c in chosen)
            turn += text + " "
        turn = turn.rstrip()
        lines.append(turn)
        offset += len(turn) + 1
    return "\n".join(lines) + "\n", spans


def answer(rng: random.Random, weights: dict[str, float], group: int) -> tuple[str, list[str]]:
    """One questionnaire answer and the codes it is coded with (as a whole)."""
    if rng.random() < 0.05:
        return rng.choice(UNCODED_ANSWERS), []
    codes = list(weights)
    n = rng.choices([1, 2, 3], weights=[0.65, 0.3, 0.05])[0]
    chosen: list[str] = []
    while len(chosen) < n:
        code = rng.choices(codes, weights=list(weights.values()))[0]
        if code not in chosen:
            chosen.append(code)
    parts = []
    for code in chosen:  # one sentence per code, or two codes in one sentence
        if parts and rng.random() < 0.3:
            both = [*parts[-1][1], code]
            parts[-1] = sentence(both, rng, group, spoken=False), both
        else:
            parts.append((sentence([code], rng, group, spoken=False), [code]))
    return " ".join(p[0] for p in parts) + rng.choice(ANSWER_ENDS), chosen


def build(
    path: str | Path, *, interviews: int = 300, answers: int = 1200, seed: int = SEED
) -> Corpus:
    """Write the synthetic coded project at `path` (a new SQLite store); returns what it wrote."""
    import qualcode
    from qualcode.interop.codebook_files import import_codebook

    rng = random.Random(seed)
    weights = code_weights(rng)
    p = qualcode.open_project(path, user=CODER)
    import_codebook(p, ROOT / "data" / "raw" / "codebook.yaml")
    corpus = Corpus()
    coded = []
    for i in range(interviews):
        text, spans = interview(rng, weights, i % 2)
        title = f"synthetic-interview-{i:04d}"
        doc = p.add_document(text, area="interviews", title=title)
        corpus.interviews.append(title)
        corpus.codings[title] = spans
        coded.extend((doc.id, s, e, c) for s, e, c in spans)
    for i in range(answers):
        text, chosen = answer(rng, weights, i % 2)
        title = f"synthetic-answer-{i:04d}"
        doc = p.add_document(text, area="questionnaire", title=title)
        corpus.answers.append(title)
        corpus.codings[title] = [(0, len(text), c) for c in chosen]
        coded.extend((doc.id, 0, len(text), c) for c in chosen)
    for doc_id, start, end, code in coded:
        p.code(doc_id, start, end, code, coder=CODER)
    p.close()
    return corpus


def ensure(path: Path) -> Path:
    """The corpus at `path`, written first if it is not there yet (benchmarks share it)."""
    if not path.exists():
        import time

        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        made = build(path)
        n = sum(len(v) for v in made.codings.values())
        print(
            f"corpus: {len(made.interviews)} interviews, {len(made.answers)} answers, "
            f"{n} codings by {CODER!r} ({time.perf_counter() - t0:.0f} s to write)"
        )
    return path


# the hand-written corpus ---------------------------------------------------------------------

HANDWRITTEN = ROOT / "benchmarks" / "data" / "handwritten" / "comments.csv"
HANDWRITTEN_AREA = "handwritten"


@dataclass(frozen=True)
class Comment:
    """One hand-written comment (SYNTHETIC, see benchmarks/data/handwritten/README.md) and the
    codes its writer gave it, in the order given (the first is the main one); none for
    "aye"."""

    id: str
    text: str
    codes: tuple[str, ...]


def load_handwritten(path: Path = HANDWRITTEN) -> list[Comment]:
    """The hand-written comments, in file order; code names exactly as written ("/" kept)."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return [
            Comment(row["id"], row["text"], tuple(c for c in row["codes"].split(" | ") if c))
            for row in csv.DictReader(fh)
        ]


def add_handwritten(p, *, area: str = HANDWRITTEN_AREA, coder: str = CODER) -> dict[str, object]:
    """Add each comment to project `p` as a document of `area` (title: its id), coded whole by
    `coder`; returns code name -> Code (names exactly as written, "/" included)."""
    from qualcode.store.coder_actions import code_span

    comments = load_handwritten()
    codes: dict[str, object] = {}
    for name in sorted({c for comment in comments for c in comment.codes}):
        codes[name] = p.codebook.get(name) if name in p.codebook else p.codebook.add(name)
    docs = [p.add_document(c.text, area=area, title=c.id) for c in comments]
    with p.writing() as conn:  # one transaction for the codings: seconds, not a minute
        for doc, comment in zip(docs, comments, strict=True):
            for code in comment.codes:
                code_span(conn, doc.id, 0, len(comment.text), codes[code], coder=coder)
    return codes


def ensure_handwritten(path: Path) -> Path:
    """A project holding only the hand-written corpus at `path`, written first if it is not
    there yet (about a minute: one document per comment)."""
    if not path.exists():
        import time

        import qualcode

        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        p = qualcode.open_project(path, user=CODER)
        codes = add_handwritten(p)
        p.close()
        print(
            f"hand-written corpus: {len(codes)} codes ({time.perf_counter() - t0:.0f} s to write)"
        )
    return path


if __name__ == "__main__":
    import sys

    ensure(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/coded_corpus.qualcode"))
