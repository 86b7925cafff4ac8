"""A bare Django view doing one INSERT: the yardstick the voices figure is compared with."""
