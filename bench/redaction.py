"""Redaction quality and speed: precision and recall per type on a labelled set.

    python bench/redaction.py              # Markdown table (paste into BENCHMARKS.md)
    python bench/redaction.py --speed      # also comments/s without and with names
    python bench/redaction.py --cpu        # CPU seconds at 100,000 rows, one process
    python bench/redaction.py --regenerate # rewrite tests/data/pii_labelled.jsonl

Two labelled sets. Ours (``tests/data/pii_labelled.jsonl``), synthetic and
fictional: names from a fixed list, phone numbers from the ranges reserved for
drama (07700 900xxx, 020 7946 0xxx, 555-01xx), example.com/.org/.net addresses,
documentation IP ranges
(192.0.2.0/24, 2001:db8::/32), test card numbers and IBANs from the
ISO 13616 examples. Each line is ``{"text": ..., "spans": [[start, end, type], ...]}``
and mixes in look-alikes that must be kept (prices, dates, speeds, durations).
And one from an outside source, written by none of us: values of the ``Faker``
package's 31 locales planted in comment templates (``bench/pii_faker.py``),
generated at run time (seed 2027 for the table; 13 was used while writing the
rules), with per-type recall (values kept out) and precision; then the same
with names from ``names-dataset`` (``bench/pii_names.py``), since the name
filter's gazetteer is Faker's own name lists.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "pii_labelled.jsonl"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from feedback_nlp.redact import PII_TYPES, find_pii  # noqa: E402

FIRST = [
    "Sarah",
    "Tom",
    "Priya",
    "Mohammed",
    "Chloe",
    "Oliver",
    "Aisha",
    "Liam",
    "Grace",
    "Daniel",
    "Fatima",
    "Jack",
    "Amelia",
    "Kwame",
    "Sofia",
    "Ethan",
    "Hannah",
    "Ravi",
]
LAST = [
    "Jones",
    "Patel",
    "Okafor",
    "Williams",
    "Nowak",
    "Brown",
    "Khan",
    "Taylor",
    "Evans",
    "Murphy",
    "Schmidt",
    "Garcia",
    "Clarke",
    "Adeyemi",
]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk"]
CARDS = [
    "4111 1111 1111 1111",
    "5555-5555-5555-4444",
    "4012888888881881",
    "378282246310005",
    "6011 1111 1111 1117",
    "3782 822463 10005",
]
IBANS = [
    "GB82 WEST 1234 5698 7654 32",
    "GB29NWBK60161331926819",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300",
]
POSTCODES_UK = ["SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT"]

# Things that must stay: prices, dates, speeds, durations, counts, versions, scores.
KEEP = [
    "£24.50 a month",
    "$39.99",
    "50 mbps",
    "only 3 weeks",
    "on 2026-01-03",
    "since 03/01/2026",
    "10:30 this morning",
    "about 1,000 customers",
    "9/10",
    "version 2.0.1",
    "72 hours",
    "2 Mbps at best",
    "£120 early exit fee",
    "in 2025",
    "speeds of 300Mbps",
    "15 minutes",
    "for 6 months",
    "over 40 calls",
    "room 101",
    "the 3rd engineer",
    "1.5 GB",
    "99.9% uptime",
    "Windows 11",
    "iPhone 15",
    "20 per cent off",
    "the 5G router",
    "at 5pm",
]

LEADS = [
    "Honestly the service is fine",
    "Still waiting for a fix",
    "Router keeps dropping",
    "Billing was wrong again",
    "Great support overall",
    "Slow speeds in the evening",
    "The engineer never turned up",
    "Happy with the price",
]


def _phone(rng: random.Random) -> str:
    n = rng.randrange(1000)
    k = rng.randrange(100)
    return rng.choice(
        [
            f"07700 900{n:03d}",
            f"+44 7700 900{n:03d}",
            f"07700900{n:03d}",
            f"+447700 900{n:03d}",
            f"(555) 01{k:02d}-{rng.randrange(10000):04d}"[:14],
            f"+1-202-555-01{k:02d}",
            f"202-555-01{k:02d}",
            f"020 7946 0{n:03d}",
            f"(020) 7946 0{n:03d}",
            f"0161 496 0{n:03d}",
            f"+1 (202) 555-01{k:02d}",
            f"+33 1 99 00 {k:02d} {k:02d}",
        ]
    )


def _piece(kind: str, rng: random.Random) -> tuple[str, str, str]:
    """(text before, the personal datum, text after) of one mention."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if kind == "EMAIL":
        user = rng.choice(
            [
                first.lower(),
                f"{first.lower()}.{last.lower()}",
                f"{first[0].lower()}{last.lower()}{rng.randrange(100)}",
            ]
        )
        return (
            rng.choice(["Email me at ", "contact: ", "reply to ", "my email is "]),
            f"{user}@{rng.choice(DOMAINS)}",
            "",
        )
    if kind == "PHONE":
        return (
            rng.choice(["Call me on ", "ring ", "my number is ", "please phone ", "tel: "]),
            _phone(rng),
            rng.choice(["", " after 6pm", " anytime"]),
        )
    if kind == "CARD":
        lead = rng.choice(["I paid with card ", "card number ", "charged to "])
        return lead, rng.choice(CARDS), ""
    if kind == "IBAN":
        return rng.choice(["refund to IBAN ", "my IBAN is ", "bank: "]), rng.choice(IBANS), ""
    if kind == "ACCOUNT":
        return (
            rng.choice(["account no ", "my account number is ", "customer number ", "account "]),
            str(rng.randrange(10_000_000, 99_999_999)),
            "",
        )
    if kind == "URL":
        return (
            rng.choice(["see ", "I read ", "the page "]),
            rng.choice(
                [
                    "https://www.example.com/help/outage?id=42",
                    "http://example.org/status",
                    "www.example.net/faq",
                    "example.com/complaints",
                ]
            ),
            "",
        )
    if kind == "IP":
        return (
            rng.choice(["my router IP is ", "from address ", "IP "]),
            rng.choice(
                [
                    f"192.0.2.{rng.randrange(1, 255)}",
                    f"198.51.100.{rng.randrange(1, 255)}",
                    "2001:db8::1",
                    "2001:db8:85a3::8a2e:370:7334",
                ]
            ),
            "",
        )
    if kind == "POSTCODE":
        if rng.random() < 0.7:
            return (
                rng.choice(["I live in ", "postcode ", "at my flat, "]),
                rng.choice(POSTCODES_UK),
                "",
            )
        return (
            rng.choice(["Beverly Hills, CA ", "Springfield, IL ", "zip code ", "zip "]),
            rng.choice(["90210", "62704", "10001-1234"]),
            "",
        )
    if kind == "NAME":
        name = rng.choice([first, f"{first} {last}"])
        before, after = rng.choice(
            [
                ("Spoke to ", " who was lovely"),
                ("Thanks to ", " in support"),
                ("My name is ", ""),
                ("Your engineer ", " fixed it fast"),
                ("I asked for ", " but was told no"),
                ("Mr ", " from billing was rude"),
                ("", " on the phone was lovely"),  # opening a sentence
                ("", " sorted it in minutes"),
            ]
        )
        return before, name, after
    raise ValueError(kind)


