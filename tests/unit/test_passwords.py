import pytest

from channel.domain.passwords import problems


def messages(password, username="chenjing", min_length=10):
    return [msgid for msgid, _ in problems(password, username, min_length)]


def test_a_long_uncommon_password_without_the_user_name_is_accepted():
    assert messages("黄河远上白云间-2026") == []
    assert messages("correct horse battery") == []


def test_a_short_password_is_refused_with_the_minimum_named():
    found = problems("Xy7!q", "chenjing", 10)
    assert found[0][0].startswith("密码至少需要") and found[0][1] == {"n": 10}


@pytest.mark.parametrize("password", ["1234567890", "woaini1314", "Password123", "qwertyuiop", "P@ssw0rd", "password1!"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert "这个密码太常见，请换一个。" in messages(password, min_length=6)


def test_a_password_containing_the_user_name_is_refused_in_any_case():
    assert "密码不能包含用户名。" in messages("ChenJing-2026-spring")


def test_a_password_of_few_distinct_characters_is_refused():
    assert "密码里不同的字符太少。" in messages("abababababab")


def test_every_problem_is_listed_not_only_the_first():
    assert len(messages("chenjing", username="chenjing")) == 2
