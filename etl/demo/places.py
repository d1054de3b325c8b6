"""The demo city's fixed facts: real Seattle names with approximate centres, and local weights.

The demo uses Seattle's real MCPP neighborhood names, SPD beat codes and rough centres (to three
decimals, about 100 m) so the app looks familiar, but every shape drawn from them is synthetic
and marked approximate. The weights say how busy, how populous and how diverse each place is; they
are hand-set so the demo shows neighborhood differences a meeting would recognise, not measured.
"""
from __future__ import annotations

# (MCPP neighborhood, precinct code, approx. centre lat, lon)
MCPP = [
    ("ALASKA JUNCTION", "SW", 47.562, -122.387), ("ALKI", "SW", 47.579, -122.414),
    ("BALLARD NORTH", "N", 47.692, -122.388), ("BALLARD SOUTH", "N", 47.667, -122.382),
    ("BELLTOWN", "W", 47.614, -122.352), ("BITTERLAKE", "N", 47.721, -122.363),
    ("BRIGHTON/DUNLAP", "S", 47.536, -122.274), ("CENTRAL AREA/SQUIRE PARK", "E", 47.614, -122.303),
    ("CLAREMONT/RAINIER VISTA", "S", 47.568, -122.294), ("COLUMBIA CITY", "S", 47.557, -122.282),
    ("EASTLAKE - EAST", "E", 47.632, -122.322), ("EASTLAKE - WEST", "W", 47.643, -122.329),
    ("COMMERCIAL DUWAMISH", "SW", 47.566, -122.350), ("COMMERCIAL HARBOR ISLAND", "SW", 47.583, -122.352),
    ("DOWNTOWN COMMERCIAL", "W", 47.609, -122.341), ("HILLMAN CITY", "S", 47.550, -122.279),
    ("FAUNTLEROY SW", "SW", 47.516, -122.397), ("FIRST HILL", "E", 47.609, -122.318),
    ("FREMONT", "N", 47.655, -122.354), ("GENESEE", "S", 47.565, -122.282),
    ("HIGH POINT", "SW", 47.544, -122.369), ("MORGAN", "SW", 47.544, -122.390),
    ("GEORGETOWN", "S", 47.549, -122.326), ("GREENWOOD", "N", 47.694, -122.355),
    ("HIGHLAND PARK", "SW", 47.527, -122.348), ("LAKECITY", "N", 47.716, -122.298),
    ("LAKEWOOD/SEWARD PARK", "S", 47.552, -122.256), ("MOUNT BAKER", "S", 47.579, -122.291),
    ("MADISON PARK", "E", 47.634, -122.285), ("MAGNOLIA", "W", 47.651, -122.401),
    ("MONTLAKE/PORTAGE BAY", "E", 47.639, -122.305), ("MID BEACON HILL", "S", 47.557, -122.305),
    ("MILLER PARK", "E", 47.625, -122.308), ("NEW HOLLY", "S", 47.538, -122.285),
    ("NORTH ADMIRAL", "SW", 47.582, -122.388), ("QUEEN ANNE", "W", 47.639, -122.357),
    ("NORTH BEACON HILL", "S", 47.578, -122.308), ("RAINIER BEACH", "S", 47.524, -122.269),
    ("NORTH DELRIDGE", "SW", 47.555, -122.362), ("UNIVERSITY", "N", 47.661, -122.306),
    ("NORTHGATE", "N", 47.712, -122.329), ("SODO", "S", 47.577, -122.332),
    ("PHINNEY RIDGE", "N", 47.673, -122.352), ("PIGEON POINT", "SW", 47.565, -122.358),
    ("PIONEER SQUARE", "W", 47.594, -122.337), ("RAINIER VIEW", "S", 47.508, -122.259),
    ("ROOSEVELT/RAVENNA", "N", 47.676, -122.319), ("ROXHILL/WESTWOOD/ARBOR HEIGHTS", "SW", 47.516, -122.381),
    ("SANDPOINT", "N", 47.682, -122.268), ("SLU/CASCADE", "W", 47.624, -122.338),
    ("SOUTH BEACON HILL", "S", 47.529, -122.287), ("SOUTH PARK", "SW", 47.531, -122.327),
    ("WALLINGFORD", "N", 47.656, -122.332), ("SOUTH DELRIDGE", "SW", 47.520, -122.357),
    ("CAPITOL HILL", "E", 47.624, -122.321), ("LESCHI/MADRONA", "E", 47.609, -122.287),
    ("JUDKINS PARK/NORTH BEACON HILL", "E", 47.596, -122.307), ("INTERNATIONAL DISTRICT", "W", 47.596, -122.320),
]

