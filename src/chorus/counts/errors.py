from chorus.core.errors import ChorusError


class CountsError(ChorusError):
    code = "invalid_voice"
