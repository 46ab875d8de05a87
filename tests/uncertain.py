"""A small two-issue scenario whose numbers have ranges of every kind, for the uncertainty tests."""

from __future__ import annotations

import stakes

HARBOUR = """
stakes: 1
title: Uncertain harbour
issues:
  - id: fees
    name: Harbour fee level
    low: no fee
    high: the highest fee in the region
    status_quo: {value: 30, range: [20, 40]}
  - id: hours
    name: Opening hours
    low: daytime only
    high: around the clock
    scale: [0, 24]
actors:
  - id: council
    name: City council
    kind: government
    capability: {value: 60, range: [40, 80]}
    stances:
      fees:
        position: {value: 70, range: [55, 85], distribution: triangular}
        salience: {value: 0.8, range: [0.6, 1.0]}
      hours: {position: 12, salience: 0.3}
  - id: union
    name: Dock workers' union
    kind: organisation
    capability: {value: 30, range: [20, 40], distribution: normal}
    stances:
      fees:
        position: {value: 20, range: [10, 30], distribution: normal}
        salience: 0.6
        risk: {value: -0.3, range: [-0.6, 0.0]}
      hours: {position: {value: 8, range: [6, 12]}, salience: 0.9}
  - id: shipping
    name: Shipping lines
    kind: organisation
    capability: 45
    stances:
      fees: {position: {value: 5, range: [0, 15]}, salience: {value: 0.9, range: [0.8, 1.0]}}
      hours: {position: {value: 22, range: [18, 24], distribution: triangular}, salience: 0.7}
  - id: residents
    name: Residents' association
    kind: public
    capability: {value: 10, range: [5, 20]}
    stances:
      hours: {position: {value: 6, range: [4, 10]}, salience: {value: 0.8, range: [0.6, 0.95]}}
  - id: port
    name: Port authority
    kind: organisation
    capability: {value: 50, range: [40, 60]}
    stances:
      fees: {position: {value: 50, range: [40, 60]}, salience: 0.5}
      hours: {position: 16, salience: {value: 0.6, range: [0.4, 0.8]}}
"""


def harbour() -> stakes.Scenario:
    return stakes.loads(HARBOUR, file="<uncertain harbour>")
