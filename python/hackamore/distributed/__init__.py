"""Past one machine: collectors publish every model change to a NATS JetStream stream,
and consumers rebuild the model of every PBX from it (see docs/distributed.md).

A collector is an :class:`~hackamore.Engine` (or ``hackamore run --publish URL``) with a
:class:`Publisher`: each change goes, as the JSON object of ``--json``, to the subject
``hackamore.<pbx>.changes`` of the stream ``HACKAMORE``, with a message id
(``Nats-Msg-Id``) that lets JetStream drop the duplicate of a retried publish. A
consumer reads the stream in order (:class:`Changes`; ``Model().consume(Changes(...))``
or ``hackamore watch URL``) and applies each change to its model: the same changes in
the same order make the same model, and trunk correlation joins calls of PBXes watched
by different collectors as it does for one.

nats-py (pure Python, asyncio) is the client: ``pip install 'hackamore[nats]'``. Each
publisher and each reader runs its own event loop in a thread of its own, so neither
the engine nor the caller needs asyncio.
"""

from __future__ import annotations

from .broker import (
    BEGINS,
    COLLECTOR,
    DUPLICATE_WINDOW,
    HEARTBEAT,
    MAX_AGE,
    MODEL_VERSION,
    MSG_ID,
    PREFIX,
    RUN,
    STATE_AFTER,
    STATE_EVERY,
    STATE_EVERY_HEADER,
    STREAM,
    Broker,
    changes_subject,
    nats_timeout,
    pbx_of_token,
    pbx_token,
    state_subject,
)
from .changes import Changes
from .publisher import BUFFER_BYTES, Publisher

__all__ = [
    "BEGINS",
    "BUFFER_BYTES",
    "COLLECTOR",
    "DUPLICATE_WINDOW",
    "HEARTBEAT",
    "MAX_AGE",
    "MODEL_VERSION",
    "MSG_ID",
    "PREFIX",
    "RUN",
    "STATE_AFTER",
    "STATE_EVERY",
    "STATE_EVERY_HEADER",
    "STREAM",
    "Broker",
    "Changes",
    "Publisher",
    "changes_subject",
    "nats_timeout",
    "pbx_of_token",
    "pbx_token",
    "state_subject",
]
