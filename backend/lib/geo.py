"""Geofences: was a GPS position at the workplace?

A workplace fence is a :class:`Circle` (centre + radius) or a :class:`Polygon`
(``[latitude, longitude]`` points). A reported position is not a point but a
disc whose radius is the phone's accuracy, so :func:`classify` answers with
three states: ``inside`` when the whole disc is in the fence, ``outside`` when
none of it is, ``uncertain`` otherwise. The fence is closed: a disc that only
touches the edge from inside is ``inside``; one that touches it from outside
shares a point with the fence, so it is ``uncertain``.

Distances
    :func:`distance_m` is the geodesic on the WGS-84 ellipsoid (geopy, i.e.
    Karney's algorithm, accurate to nanometres). Circles use it directly, so
    circle results are exact.

Polygons
    A polygon's edges are straight lines in latitude/longitude. To measure the
    distance from the position to the nearest edge, every vertex is mapped to
    a local plane centred on the position (equirectangular, with the metres
    per degree of the WGS-84 ellipsoid at the position's latitude: meridional
    radius ``M`` north-south, ``N cos(lat)`` east-west) and shapely does the
    point-in-polygon test and the point-to-boundary distance there.

    The mapping is affine in latitude/longitude, so it preserves the polygon's
    shape exactly (a bow-tie is a bow-tie in every plane) and only the metric
    is approximate. For a boundary point at distance ``D`` from the position
    the distance error is below ``D² |tan lat| / (2R) + D³ / (12 R²)``
    (``R`` ≈ 6371 km; plus nanometres of rounding), checked against the
    geodesic in every direction for latitudes 12° S to 6.5° N:

    ========  =========  ==========  ===========
    D         lat 0.5°   lat 6°      lat 11° S
    ========  =========  ==========  ===========
    100 m     < 0.01 mm  0.03 mm     0.06 mm
    1 km      0.3 mm     3 mm        6 mm
    5 km      7 mm       8 cm        15 cm
    100 km    3.5 m      32 m        59 m
    ========  =========  ==========  ===========

    So edge distances are exact for all practical purposes within a few km,
    which is where the state is decided; far away (someone checking in from
    another town) the state is plainly ``outside`` and ``edge_distance_m`` is
    good to 0.1 % out to 100 km and 0.4 % out to 500 km. Edges drawn as
    straight lat/lon lines differ from geodesic edges by at most
    ``L² |tan lat| / (8R)`` for an edge of length ``L`` (4 mm for a 1 km edge
    at 11° S), well below GPS noise.

    Polygons must span less than :data:`MAX_POLYGON_SPAN_DEG` in latitude and
    longitude, which keeps the plane honest and rules out fences across the
    antimeridian (Indonesia is nowhere near it). Longitude differences between
    the position and the fence are wrapped, so even a position on the far
    side of the world gives a sensible (approximate) answer.

The equator needs no special case: latitudes are signed and the local scale
is symmetric (``cos`` and ``sin²`` of the latitude), which the tests check
around Pekanbaru (0.51° N), Teluk Kuantan (0.53° S) and a fence across 0°.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, TypeAlias

import shapely
from geopy.distance import geodesic

__all__ = [
    "MAX_POLYGON_SPAN_DEG",
    "MIN_POLYGON_AREA_M2",
    "Circle",
    "Fence",
    "FenceResult",
    "FenceState",
    "Point",
    "Polygon",
    "classify",
    "distance_m",
    "local_offset_m",
    "speed_kmh",
    "validate_polygon",
]

# WGS-84, the datum GPS reports in.
_WGS84_A = 6_378_137.0
_WGS84_F = 1 / 298.257223563
_WGS84_E2 = _WGS84_F * (2 - _WGS84_F)

# About 55 km: far more than any office compound, and small enough that the
# local plane stays within metres of the geodesic across even the largest
# fence (centimetres across one a few km wide) and never meets the antimeridian.
MAX_POLYGON_SPAN_DEG = 0.5
# Anything smaller is a drawing mistake (points in a line), not a workplace.
MIN_POLYGON_AREA_M2 = 1.0

FenceState: TypeAlias = Literal["inside", "outside", "uncertain"]

# The position is always the origin of its own local plane.
_ORIGIN = shapely.Point(0.0, 0.0)


def _coordinate(value: object, name: str) -> float:
    # bool is an int subclass and JSON ``true`` must not become latitude 1.
    # Decimal is accepted because Workplace stores coordinates in DecimalFields.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}.")
    return number


@dataclass(frozen=True)
class Point:
    """A WGS-84 position. Constructing one validates it (``ValueError``)."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        latitude = _coordinate(self.latitude, "Latitude")
        longitude = _coordinate(self.longitude, "Longitude")
        if not -90.0 <= latitude <= 90.0:
            raise ValueError(f"Latitude must be between -90 and 90, got {latitude}.")
        if not -180.0 <= longitude <= 180.0:
            raise ValueError(
                f"Longitude must be between -180 and 180, got {longitude}."
            )
        # Store floats so Decimal input cannot leak into float arithmetic.
        object.__setattr__(self, "latitude", latitude)
        object.__setattr__(self, "longitude", longitude)