# (beat, precinct code, approx. centre lat, lon); the sector is the beat's letter. The harbor
# beats (H1-H3) and beat 99 are water and are left out of the demo.
BEATS = [
    ("B1", "N", 47.668, -122.390), ("B2", "N", 47.662, -122.360), ("B3", "N", 47.658, -122.335),
    ("C1", "E", 47.633, -122.318), ("C2", "E", 47.632, -122.297), ("C3", "E", 47.623, -122.289),
    ("D1", "W", 47.614, -122.351), ("D2", "W", 47.630, -122.341), ("D3", "W", 47.634, -122.331),
    ("E1", "E", 47.620, -122.322), ("E2", "E", 47.613, -122.318), ("E3", "E", 47.610, -122.326),
    ("F1", "SW", 47.551, -122.356), ("F2", "SW", 47.525, -122.366), ("F3", "SW", 47.527, -122.334),
    ("G1", "E", 47.604, -122.321), ("G2", "E", 47.605, -122.298), ("G3", "E", 47.595, -122.302),
    ("J1", "N", 47.696, -122.392), ("J2", "N", 47.683, -122.385), ("J3", "N", 47.680, -122.338),
    ("K1", "W", 47.605, -122.334), ("K2", "W", 47.595, -122.333), ("K3", "W", 47.600, -122.323),
    ("L1", "N", 47.722, -122.310), ("L2", "N", 47.697, -122.318), ("L3", "N", 47.716, -122.287),
    ("M1", "W", 47.608, -122.344), ("M2", "W", 47.613, -122.336), ("M3", "W", 47.610, -122.335),
    ("N1", "N", 47.715, -122.366), ("N2", "N", 47.721, -122.337), ("N3", "N", 47.701, -122.340),
    ("O1", "S", 47.583, -122.332), ("O2", "S", 47.563, -122.334), ("O3", "S", 47.539, -122.316),
    ("Q1", "W", 47.651, -122.401), ("Q2", "W", 47.642, -122.361), ("Q3", "W", 47.624, -122.358),
    ("R1", "S", 47.575, -122.310), ("R2", "S", 47.575, -122.290), ("R3", "S", 47.552, -122.265),
    ("S1", "S", 47.532, -122.288), ("S2", "S", 47.535, -122.274), ("S3", "S", 47.509, -122.259),
    ("U1", "N", 47.679, -122.311), ("U2", "N", 47.656, -122.312), ("U3", "N", 47.672, -122.276),
    ("W1", "SW", 47.582, -122.380), ("W2", "SW", 47.560, -122.387), ("W3", "SW", 47.524, -122.389),
]

# A coarse city outline (lon, lat), drawn by hand-simplifying the city limits to ~1 km.
OUTLINE = [
    (-122.400, 47.512), (-122.403, 47.549), (-122.425, 47.578), (-122.388, 47.601), (-122.372, 47.589),
    (-122.345, 47.602), (-122.418, 47.637), (-122.440, 47.664), (-122.405, 47.701), (-122.384, 47.711),
    (-122.381, 47.734), (-122.284, 47.734), (-122.271, 47.696), (-122.244, 47.680), (-122.271, 47.647),
    (-122.289, 47.655), (-122.301, 47.647), (-122.275, 47.643), (-122.287, 47.583), (-122.258, 47.554),
    (-122.252, 47.564), (-122.241, 47.555), (-122.263, 47.534), (-122.259, 47.521), (-122.235, 47.510),
    (-122.247, 47.510), (-122.241, 47.499), (-122.270, 47.496), (-122.270, 47.510), (-122.291, 47.510),
    (-122.291, 47.524), (-122.305, 47.532), (-122.318, 47.532), (-122.310, 47.522), (-122.331, 47.521),
    (-122.327, 47.514), (-122.371, 47.517), (-122.380, 47.493), (-122.400, 47.512),
]

