"""Anonymous codename accounts for survivors (docs/protocols/accounts.md)."""