def generate(n: int = 900, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    kinds = list(PII_TYPES)
    rows = []
    for i in range(n):
        text, spans = rng.choice(LEADS), []
        if rng.random() < 0.6:
            text += ", " + rng.choice(KEEP)
        text += ". "
        if i % 5:  # four lines in five hold personal data, one or two pieces
            for kind in rng.sample(kinds, 1 + (rng.random() < 0.25)):
                before, datum, after = _piece(kind, rng)
                text += before
                spans.append([len(text), len(text) + len(datum), kind])
                text += datum + after + ". "
        if rng.random() < 0.5:
            text += rng.choice(KEEP).capitalize() + "."
        rows.append({"text": text.strip(), "spans": spans})
    return rows


def evaluate(rows: list[dict], *, names: bool = True) -> dict[str, dict[str, float]]:
    """Per type: true positives, false positives, false negatives, precision, recall.

    A found span counts as correct when it overlaps a labelled span of the same type.
    """
    found = find_pii([r["text"] for r in rows], names=names)
    stats = {k: {"tp": 0, "fp": 0, "fn": 0} for k in PII_TYPES}
    for row, spans in zip(rows, found):
        gold = [tuple(s) for s in row["spans"]]
        for s, e, k in gold:
            hit = any(f.kind == k and f.start < e and s < f.end for f in spans)
            stats[k]["tp" if hit else "fn"] += 1
        for f in spans:
            if not any(f.kind == k and f.start < e and s < f.end for s, e, k in gold):
                stats[f.kind]["fp"] += 1
    for v in stats.values():
        v["precision"] = v["tp"] / (v["tp"] + v["fp"]) if v["tp"] + v["fp"] else 1.0
        v["recall"] = v["tp"] / (v["tp"] + v["fn"]) if v["tp"] + v["fn"] else 1.0
    return stats


def outside_scores(rows: list[dict], found: list[list]) -> dict[str, dict[str, float]]:
    """Per planted type: values kept out (every letter and digit inside a found span)
    and recall; per placeholder type: spans found, right (overlapping a planted
    value) and precision."""
    planted = sorted({s[2] for r in rows for s in r["spans"]})
    stats: dict[str, dict[str, float]] = {
        k: {"planted": 0, "kept_out": 0, "found": 0, "right": 0} for k in [*planted, *PII_TYPES]
    }
    for row, spans in zip(rows, found):
        text = row["text"]
        for s, e, k in row["spans"]:
            chars = [i for i in range(s, e) if text[i].isalnum()]
            covered = all(any(f.start <= i < f.end for f in spans) for i in chars)
            stats[k]["planted"] += 1
            stats[k]["kept_out"] += covered
        for f in spans:
            stats[f.kind]["found"] += 1
            stats[f.kind]["right"] += any(f.start < e and s < f.end for s, e, _ in row["spans"])
    for v in stats.values():
        v["recall"] = v["kept_out"] / v["planted"] if v["planted"] else float("nan")
        v["precision"] = v["right"] / v["found"] if v["found"] else float("nan")
    return stats


def outside_table(rows: list[dict], *, names: bool = True) -> str:
    """The Markdown table of :func:`outside_scores` on Faker's labelled set."""
    stats = outside_scores(rows, find_pii([r["text"] for r in rows], names=names))
    lines = [
        "| type | planted | kept out | recall | placeholders found | right | precision |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, v in stats.items():
        if not v["planted"] and not v["found"]:
            continue
        rec = f"{v['recall']:.3f}" if v["planted"] else "-"
        prec = f"{v['precision']:.3f}" if v["found"] else "-"
        lines.append(
            f"| {kind} | {v['planted']} | {v['kept_out']} | {rec} | {v['found']} | "
            f"{v['right']} | {prec} |"
        )
    total = sum(v["planted"] for v in stats.values())
    kept = sum(v["kept_out"] for v in stats.values())
    lines.append(f"| all | {total} | {kept} | {kept / total:.3f} | | | |")
    return "\n".join(lines)


def load(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def speed(n: int = 100_000) -> tuple[float, float]:
    """comments/s without and with the name recogniser, on demo comments."""
    from feedback_nlp.demo import generate_survey
    from feedback_nlp.redact import redact_texts

    texts = generate_survey(rows=n, seed=1)["comment"].tolist()
    redact_texts(texts[:2000])  # load spaCy outside the timing
    rates = []
    for names in (False, True):
        start = time.perf_counter()
        redact_texts(texts, names=names)
        rates.append(n / (time.perf_counter() - start))
    return rates[0], rates[1]


def cpu_seconds(n: int = 100_000) -> tuple[float, float]:
    """CPU seconds of this process redacting ``n`` demo comments in one process, without
    and with names: steadier than wall time on a machine shared with other jobs."""
    import resource

    from feedback_nlp.demo import generate_survey
    from feedback_nlp.redact import redact_texts

    texts = generate_survey(rows=n, seed=1)["comment"].tolist()
    redact_texts(texts[:500], workers=1)  # load spaCy outside the timing
    out = []
    for names in (False, True):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        redact_texts(texts, names=names, workers=1)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        out.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--speed-rows", type=int, default=100_000)
    parser.add_argument("--cpu", action="store_true", help="CPU seconds, one process")
    parser.add_argument("--outside-rows", type=int, default=3000)
    parser.add_argument(
        "--outside-seed", type=int, default=2027, help="13 was used while writing the patterns"
    )
    parser.add_argument("--no-outside", action="store_true", help="skip the Faker set")
    args = parser.parse_args()
    if args.regenerate:
        DATA.parent.mkdir(parents=True, exist_ok=True)
        DATA.write_text("".join(json.dumps(r) + "\n" for r in generate()), encoding="utf-8")
    rows = load()
    stats = evaluate(rows)
    print(
        f"Redaction on {len(rows)} labelled synthetic comments "
        f"({sum(len(r['spans']) for r in rows)} pieces of personal data):\n"
    )
    print("| type | labelled | found right | false alarms | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, v in stats.items():
        print(
            f"| {kind} | {v['tp'] + v['fn']} | {v['tp']} | {v['fp']} | "
            f"{v['precision']:.3f} | {v['recall']:.3f} |"
        )
    if not args.no_outside:
        from pii_faker import generate as generate_outside

        outside = generate_outside(args.outside_rows, seed=args.outside_seed)
        print(
            f"\nOn {len(outside)} comments with values planted from Faker's locales "
            f"(bench/pii_faker.py, seed {args.outside_seed}; not written by the pattern "
            "authors):\n"
        )
        print(outside_table(outside))
        print(
            "\nThe name filter's gazetteer is Faker's name lists, so the NAME row above is "
            "measured on names it knows. The same templates and seed with every name drawn "
            "instead from `names-dataset` (the 100 most common first and last names of 105 "
            "countries, from real profiles; bench/pii_names.py; the other draws shift a "
            "little):\n"
        )
        from pii_names import CountryNames

        try:
            people = CountryNames(args.outside_seed)
        except ImportError:  # the bench extra is missing
            print("(names-dataset not installed: `pip install -e .[bench]`)")
        else:
            print(outside_table(generate_outside(args.outside_rows, args.outside_seed, people)))
    if args.cpu:
        plain, with_names = cpu_seconds(args.speed_rows)
        print(
            f"\nCPU on {args.speed_rows:,} demo comments, one process: {plain:.1f} s without "
            f"names, {with_names:.1f} s with names."
        )
    if args.speed:
        plain, with_names = speed(args.speed_rows)
        print(
            f"\nSpeed on {args.speed_rows:,} demo comments, one core: "
            f"{plain:,.0f} comments/s without names, {with_names:,.0f} with names (spaCy NER)."
        )


if __name__ == "__main__":
    main()