PRECINCT_WORD = {"N": "North", "E": "East", "S": "South", "SW": "Southwest", "W": "West"}
PRECINCT_UPPER = {"N": "NORTH", "E": "EAST", "S": "SOUTH", "SW": "SOUTHWEST", "W": "WEST"}
SECTOR_WORD = {
    "B": "BOY", "C": "CHARLIE", "D": "DAVID", "E": "EDWARD", "F": "FRANK", "G": "GEORGE", "J": "JOHN",
    "K": "KING", "L": "LINCOLN", "M": "MARY", "N": "NORA", "O": "OCEAN", "Q": "QUEEN", "R": "ROBERT",
    "S": "SAM", "U": "UNION", "W": "WILLIAM",
}

# How busy a place is relative to a typical residential neighborhood (1.0): the nightlife,
# retail and transit hubs carry most of the calls and crime.
ACTIVITY = {
    "DOWNTOWN COMMERCIAL": 6.0, "BELLTOWN": 4.0, "CAPITOL HILL": 4.0, "PIONEER SQUARE": 3.0,
    "UNIVERSITY": 3.0, "SLU/CASCADE": 3.0, "INTERNATIONAL DISTRICT": 2.5, "NORTHGATE": 2.5,
    "SODO": 2.5, "FIRST HILL": 2.0, "LAKECITY": 2.0, "BITTERLAKE": 2.0, "RAINIER BEACH": 2.0,
    "QUEEN ANNE": 1.8, "BALLARD SOUTH": 1.8, "CENTRAL AREA/SQUIRE PARK": 1.8, "COLUMBIA CITY": 1.5,
    "GEORGETOWN": 1.4, "ALASKA JUNCTION": 1.3, "FREMONT": 1.3, "HIGH POINT": 1.2,
    "COMMERCIAL HARBOR ISLAND": 0.3, "COMMERCIAL DUWAMISH": 0.4, "MADISON PARK": 0.5,
    "SANDPOINT": 0.6, "MAGNOLIA": 0.6, "PIGEON POINT": 0.4, "MONTLAKE/PORTAGE BAY": 0.6,
}

# Residents relative to a typical neighborhood (1.0), for the synthetic tract populations.
RESIDENTS = {
    "COMMERCIAL HARBOR ISLAND": 0.05, "COMMERCIAL DUWAMISH": 0.1, "SODO": 0.2, "GEORGETOWN": 0.4,
    "PIONEER SQUARE": 0.5, "DOWNTOWN COMMERCIAL": 1.2, "BELLTOWN": 1.6, "CAPITOL HILL": 2.2,
    "UNIVERSITY": 2.0, "SLU/CASCADE": 1.4, "QUEEN ANNE": 1.8, "BALLARD NORTH": 1.6,
    "BALLARD SOUTH": 1.4, "LAKECITY": 1.5, "ROOSEVELT/RAVENNA": 1.4, "MAGNOLIA": 1.2,
    "FIRST HILL": 1.3, "SANDPOINT": 1.3, "GREENWOOD": 1.3, "PIGEON POINT": 0.4,
}

