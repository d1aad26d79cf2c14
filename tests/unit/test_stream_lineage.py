"""Shard lineage: a child shard is read only after its parent is finished."""

from __future__ import annotations

from streams.shards import ShardInfo, plan_ready

ROOT = ShardInfo("s-root", None, "100", "199")
LEFT = ShardInfo("s-left", "s-root", "200")
RIGHT = ShardInfo("s-right", "s-root", "201")
GRANDCHILD = ShardInfo("s-grand", "s-left", "300")
ORPHAN = ShardInfo("s-orphan", "s-trimmed-away", "50")


def ids(shards: list[ShardInfo]) -> list[str]:
    return [s.shard_id for s in shards]


def test_given_an_unfinished_parent_when_planning_then_children_wait() -> None:
    assert ids(plan_ready([RIGHT, LEFT, ROOT, GRANDCHILD], finished=[])) == ["s-root"]


def test_given_a_finished_parent_when_planning_then_both_children_are_ready_in_order() -> None:
    ready = plan_ready([GRANDCHILD, RIGHT, LEFT, ROOT], finished=["s-root"])
    assert ids(ready) == ["s-left", "s-right"]


def test_given_finished_left_child_then_grandchild_is_ready_alongside_right() -> None:
    ready = plan_ready([GRANDCHILD, RIGHT, LEFT, ROOT], finished=["s-root", "s-left"])
    assert ids(ready) == ["s-right", "s-grand"]


def test_given_a_parent_no_longer_listed_then_the_child_is_ready() -> None:
    assert ids(plan_ready([ORPHAN, ROOT], finished=[])) == ["s-orphan", "s-root"]


def test_given_everything_finished_then_nothing_is_ready() -> None:
    assert plan_ready([ROOT, LEFT], finished=["s-root", "s-left"]) == []