@dataclass(frozen=True)
class Circle:
    """A circular fence; ``radius_m`` is a geodesic distance in metres."""

    centre: Point
    radius_m: float

    def __post_init__(self) -> None:
        radius = _coordinate(self.radius_m, "The radius")
        if radius <= 0:
            raise ValueError(f"The radius must be positive, got {radius} m.")
        object.__setattr__(self, "radius_m", radius)

    @property
    def area_m2(self) -> float:
        return math.pi * self.radius_m**2


@dataclass(frozen=True)
class Polygon:
    """A polygonal fence: a simple ring of at least three distinct points.

    Construction validates (``ValueError``) and normalises: a closing point
    equal to the first and repeated consecutive points are dropped, so the
    same fence given open or closed compares equal. ``centroid`` is the area
    centroid (it may lie outside a concave polygon).
    """

    points: tuple[Point, ...]
    centroid: Point = field(init=False, repr=False, compare=False)
    area_m2: float = field(init=False, repr=False, compare=False)
    # Vertex offsets from the centroid in degrees, so classify() only has to
    # shift and scale them into the position's plane.
    _offsets_deg: tuple[tuple[float, float], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        points = _without_repeats(tuple(self.points))
        if len(points) < 3:
            raise ValueError(
                f"A polygon needs at least 3 distinct points, got {len(points)}."
            )
        latitudes = [p.latitude for p in points]
        longitudes = [p.longitude for p in points]
        for axis, values in (("latitude", latitudes), ("longitude", longitudes)):
            span = max(values) - min(values)
            if span >= MAX_POLYGON_SPAN_DEG:
                raise ValueError(
                    f"The polygon spans {span:.3f} degrees of {axis}; a workplace "
                    f"polygon must span less than {MAX_POLYGON_SPAN_DEG} degrees "
                    "(about 55 km)."
                )

        # Validate and find the centroid in a plane centred on the bounding box.
        mid_lat = (max(latitudes) + min(latitudes)) / 2
        mid_lon = (max(longitudes) + min(longitudes)) / 2
        east, north = _metres_per_degree(mid_lat)
        ring = [
            ((p.longitude - mid_lon) * east, (p.latitude - mid_lat) * north)
            for p in points
        ]
        # The hull tells "points in a line" apart from a bow-tie, whose signed
        # area can also cancel to zero.
        if shapely.MultiPoint(ring).convex_hull.area < MIN_POLYGON_AREA_M2:
            raise ValueError(
                "The polygon has (almost) no area: its points lie on a line or "
                "on top of each other."
            )
        shape = shapely.Polygon(ring)
        if not shape.is_valid:
            raise ValueError(
                "The polygon's edges cross or touch each other; draw its points "
                "in order around the outline without crossing."
            )
        if shape.area < MIN_POLYGON_AREA_M2:
            raise ValueError(
                f"The polygon's area is {shape.area:.2f} m², less than "
                f"{MIN_POLYGON_AREA_M2} m²."
            )
        centre = shape.centroid
        centroid = Point(mid_lat + centre.y / north, mid_lon + centre.x / east)

        object.__setattr__(self, "points", points)
        object.__setattr__(self, "centroid", centroid)
        object.__setattr__(self, "area_m2", float(shape.area))
        object.__setattr__(
            self,
            "_offsets_deg",
            tuple(
                (p.longitude - centroid.longitude, p.latitude - centroid.latitude)
                for p in points
            ),
        )


Fence: TypeAlias = Circle | Polygon


@dataclass(frozen=True)
class FenceResult:
    state: FenceState
    # Geodesic metres from the position to the circle centre / polygon centroid.
    distance_m: float
    # Metres from the position to the fence edge: negative inside, positive
    # outside, 0 on the edge.
    edge_distance_m: float


def _without_repeats(points: tuple[Point, ...]) -> tuple[Point, ...]:
    kept: list[Point] = []
    for point in points:
        if not kept or point != kept[-1]:
            kept.append(point)
    # A closed ring repeats its first point at the end.
    while len(kept) > 1 and kept[-1] == kept[0]:
        kept.pop()
    return tuple(kept)


def _metres_per_degree(latitude: float) -> tuple[float, float]:
    """Metres per degree (east, north) on the WGS-84 ellipsoid at ``latitude``."""
    phi = math.radians(latitude)
    sin_phi = math.sin(phi)
    w2 = 1.0 - _WGS84_E2 * sin_phi * sin_phi
    w = math.sqrt(w2)
    prime_vertical = _WGS84_A / w  # N: radius of curvature along the parallel
    meridional = _WGS84_A * (1.0 - _WGS84_E2) / (w2 * w)  # M
    per_radian_to_degree = math.pi / 180.0
    return (
        prime_vertical * math.cos(phi) * per_radian_to_degree,
        meridional * per_radian_to_degree,
    )


def _wrap_degrees(delta: float) -> float:
    """A longitude difference folded into [-180, 180)."""
    return (delta + 180.0) % 360.0 - 180.0


def local_offset_m(origin: Point, point: Point) -> tuple[float, float]:
    """``point`` as (east, north) metres in the local plane centred on ``origin``.

    This is the projection :func:`classify` uses for polygons; see the module
    docstring for its error bound.
    """
    east, north = _metres_per_degree(origin.latitude)
    return (
        _wrap_degrees(point.longitude - origin.longitude) * east,
        (point.latitude - origin.latitude) * north,
    )


def distance_m(a: Point, b: Point) -> float:
    """Geodesic distance in metres on the WGS-84 ellipsoid."""
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).m)


