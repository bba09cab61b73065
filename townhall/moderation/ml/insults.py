"""Hand-written signals for person-directed insults.

Why: models trained on tweets and Wikipedia talk learn profanity well, but
news-comment hostility is often swear-free and aimed at a person ("you are
an idiot", "your crap", "poor thing is desperate", "for the cerebral
challenged"). These patterns run on text already passed through
``features.clean`` (lowercase, folded, leet removed).
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np

# Words that are insults when aimed at someone. Deliberately excludes words
# with common neutral uses ("sick", "animal", "thing", "crazy") — those only
# count inside the directed patterns below.
# A word list reads better as text than as a column of quoted strings.
INSULT_WORDS = tuple(
    re.findall(
        r"[a-z]+",
        """
    idiot idiots idiotic moron moronic imbecile cretin fool foolish stupid stupidity dumb dumbass dimwit
    nitwit halfwit retard retarded pathetic loser clown jerk ignorant ignoramus liar troll scum scumbag
    vermin coward hypocrite lunatic nutjob nutcase psycho brainless clueless worthless creep bigot
    weirdo freak parasite sheeple shill dolt buffoon numbskull dunce simpleton twit prat wanker tosser
    muppet pillock charlatan degenerate lowlife pervert incompetent delusional deluded senile demented
    ugly arrogant pompous smug childish laughable ignorance idiocy crybaby snowflake libtard trumptard
    blowhard windbag jackass bozo doofus dipshit dickhead douche douchebag asshole arsehole bastard
    bitch cunt prick twat
    """,
    )
)

_INSULT_ALT = "|".join(sorted(set(INSULT_WORDS), key=len, reverse=True))
# Extra targets that are only insulting when aimed at a person.
_DIRECTED_EXTRA = (
    "crazy|insane|sick|mental|desperate|animal|pig|rat|snake|sheep|trash|garbage|joke|baby|child|creature"
)
_ADJ = r"(?:[a-z]+ ){0,2}"

_DIRECTED = [
    # "you idiot", "you are a pathetic idiot", "you're so stupid", "u r a moron"
    re.compile(
        rf"\b(?:you|u|ya)(?:'re| are| r|re| were| must be| sound like| look like)?"
        rf" (?:(?:such|so|a|an|the|just|really|truly|clearly|obviously|nothing but|one|complete|total|"
        rf"utter|little|bloody|fucking|freaking) )*{_ADJ}(?:{_INSULT_ALT}|{_DIRECTED_EXTRA})s?\b"
    ),
    # "your crap", "your stupid lies", "your tiny brain"
    re.compile(
        r"\b(?:your|ur|yer|you're|youre) (?:[a-z]+ ){0,2}?(?:crap|bs|bullshit|garbage|trash|nonsense|drivel|"
        r"rubbish|lies|stupidity|ignorance|idiocy|propaganda|tiny brain|little brain|brain|ass|mouth|"
        r"hate|bigotry|racism|dumbness|lies)\b"
    ),
    # "people like you", "idiots like you", "you people", "your kind"
    re.compile(rf"\b(?:people|{_INSULT_ALT}) like (?:you|u|yourself)\b|\byou people\b|\byour kind\b"),
    # "poor thing is desperate", "silly little man"
    re.compile(
        r"\b(?:poor|silly|stupid|pathetic|dumb|sad|sorry) (?:little |old )?(?:thing|creature|fool|boy|girl|"
        r"child|soul|man|woman|excuse)\b"
    ),
    # "for the cerebral challenged", "mentally challenged"
    re.compile(
        r"\b(?:cerebral(?:ly)?|mentally|intellectually|brain|logic|reading|ethically|morally) challenged\b"
    ),
    # "... is desperate is you", "anyone that is <insult> is you"
    re.compile(rf"\b(?:{_INSULT_ALT}|{_DIRECTED_EXTRA}) is you\b"),
    # "you lie", "you're lying", "you are trolling"
    re.compile(r"\b(?:you|u)(?:'re| are)? (?:lie|lying|liar|trolling|delusional|clueless|brainwashed)\b"),
]

# Condescending vocatives: "Sweetheart, I've already seen ...", "... too much
# Cracked mag old man." Weaker evidence than an insult, so weighed separately.
_CONDESCENDING = [
    re.compile(r"(?:^|[.!?] )(?:sweetheart|sweetie|sonny|kiddo|little man|old man),"),
    re.compile(
        r"(?<!\bmy )(?<!\bthe )(?<!\ban )(?<!\ba )(?<!\bhis )(?<!\bher )(?<!\bour )(?<!\byour )"
        r"\b(?:sweetheart|sweetie|sonny|kiddo|little man|old man|old timer)[.!?]*$"
    ),
]

_DISMISSIVE = re.compile(
    r"\b(?:shut up|stfu|get lost|go away|get a life|grow up|go to hell|drop dead|kill yourself|kys|"
    r"screw you|fuck you|fuck off|piss off|bite me|get a brain|learn to read|nobody cares|who cares|"
    r"go back to|get out of)\b"
)

_THREAT = re.compile(
    r"\b(?:i will|i'll|ill|gonna|going to|i'm going to|im going to|hope you|someone should|"
    r"somebody should|they should) (?:[a-z]+ ){0,2}?"
    r"(?:kill|shoot|hang|beat|stab|murder|hurt|punch|rape|burn) "
    r"(?:you|u|him|her|them|your)\b"
    r"|\b(?:you|u) (?:should|deserve to|ought to|will) (?:be )?"
    r"(?:die|dead|killed|shot|hanged|hung|raped|beaten)\b"
)

# Profanity, matched on already-folded text (so "sh1t"/"ſhit" count). A regex
# rather than normalize.WordList because this runs on every comment and the
# text is already folded; WordList is for site-configured banned words.
_PROFANITY = re.compile(
    r"\b(?:(?:mother)?fuck[a-z]*|shits?|shitty|bullshit|crap|crappy|piss|pissed|damn|dammit|ass|asses|"
    r"asshole|arse|arsehole|bastard|bitch[a-z]*|cunt|dick|dickhead|prick|twat|wanker|cock|cocksucker|slut|"
    r"whore|hoe|fag|faggot|nigger|nigga|retard|douche|douchebag|jackass|dipshit|bollocks|sucks?)\b"
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|you're|youre|u|ur|ya)\b")
_INSULT_WORD = re.compile(rf"\b(?:{_INSULT_ALT})\b")

DENSE_NAMES = ("directed", "insult_words", "profanity", "second_person", "dismissive", "threat")


def directed_count(cleaned: str) -> int:
    return sum(len(p.findall(cleaned)) for p in _DIRECTED)


@functools.lru_cache(maxsize=256)
def _counts(cleaned: str) -> tuple[int, int, int, int, int, int, int]:
    # Cached because the model asks for dense features and the rule score of
    # the same text one after the other.
    return (
        directed_count(cleaned),
        len(_INSULT_WORD.findall(cleaned)),
        len(_PROFANITY.findall(cleaned)),
        1 if _SECOND_PERSON.search(cleaned) else 0,
        len(_DISMISSIVE.findall(cleaned)),
        len(_THREAT.findall(cleaned)),
        sum(len(p.findall(cleaned)) for p in _CONDESCENDING),
    )


def dense_features(cleaned: str) -> np.ndarray:
    """Small, clipped counts so a linear model can weigh them next to n-grams."""
    c = _counts(cleaned)
    return np.array([min(c[0] + c[6], 3), min(c[1], 3), min(c[2], 3), c[3], min(c[4], 2), min(c[5], 2)],
                    dtype=np.float32)


def rule_score(cleaned: str) -> float:
    """Probability-like score from the hand rules alone (0 when nothing fires).

    Combined with the learned score by noisy-OR in the toxicity model, so a
    swear-free personal attack is not drowned out by an innocent vocabulary.
    """
    directed, _, _, _, dismissive, threat, condescending = _counts(cleaned)
    evidence = (1.2 * min(directed, 3) + 1.5 * min(threat, 2) + 0.5 * min(dismissive, 2)
                + 0.6 * min(condescending, 2))
    return float(1.0 - math.exp(-evidence))


def explain(cleaned: str) -> list[str]:
    """The phrases the hand rules matched, for a moderator-facing reason."""
    found = []
    for kind, patterns in (
        ("insult", _DIRECTED),
        ("threat", [_THREAT]),
        ("condescending", _CONDESCENDING),
        ("dismissive", [_DISMISSIVE]),
        ("profanity", [_PROFANITY]),
    ):
        for p in patterns:
            found += [f"{kind}: {m.group(0).strip()}" for m in p.finditer(cleaned)]
    return list(dict.fromkeys(found))
