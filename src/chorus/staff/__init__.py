"""Staff (advocates now, case handlers later): enrolment links, TOTP and sign-in rules."""
