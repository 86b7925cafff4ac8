from chorus.core.errors import ChorusError


class StaffError(ChorusError):
    """A staff sign-in or enrolment step that cannot go on; the message says what to do."""


class EnrolmentLinkError(StaffError):
    status = 404
    code = "enrolment_link"


class SignInError(StaffError):
    status = 400
    code = "sign_in"
