"""Key servers: this deployment's OPRF key share, evaluated with proofs and rate limits."""
