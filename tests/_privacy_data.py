"""Labelled PII test data, generated: texts with the exact spans of every value planted in them.

Values are valid by construction (Luhn for cards, ISO 7064 for IBANs, numbering plans checked by
libphonenumber, SSA rules for SSNs) and the negatives are their look-alikes: cards and IBANs
with a wrong checksum, dates, versions, prices, order numbers, tutorial placeholders for keys.
"""
from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass, field

import phonenumbers


@dataclass
class Labelled:
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (entity, start, end)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def card(rng: random.Random, valid: bool = True) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("6011", 16), ("34", 15), ("37", 15)))
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    check = _luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = body + check
    if length == 15:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i:i + 4] for i in range(0, 16, 4)]
    return rng.choice((" ", "-", "")).join(groups)


def _iban_check(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def iban(rng: random.Random, valid: bool = True) -> str:
    country, bban = rng.choice((
        ("DE", "".join(rng.choice(string.digits) for _ in range(18))),
        ("GB", "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(rng.choice(string.digits) for _ in range(14))),
        ("FR", "".join(rng.choice(string.digits) for _ in range(23))),
        ("NL", "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(rng.choice(string.digits) for _ in range(10))),
        ("ES", "".join(rng.choice(string.digits) for _ in range(20))),
    ))
    check = _iban_check(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 50)) % 97 + 2:02d}" if check != "00" else "42"
        if check == _iban_check(country, bban):
            check = f"{(int(check) + 1) % 97 + 2:02d}"
    compact = country + check + bban
    return compact if rng.random() < 0.4 else " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))




def phone(rng: random.Random) -> str:
    """A valid number of one of five countries in a format people write it in."""
    while True:
        country = rng.choice(("US", "GB", "DE", "FR", "IN"))
        if country == "US":
            a = rng.choice(("212", "312", "415", "617", "206", "303", "512"))
            b = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
            if b[1:] == "11" or b == "555":
                continue
            c = f"{rng.randint(0, 9999):04d}"
            text = rng.choice((f"+1 ({a}) {b}-{c}", f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}"))
        elif country == "GB":
            kind = rng.choice(("london", "mobile", "manchester"))
            if kind == "london":
                n = f"7{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                text = rng.choice((f"+44 20 {n}", f"020 {n}"))
            elif kind == "mobile":
                n = f"7{rng.randint(400, 999)} {rng.randint(100000, 999999)}"
                text = rng.choice((f"+44 {n}", f"0{n}"))
            else:
                n = f"{rng.randint(200, 999)} {rng.randint(1000, 9999)}"
                text = rng.choice((f"+44 161 {n}", f"0161 {n}"))
        elif country == "DE":
            kind = rng.choice(("berlin", "mobile", "munich"))
            if kind == "berlin":
                n = str(rng.randint(2000000, 99999999))
                text = rng.choice((f"+49 30 {n}", f"030 {n}"))
            elif kind == "mobile":
                n = str(rng.randint(10000000, 99999999))
                text = rng.choice((f"+49 151 {n}", f"0151 {n}"))
            else:
                n = str(rng.randint(1000000, 9999999))
                text = rng.choice((f"+49 89 {n}", f"089 {n}"))
        elif country == "FR":
            first = rng.choice("123456789")
            pairs = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
            text = rng.choice((f"+33 {first} {pairs}", f"0{first} {pairs}"))
        else:
            n = f"{rng.choice('6789')}{rng.randint(1000, 9999)} {rng.randint(10000, 99999)}"
            text = rng.choice((f"+91 {n}", f"+91-{n.replace(' ', '')}"))
        parsed = phonenumbers.parse(text, country)
        if phonenumbers.is_valid_number(parsed):
            return text


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def email(rng: random.Random) -> str:
    first = rng.choice(("maria", "li", "ahmed", "olga", "kwame", "sofia", "thomas", "anna", "ravi", "chen"))
    last = rng.choice(("garcia", "wang", "hassan", "petrova", "mensah", "rossi", "mueller", "kowalski"))
    local = rng.choice((f"{first}.{last}", f"{first}_{last}{rng.randint(1, 99)}", f"{first[0]}{last}", f"{first}+news"))
    domain = rng.choice(("gmail.com", "yahoo.co.uk", "outlook.de", "acme-corp.io", "mail.uni-heidelberg.de", "free.fr",
                         "proton.me", "company.com.au"))
    return f"{local}@{domain}"


def ipv4(rng: random.Random) -> str:
    while True:
        first = rng.randint(1, 223)
        if first not in (10, 127, 100, 169, 172, 192, 198, 203):
            return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    return "2a00:" + ":".join(f"{rng.randint(0, 0xffff):x}" for _ in range(7))


def _token(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def secret(rng: random.Random, kind: str) -> str:
    if kind == "OPENAI_API_KEY":
        return "sk-proj-" + _token(rng, 48, string.ascii_letters + string.digits + "_-")
    if kind == "AWS_ACCESS_KEY_ID":
        return "AKIA" + _token(rng, 16, string.ascii_uppercase + string.digits)
    if kind == "GITHUB_TOKEN":
        return rng.choice(("ghp_", "gho_")) + _token(rng, 36)
    if kind == "SLACK_TOKEN":
        return f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**10, 10**11)}-{_token(rng, 24)}"
    if kind == "JWT":
        def part(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
        return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': str(rng.randint(1, 10**6)), 'name': 'x'})}.{_token(rng, 43, string.ascii_letters + string.digits + '_-')}"
    if kind == "PRIVATE_KEY":
        body = "\n".join(_token(rng, 64, string.ascii_letters + string.digits + "+/") for _ in range(4))
        return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    if kind == "GENERIC_SECRET":
        return _token(rng, 32)
    raise ValueError(kind)


SECRET_KINDS = ("OPENAI_API_KEY", "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN", "SLACK_TOKEN", "JWT", "PRIVATE_KEY", "GENERIC_SECRET")

TEMPLATES = (
    "Please contact {v} before Friday.",
    "My {label} is {v}, can you update the account?",
    "{v}",
    "Thanks! You can reach the team at {v} or via the portal.",
    "Customer record: {label} {v}; status active since 2019.",
)
LABELS = {
    "EMAIL_ADDRESS": "e-mail", "PHONE_NUMBER": "number", "CREDIT_CARD": "card", "IBAN_CODE": "IBAN",
    "US_SSN": "SSN", "IP_ADDRESS": "server address",
}

NEGATIVES = (
    "The meeting moved to 2024-03-15 at 10:30, room 4.12.",
    "Python 3.11.7 fixed it; pip 23.3.1 too. Order #58213 shipped for $1,299.99.",
    "Version 1.2.3 was released on 15/03/2024 with 45% fewer bugs.",
    "Pi is 3.14159265358979 and e is 2.718281828.",
    "Set `timeout = 30` and `retries = 5` in config.yaml.",
    "The population grew from 1,234,567 to 2,345,678 between 1990 and 2020.",
    "Use openai.api_key = os.environ['OPENAI_API_KEY'] and never hard-code sk-... keys.",
    "Example key from the AWS docs: AKIAIOSFODNN7EXAMPLE.",
    "export GITHUB_TOKEN=<your-token-here>",
    "password: ********",
    "api_key = \"YOUR_API_KEY\"",
    "token = get_token()",
    "Contact support@example.com or call (555) 555-0123.",
    "Run ping 192.168.1.1 and 127.0.0.1 to test the LAN.",
    "The ISBN is 978-3-16-148410-0.",
    "Chapter 12, verses 3-7, page 1024.",
    # Look-alikes found in public instruction datasets: math answers, timestamps, ranges, tutorials.
    "Adding them: 95808 + 3036165596 = 3045734404",
    "So the sum is 1007411131329104.",
    "83265 / 305 = 275.43397884615385",
    "Could you calculate 821091117+4908374100427 for me?",
    '{"feature": "fuel", "changed_on": 1679433381}',
    "Card numbers in the range 4000-4999 are Visa.",
    '{"username": "JohnDoe", "password": "password123"}',
    "Send it to alice@email.com and boss@company.com.",
    "Call 123-456-7890 (the form's placeholder) or (555) 555-5555.",
)


def generate(seed: int = 1, per_entity: int = 60) -> list[Labelled]:
    rng = random.Random(seed)
    out: list[Labelled] = []

    def plant(entity: str, value: str) -> None:
        template = rng.choice(TEMPLATES)
        before, _, after = template.partition("{v}")
        before = before.replace("{label}", LABELS.get(entity, "key"))
        after = after.replace("{label}", LABELS.get(entity, "key"))
        out.append(Labelled(before + value + after, [(entity, len(before), len(before) + len(value))]))

    for _ in range(per_entity):
        plant("EMAIL_ADDRESS", email(rng))
        plant("PHONE_NUMBER", phone(rng))
        plant("CREDIT_CARD", card(rng))
        plant("IBAN_CODE", iban(rng))
        plant("US_SSN", ssn(rng))
        plant("IP_ADDRESS", ipv4(rng) if rng.random() < 0.7 else ipv6(rng))
    for kind in SECRET_KINDS:
        for _ in range(per_entity // 3):
            value = secret(rng, kind)
            if kind == "GENERIC_SECRET":
                name = rng.choice(("api_key", "client_secret", "DB_PASSWORD", "auth_token"))
                prefix = f"Set {name} = \""
                out.append(Labelled(prefix + value + "\" in the env file.", [(kind, len(prefix), len(prefix) + len(value))]))
            else:
                prefix = rng.choice(("Here is my key: ", "config:\n", "Authorization: Bearer ", "use "))
                out.append(Labelled(prefix + value + " and retry.", [(kind, len(prefix), len(prefix) + len(value))]))
    for _ in range(per_entity // 2):  # look-alikes that must stay silent
        out.append(Labelled(f"Card {card(rng, valid=False)} was declined as invalid."))
        out.append(Labelled(f"Transfer to {iban(rng, valid=False)} failed the checksum."))
    out += [Labelled(text) for text in NEGATIVES]
    # Two values in one text, so spans are checked beyond the first one.
    for _ in range(per_entity // 3):
        a, b = email(rng), phone(rng)
        text = f"Write to {a} or call {b} today."
        out.append(Labelled(text, [("EMAIL_ADDRESS", 9, 9 + len(a)), ("PHONE_NUMBER", text.index(b), text.index(b) + len(b))]))
    rng.shuffle(out)
    return out


def score(data: list[Labelled], detect) -> dict[str, dict[str, float]]:
    """Per-entity precision and recall; a detection counts when entity and span match exactly."""
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for item in data:
        expected = set(item.spans)
        found = {(d.entity, d.start, d.end) for d in detect(item.text)}
        for entity, *_ in found & expected:
            tp[entity] = tp.get(entity, 0) + 1
        for entity, *_ in found - expected:
            fp[entity] = fp.get(entity, 0) + 1
        for entity, *_ in expected - found:
            fn[entity] = fn.get(entity, 0) + 1
    result = {}
    for entity in set(tp) | set(fp) | set(fn):
        t, p, n = tp.get(entity, 0), fp.get(entity, 0), fn.get(entity, 0)
        result[entity] = {"precision": t / (t + p) if t + p else 0.0, "recall": t / (t + n) if t + n else 1.0,
                          "tp": t, "fp": p, "fn": n}
    return result
