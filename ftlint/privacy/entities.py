"""Which entity types exist, which rule family reports each, and which are on by default.

Pure data, no presidio import: the rules validate their options against this catalogue before
anything heavy is loaded. Defaults are the entities a pattern plus a checksum or a strict shape
finds reliably without any language model; the others (weak 9-digit patterns, licence numbers
that match half of all product codes) are opt-in through a rule's `entities` option.
"""
from __future__ import annotations

# Presidio entity -> name of its predefined recognizer class (all pattern/checksum based).
PRESIDIO_RECOGNIZERS: dict[str, str] = {
    "EMAIL_ADDRESS": "EmailRecognizer",
    "PHONE_NUMBER": "PhoneRecognizer",
    "CREDIT_CARD": "CreditCardRecognizer",
    "IBAN_CODE": "IbanRecognizer",
    "US_SSN": "UsSsnRecognizer",
    "US_ITIN": "UsItinRecognizer",
    "US_PASSPORT": "UsPassportRecognizer",
    "US_BANK_NUMBER": "UsBankRecognizer",
    "US_DRIVER_LICENSE": "UsLicenseRecognizer",
    "ABA_ROUTING_NUMBER": "AbaRoutingRecognizer",
    "MEDICAL_LICENSE": "MedicalLicenseRecognizer",
    "UK_NHS": "NhsRecognizer",
    "UK_NINO": "UkNinoRecognizer",
    "IN_AADHAAR": "InAadhaarRecognizer",
    "IN_PAN": "InPanRecognizer",
    "AU_TFN": "AuTfnRecognizer",
    "AU_ABN": "AuAbnRecognizer",
    "AU_MEDICARE": "AuMedicareRecognizer",
    "SG_NRIC_FIN": "SgFinRecognizer",
    "CRYPTO": "CryptoRecognizer",
    "IP_ADDRESS": "IpRecognizer",
    "MAC_ADDRESS": "MacAddressRecognizer",
    "URL": "UrlRecognizer",
}

# Our own presidio recognizers (ftlint.privacy.secrets).
SECRET_ENTITIES = (
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN",
    "GITLAB_TOKEN", "SLACK_TOKEN", "SLACK_WEBHOOK", "STRIPE_KEY", "GOOGLE_API_KEY", "HUGGINGFACE_TOKEN",
    "PRIVATE_KEY", "JWT", "GENERIC_SECRET",
)

# spaCy NER labels as presidio maps them.
NER_ENTITIES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP"})


class Family:
    """A rule's share of the catalogue: what it may report and what it reports by default."""

    def __init__(self, code: str, title: str, available: tuple[str, ...], default: tuple[str, ...]) -> None:
        self.code = code
        self.title = title
        self.available = available
        self.default = default


FAMILIES: dict[str, Family] = {
    "P101": Family("P101", "contact details", ("EMAIL_ADDRESS", "PHONE_NUMBER"), ("EMAIL_ADDRESS", "PHONE_NUMBER")),
    "P102": Family("P102", "financial and government ID numbers",
                   ("CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_ITIN", "US_PASSPORT", "US_BANK_NUMBER",
                    "US_DRIVER_LICENSE", "ABA_ROUTING_NUMBER", "MEDICAL_LICENSE", "UK_NHS", "UK_NINO",
                    "IN_AADHAAR", "IN_PAN", "AU_TFN", "AU_ABN", "AU_MEDICARE", "SG_NRIC_FIN", "CRYPTO"),
                   ("CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_ITIN", "CRYPTO")),
    "P103": Family("P103", "network identifiers", ("IP_ADDRESS", "MAC_ADDRESS", "URL"), ("IP_ADDRESS", "MAC_ADDRESS")),
    "P104": Family("P104", "named entities", ("PERSON", "LOCATION", "ORGANIZATION", "NRP"), ("PERSON", "LOCATION", "ORGANIZATION")),
    "P201": Family("P201", "secrets and credentials", SECRET_ENTITIES, SECRET_ENTITIES),
}

ALL_ENTITIES = tuple(dict.fromkeys(e for family in FAMILIES.values() for e in family.available))
# What the dataset-level rate rule counts unless told otherwise: every default pattern entity.
RATE_DEFAULT = tuple(e for code in ("P101", "P102", "P103", "P201") for e in FAMILIES[code].default)


def family_of(entity: str) -> str:
    for code, family in FAMILIES.items():
        if entity in family.available:
            return code
    raise KeyError(entity)
