"""Django's SQLite backend, with write transactions queued on a file lock (decision 0005)."""