def _polygon_edge_distance_m(position: Point, polygon: Polygon) -> float:
    east, north = _metres_per_degree(position.latitude)
    centroid = polygon.centroid
    # Wrap once for the whole fence, not per vertex, so a fence can never be
    # torn in two by the wrap however far away the position is.
    base_lon = _wrap_degrees(centroid.longitude - position.longitude)
    base_lat = centroid.latitude - position.latitude
    shape = shapely.Polygon(
        [
            ((base_lon + d_lon) * east, (base_lat + d_lat) * north)
            for d_lon, d_lat in polygon._offsets_deg
        ]
    )
    to_edge = float(shape.exterior.distance(_ORIGIN))
    # intersects (not contains) so a position on the edge counts as inside.
    inside = shapely.intersects_xy(shape, 0.0, 0.0)
    return -to_edge if inside and to_edge else to_edge


def _state(edge_distance_m: float, accuracy_m: float) -> FenceState:
    if edge_distance_m + accuracy_m <= 0:
        return "inside"
    if edge_distance_m - accuracy_m > 0:
        return "outside"
    return "uncertain"


def classify(position: Point, accuracy_m: float, fence: Fence) -> FenceResult:
    """Where a position with the given accuracy lies relative to ``fence``.

    ``accuracy_m`` is the radius of the position's uncertainty disc and must
    be finite and >= 0; 0 means exact (callers treat a reported 0 as
    suspicious themselves). Raises ``ValueError`` for a bad accuracy.
    """
    accuracy = _coordinate(accuracy_m, "The accuracy")
    if accuracy < 0:
        raise ValueError(f"The accuracy must not be negative, got {accuracy} m.")
    if isinstance(fence, Circle):
        centre_m = distance_m(position, fence.centre)
        edge_m = centre_m - fence.radius_m
    elif isinstance(fence, Polygon):
        centre_m = distance_m(position, fence.centroid)
        edge_m = _polygon_edge_distance_m(position, fence)
    else:
        raise TypeError(f"Expected a Circle or Polygon, got {type(fence).__name__}.")
    return FenceResult(
        state=_state(edge_m, accuracy), distance_m=centre_m, edge_distance_m=edge_m
    )


