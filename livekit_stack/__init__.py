"""The real local LiveKit telephony stack: Redis, livekit-server and livekit-sip.

Used by `contact-center stack`/`dev` and by the live-test fixtures, so both run the same thing.
"""

from livekit_stack.config import ServerNode, StackConfig, StackPorts
from livekit_stack.runner import LocalStack, StackError

__all__ = ["LocalStack", "ServerNode", "StackConfig", "StackError", "StackPorts"]
