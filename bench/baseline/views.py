from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.baseline.models import Hit


@csrf_exempt
@require_POST
def hit(request: HttpRequest) -> HttpResponse:
    """Read the body (as the voices endpoint does), insert one row, answer 201."""
    request.body  # noqa: B018  (the body is read, as a real endpoint would)
    Hit.objects.create()
    return HttpResponse(b'{"status":"added"}', status=201, content_type="application/json")
