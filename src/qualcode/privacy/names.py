"""Word lists for detection: common UK first names, and words that look like names but are not.

The first-name gazetteer is deliberately conservative: names that are also everyday words,
months or places (May, June, Will, Grace, Hope, Mark, Bill, Frank, Dawn, Jordan, Chelsea)
are left out, and found only with a title, a relationship word or "called" before them.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`, as a set."""
    return frozenset(text.split())


_FIRST_NAMES = """
aaliyah aaron abdul abdullah abigail abu ada adam adele adrian agnes agnieszka ahmed aidan
aiden aileen aimee aisha alan alana albert alec alex alexander alexandra alfie alfred ali
alice alicia alison alistair amanda amara amelia amina amir amit amy anastasia andrea
andrew andy aneta angela angus anil anita ann anna anne annette annie anthony antonio anya
archie arjun arthur asha ashley ashok audrey ava barbara barry beatrice becky ben benjamin
bernard bernadette beryl beth bethany betty beverley bilal billy blessing bobby brandon
brenda brendan brian bridget bryony callum calum cameron carl carla carly carmen caroline
catherine cathy cerys chantelle charlene charles charlie charlotte chelsie cheryl chloe
chris christina christine christopher ciara claire clare colin connor conor craig cyril
dale damian damien daniel danielle danny darius darren dave david dean debbie deborah
declan deepak denise dennis derek dev diane dilys dominic donna doreen doris dorothy
douglas duncan dylan edith edna edward eileen elaine eleanor elijah elizabeth ella ellie
elsie emily emma eric erin esther ethan eunice evelyn ewa fatima fiona florence francesca
freddie freya gail gareth gary gavin gemma geoffrey george georgia gerald geraldine gillian
gina glenys gordon graham gurpreet gwen hamza hannah harold harriet harry harvey hassan
hayley heather helen henry hilda hollie howard hussain ian imogen imran irene isaac isabel
isabella isla ivy jackie jacob jade jake james jamie jan jane janet janice jasmine jason
jasper jayden jean jeanette jeff jemma jenna jennifer jenny jeremy jessica jill jim jimmy
joan joanna joanne jodie joe joel john johnny jon jonathan joseph josh joshua joyce judith
julia julie justin kamal karen karina kasia kate katherine kathleen kathryn katie katarzyna
kayleigh keith kelly kenneth kerry kevin khadija kieran kirsty krystyna kyle laura lauren
leah lee leanne leigh leo leon leonard lesley leslie lewis liam lily linda lindsay lisa
logan lois lorna lorraine louise lucas lucy luke lynne maciej maisie malcolm mandy
marcus margaret maria marian marie marilyn marion marjorie martin martyn mary mason
matthew maureen maya megan melanie melissa mia michael michaela michelle mildred millie
mohammed mohammad mohamed molly monica muhammad muriel nadia naomi natalie natasha nathan
neil niamh nicholas nicola nicole nigel niall nina noah noreen norman oliver olivia oscar
owen paige pamela patricia patrick paul paula pauline pawel peter philip phillip phoebe
piotr pooja priya rachel rahul raj rajesh ravi rebecca reece rhys richard rita robert
robin roger ronald ronnie rosemary ross roy rukhsana russell ruth ryan sabrina sadia sally
samantha samuel sandra sanjay sara sarah scott sean shabana shane shannon sharon shaun
sheila shirley shona sian simon sinead sofia sonia sophie stacey stanley stella stephanie
stephen steve steven stuart sunita susan suzanne sylvia tamsin tanya tara teresa terence
theo thomas tim timothy tina toby tom tomasz tommy tony tracey tracy trevor tyler valerie
vanessa vera veronica vicky victor vincent violet wayne wendy william winifred yasmin
yvonne zainab zara zoe zofia kenny brian ken stan reg len sid alf ted bert wilf vic doug
gladys mabel ethel elsie nellie hilary mavis phyllis sybil wilfred walter ernest herbert
sharon trudy kev gaz ron les reg bob tess kath val pam bev sue pat shazza stacey
lacey tiffany jolene
"""

FIRST_NAMES = words(_FIRST_NAMES)

# Relationship and role words that introduce a person's name: "my daughter Sarah".
RELATIONS = (
    "daughter|son|husband|wife|partner|mum|mam|mom|mother|dad|father|brother|sister|nan|nana|"
    "nanna|gran|granny|grandma|grandad|grandpa|grandson|granddaughter|grandchild|aunt|auntie|"
    "aunty|uncle|cousin|niece|nephew|friend|mate|pal|neighbour|boyfriend|girlfriend|fiance|"
    "fiancé|fiancee|fiancée|carer|PA|support worker|social worker|key worker|case worker|"
    "keyworker|GP|doctor|consultant|nurse|health visitor|midwife|counsellor|therapist|"
    "stepson|stepdaughter|stepdad|stepmum|stepmother|stepfather|lad|girl|boy|baby|kid|"
    "eldest|youngest|oldest|twin|ex|other half|fella|bloke|sister-in-law|brother-in-law|"
    "mother-in-law|father-in-law|son-in-law|daughter-in-law|landlord|landlady|manager|boss"
)

TITLES = (
    "Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Nurse|Sister|Prof|Professor|Father|Councillor|Cllr|"
    "Auntie|Aunty|Uncle|Nanna|Nana|Nan|Grandad|Granny|Sir|Dame|Lady|Lord|Rev|Reverend|Pastor"
)

# Capitalised words never taken as names or places on their own.
NOT_NAMES = words(
    """
    i i'm i've i'd i'll im ive id ok okay yeah yes no oh well so and but or the a an if
    interviewer participant respondent interviewee researcher facilitator moderator speaker
    int q r p a note transcriber unknown inaudible crosstalk laughs pause both all group
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    fri sat sun christmas easter boxing new year eid diwali ramadan
    god jesus christ lord nhs gp a&e covid council mum mam dad nan gran grandad
    english british scottish welsh irish polish romany gypsy traveller travellers
    mr mrs ms miss dr doctor nurse sister practitioner
    person place postcode phone email number date birth address removed redacted
    district council trust surgery practice hospital agency board police government library
    hub hospice clinic centre center service services team unit committee department office
    chair chairman chairwoman chairperson cllr councillor resident member members officer
    minutes secretary treasurer summer winter spring autumn season
    """
)

# Pronouns, determiners and other small words spaCy's lemma tables leave out.
FUNCTION_WORDS = words(
    """
    i me my mine you your yours he him his she her hers it its we us our ours they them their
    theirs this that these those who whom whose which what everyone everybody someone somebody
    anyone anybody nobody noone none nothing everything something anything the a an and or but
    if then so because as of at by for from in into on onto to with without about over under
    how when where why whoever whatever whenever wherever aye nah yeah yep nope
    """
)

# Words after which a capitalised word is not a name ("Nurse Practitioner", "Sister Ward").
NOT_AFTER_TITLE = words(
    """
    practitioner practitioners ward wards in charge who what when which is was the a an
    nurse nurses doctor doctors surgery appointment appointments visit station
    """
)

STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|"
    "Pl|Terrace|Tce|Gardens|Gdns|Grove|Gr|Hill|Row|Walk|Square|Sq|Parade|Mews|Rise|View|Green|"
    "Park|Lea|Fields|Bank|Villas|Croft|Meadow|Meadows|Chase|Wynd|Vale|End|Yard|Estate"
)
FLAT_BUILDINGS = "Court|House|Mansions|Heights|Tower|Towers|Lodge|Point|Buildings|Flats"
