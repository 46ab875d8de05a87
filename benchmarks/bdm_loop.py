"""Plain-Python expected-utility model (lists and loops, no numpy): test oracle and benchmark baseline.

It follows the equations and options documented in :mod:`stakes.models.bdm` as literally as possible:
every sum over voters is an explicit loop, so one round costs O(n³). It shares no code with the
compiled engine (:mod:`stakes.models.bdm_kernel`), which is what makes it a useful check on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UTILITY_TIE = 1e-12
POSITION_TIE = 1e-12
KINDS = ("conflict", "compromise", "capitulation")


@dataclass
class LoopRun:
    """A whole run: positions per round (all actors), outcomes, why it stopped, and every move."""

    positions: list[list[float]]
    outcomes: list[float]
    stop_reason: str
    risk_exponents: list[list[float]] = field(default_factory=list)
    moves: list[tuple[int, str, str, str, float, float]] = field(default_factory=list)


@dataclass
class LoopRound:
    """One round's quantities for the active actors (lists of lists indexed [i][j])."""

    neutral_win_probability: list[list[float]] | None
    neutral_expected_utility: list[list[float]] | None
    risk_exponent: list[float]
    win_probability: list[list[float]]
    expected_utility: list[list[float]]
    rival_expected_utility: list[list[float]]
    offers: list[list[tuple[str, float] | None]]
    accepted: list[int]


def weighted_median(position: list[float], weight: list[float]) -> float:
    """The weighted median, split at the midpoint when the weight halves exactly (as stakes does)."""
    pairs = sorted(((x, w) for x, w in zip(position, weight) if w > 0), key=lambda p: p[0])
    half = sum(w for _, w in pairs) / 2.0
    cumulative = 0.0
    for k, (x, w) in enumerate(pairs):
        cumulative += w
        if cumulative >= half:
            if abs(cumulative - half) <= 1e-12 * abs(half) and k + 1 < len(pairs):
                return (x + pairs[k + 1][0]) / 2.0
            return x
    raise ValueError("no positive weight")


def weighted_mean(position: list[float], weight: list[float]) -> float:
    return sum(x * w for x, w in zip(position, weight)) / sum(weight)


def vote(k: int, a: int, b: int, x: list[float], weight: list[float], risk: list[float], span: float) -> float:
    """Voter k's vote for x[a] over x[b] (equation 1)."""
    return weight[k] * ((abs(x[k] - x[b]) / span) ** risk[k] - (abs(x[k] - x[a]) / span) ** risk[k])


def win_probabilities(x: list[float], weight: list[float], risk: list[float], span: float,
                      probability: str) -> list[list[float]]:
    """P[a][b] by the triple loop over voters (equation 2)."""
    n = len(x)
    every_vote = None
    if probability == "all_triples":
        every_vote = sum(abs(vote(k, a, b, x, weight, risk, span))
                         for k in range(n) for a in range(n) for b in range(n))
    table = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(n):
            if x[a] == x[b]:
                continue
            votes = [vote(k, a, b, x, weight, risk, span) for k in range(n)]
            favour = sum(v for v in votes if v > 0)
            cast = every_vote if every_vote is not None else sum(abs(v) for v in votes)
            table[a][b] = favour / cast if cast > 0 else 0.0
    return table


def challenge_utility(challenger: int, target: int, x: list[float], salience: list[float],
                      win: list[list[float]], r: float, median: float, span: float,
                      resist_salience: str, q: float, t: float) -> float:
    """EU of challenger against target seen with risk exponent r (equations 3–4)."""
    if x[challenger] == x[target]:
        return 0.0
    d = abs(x[challenger] - x[target]) / span
    success = 2 - 4 * (0.5 - 0.5 * d) ** r
    failure = 2 - 4 * (0.5 + 0.5 * d) ** r
    status_quo = 2 - 4 * 0.5 ** r
    offset = 0.25 * (abs(x[challenger] - median) / span + d)
    better = 2 - 4 * (0.5 - offset) ** r
    worse = 2 - 4 * (0.5 + offset) ** r
    resist = salience[target] if resist_salience == "target" else salience[challenger]
    p = win[challenger][target]
    return (resist * (p * success + (1 - p) * failure) + (1 - resist) * success
            - q * status_quo - (1 - q) * (t * better + (1 - t) * worse))


