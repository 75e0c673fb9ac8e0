"""The demo force's calls: synthetic, but each reads like a real contact to a control room.

Names, numbers (Ofcom's drama ranges) and addresses are invented. Some callers call again;
some accounts carry hidden-harm cues (modern slavery, county lines, coercive control) for the
hidden-demand screens to find; some are left awaiting assessment, so the queues are not empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    channel: str
    caller: str
    phone: str
    relationship: str
    address: str
    narrative: str
    answers: Mapping[str, str | list[str]] | None = None
    """THRIVE answers; None leaves the contact awaiting assessment."""
    nsir: tuple[str, str] | None = None
    """(category, opening code); None stops after the assessment."""
    grade: str | None = None
    """A grade other than the suggestion (an override), with `rationale`."""
    rationale: str = ""
    qualifiers: tuple[str, ...] = ()
    assessment: str = "Assessed on the caller's account."
    area: str = "urban"
    language: str = "English"
    needs: str = ""


def thrive(threat: str = "none", harm: str = "low", risk: str = "low",
           investigation: str = "none", vulnerability: str = "none",
           engagement: str = "phone", **details: str | list[str]
           ) -> dict[str, str | list[str]]:
    answers: dict[str, str | list[str]] = {
        "threat": threat, "harm": harm, "risk": risk, "investigation": investigation,
        "vulnerability": vulnerability, "engagement": engagement}
    answers.update(details)
    return answers


SCENARIOS: list[Scenario] = [
    Scenario("phone_999", "Karen Whitfield", "07700 900101", "victim",
             "14 Larch Close, Northgate",
             "My ex-partner is outside banging on the door, he's shouting he'll kill me. "
             "He's been drinking. My two kids are upstairs. He broke the kitchen window.",
             thrive("immediate", "serious", "high", "now", "high", "attend_now",
                    threat_to=["caller", "children"], risk_escalating="yes",
                    investigation_opportunities=["suspect_nearby"],
                    vulnerability_factors=["repeat_victim"]),
             ("crime", "CR-VAP"), qualifiers=("domestic_abuse", "alcohol"),
             assessment="Threat to life from a known partner, children present, escalating."),
    Scenario("phone_101", "Derek Osei", "07700 900102", "victim",
             "Unit 4, Brook Industrial Estate, Westfield",
             "Someone's cut the padlock on our yard overnight and taken two pallets of copper "
             "pipe. There's CCTV on the gate that should have caught it.",
             thrive(harm="moderate", risk="low", investigation="hours", engagement="appointment",
                    investigation_opportunities=["cctv"], harm_kinds=["financial"]),
             ("crime", "CR-BUR"), assessment="Property crime, no one at risk; CCTV to secure."),
    Scenario("phone_999", "Unknown", "", "third_party", "Junction of Mill Lane and A614",
             "Two cars collided at the junction, one's on its side, a woman is trapped and "
             "not answering. Fuel leaking.",
             thrive("immediate", "serious", "high", "now", "high", "attend_now",
                    threat_to=["others"], harm_kinds=["physical"]),
             ("transport", "TR-RTI"), area="rural",
             assessment="Serious injury collision, casualty trapped; ambulance and fire told."),
    Scenario("online", "Amira Haddad", "07700 900104", "victim",
             "Flat 2, 9 Wellington Road, Northgate",
             "I bought a puppy online and paid £850 by bank transfer. The seller has blocked "
             "me and the advert is gone.",
             thrive(harm="low", engagement="phone", harm_kinds=["financial"]),
             ("crime", "CR-FRD"), assessment="Online purchase fraud; Action Fraud process."),
    Scenario("phone_101", "Margaret Ellis", "07700 900105", "third_party",
             "22 Station Road, Easton",
             "There's a hand car wash next to the garage. The same lads work there 7 till 9 "
             "every day, they look exhausted and thin. One told my son the boss keeps their "
             "passports and they sleep above the unit, six of them in one room. They're "
             "driven in a van every morning.",
             thrive("possible", "serious", "medium", "hours", "high", "attend_soon",
                    vulnerability_factors=["under_control", "language"]),
             ("crime", "CR-OTH"), qualifiers=("modern_slavery",),
             assessment="Indicators of labour exploitation: documents held, living at work."),
    Scenario("phone_101", "Margaret Ellis", "07700 900105", "third_party",
             "22 Station Road, Easton",
             "Calling again about the car wash. A man shouted at one of the workers and pushed "
             "him into the van. I'm worried for them."),
    Scenario("phone_999", "Tom Barker", "07700 900107", "witness",
             "Outside The Crown, Market Square, Northgate",
             "Big fight outside the pub, about eight of them, one's on the floor being kicked. "
             "Someone's got a bottle.",
             thrive("immediate", "serious", "high", "now", "some", "attend_now",
                    threat_to=["others"], investigation_opportunities=["suspect_nearby",
                                                                       "witnesses", "cctv"]),
             ("crime", "CR-VAP"), qualifiers=("alcohol",),
             assessment="Violence in progress, weapon, suspects on scene."),
    Scenario("front_counter", "Grace Mensah", "07700 900108", "victim",
             "Northgate police station front counter",
             "My bike was stolen from the rack at the college yesterday afternoon. Frame "
             "number on my receipt. No CCTV there that I know of.",
             thrive(harm="low", engagement="phone", harm_kinds=["financial"]),
             ("crime", "CR-THE"), assessment="Theft, no lines of enquiry; crime reference given."),
    Scenario("phone_101", "Linda Carr", "07700 900109", "third_party",
             "3 Orchard Way, Easton",
             "My mum is 84 and has dementia. She's not at home and her coat is gone. She went "
             "out about an hour ago, she sometimes walks to where she used to work at the mill.",
             thrive("possible", "serious", "high", "none", "high", "attend_now",
                    vulnerability_factors=["older_person"], threat_to=["others"]),
             ("public_safety", "PS-MIS"), qualifiers=("missing_person", "vulnerable_adult"),
             grade="emergency",
             rationale="Herbert Protocol held; cold night; dementia: treat as high risk now.",
             assessment="Missing person with dementia in cold weather."),
    Scenario("chat", "Anonymous", "", "third_party", "Kingsway estate, Westfield",
             "There's a lad, maybe 14, always at the flat at 19 Kingsway with older men. He "
             "has new phones and trainers and gets picked up in different cars. I think he's "
             "being made to carry drugs to other towns.",
             thrive("possible", "serious", "medium", "hours", "high", "attend_soon",
                    vulnerability_factors=["child"], threat_to=["children"]),
             ("crime", "CR-DRG"), qualifiers=("child_criminal_exploitation", "drugs"),
             assessment="Indicators of county lines exploitation of a child."),
    Scenario("phone_101", "Peter Lawson", "07700 900111", "victim",
             "41 Beech Avenue, Westfield",
             "The neighbours' dog has barked all night for a week. I've spoken to them twice.",
             thrive(harm="none", engagement="partner_agency"),
             ("asb", "ASB-NUI"), grade="no_police_action",
             rationale="Noise nuisance: referred to the council's environmental health team.",
             assessment="Not a police matter: council noise team."),
    Scenario("phone_999", "Sophie Turner", "07700 900112", "victim",
             "12 Cedar Court, Northgate",
             "Someone is trying the back door handle right now, I can hear them in the "
             "garden. I'm on my own.",
             thrive("immediate", "moderate", "high", "now", "some", "attend_now",
                    investigation_opportunities=["suspect_nearby"], threat_to=["caller"]),
             ("crime", "CR-BUR"), assessment="Attempted burglary in progress, occupant alone."),
    Scenario("email", "Hannah Price", "07700 900113", "victim",
             "5 The Paddocks, Little Easton",
             "My ex keeps turning up at my work and sends dozens of messages a day from new "
             "numbers. He says he just wants to talk but I'm scared. He knows where I live now.",
             thrive("possible", "serious", "high", "hours", "some", "attend_soon",
                    risk_escalating="yes", investigation_opportunities=["digital"]),
             ("crime", "CR-VAP"), qualifiers=("domestic_abuse",), area="rural",
             assessment="Fixated, obsessive, unwanted, repeated: stalking; escalating."),
    Scenario("phone_101", "Raj Patel", "07700 900114", "victim", "Patel News, 8 High Street",
             "Same group of teenagers in the shop again shouting abuse at my wife about our "
             "religion. Third time this month.",
             thrive("possible", "moderate", "medium", "hours", "some", "appointment",
                    vulnerability_factors=["repeat_victim"]),
             ("crime", "CR-POR"), qualifiers=("hate", "repeat_victim"),
             assessment="Repeat hate incidents; appointment with neighbourhood team."),
    Scenario("social", "@northgate_resident", "", "third_party", "Riverside path, Northgate",
             "Saw a man sitting on the railway bridge parapet, legs over the edge, he looked "
             "really upset. That was 5 mins ago.",
             thrive("immediate", "serious", "high", "none", "high", "attend_now",
                    vulnerability_factors=["mental_health"], threat_to=["others"]),
             ("public_safety", "PS-CFS"), qualifiers=("mental_health",),
             assessment="Concern for safety: person at height, risk of suicide."),
    Scenario("phone_101", "Ben Hughes", "07700 900116", "victim", "Car park, Tesco Westfield",
             "Someone reversed into my car and drove off. I got the registration.",
             thrive(harm="low", investigation="hours", engagement="phone",
                    investigation_opportunities=["witnesses"]),
             ("transport", "TR-RTD"), assessment="Damage-only collision, failing to stop."),
    Scenario("phone_101", "Doris Freeman", "07700 900117", "victim",
             "27 Poplar Road, Easton",
             "A man from my bank rang and said my account was hacked and I had to move my "
             "savings to a safe account. I sent £12,000. Now the bank says it wasn't them.",
             thrive("none", "serious", "medium", "hours", "high", "attend_soon",
                    vulnerability_factors=["older_person", "isolation"],
                    harm_kinds=["financial"]),
             ("crime", "CR-FRD"), qualifiers=("vulnerable_adult",),
             assessment="Safe-account fraud of an older, isolated person."),
    Scenario("phone_999", "Kyle Roberts", "07700 900118", "victim",
             "Bus station, Westfield", "Two lads just took my phone off me, one had a knife. "
             "They ran towards the multi-storey.",
             thrive("possible", "moderate", "high", "now", "some", "attend_now",
                    investigation_opportunities=["suspect_nearby", "cctv"]),
             ("crime", "CR-ROB"), assessment="Robbery with a knife, suspects nearby."),
    Scenario("phone_101", "Yvonne Mills", "07700 900119", "third_party",
             "Flat 6, Cromwell House, Northgate",
             "My brother has learning difficulties. Some men have moved into his flat, there "
             "are people coming and going all night and he says he can't ask them to leave.",
             thrive("possible", "serious", "medium", "hours", "high", "attend_soon",
                    vulnerability_factors=["disability", "under_control"]),
             ("crime", "CR-DRG"), qualifiers=("vulnerable_adult", "drugs"),
             assessment="Indicators of cuckooing of a vulnerable adult."),
    Scenario("phone_101", "Peter Lawson", "07700 900111", "victim",
             "41 Beech Avenue, Westfield",
             "The dog next door again. And now they've parked across my drive."),
    Scenario("phone_999", "Unknown", "07700 900121", "third_party",
             "Not known: caller's phone last seen near Westfield",
             "Silent call, open line, sounds of a television.", None),
    Scenario("online", "Chloe Adams", "07700 900122", "victim",
             "Westfield retail park", "Catalytic converter cut off my car in the car park "
             "between 2 and 4pm.", thrive(harm="low", engagement="phone"), None),
    Scenario("phone_101", "Sam Okafor", "07700 900123", "witness",
             "Allotments off Field Lane, Easton",
             "There's a strong smell of cannabis from the house behind the allotments and the "
             "windows are always covered. A man comes with food twice a week.",
             thrive(harm="moderate", risk="medium", investigation="hours",
                    engagement="appointment"),
             ("crime", "CR-DRG"), qualifiers=("drugs",), area="rural",
             assessment="Possible cannabis farm; possible exploitation of a gardener."),
    Scenario("phone_101", "Aleksandra Nowak", "07700 900124", "victim",
             "9 Mill Cottages, Easton",
             "Moja szefowa zabrała mój paszport. (Interpreter: my employer at the packing "
             "factory took my passport and says I owe her £3,000 for the flight and the room.)",
             thrive("possible", "serious", "medium", "hours", "high", "attend_soon",
                    vulnerability_factors=["under_control", "language"]),
             ("crime", "CR-OTH"), qualifiers=("modern_slavery",), language="Polish",
             needs="Polish interpreter (Language Line)",
             assessment="Debt bondage and document control: NRM consideration."),
]
"""In order of nothing in particular: the seed spreads them over the last few hours."""
