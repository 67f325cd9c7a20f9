"""An outside-sourced labelled set for redaction: Faker's values planted in comments.

The personal data comes from the ``Faker`` package (its per-country providers
of names, phone numbers, IBANs, card numbers, SSNs, e-mail addresses, bank
references), not from the people who wrote the patterns; only the comment
templates around them are ours. Decoys that must survive come from Faker too
(cities, countries, company names, dates, prices) plus a list of places,
products, events and companies the issue named.

The set is generated at run time with a fixed seed and never committed::

    rows = generate(1500, seed=13)   # [{"text": ..., "spans": [[start, end, type], ...]}]

Types: NAME, PHONE, EMAIL, CARD, IBAN, SSN, ACCOUNT, URL, IP, POSTCODE. A
found span is right when it overlaps a planted value; a value is kept out when
every letter and digit of it is inside found spans (of any placeholder).
"""

from __future__ import annotations

import random
from typing import Any

#: Faker locales the values come from: Latin script with and without
#: diacritics (Irish fada, Polish, Czech, Vietnamese, Turkish...), hyphenated
#: and particle surnames (de_DE, nl_NL, fr_FR, pt_BR, ga_IE).
LOCALES = (
    "en_US", "en_GB", "en_IE", "ga_IE", "en_IN", "en_AU", "de_DE", "fr_FR", "es_ES",
    "it_IT", "pt_BR", "nl_NL", "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "tr_TR",
    "vi_VN", "sv_SE", "da_DK", "fi_FI", "no_NO", "hr_HR", "sl_SI", "lt_LT", "lv_LV",
    "es_MX", "en_NZ", "yo_NG", "zu_ZA",
)  # fmt: skip

#: Templates: ``{v}`` is the planted value. Names come with cue words, titles,
#: sentence-initial and mid-sentence positions, and in capitals or lower case.
NAME_TEMPLATES = (
    "I spoke to {v} on the phone and she was very helpful.",
    "Spoke to {v} who sorted the refund in minutes.",
    "{v} on the live chat was brilliant.",
    "The engineer, {v}, arrived on time and explained everything.",
    "Please pass my thanks to {v} in the billing team.",
    "My name is {v} and I have been a customer for ten years.",
    "Ask for {v}, she knows the whole story.",
    "I asked for {v} but was told she had left.",
    "Thanks to {v} for sorting it out.",
    "{v} was rude and hung up on me.",
    "Your colleague {v} promised a call back that never came.",
    "I was helped by {v} yesterday, great service.",
    "After three calls, {v} finally fixed the line.",
    "Great service. {v} went above and beyond.",
    "It was {v} who finally listened.",
)
TITLE_TEMPLATES = (
    "{t} {v} from the complaints team was very patient.",
    "I wrote to {t} {v} twice and heard nothing back.",
    "Complaint handled by {t} {v}, thank you.",
)
PHONE_TEMPLATES = (
    "Call me on {v} after 6pm.",
    "My number is {v}, please ring back.",
    "You can reach me at {v}.",
    "Nobody called {v} as promised.",
    "tel {v}",
    "Text me on {v} when the engineer is on the way.",
    "My mobile {v} is the best way to contact me.",
)
EMAIL_TEMPLATES = (
    "Email me at {v} please.",
    "My email is {v}.",
    "Send the invoice to {v} not my old address.",
    "contact: {v}",
    "I wrote to you from {v} twice.",
)
CARD_TEMPLATES = (
    "I paid with card {v} and was charged twice.",
    "Charged to {v} without my consent.",
    "The card ending in {v} was debited.",
    "Refund it to {v} please.",
)
IBAN_TEMPLATES = (
    "Please refund to IBAN {v}.",
    "My bank account is {v}.",
    "Pay it into {v} as before.",
)
SSN_TEMPLATES = (
    "They asked for my SSN {v} on the phone!",
    "My social security number {v} was printed on the letter.",
    "Why do you need {v} to open an account?",
)
ACCOUNT_TEMPLATES = (
    "My account reference is {v}.",
    "Order number {v} never arrived.",
    "Booking reference {v}, still no refund.",
    "Customer ID {v} - please check.",
    "Quote ref {v} when you call back.",
)
URL_TEMPLATES = ("See {v} for the screenshots.", "My blog post {v} explains it.")
IP_TEMPLATES = ("My router shows {v} as its address.", "Blocked from {v} again.")
POSTCODE_TEMPLATES = ("I live at postcode {v}.", "No engineers in {v} apparently.")