def play_round(x: list[float], salience: list[float], weight: list[float], ids: list[str],
               span: float, given_risk: list[float] | None, options: dict,
               fixed: list[bool] | None = None) -> LoopRound:
    """Security levels, risk exponents, expected utilities, offers and the offer each actor takes
    (none for a fixed actor)."""
    n = len(x)
    median = weighted_median(x, weight)
    eu_args = (median, span, options["resist_salience"], options["status_quo_probability"],
               options["improvement_probability"])
    neutral_win = neutral_own = None
    if given_risk is None:
        ones = [1.0] * n
        neutral_win = win_probabilities(x, weight, ones, span, options["probability"])
        neutral_own = [[0.0 if i == j else challenge_utility(i, j, x, salience, neutral_win, 1.0, *eu_args)
                        for j in range(n)] for i in range(n)]
        danger = [sum(challenge_utility(j, i, x, salience, neutral_win, 1.0, *eu_args)
                      for j in range(n) if j != i) for i in range(n)]
        high, low = max(danger), min(danger)
        if high - low <= UTILITY_TIE * max(1.0, abs(high), abs(low)):
            risk = [1.0] * n
        else:
            attitude = [(2 * d - high - low) / (high - low) for d in danger]
            risk = [(1 - a / 3) / (1 + a / 3) for a in attitude]
    else:
        risk = list(given_risk)
    win = win_probabilities(x, weight, risk, span, options["probability"])
    own = [[0.0] * n for _ in range(n)]
    rival = [[0.0] * n for _ in range(n)]
    offers: list[list[tuple[str, float] | None]] = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            a = own[i][j] = challenge_utility(i, j, x, salience, win, risk[i], *eu_args)
            b = rival[i][j] = challenge_utility(j, i, x, salience, win, risk[i], *eu_args)
            if a > UTILITY_TIE and b > a + UTILITY_TIE:
                offers[i][j] = ("conflict", x[j])
            elif b > UTILITY_TIE and a < -UTILITY_TIE:
                if -a < b:
                    offers[i][j] = ("compromise", x[i] + (x[j] - x[i]) * (-a / b))
                else:
                    offers[i][j] = ("capitulation", x[j])
    accepted = [-1 if fixed and fixed[i] else accept(i, x, offers[i], own[i], rival[i], ids, span,
                                                     options["acceptance"])
                for i in range(n)]
    return LoopRound(neutral_win, neutral_own, risk, win, own, rival, offers, accepted)


def accept(i: int, x: list[float], offers: list[tuple[str, float] | None], own: list[float],
           rival: list[float], ids: list[str], span: float, acceptance: str) -> int:
    """The offer actor i takes under the acceptance rule, ties to the lowest actor id; −1 if none."""
    candidates = [j for j, offer in enumerate(offers) if offer is not None]
    if not candidates:
        return -1

    def move(j: int) -> float:
        return abs(offers[j][1] - x[i])

    def pooled(j: int) -> float:
        return (abs(own[j]) * x[i] + abs(rival[j]) * x[j]) / (abs(own[j]) + abs(rival[j]))

    tie = POSITION_TIE * span
    if acceptance == "least_move":
        keys = [(move, tie)]
    elif acceptance == "highest_eu":
        keys = [(lambda j: -rival[j], UTILITY_TIE), (move, tie)]
    else:
        rank = {"conflict": 0, "compromise": 1, "capitulation": 2}
        keys = [(lambda j: rank[offers[j][0]], 0.0),
                (lambda j: pooled(j) if offers[j][0] == "compromise" else move(j), tie)]
    for key, tolerance in keys:
        best = min(key(j) for j in candidates)
        candidates = [j for j in candidates if key(j) <= best + tolerance]
    return min(candidates, key=lambda j: ids[j])


def simulate(position: list[float], salience: list[float], capability: list[float], ids: list[str],
             scale: tuple[float, float], risk_attitude: list[float] | None = None, *, rounds: int = 10,
             tolerance: float = 1e-9, probability: str = "pairwise", resist_salience: str = "target",
             acceptance: str = "least_move", status_quo_probability: float = 1.0,
             improvement_probability: float = 1.0, distance_scale: str = "scale",
             risk: str = "security", outcome: str = "median", fixed: list[bool] | None = None) -> LoopRun:
    """Run the model on plain lists, with the same parameters as ``ExpectedUtility``; ``fixed``
    marks actors that accept no offer (as ``IssueData.fixed``)."""
    options = {"probability": probability, "resist_salience": resist_salience, "acceptance": acceptance,
               "status_quo_probability": status_quo_probability,
               "improvement_probability": improvement_probability}
    active = [k for k in range(len(position)) if capability[k] * salience[k] > 0]
    x = [float(position[k]) for k in active]
    s = [float(salience[k]) for k in active]
    w = [capability[k] * salience[k] for k in active]
    names = [ids[k] for k in active]
    held = [bool(fixed[k]) for k in active] if fixed is not None else None
    span = max(x) - min(x) if distance_scale == "positions" else scale[1] - scale[0]
    given_risk = None
    if risk == "neutral":
        given_risk = [1.0] * len(x)
    elif risk == "data":
        attitude = [min(1.0, max(-1.0, risk_attitude[k])) for k in active]
        given_risk = [(1 - a / 3) / (1 + a / 3) for a in attitude]

    def forecast(current: list[float]) -> float:
        return weighted_median(current, w) if outcome == "median" else weighted_mean(current, w)

    full = [float(p) for p in position]
    run = LoopRun(positions=[list(full)], outcomes=[forecast(x)], stop_reason="converged")
    if max(x) == min(x):
        return run
    history = [x]
    run.stop_reason = "round_limit"
    for round_number in range(1, rounds + 1):
        step = play_round(x, s, w, names, span, given_risk, options, held)
        new = list(x)
        for i, j in enumerate(step.accepted):
            if j >= 0:
                kind, new[i] = step.offers[i][j]
                run.moves.append((round_number, names[j], names[i], kind, x[i], new[i]))
        run.risk_exponents.append(step.risk_exponent)
        full = list(full)
        for slot, k in enumerate(active):
            full[k] = new[slot]
        run.positions.append(full)
        run.outcomes.append(forecast(new))
        limit = tolerance * span
        if max(abs(a - b) for a, b in zip(new, x)) <= limit or max(new) == min(new):
            run.stop_reason = "converged"
            break
        repeated = any(max(abs(a - b) for a, b in zip(new, old)) <= limit for old in history[:-1])
        history.append(new)
        x = new
        if repeated:
            run.stop_reason = "cycle"
            break
    return run

