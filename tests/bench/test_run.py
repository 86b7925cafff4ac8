"""The benchmark (bench.run): its median round, and its baseline server."""

import subprocess
import sys

from bench.run import _median_round


def fig(rps: float, p99: float) -> dict[str, float]:
    return {"rps": rps, "p99_ms": p99}


def test_the_median_round_is_reported_whole_with_every_round_beside_it() -> None:
    rounds = [fig(1400.0, 12.0), fig(1100.0, 30.0), fig(1600.0, 9.0)]
    median = _median_round(rounds)
    assert median["rps"] == 1400.0
    assert median["p99_ms"] == 12.0  # the same round's p99, not the median of the p99s
    assert median["rounds"] == 3
    assert median["rounds_rps"] == [1400.0, 1100.0, 1600.0]
    assert median["rounds_p99_ms"] == [12.0, 30.0, 9.0]
    assert rounds[0] == fig(1400.0, 12.0)  # the rounds themselves are left as they were


def test_of_an_even_number_of_rounds_the_lower_middle_one_is_reported() -> None:
    assert _median_round([fig(1500.0, 1.0), fig(1000.0, 2.0)])["rps"] == 1000.0
    assert _median_round([fig(900.0, 1.0)])["rps"] == 900.0


def test_the_baseline_server_is_plain_django_without_the_voice_lane() -> None:
    """The baseline view answers POST /api/v1/voices too: the lane must not take its requests."""
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bench.baseline.settings'\n"
        "from django.conf import settings; from django.utils.module_loading import import_string\n"
        "app = import_string(settings.WSGI_APPLICATION)\n"
        "print(type(app).__module__, type(app).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.split() == ["django.core.handlers.wsgi", "WSGIHandler"]
