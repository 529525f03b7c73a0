#!/usr/bin/env python3
"""Example venues as seat-map CSVs (PUT /events/{id}/seat-map, Content-Type: text/csv).

  infra/venues.py hall     > docs/venues/hall-2000.csv      a 2,000-seat concert hall
  infra/venues.py stadium  > stadium-40000.csv              a 40,000-seat stadium

The `tier` column names tiers by name: create the event with tiers of those names
(hall: Stalls, Circle, Balcony; stadium: Nord, Sud, Est, Ouest, Gäste), each with
maxPerOrder at most 10.
"""
import math
import sys


def hall():
    """Stalls (curved rows A-T of 40-59 seats), a circle and a balcony above: 2,000 seats."""
    seats = []
    # (section, tier, rows, first row's seats, seats added per row, depth at which the section starts)
    plan = [("Stalls", "Stalls", 20, 40, 1, 0), ("Circle", "Circle", 12, 50, 0, 24), ("Balcony", "Balcony", 8, 52, 0, 40)]
    for section, tier, rows, first, growth, start in plan:
        for r in range(rows):
            label = chr(ord("A") + r)
            count = first + growth * r
            radius = 300 + (start + r) * 12
            for n in range(count):
                # Seats on an arc facing the stage at (1000, 0).
                angle = math.radians(-50 + 100 * (n + 0.5) / count)
                x = 1000 + radius * math.sin(angle)
                y = radius * math.cos(angle)
                seats.append((section, label, n + 1, round(x, 1), round(y, 1), tier))
    # Trim the last balcony row so the hall has 2,000 seats exactly.
    return seats[:2000]


def stadium():
    """Four stands of 10 blocks; each block 25 rows of 40 seats: 40,000 seats."""
    seats = []
    stands = [("Nord", 0), ("Est", 90), ("Sud", 180), ("Ouest", 270)]
    for stand, facing in stands:
        for block in range(1, 11):
            tier = "Gäste" if stand == "Sud" and block in (9, 10) else stand
            name = f"{stand} {block}"
            for r in range(25):
                for n in range(40):
                    along = (block - 1) * 42 + n - 210
                    depth = 120 + r * 2
                    angle = math.radians(facing)
                    x = 1000 + along * math.cos(angle) - depth * math.sin(angle)
                    y = 1000 + along * math.sin(angle) + depth * math.cos(angle)
                    seats.append((name, str(r + 1), n + 1, round(x, 1), round(y, 1), tier))
    return seats


def main():
    venue = sys.argv[1] if len(sys.argv) > 1 else ""
    seats = {"hall": hall, "stadium": stadium}.get(venue)
    if seats is None:
        sys.exit(__doc__)
    out = sys.stdout
    out.write("section,row,seat,x,y,tier\n")
    for section, row, seat, x, y, tier in seats():
        out.write(f"{section},{row},{seat},{x},{y},{tier}\n")


if __name__ == "__main__":
    main()
