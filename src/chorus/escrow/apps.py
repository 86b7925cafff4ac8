from django.apps import AppConfig


class EscrowConfig(AppConfig):
    name = "chorus.escrow"
    label = "escrow"