#: Look-alikes written around the data; none is personal.
DECOY_TEMPLATES = (
    "The flight to {city} was delayed again.",
    "We moved from {city} to {city2} and the service followed.",
    "{company} gave me a better deal.",
    "Cheaper than {company} but slower.",
    "I paid {price} on {date} and waited {n} days.",
    "Still cheaper than what {country} charges.",
    "{brand} refunds took months.",
    "The {brand} upgrade was pointless.",
    "Since {brand} everything is slower.",
    "{adverb} handled, thank you.",
    "{noun} of the staff was excellent.",
    "Will call again, my bill is {price} now.",
    "Will the {brand} offer come back in {month}?",
)
#: Places, products, events, companies and words the issue saw redacted.
BRANDS = (
    "Covid", "Brexit", "Twitter", "Embraer", "Netflix", "Heathrow", "Bangalore",
    "Dubrovnik", "Avios", "Boeing", "Airbus", "iPhone", "Ryanair", "Amazon", "Prime",
    "Christmas", "Easter", "Ramadan", "WhatsApp", "Facebook", "Gatwick", "Lufthansa",
)  # fmt: skip
ADVERBS = ("Beautifully", "Brilliantly", "Badly", "Professionally", "Quickly", "Poorly")
NOUNS = ("Demeanour", "Attitude", "Professionalism", "Friendliness", "Knowledge")
LEADS = (
    "Broadband keeps dropping.",
    "Good value overall.",
    "Waited an hour on hold.",
    "The app is confusing.",
    "Delivery was late again.",
    "Really happy with the new plan.",
    "",
)


def _fakers(seed: int) -> list[Any]:
    from faker import Faker

    out = []
    for i, loc in enumerate(LOCALES):
        fake = Faker(loc)
        fake.seed_instance(seed * 1000 + i)
        out.append(fake)
    return out


def _name(fake: Any, rng: random.Random) -> tuple[str, str]:
    """(template, name) with the name in one of the shapes people write."""
    if rng.random() < 0.2:
        title = rng.choice(("Mr", "Mrs", "Ms", "Miss", "Dr", "Mr.", "Ms."))
        return rng.choice(TITLE_TEMPLATES).replace("{t}", title), fake.last_name()
    name = rng.choice((fake.first_name(), fake.name(), f"{fake.first_name()} {fake.last_name()}"))
    # Prefixes/suffixes Faker adds to full names ("Mrs.", "PhD") are titles, not the name.
    words = [w for w in name.split() if not w.endswith(".") and w not in {"PhD", "MD", "DDS"}]
    while words and words[0][0].islower():  # "pan", "slečna": a courtesy title
        words = words[1:]
    name = " ".join(words) or fake.first_name()
    template = rng.choice(NAME_TEMPLATES)
    cued = template.split("{v}")[0].strip().lower().endswith(("to", "for", "is"))
    if cued and rng.random() < 0.3:
        name = name.upper() if rng.random() < 0.5 else name.lower()
    return template, name


def _card(fake: Any, rng: random.Random) -> str:
    digits = fake.credit_card_number()
    if rng.random() < 0.3:
        return digits
    sep = rng.choice((" ", "-", ".", " - ", "/"))
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    if rng.random() < 0.2:  # mixed separators
        return "".join(g + rng.choice((" ", "-", ".")) for g in groups[:-1]) + groups[-1]
    return sep.join(groups)


