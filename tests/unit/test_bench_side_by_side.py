"""The side-by-side ceilings' arithmetic (``bench.side_by_side``): ratios per round, medians
(no timing is asserted: the numbers are given)."""

from __future__ import annotations

from bench.side_by_side import summary


def test_ratios_are_taken_per_round_and_their_median_reported() -> None:
    runs = {
        "working": [
            {"write_txns_per_s": 300.0, "projector_events_per_s": 40.0},
            {"write_txns_per_s": 100.0, "projector_events_per_s": 90.0},
            {"write_txns_per_s": 250.0, "projector_events_per_s": 60.0},
        ],
        "earlier": [
            {"write_txns_per_s": 100.0, "projector_events_per_s": 20.0},
            {"write_txns_per_s": 50.0, "projector_events_per_s": 30.0},
            {"write_txns_per_s": 100.0, "projector_events_per_s": 30.0},
        ],
    }
    result = summary(runs)
    write = result["write_txns_per_s"]
    assert write["ratio_per_round"] == [3.0, 2.0, 2.5]
    assert write["ratio_median"] == 2.5
    assert (write["working_median"], write["earlier_median"]) == (250.0, 100.0)
    assert result["projector_events_per_s"]["ratio_per_round"] == [2.0, 3.0, 2.0]
    assert result["projector_events_per_s"]["ratio_median"] == 2.0


def test_a_metric_only_one_side_gave_is_left_out_and_the_others_compared() -> None:
    runs = {
        "working": [{"write_txns_per_s": 30.0, "write_txns_per_cpu_s": 60.0}],
        "earlier": [{"write_txns_per_s": 10.0}],
    }
    result = summary(runs)
    assert result["write_txns_per_s"]["ratio_per_round"] == [3.0]
    assert "write_txns_per_cpu_s" not in result
