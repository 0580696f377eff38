"""The password policy: pure rules, no Flask. `problems` lists every rule a password breaks."""
from __future__ import annotations

from channel.domain.errors import N_

# The most common passwords in leaked lists, Chinese sites' favourites included. A short list
# on purpose: it catches what an attacker tries first; length does the rest.
COMMON_PASSWORDS = frozenset("""
123456 1234567 12345678 123456789 1234567890 12345678910 0123456789 987654321 111111 11111111 000000 00000000
666666 66666666 888888 88888888 123123 123123123 123321 112233 121212 654321 147258369 159357 5201314 1314520
woaini woaini1314 woaini520 iloveyou iloveyou1 password password1 password123 passw0rd p@ssw0rd p@ssword
qwerty qwerty123 qwertyuiop 1qaz2wsx 1q2w3e4r 1q2w3e4r5t zaq12wsx qazwsxedc asdfghjkl asdf1234 abc123 abc123456
abcd1234 a123456 a12345678 aa123456 aa12345678 admin admin123 admin1234 administrator root123 letmein
welcome welcome1 welcome123 changeme changeme123 secret secret123 monkey dragon football baseball sunshine
princess master superman trustno1 shadow michael 1234qwer qwer1234 q1w2e3r4 q1w2e3r4t5 zxcvbnm zxcvbnm123
asd123456 wang123456 li123456 zhang123456 qudao qudao123 qudao-demo qudao123456 xiaoming woshishui
""".split())


def problems(password: str, username: str, min_length: int) -> list[tuple[str, dict]]:
    """(msgid, params) for every rule `password` breaks; empty when it is acceptable."""
    found: list[tuple[str, dict]] = []
    if len(password) < min_length:
        found.append((N_("密码至少需要 %(n)s 个字符。"), {"n": min_length}))
    lowered = password.lower()
    name = (username or "").strip().lower()
    if name and name in lowered:
        found.append((N_("密码不能包含用户名。"), {}))
    if lowered in COMMON_PASSWORDS or lowered.rstrip("!.1") in COMMON_PASSWORDS:
        found.append((N_("这个密码太常见，请换一个。"), {}))
    elif len(set(password)) < 4:
        found.append((N_("密码里不同的字符太少。"), {}))
    return found
