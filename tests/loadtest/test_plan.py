"""The load test's plan: the measured peak, and the profiler kept out of it."""

from __future__ import annotations

from loadtest.run import PROFILE_LEAD_S, _options, plan


def test_the_profile_gets_its_own_stretch_after_the_measured_peak() -> None:
    segments = plan(_options([]))

    assert [s.name for s in segments] == ["ramp", "peak", "profile", "tail"]
    ramp, peak, profile, tail = segments
    assert (ramp.start, ramp.end) == (70.0 / 3, 70.0)
    assert (peak.seconds, peak.start, peak.end) == (600.0, 70.0, 70.0)
    assert (profile.start, profile.end) == (70.0, 70.0)
    assert profile.seconds == 30.0 + PROFILE_LEAD_S
    assert (tail.start, tail.end) == (70.0, 70.0 / 3)


def test_without_a_profile_the_peak_goes_straight_to_the_tail() -> None:
    names = [s.name for s in plan(_options(["--profile-seconds", "0"]))]
    assert names == ["ramp", "peak", "tail"]
    assert [s.name for s in plan(_options(["--smoke"]))] == ["ramp", "peak", "tail"]
