"""Write generated.txt: SYNTHETIC labelled sentences from templates, seeded (run from anywhere).

Formats vary the way transcribers write them; numbers come from Ofcom's drama ranges and NHS
numbers are generated to pass (or, for distractors, to fail) the modulus-11 check.
"""

from __future__ import annotations

import random
from pathlib import Path

SEED = 20240607
N_PER_KIND = 40

FIRST = [
    "Sarah",
    "Darren",
    "Maureen",
    "Gary",
    "Kelly",
    "Janet",
    "Tyler",
    "Aisha",
    "Liam",
    "Chloe",
    "Joan",
    "Kieran",
    "Hayley",
]
FIRST += [
    "Priya",
    "Tomasz",
    "Agnieszka",
    "Bernadette",
    "Callum",
    "Shannon",
    "Yusuf",
    "Ellie",
    "Declan",
    "Wendy",
]
SURNAMES = [
    "Patel",
    "Jenkins",
    "Okafor",
    "Wilson",
    "Khan",
    "Hughes",
    "McCarthy",
    "O'Neill",
    "Kowalski",
    "Smith",
]
TOWNS = ["Hartlepool", "Worcester", "Great Yarmouth", "Gorleston", "Pershore", "Redcar"]
TOWNS += ["Stockton-on-Tees", "Lowestoft", "Evesham", "Billingham"]
STREETS = [
    "Mill",
    "Oak",
    "Church",
    "Station",
    "Victoria",
    "Elm",
    "Harbour",
    "Foxglove",
    "Raby",
    "Grange",
]
TYPES = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Drive",
    "Crescent",
    "Terrace",
    "Gardens",
    "Way",
]
RELS = [
    "daughter",
    "son",
    "husband",
    "wife",
    "neighbour",
    "friend",
    "carer",
    "granddaughter",
    "nephew",
    "partner",
]
MONTHS = "January February March April May June July August September October November December"


def nhs(rng: random.Random, valid: bool = True) -> str:
    while True:
        d = str(rng.choice([4, 6, 7])) + "".join(str(rng.randrange(10)) for _ in range(8))
        total = sum(int(c) * w for c, w in zip(d, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check == 10:
            continue
        if valid:
            return d + str(check)
        return d + str((check + rng.randrange(1, 10)) % 10)


def spaced(d: str, rng: random.Random) -> str:
    return rng.choice([f"{d[:3]} {d[3:6]} {d[6:]}", d, f"{d[:3]}-{d[3:6]}-{d[6:]}"])


def phone(rng: random.Random) -> str:
    n = rng.randrange(100, 999)
    return rng.choice(
        [
            f"07700 900{n}",
            f"07700-900-{n}",
            f"07700900{n}",
            f"+44 7700 900{n}",
            f"+447700900{n}",
            f"+44 (0)7700 900{n}",
            f"01632 960{n}",
            f"(01632) 960{n}",
            f"0113 496 0{n}",
            f"020 7946 0{n}",
            f"+44 20 7946 0{n}",
            f"0161 496 0{n}",
            f"07700 900 {n}",
        ]
    )


def postcode(rng: random.Random) -> str:
    area = rng.choice(["TS", "WR", "NR", "M", "B", "DN", "EC1A", "W1A", "CR", "LS", "SW1A"])
    out = area if area in ("EC1A", "W1A", "SW1A") else f"{area}{rng.randrange(1, 30)}"
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    inward = f"{rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"
    return rng.choice([f"{out} {inward}", f"{out} {inward}", f"{out}{inward}"])


def dob(rng: random.Random) -> str:
    day, month, year = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(1925, 2015)
    name = MONTHS.split()[month - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day}/{month}/{year}",
            f"{day:02d}-{month:02d}-{str(year)[2:]}",
            f"{day:02d}.{month:02d}.{year}",
            f"{day} {name} {year}",
            f"{day}{suffix} {name} {year}",
            f"{day}{suffix} of {name} {year}",
            f"{name} {day}{suffix}, {year}",
            f"{day} {name[:3]} {year}",
        ]
    )


def email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(SURNAMES).lower().replace("'", "")
    domain = rng.choice(["example.com", "example.org", "example.net", "example.co.uk"])
    return rng.choice(
        [
            f"{first}.{last}@{domain}",
            f"{first}{rng.randrange(10, 99)}@{domain}",
            f"{first[0]}{last}@{domain}",
        ]
    )


