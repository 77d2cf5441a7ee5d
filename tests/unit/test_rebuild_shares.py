"""A parallel rebuild's plan, pure: topic groups dealt to shares of about equal size, the
views' topics grouped so that no entity's events are split between two shares, and no more
shares than the CPUs a container's quota allows."""

import os

from naloxone.contracts import TOPICS
from aiokafka import TopicPartition
from naloxone_kernel.projector import cpus_available, share_sizes, split_into_shares
from views.projections import ViewsReadModel
from views.ledger import EVENT_KINDS, independent_topic_groups


def test_groups_go_largest_first_to_the_lightest_share_and_empty_shares_are_dropped():
    groups = [["a"], ["b"], ["c", "d"], ["e"]]
    sizes = {"a": 10, "b": 6, "c": 3, "d": 2, "e": 4}
    # a (10) and b (6) first, then c+d (5) to b's share (11), then e (4) to a's (14)
    assert split_into_shares(groups, sizes, 2) == [["a", "e"], ["b", "c", "d"]]
    assert split_into_shares(groups, sizes, 1) == [["a", "b", "c", "d", "e"]]
    # more workers than groups: one group each, never a share with nothing to read
    assert sorted(split_into_shares(groups, sizes, 8)) == [["a"], ["b"], ["c", "d"], ["e"]]
    # every topic once, whatever the split
    for workers in range(1, 6):
        shares = split_into_shares(groups, sizes, workers)
        assert sorted(t for share in shares for t in share) == ["a", "b", "c", "d", "e"]


def test_a_topics_share_of_the_work_is_its_events_times_their_cost():
    bounds = {TopicPartition("t.a", 0): (0, 100), TopicPartition("t.a", 1): (40, 100),
              TopicPartition("t.b", 0): (0, 100), TopicPartition("t.c", 0): (7, 7)}
    sizes = share_sizes(bounds, {"a": 1.5}, topic_prefix="t.")
    assert sizes == {"t.a": 240.0, "t.b": 100.0, "t.c": 0.0}
    # by cost, the 160 events of a outweigh b's 100 and c's 0 together; by count alone too
    assert split_into_shares([["t.a"], ["t.b"], ["t.c"]], sizes, 2) == [["t.a"], ["t.b", "t.c"]]
    # a cost can turn the split: b's 100 dearer events go alone, against a's 160 and c
    costly_b = share_sizes(bounds, {"b": 3.0}, topic_prefix="t.")
    assert split_into_shares([["t.a"], ["t.b"], ["t.c"]], costly_b, 2) == [["t.b"], ["t.a", "t.c"]]


def test_the_views_replay_costs_name_only_their_own_topics():
    model = ViewsReadModel()
    assert set(model.replay_costs) <= set(model.topics)
    assert all(cost > 0 for cost in model.replay_costs.values())


def test_no_kind_of_entity_has_events_in_two_of_the_views_topic_groups():
    groups = independent_topic_groups(TOPICS.values())
    group_of = {topic: i for i, group in enumerate(groups) for topic in group}
    assert sorted(group_of) == sorted(TOPICS.values())
    for kind in {k.name for k in EVENT_KINDS.values()}:
        domains = {cls.DESCRIPTOR.full_name.split(".")[1] for cls, k in EVENT_KINDS.items() if k.name == kind}
        assert len({group_of[TOPICS[d]] for d in domains}) == 1, kind
    # spike alerts come from both the incidents and the alerts domains: one group
    assert group_of[TOPICS["incidents"]] == group_of[TOPICS["alerts"]]
    assert len(groups) > 1  # and the rest can go apart


def test_a_container_quota_caps_the_cpus_a_rebuild_uses(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("50000 100000\n")  # 500m
    assert cpus_available(str(cpu_max)) == 1
    cpu_max.write_text("150000 100000\n")  # 1.5 CPUs: two processes may share them
    assert cpus_available(str(cpu_max)) == min(2, len(os.sched_getaffinity(0)))
    cpu_max.write_text("max 100000\n")
    assert cpus_available(str(cpu_max)) == len(os.sched_getaffinity(0))
    assert cpus_available(str(tmp_path / "absent")) == len(os.sched_getaffinity(0))
