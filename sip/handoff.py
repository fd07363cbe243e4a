"""The SIP side of a department handoff by transfer: the header that carries the one-time
reference in the follow-up INVITE, and the participant attribute the trunk maps it to."""

HANDOFF_HEADER = "X-CC-Handoff"
HANDOFF_ATTRIBUTE = "cc.handoff"
