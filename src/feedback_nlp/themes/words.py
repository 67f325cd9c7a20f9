"""Word lists shared by theme labelling and the parsing of candidate terms."""

from __future__ import annotations

__all__ = ["GENERIC_WORDS", "SENTIMENT_WORDS", "NEGATIONS", "PARTICLES", "NOT_STOP_WORDS"]

#: Words frequent in every survey whatever the theme: never a label on their own.
GENERIC_WORDS = frozenset(
    """
    month months week weeks day days year years time times place go going get got getting
    sure thing things lot lots way really just also well would will could need want make
    made come came say said tell told know think thought try tried take took use used
    give gave keep still even ever back one two three first last bit little much many have
    work job dozen night evening morning today yesterday
    people person everything something anything nothing everyone someone anyone overall
    guy guys lady man woman chap bloke original new old same other
    experience recommend recommended recommendation friend friends family star stars
    score rating reason reasons point whole kind sort stuff yes no ok okay fine etc
    company provider brand
    """.split()
)

#: Evaluative words: allowed only as modifiers inside a phrase.
SENTIMENT_WORDS = frozenset(
    """
    good great poor bad excellent terrible awful amazing nice best worst better worse
    happy unhappy satisfied dissatisfied pleased disappointed disappointing fantastic
    brilliant lovely horrible perfect decent average fine ok okay helpful unhelpful
    friendly rude easy hard difficult quick slow fast long short high low cheap expensive
    superb wonderful outstanding pathetic shocking appalling impressive delicious
    love like hate enjoy disappoint wrong right
    """.split()
)
#: Negations: kept inside phrases ("engineer did not turn up").
NEGATIONS = {"not", "no", "never", "n't", "nothing"}
#: Verb particles kept with their verb ("turn up").
PARTICLES = {"up", "out", "off", "in", "on", "down", "back", "over"}
#: spaCy's English stop list (from the Glasgow IR list) holds words that name
#: what feedback is about ("call dropped", "top-up failed", "wrong amount",
#: "name misspelt"): these are content words here.
NOT_STOP_WORDS = frozenset(
    "amount bottom call empty front full move name part serious show side top".split()
)
