"""Call supervision: no call waits for a worker that is not coming, no record stays open when
a worker dies. LiveKit's webhooks say who joined and left which room (webhook.py); a watch
per room (watches.py) is checked by the supervisor (supervisor.py) in the API process, which
dispatches the agent again to a caller no agent answered, gives up after
CALL_ANSWER_TIMEOUT_SECONDS with a record, and closes records whose agent left without
closing them. capacity.py reads the workers' heartbeats for /ready and the token endpoint."""
