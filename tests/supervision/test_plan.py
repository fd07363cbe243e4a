"""The supervisor's decision about one room, for each situation a call can be in."""

from __future__ import annotations

from app.supervision.plan import ABANDONED, AGENT_LOST, NO_AGENT, Records, Room, plan

NONE = Records(active=0, latest_reason=None, any=False)
OPEN = Records(active=1, latest_reason=None, any=True)


def test_an_agent_in_the_room_answers_it() -> None:
    assert plan(Room(1, 1, 0.5), OPEN, waited=1, dispatches=0, answer_timeout=60).state == \
        "answered"


def test_a_waiting_caller_gets_the_agent_again_once_the_last_dispatch_is_old() -> None:
    young = plan(Room(0, 1, dispatch_age=1.0), NONE, waited=3, dispatches=0, answer_timeout=60)
    assert young.state == "waiting" and not young.dispatch and young.check_in == 1.0
    starting = plan(Room(0, 1, 10.0, starting=True), NONE, 12, 1, 60)
    assert not starting.dispatch  # a job is on its way: a second agent would only leave again
    assert plan(Room(0, 1, 21.0, starting=True), NONE, 23, 1, 60).dispatch
    old = plan(Room(0, 1, dispatch_age=5.0), NONE, waited=5, dispatches=2, answer_timeout=60)
    assert old.dispatch and old.check_in == 3.0 and not old.delete_room


def test_after_the_answer_timeout_the_room_goes_and_the_call_is_recorded() -> None:
    late = plan(Room(0, 1, 5.0), NONE, waited=60, dispatches=9, answer_timeout=60)
    assert (late.state, late.delete_room, late.unanswered) == ("closed", True, NO_AGENT)


def test_a_caller_who_left_before_an_answer_is_recorded_as_abandoned() -> None:
    gone = plan(Room(0, 0, None), NONE, waited=10, dispatches=1, answer_timeout=60)
    assert (gone.state, gone.unanswered, gone.close_open) == ("closed", ABANDONED, False)


def test_a_dead_agent_leaves_its_record_closed_and_the_caller_waiting_again() -> None:
    died = plan(Room(0, 1, 30.0), OPEN, waited=40, dispatches=0, answer_timeout=60)
    assert died.close_open and died.restart_wait and died.dispatch
    assert died.state == "waiting" and died.unanswered is None
    # the caller hung up after the agent died: the record is closed, nothing else written
    hung_up = plan(Room(0, 0, 30.0), OPEN, waited=40, dispatches=0, answer_timeout=60)
    assert hung_up.close_open and hung_up.unanswered is None and hung_up.state == "closed"


def test_callers_left_together_on_purpose_are_left_alone() -> None:
    """A transfer that bridged the caller and a colleague: the agent closed its record."""
    done = Records(active=0, latest_reason="transferred_to_human", any=True)
    assert plan(Room(0, 2, 20.0), done, waited=50, dispatches=0, answer_timeout=60) == \
        plan(Room(0, 2, 20.0), done, waited=0, dispatches=0, answer_timeout=60)
    assert plan(Room(0, 2, 20.0), done, 50, 0, 60).state == "closed"
    lost = Records(active=0, latest_reason=AGENT_LOST, any=True)
    assert plan(Room(0, 1, 20.0), lost, 10, 1, 60).dispatch  # still waiting for a new agent
