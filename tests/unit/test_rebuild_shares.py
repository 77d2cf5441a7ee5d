"""A parallel rebuild's plan, pure: topic groups dealt to shares of about equal size, the
views' topics grouped so that no entity's events are split between two shares, and no more
shares than the CPUs a container's quota allows."""

import os

from naloxone.contracts import TOPICS
from naloxone_kernel.projector import cpus_available, split_into_shares
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
