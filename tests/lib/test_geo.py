"""Geofence maths, checked against geopy's geodesic on real Riau coordinates.

Test fences are laid out in metres (east, north) from an anchor with geopy's
geodesic ``destination``, independently of the local plane under test.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic

from backend.lib.geo import (
    Circle,
    Point,
    Polygon,
    classify,
    distance_m,
    local_offset_m,
    speed_kmh,
    validate_polygon,
)

BKD = Point(0.507930, 101.449550)  # Kantor BKD Provinsi Riau, Pekanbaru
TELUK_KUANTAN = Point(-0.528060, 101.562030)  # south of the equator
SABANG = Point(5.892600, 95.323800)  # north-western end of Indonesia
MERAUKE = Point(-8.493200, 140.401800)  # south-eastern end
WIB = ZoneInfo("Asia/Jakarta")

RECTANGLE = [(-50.0, -30.0), (50.0, -30.0), (50.0, 30.0), (-50.0, 30.0)]
# An L: the notch is the square east of x=40 and north of y=40.
L_SHAPE = [
    (0.0, 0.0),
    (100.0, 0.0),
    (100.0, 40.0),
    (40.0, 40.0),
    (40.0, 100.0),
    (0.0, 100.0),
]


def moved(origin: Point, *, east_m: float = 0.0, north_m: float = 0.0) -> Point:
    distance = math.hypot(east_m, north_m)
    bearing = math.degrees(math.atan2(east_m, north_m))
    p = geodesic(meters=distance).destination(
        (origin.latitude, origin.longitude), bearing=bearing
    )
    return Point(p.latitude, p.longitude)


def polygon_at(anchor: Point, corners: list[tuple[float, float]]) -> Polygon:
    return Polygon(tuple(moved(anchor, east_m=e, north_m=n) for e, n in corners))


def geopy_m(a: Point, b: Point) -> float:
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).m)


# --- circles -----------------------------------------------------------------

BKD_FENCE = Circle(BKD, 80.0)


def test_it_calls_a_position_inside_when_its_accuracy_fits_in_the_circle() -> None:
    result = classify(moved(BKD, north_m=30), 20.0, BKD_FENCE)

    assert result.state == "inside"
    assert result.distance_m == pytest.approx(30.0, abs=1e-6)
    assert result.edge_distance_m == pytest.approx(-50.0, abs=1e-6)


def test_it_calls_a_position_outside_when_its_accuracy_misses_the_circle() -> None:
    result = classify(moved(BKD, east_m=150), 20.0, BKD_FENCE)

    assert result.state == "outside"
    assert result.edge_distance_m == pytest.approx(70.0, abs=1e-6)


@pytest.mark.parametrize("metres_from_centre", [70.0, 90.0])
def test_it_calls_a_position_uncertain_when_accuracy_straddles_the_circle_edge(
    metres_from_centre: float,
) -> None:
    position = moved(BKD, north_m=-metres_from_centre)

    assert classify(position, 20.0, BKD_FENCE).state == "uncertain"


def test_it_calls_a_position_uncertain_when_accuracy_is_wider_than_the_circle() -> None:
    assert classify(BKD, 100.0, BKD_FENCE).state == "uncertain"


def test_it_counts_an_accuracy_circle_touching_the_edge_from_inside_as_inside() -> None:
    position = moved(BKD, north_m=50)
    accuracy = BKD_FENCE.radius_m - distance_m(position, BKD)

    result = classify(position, accuracy, BKD_FENCE)

    assert result.state == "inside"
    assert result.edge_distance_m + accuracy == 0


def test_it_calls_an_accuracy_circle_touching_the_edge_from_outside_uncertain() -> None:
    position = moved(BKD, north_m=100)
    accuracy = distance_m(position, BKD) - BKD_FENCE.radius_m

    assert classify(position, accuracy, BKD_FENCE).state == "uncertain"


@pytest.mark.parametrize(
    ("metres_from_centre", "state"),
    [(0.0, "inside"), (79.9, "inside"), (80.1, "outside")],
)
def test_it_treats_zero_accuracy_as_an_exact_point(
    metres_from_centre: float, state: str
) -> None:
    position = moved(BKD, east_m=metres_from_centre)

    assert classify(position, 0.0, BKD_FENCE).state == state


@pytest.mark.parametrize("accuracy", [-1.0, math.nan, math.inf])
def test_it_rejects_a_negative_or_non_finite_accuracy(accuracy: float) -> None:
    with pytest.raises(ValueError, match="accuracy"):
        classify(BKD, accuracy, BKD_FENCE)


def test_it_rejects_something_that_is_not_a_fence() -> None:
    with pytest.raises(TypeError):
        classify(BKD, 5.0, BKD)  # type: ignore[arg-type]


# --- polygons ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("east_m", "north_m", "accuracy", "state", "edge_m"),
    [
        (10, 0, 10, "inside", -30.0),
        (80, 0, 10, "outside", 30.0),
        (0, 25, 10, "uncertain", -5.0),
        (0, -35, 10, "uncertain", 5.0),
    ],
)
def test_it_classifies_positions_against_a_rectangle(
    east_m: float, north_m: float, accuracy: float, state: str, edge_m: float
) -> None:
    fence = polygon_at(BKD, RECTANGLE)

    result = classify(moved(BKD, east_m=east_m, north_m=north_m), accuracy, fence)

    assert result.state == state
    assert result.edge_distance_m == pytest.approx(edge_m, abs=0.01)


def test_it_measures_to_the_vertex_when_a_position_is_beyond_a_corner() -> None:
    # 10 m east and 10 m north of the (50, 30) corner: 10 m from both edge
    # lines but 14.14 m from the fence itself, so 12 m accuracy clears it.
    fence = polygon_at(BKD, RECTANGLE)

    result = classify(moved(BKD, east_m=60, north_m=40), 12.0, fence)

    assert result.state == "outside"
    assert result.edge_distance_m == pytest.approx(math.sqrt(200), abs=0.01)


def test_it_counts_an_exact_position_on_a_polygon_vertex_as_inside() -> None:
    fence = polygon_at(BKD, RECTANGLE)

    result = classify(fence.points[2], 0.0, fence)

    assert result.state == "inside"
    assert result.edge_distance_m == 0.0


@pytest.mark.parametrize(
    ("accuracy", "state"), [(10.0, "outside"), (35.0, "uncertain")]
)
def test_it_calls_a_position_in_the_notch_of_an_l_shape_outside(
    accuracy: float, state: str
) -> None:
    fence = polygon_at(BKD, L_SHAPE)

    # (70, 70) is inside the L's bounding box but 30 m from both inner edges.
    result = classify(moved(BKD, east_m=70, north_m=70), accuracy, fence)

    assert result.state == state
    assert result.edge_distance_m == pytest.approx(30.0, abs=0.01)


@pytest.mark.parametrize(("accuracy", "state"), [(7.0, "inside"), (7.2, "uncertain")])
def test_it_measures_to_the_inner_corner_of_an_l_shape_from_inside(
    accuracy: float, state: str
) -> None:
    fence = polygon_at(BKD, L_SHAPE)

    result = classify(moved(BKD, east_m=35, north_m=35), accuracy, fence)

    assert result.state == state
    assert result.edge_distance_m == pytest.approx(-math.sqrt(50), abs=0.01)


def test_it_reports_the_distance_to_the_polygon_area_centroid() -> None:
    fence = polygon_at(BKD, L_SHAPE)
    position = moved(BKD, east_m=20, north_m=80)

    result = classify(position, 5.0, fence)

    # The L's area centroid is (38.75, 38.75), not the vertex average.
    assert distance_m(fence.centroid, moved(BKD, east_m=38.75, north_m=38.75)) < 0.01
    assert result.state == "inside"
    assert result.distance_m == pytest.approx(geopy_m(position, fence.centroid))


def test_it_treats_an_open_and_a_closed_ring_as_the_same_polygon() -> None:
    open_ring = polygon_at(BKD, RECTANGLE)
    closed_ring = Polygon((*open_ring.points, open_ring.points[0]))

    assert closed_ring == open_ring
    assert len(closed_ring.points) == 4


# --- the equator -------------------------------------------------------------


@pytest.mark.parametrize(
    ("radius", "accuracy", "state"),
    [(50.0, 5.0, "inside"), (40.0, 2.0, "outside"), (45.0, 5.0, "uncertain")],
)
def test_it_measures_a_circle_across_the_equator(
    radius: float, accuracy: float, state: str
) -> None:
    fence = Circle(Point(-0.0001, 101.45), radius)
    position = Point(0.0003, 101.45)

    result = classify(position, accuracy, fence)

    # 0.0004 degrees of latitude at the equator is about 44.2 m.
    assert result.distance_m == pytest.approx(44.23, abs=0.01)
    assert result.distance_m == pytest.approx(geopy_m(position, fence.centre))
    assert result.state == state


@pytest.mark.parametrize(
    ("latitude", "accuracy", "state", "nearest_edge_latitude"),
    [
        (0.0, 20.0, "inside", 0.001),
        (0.0009, 20.0, "uncertain", 0.001),
        (0.0012, 20.0, "outside", 0.001),
        (-0.0012, 20.0, "outside", -0.001),
        (-0.0009, 5.0, "inside", -0.001),
    ],
)
def test_it_classifies_positions_against_a_polygon_across_the_equator(
    latitude: float, accuracy: float, state: str, nearest_edge_latitude: float
) -> None:
    fence = validate_polygon(
        [[-0.001, 101.449], [-0.001, 101.451], [0.001, 101.451], [0.001, 101.449]]
    )
    position = Point(latitude, 101.45)

    result = classify(position, accuracy, fence)

    # Edges run along parallels, so the nearest edge point is due north/south.
    to_edge = geopy_m(position, Point(nearest_edge_latitude, 101.45))
    assert result.state == state
    assert abs(result.edge_distance_m) == pytest.approx(to_edge, abs=0.001)


@pytest.mark.parametrize("north_m", [120.0, -120.0])
def test_it_classifies_positions_north_and_south_of_a_fence_south_of_the_equator(
    north_m: float,
) -> None:
    fence = polygon_at(
        TELUK_KUANTAN, [(-100, -100), (100, -100), (100, 100), (-100, 100)]
    )

    outside = classify(moved(TELUK_KUANTAN, north_m=north_m), 10.0, fence)
    inside = classify(TELUK_KUANTAN, 10.0, fence)

    assert outside.state == "outside"
    assert outside.edge_distance_m == pytest.approx(20.0, abs=0.01)
    assert inside.state == "inside"
    assert inside.edge_distance_m == pytest.approx(-100.0, abs=0.01)


def test_it_gives_mirror_images_across_the_equator_the_same_results() -> None:
    def mirrored(p: Point) -> Point:
        return Point(-p.latitude, p.longitude)

    north_fence = polygon_at(BKD, L_SHAPE)
    south_fence = Polygon(tuple(mirrored(p) for p in north_fence.points))
    positions = [moved(BKD, east_m=e, north_m=n) for e, n in [(70, 70), (35, 35)]]

    for position in positions:
        north = classify(position, 10.0, north_fence)
        south = classify(mirrored(position), 10.0, south_fence)
        assert south.state == north.state
        assert south.edge_distance_m == pytest.approx(north.edge_distance_m, abs=1e-6)
        assert south.distance_m == pytest.approx(north.distance_m, abs=1e-6)


# --- distances and the local plane --------------------------------------------


def test_it_measures_geodesic_distances_like_geopy() -> None:
    metres = distance_m(BKD, TELUK_KUANTAN)

    assert metres == pytest.approx(geopy_m(BKD, TELUK_KUANTAN), abs=1e-9)
    assert metres == pytest.approx(distance_m(TELUK_KUANTAN, BKD), abs=1e-9)
    assert 115_000 < metres < 117_000
    assert distance_m(BKD, BKD) == 0.0


@pytest.mark.parametrize("origin", [BKD, TELUK_KUANTAN, SABANG, MERAUKE])
def test_the_local_plane_is_within_a_centimetre_of_the_geodesic_at_1_km(
    origin: Point,
) -> None:
    for bearing in range(0, 360, 15):
        target = geodesic(meters=1000).destination(
            (origin.latitude, origin.longitude), bearing=bearing
        )
        east, north = local_offset_m(origin, Point(target.latitude, target.longitude))

        assert math.hypot(east, north) == pytest.approx(1000.0, abs=0.01)
        assert east == pytest.approx(1000 * math.sin(math.radians(bearing)), abs=0.05)
        assert north == pytest.approx(1000 * math.cos(math.radians(bearing)), abs=0.05)


@pytest.mark.parametrize("anchor", [BKD, TELUK_KUANTAN, MERAUKE])
def test_it_measures_polygon_edges_1_km_away_within_a_centimetre(
    anchor: Point,
) -> None:
    fence = polygon_at(anchor, RECTANGLE)
    top_middle = Point(fence.points[2].latitude, anchor.longitude)
    corner = fence.points[2]

    due_north = classify(moved(top_middle, north_m=1000), 5.0, fence)
    diagonal = classify(moved(corner, east_m=600, north_m=800), 5.0, fence)

    assert due_north.edge_distance_m == pytest.approx(1000.0, abs=0.01)
    assert diagonal.edge_distance_m == pytest.approx(1000.0, abs=0.01)


def test_it_stays_sensible_for_a_position_on_the_far_side_of_the_world() -> None:
    fence = polygon_at(BKD, RECTANGLE)

    result = classify(Point(0.5, -80.0), 10.0, fence)

    assert result.state == "outside"
    assert result.edge_distance_m > 15_000_000


# --- validation --------------------------------------------------------------


def test_it_accepts_a_polygon_given_as_json_pairs_or_decimals() -> None:
    ring = [[0.5075, 101.4491], [0.5075, 101.4499], [0.5083, 101.4499]]

    from_floats = validate_polygon([*ring, ring[0]])
    from_decimals = validate_polygon([[Decimal(str(c)) for c in p] for p in ring])

    assert from_floats == from_decimals
    assert from_floats.points[0] == Point(0.5075, 101.4491)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([[0.5075, 101.4491], [0.5083, 101.4499]], "at least 3 distinct"),
        (
            [[0.5075, 101.4491], [0.5083, 101.4499], [0.5075, 101.4491]],
            "at least 3 distinct",
        ),
        ([[0.5075, 101.4491]] * 4, "at least 3 distinct"),
        ([], "at least 3 distinct"),
        (
            [[0.5075, 101.4491], [0.5079, 101.4495], [0.5083, 101.4499]],
            "no area",
        ),
        (
            [[0.5, 101.4], [0.501, 101.401], [0.5, 101.401], [0.501, 101.4]],
            "cross",
        ),
        (
            [[0.5, 101.4], [0.5, 101.402], [0.502, 101.402], [0.5, 101.401]],
            "cross",
        ),
        ([[0.5, 101.0], [0.5, 102.0], [0.6, 101.5]], "spans 1.000 degrees"),
        ([[-16.0, 179.9], [-16.0, -179.9], [-16.1, 179.95]], "spans"),
        ([[91.0, 101.4], [0.5, 101.401], [0.501, 101.4]], "Point 1: Latitude"),
        ([[0.5, 101.4], [0.5, 181.0], [0.501, 101.4]], "Point 2: Longitude"),
        ([[0.5, 101.4], [0.5, 101.401], [math.nan, 101.4]], "Point 3: .*finite"),
        ([[0.5, 101.4], [0.5, math.inf], [0.501, 101.4]], "finite"),
        ([[0.5, 101.4], [0.5, "101.401"], [0.501, 101.4]], "number"),
        ([[0.5, 101.4], [True, 101.401], [0.501, 101.4]], "number"),
        ([[0.5, 101.4], [0.5], [0.501, 101.4]], "Point 2 must be a .* pair"),
        ([[0.5, 101.4], "0.5,101.4", [0.501, 101.4]], "pair"),
        ([[101.4, 0.5], [101.401, 0.5], [101.4, 0.501]], "looks swapped"),
        ("[[0.5, 101.4]]", "list of"),
        (None, "list of"),
    ],
)
def test_it_rejects_invalid_polygons(points: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_polygon(points)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90.5, 101.0), (-91.0, 101.0), (0.5, 180.5), (0.5, -181.0), (math.nan, 0.0)],
)
def test_it_rejects_points_out_of_range(latitude: float, longitude: float) -> None:
    with pytest.raises(ValueError):
        Point(latitude, longitude)


def test_it_stores_decimal_coordinates_as_floats() -> None:
    point = Point(Decimal("0.507930"), Decimal("101.449550"))  # type: ignore[arg-type]

    assert point == BKD
    assert isinstance(point.latitude, float)


@pytest.mark.parametrize("radius", [0.0, -5.0, math.nan])
def test_it_rejects_a_circle_without_a_positive_radius(radius: float) -> None:
    with pytest.raises(ValueError, match="radius"):
        Circle(BKD, radius)


# --- speed -------------------------------------------------------------------

MORNING = datetime(2026, 3, 2, 7, 30, tzinfo=WIB)


def test_it_computes_the_speed_between_two_check_ins() -> None:
    speed = speed_kmh(BKD, MORNING, TELUK_KUANTAN, MORNING + timedelta(hours=2))

    assert speed == pytest.approx(geopy_m(BKD, TELUK_KUANTAN) / 1000 / 2)


def test_it_computes_the_same_speed_whichever_check_in_comes_first() -> None:
    later = MORNING + timedelta(minutes=30)

    assert speed_kmh(BKD, later, TELUK_KUANTAN, MORNING) == speed_kmh(
        BKD, MORNING, TELUK_KUANTAN, later
    )


def test_it_calls_two_places_at_the_same_instant_infinitely_fast() -> None:
    utc_morning = MORNING.astimezone(ZoneInfo("UTC"))

    assert speed_kmh(BKD, MORNING, TELUK_KUANTAN, utc_morning) == math.inf
    assert speed_kmh(BKD, MORNING, BKD, utc_morning) == 0.0


def test_it_rejects_naive_datetimes_for_speed() -> None:
    naive = datetime(2026, 3, 2, 7, 30)  # noqa: DTZ001

    with pytest.raises(ValueError, match="aware"):
        speed_kmh(BKD, naive, TELUK_KUANTAN, MORNING)