def speed_kmh(a: Point, t_a: datetime, b: Point, t_b: datetime) -> float:
    """Average speed in km/h needed to get between two timed positions.

    For impossible-travel checks. The order of the two fixes does not matter
    (an offline phone may upload them out of order), so this never returns
    None. Equal times give ``math.inf`` for distinct places and ``0.0`` for
    the same place. Datetimes must be aware (``ValueError`` otherwise). The
    positions are taken as exact: callers wanting to forgive GPS noise
    should compare against a threshold that allows for the accuracies.
    """
    if t_a.utcoffset() is None or t_b.utcoffset() is None:
        raise ValueError("speed_kmh needs timezone-aware datetimes.")
    seconds = abs((t_b - t_a).total_seconds())
    metres = distance_m(a, b)
    if seconds == 0:
        return math.inf if metres > 0 else 0.0
    return metres / seconds * 3.6


def validate_polygon(points: Sequence[Sequence[float]]) -> Polygon:
    """Parse ``[[latitude, longitude], ...]`` (e.g. from JSON) into a Polygon.

    The ring may be given open or closed. Raises ``ValueError`` with an English
    message naming the first problem: not a list of pairs, a coordinate that
    is not a finite number in range, fewer than 3 distinct points, a span of
    :data:`MAX_POLYGON_SPAN_DEG` or more, no area, or crossing edges.
    """
    # Runtime checks on top of the type hint: the value usually comes from
    # JSON, which may hold anything.
    if isinstance(points, str | bytes) or not isinstance(points, Sequence):
        raise ValueError("A polygon must be a list of [latitude, longitude] points.")
    parsed: list[Point] = []
    for number, pair in enumerate(points, start=1):
        if (
            isinstance(pair, str | bytes)
            or not isinstance(pair, Sequence)
            or len(pair) != 2
        ):
            raise ValueError(
                f"Point {number} must be a [latitude, longitude] pair, got {pair!r}."
            )
        latitude, longitude = pair
        try:
            parsed.append(Point(latitude, longitude))
        except ValueError as error:
            hint = ""
            # GeoJSON and many map tools write [longitude, latitude]; in
            # Indonesia (95-141 E) that puts the longitude in the latitude slot.
            if _looks_swapped(latitude, longitude):
                hint = " Points are [latitude, longitude]; this looks swapped."
            raise ValueError(f"Point {number}: {error}{hint}") from None
    return Polygon(tuple(parsed))


def _looks_swapped(latitude: object, longitude: object) -> bool:
    numbers = int | float | Decimal
    return (
        isinstance(latitude, numbers)
        and isinstance(longitude, numbers)
        and abs(float(latitude)) > 90 >= abs(float(longitude))
    )
