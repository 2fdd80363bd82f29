"""Passwords: hashed with Argon2 (older hashes upgraded at the next sign-in), at least 12
characters, not a common one."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from config.settings.base import PASSWORD_HASHERS

PASSWORD = "lantern-orchard-velvet-42"


def test_argon2_comes_first_in_the_product_settings():
    assert PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS)
def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(client, account_manager):
    user = account_manager.user
    from django.contrib.auth.hashers import make_password

    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short-pw-11", "password1234", "123456789012"])
def test_short_or_common_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_long_uncommon_password_is_accepted():
    validate_password(PASSWORD)
