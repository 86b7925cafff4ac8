from collections.abc import Iterator

import pytest

from chorus.counts import batching


@pytest.fixture(autouse=True)
def _voice_batcher_closed() -> Iterator[None]:
    """Each test's voices are drained and the writer's connection closed before the test ends:
    an open connection would keep the test database from being flushed or dropped."""
    yield
    batching.batcher_close()