# Share of residents who are people of colour (default 0.30); the south and southeast of the
# city are more diverse, the north and west less, as in Seattle.
POC_SHARE = {
    "RAINIER BEACH": 0.80, "BRIGHTON/DUNLAP": 0.78, "NEW HOLLY": 0.80, "RAINIER VIEW": 0.75,
    "SOUTH BEACON HILL": 0.75, "MID BEACON HILL": 0.72, "NORTH BEACON HILL": 0.62,
    "COLUMBIA CITY": 0.60, "HILLMAN CITY": 0.62, "CLAREMONT/RAINIER VISTA": 0.66, "GENESEE": 0.50,
    "INTERNATIONAL DISTRICT": 0.78, "SOUTH PARK": 0.65, "HIGH POINT": 0.62, "SOUTH DELRIDGE": 0.55,
    "HIGHLAND PARK": 0.52, "ROXHILL/WESTWOOD/ARBOR HEIGHTS": 0.50, "NORTH DELRIDGE": 0.42,
    "CENTRAL AREA/SQUIRE PARK": 0.45, "JUDKINS PARK/NORTH BEACON HILL": 0.50, "FIRST HILL": 0.42,
    "LESCHI/MADRONA": 0.35, "GEORGETOWN": 0.45, "SODO": 0.45, "NORTHGATE": 0.45, "BITTERLAKE": 0.42,
    "LAKECITY": 0.40, "UNIVERSITY": 0.42, "MAGNOLIA": 0.18, "BALLARD NORTH": 0.18,
    "BALLARD SOUTH": 0.20, "PHINNEY RIDGE": 0.18, "WALLINGFORD": 0.20, "FREMONT": 0.20,
    "MADISON PARK": 0.15, "QUEEN ANNE": 0.22, "ALKI": 0.22, "FAUNTLEROY SW": 0.20,
    "SANDPOINT": 0.25, "MONTLAKE/PORTAGE BAY": 0.22,
}

# Street names by precinct for blurred block addresses (a plausible mix, not a gazetteer).
STREETS = {
    "N": ["AURORA AVE N", "15TH AVE NW", "NW MARKET ST", "NE 45TH ST", "ROOSEVELT WAY NE", "LAKE CITY WAY NE",
          "GREENWOOD AVE N", "NE NORTHGATE WAY", "UNIVERSITY WAY NE", "N 85TH ST", "24TH AVE NW", "35TH AVE NE",
          "STONE WAY N", "FREMONT AVE N", "NE 125TH ST", "5TH AVE NE", "N 130TH ST", "LEARY AVE NW"],
    "E": ["BROADWAY E", "E PIKE ST", "E PINE ST", "15TH AVE E", "23RD AVE", "E JEFFERSON ST", "E MADISON ST",
          "12TH AVE", "E HOWELL ST", "MLK JR WAY", "E UNION ST", "SUMMIT AVE E", "BOREN AVE", "E CHERRY ST"],
    "S": ["RAINIER AVE S", "MLK JR WAY S", "BEACON AVE S", "S HENDERSON ST", "4TH AVE S", "1ST AVE S",
          "S ALASKA ST", "S OTHELLO ST", "S LANDER ST", "AIRPORT WAY S", "15TH AVE S", "S MYRTLE ST"],
    "SW": ["CALIFORNIA AVE SW", "DELRIDGE WAY SW", "35TH AVE SW", "SW ALASKA ST", "SW ROXBURY ST",
           "16TH AVE SW", "ALKI AVE SW", "SW AVALON WAY", "14TH AVE S", "SW MORGAN ST", "FAUNTLEROY WAY SW"],
    "W": ["3RD AVE", "2ND AVE", "PIKE ST", "PINE ST", "1ST AVE", "WESTLAKE AVE N", "DENNY WAY", "5TH AVE N",
          "QUEEN ANNE AVE N", "15TH AVE W", "S JACKSON ST", "YESLER WAY", "MERCER ST", "ELLIOTT AVE W"],
}

ZIP_BY_PRECINCT = {"N": ["98103", "98105", "98107", "98115", "98117", "98125", "98133"],
                   "E": ["98102", "98112", "98122", "98104"], "S": ["98108", "98118", "98144", "98134", "98178"],
                   "SW": ["98106", "98116", "98126", "98136", "98146"], "W": ["98101", "98109", "98119", "98121", "98199"]}