def lines(rng: random.Random) -> list[str]:
    out: list[str] = []
    for _ in range(N_PER_KIND):
        out.append(
            rng.choice(
                [
                    "R: My postcode's [[postcode:{x}]], if you need it.",
                    "R: It's [[postcode:{x}]], round the back of the community centre.",
                    "R: They sent the wheelchair to [[postcode:{x}]] instead of here.",
                    "R: We're [[postcode:{x}]]. The satnav never finds us.",
                ]
            ).format(x=postcode(rng))
        )
        out.append(
            rng.choice(
                [
                    "R: Ring me on [[phone:{x}]], any time after ten.",
                    "R: My mobile's [[phone:{x}]] but the signal's rubbish.",
                    "R: The number they gave me was [[phone:{x}]] and it just rang out.",
                    "R: You can text [[phone:{x}]], that's my daughter's.",
                ]
            ).format(x=phone(rng))
        )
        out.append(
            rng.choice(
                [
                    "R: My email is [[email:{x}]], I check it on the tablet.",
                    "R: Send it to [[email:{x}]] please.",
                    "R: It went to [[email:{x}]], which I never use.",
                ]
            ).format(x=email(rng))
        )
        out.append(
            rng.choice(
                [
                    "R: My NHS number is [[nhs_number:{x}]], it's on the card.",
                    "R: They asked for the NHS number, [[nhs_number:{x}]], three times.",
                    "R: It's [[nhs_number:{x}]], I keep it in my purse.",
                ]
            ).format(x=spaced(nhs(rng), rng))
        )
        out.append(
            rng.choice(
                [
                    "R: I was born on [[date_of_birth:{x}]], in the front room.",
                    "R: Date of birth, [[date_of_birth:{x}]], and they still had it wrong.",
                    "R: DOB [[date_of_birth:{x}]], it says on the wristband.",
                    "R: He was born [[date_of_birth:{x}]], the week of the floods.",
                    "R: [[date_of_birth:{x}]], that's my date of birth.",
                ]
            ).format(x=dob(rng))
        )
        # distractors: invalid NHS numbers, other dates, times, money, ages
        out.append(
            rng.choice(
                [
                    "R: The reference was {n}, not that it helped.",
                    "R: My appointment is on {d} at {t}.",
                    "R: It was £{m} a week for the carer, and I'm {a}.",
                    "R: The letter came on {d}, three weeks late.",
                    "R: I'm {a} and I've never been in hospital till {mo}.",
                    "R: At {t} on a {wd} there's nobody about.",
                ]
            ).format(
                n=spaced(nhs(rng, valid=False), rng),
                d=f"{rng.randrange(1, 29)}/{rng.randrange(1, 13)}/20{rng.randrange(10, 25)}",
                t=rng.choice(["8am", "half ten", "10:30", "3pm", "quarter past nine"]),
                m=rng.randrange(20, 400),
                a=rng.randrange(18, 95),
                mo=rng.choice(MONTHS.split()),
                wd=rng.choice(["Monday", "Tuesday", "Friday", "Sunday"]),
            )
        )
    for _ in range(N_PER_KIND):
        name, surname, town = rng.choice(FIRST), rng.choice(SURNAMES), rng.choice(TOWNS)
        title = rng.choice(["Mrs", "Mr", "Dr", "Ms"])
        who = rng.choice(["lad", "woman", "girl", "fella"])
        street = f"{rng.choice(STREETS)} {rng.choice(TYPES)}"
        house, flat = rng.randrange(1, 200), rng.randrange(1, 30)
        out.append(
            rng.choice(
                [
                    f"R: My {rng.choice(RELS)} [[person:{name}]] helps me with the shopping.",
                    f"R: {title} [[person:{surname}]] said to come back in a month.",
                    f"R: A {who} called [[person:{name}]] runs the group now.",
                    f"R: [[person:{name}]] from the carers' hub rang me back, to be fair.",
                    f"R: I live in [[place:{town}]], always have.",
                    f"R: We moved to [[place:{town}]] when the kids were small.",
                    f"R: We're at [[address:{house} {street}]] now.",
                    f"R: It's [[address:Flat {flat}, {house} {street}]], up the stairs.",
                ]
            )
        )
    return out


def main() -> None:
    rng = random.Random(SEED)
    target = Path(__file__).with_name("generated.txt")
    header = (
        "# SYNTHETIC labelled sentences generated by make_generated.py (seeded). Nobody real.\n"
    )
    target.write_text(header + "\n".join(lines(rng)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
