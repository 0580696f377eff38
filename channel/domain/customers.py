"""Customer identity: normalised names and unified social credit codes."""
from __future__ import annotations

import re
import unicodedata

from stdnum.cn import uscc

from channel.domain.errors import DomainError, N_

LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司")
_SPACE_AND_PUNCT = re.compile(r"[\s\u3000·.,，。()（）\-_/]+")


def normalize_name(name: str) -> str:
    """Full-width to half-width (NFKC), lower-case, no spaces or punctuation, legal-form suffix
    (有限公司 …) dropped: '深圳市 华盛贸易有限公司' and '深圳市华盛贸易' normalise alike."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _SPACE_AND_PUNCT.sub("", text)
    for suffix in LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


def normalize_phone(phone: str | None) -> str:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    return digits[-11:] if len(digits) > 11 and digits.startswith("86") else digits


def clean_credit_code(code: str | None, field: str = "credit_code") -> str | None:
    """None for empty; the upper-cased code if its check digit is right; DomainError otherwise."""
    text = unicodedata.normalize("NFKC", code or "").strip().upper()
    if not text:
        return None
    if not uscc.is_valid(text):
        raise DomainError(N_("统一社会信用代码 %(code)s 无效（18 位，最后一位是校验码）。"), field=field, code=text)
    return text
