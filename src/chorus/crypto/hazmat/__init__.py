"""Thin wrappers over libsodium (via pysodium) and hash primitives. Dangerous on their own.

Nothing outside `chorus.crypto` imports this package (an import-linter contract says so);
use the recipes in `chorus.crypto` instead. Every function here checks lengths before
handing bytes to C and raises the typed errors of `chorus.crypto.errors`.
"""