def _iban(fake: Any, rng: random.Random) -> str:
    iban = fake.iban()
    if rng.random() < 0.3:
        return iban
    sep = rng.choice((" ", "-", ".", " "))
    return sep.join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _email(fake: Any, rng: random.Random) -> str:
    if rng.random() < 0.7:
        return str(fake.email())
    # Faker's addresses are ASCII: build Unicode and IDN ones from its names and words.
    user = rng.choice((fake.first_name(), f"{fake.first_name()}.{fake.last_name()}")).lower()
    domain = rng.choice((fake.last_name().lower(), fake.word(), fake.city().split()[0].lower()))
    # A name with a particle or an apostrophe makes no domain: keep its letters.
    domain = "".join(ch for ch in domain if ch.isalnum() or ch == "-")
    return f"{user.replace(' ', '')}@{domain}.{fake.tld()}"


def _value(
    kind: str, fake: Any, us: Any, rng: random.Random, people: Any = None
) -> tuple[str, str]:
    if kind == "NAME":
        return _name(people or fake, rng)
    if kind == "PHONE":
        return rng.choice(PHONE_TEMPLATES), fake.phone_number()
    if kind == "EMAIL":
        return rng.choice(EMAIL_TEMPLATES), _email(fake, rng)
    if kind == "CARD":
        return rng.choice(CARD_TEMPLATES), _card(fake, rng)
    if kind == "IBAN":
        return rng.choice(IBAN_TEMPLATES), _iban(fake, rng)
    if kind == "SSN":
        return rng.choice(SSN_TEMPLATES), us.ssn()
    if kind == "ACCOUNT":
        return rng.choice(ACCOUNT_TEMPLATES), rng.choice((fake.bban(), us.bban(), us.ean8()))
    if kind == "URL":
        return rng.choice(URL_TEMPLATES), fake.url() + rng.choice(("", fake.uri_path()))
    if kind == "IP":
        return rng.choice(IP_TEMPLATES), rng.choice((fake.ipv4_public(), fake.ipv6()))
    if kind == "POSTCODE":
        return rng.choice(POSTCODE_TEMPLATES), us.postcode()
    raise ValueError(kind)


#: How often each type is planted (names most: they are the hard part).
WEIGHTS = {
    "NAME": 6, "PHONE": 3, "EMAIL": 2, "CARD": 2, "IBAN": 2, "SSN": 1, "ACCOUNT": 2,
    "URL": 1, "IP": 1, "POSTCODE": 1,
}  # fmt: skip


def _decoy(fake: Any, rng: random.Random) -> str:
    return rng.choice(DECOY_TEMPLATES).format(
        city=fake.city(), city2=fake.city(), company=fake.company(), country=fake.country(),
        price=f"£{rng.randrange(5, 300)}.{rng.randrange(100):02d}", date=fake.date(),
        n=rng.randrange(2, 40), brand=rng.choice(BRANDS), adverb=rng.choice(ADVERBS),
        noun=rng.choice(NOUNS), month=fake.month_name(),
    )  # fmt: skip


def generate(n: int = 1500, seed: int = 13, people: Any = None) -> list[dict[str, Any]]:
    """``n`` labelled comments: a lead, a decoy now and then, one or two planted values.

    ``people``: where names come from (an object with ``first_name()``,
    ``last_name()`` and ``name()``, as :class:`pii_names.CountryNames`);
    Faker's locales when None.
    """
    rng = random.Random(seed)
    fakers = _fakers(seed)
    us = fakers[0]
    kinds = [k for k, w in WEIGHTS.items() for _ in range(w)]
    rows = []
    for i in range(n):
        fake = rng.choice(fakers)
        text, spans = rng.choice(LEADS), []
        if rng.random() < 0.5:
            text = (text + " " + _decoy(fake, rng)).strip()
        if i % 6:  # five comments in six hold personal data, one or two values
            for _ in range(1 + (rng.random() < 0.2)):
                kind = rng.choice(kinds)
                template, value = _value(kind, fake, us, rng, people)
                before, after = template.split("{v}")
                text = (text + " " + before).lstrip() if text else before
                spans.append([len(text), len(text) + len(value), kind])
                text += value + after
        if rng.random() < 0.3:
            text += " " + _decoy(fake, rng)
        rows.append({"text": text, "spans": spans})
    return rows
