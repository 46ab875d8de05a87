"""One run of the Spatial Model of Politics on a multi-dimensional space.

Every turn: assess the state (values, inferred risk attitudes, each actor's estimate of everyone's
utilities), let every actor pick its most advantageous target and propose a bargain, let every actor
choose among the bargains that concern it by a probabilistic Condorcet election, move, adjust ideals,
and stop once the step is small against the first one. Positions, ideals and saliences live on
[0, 1]; the arithmetic follows KTAB's (see :mod:`stakes.models.smp.kernels`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from stakes.models.smp import kernels as K

THIRD_PARTY_COMMITS = ("NoCommit", "SemiCommit", "FullCommit")
INTER_VEC_BRGNS = ("S1P1", "S2P2", "S2PMax")
BARGAIN_MODELS = ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")
STATE_TRANSITIONS = ("Deterministic", "Stochastic")

MIN_CONTEST = 1e-10  # each side of a two-party contest starts with this strength
MIN_GAIN = 1e-5  # an expected gain below this is not worth a challenge
MIN_WEIGHT = 1e-6  # keeps bargain interpolation away from 0/0 when neither side cares
GRID = 10_000.0  # interpolated bargains are rounded to 1/GRID of the [0, 1] scale
POSITION_TOL = 1e-3  # positions closer than this count as one option
MIN_FIRST_STEP = 1e-4  # added to the first step so the stopping ratio is never 0/0
MIN_TURNS = 2


class Uniform(Protocol):
    """A source of uniform draws on [0, 1]: a numpy Generator, or a replica of KTAB's generator."""

    def random(self) -> float: ...


class Chooser(Protocol):
    """Picks the option an actor adopts: (turn, actor, options, probabilities) → index of the option."""

    def __call__(self, turn: int, actor: int, options: tuple[Bargain | None, ...],
                 probability: np.ndarray) -> int: ...


@dataclass(frozen=True)
class Settings:
    """The model's options, named as KTAB names them."""

    victory_prob_model: str = "Linear"
    voting_rule: str = "Prop"
    pce_model: str = "Conditional"
    state_transitions: str = "Deterministic"
    big_r_range: str = "Mid"
    big_r_adjust: str = "OneThird"
    third_party_commit: str = "SemiCommit"
    inter_vec_brgn: str = "S2P2"
    bargain_model: str = "InitOnlyInterp"

    def __post_init__(self) -> None:
        choices = {
            "victory_prob_model": K.VICTORY_PROB_MODELS, "voting_rule": K.VOTING_RULES,
            "pce_model": K.PCE_MODELS, "state_transitions": STATE_TRANSITIONS,
            "big_r_range": K.BIG_R_RANGES, "big_r_adjust": K.BIG_R_ADJUSTS,
            "third_party_commit": THIRD_PARTY_COMMITS, "inter_vec_brgn": INTER_VEC_BRGNS,
            "bargain_model": BARGAIN_MODELS,
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")


@dataclass(frozen=True)
class Actors:
    """What stays fixed during a run: capabilities, saliences (actors × dims) and ideal accommodation.

    ``accommodation[i, j]`` is the rate at which i's ideal moves toward j's position each turn; the
    rest of the row's unit keeps i's old ideal. ``None`` is the identity: ideals are positions.
    """

    capability: np.ndarray
    salience: np.ndarray
    accommodation: np.ndarray | None = None
    salience_total: np.ndarray = field(init=False)
    weight: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        total = K.ordered_sum(self.salience.T)
        object.__setattr__(self, "salience_total", total)
        object.__setattr__(self, "weight", total * self.capability)

    @property
    def n(self) -> int:
        return len(self.capability)


@dataclass(frozen=True)
class Assessment:
    """How the actors see one state.

    ``value[i, j]`` is i's risk-neutral value of j's position, ``risk`` the risk attitudes inferred from
    how likely each position is to prevail, ``utility[i, j]`` the risk-aware utility and ``guess[h, i]``
    h's estimate of i's risk attitude, from which h estimates ``utility`` (see :meth:`estimate`).
    """

    distance: np.ndarray
    value: np.ndarray
    risk: np.ndarray
    utility: np.ndarray
    guess: np.ndarray

    def estimate(self, h: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """h's estimate of i's utility for j's position (the index arrays broadcast)."""
        return K.utility(self.distance[i, j], self.guess[h, i])

    @property
    def estimates(self) -> np.ndarray:
        """All of them: estimates[h, i, j] (n³ numbers, for inspection)."""
        return K.utility(self.distance[np.newaxis, :, :], self.guess[:, :, np.newaxis])

    @property
    def own(self) -> np.ndarray:
        """own[i, j] = i's own estimate of its utility for j's position."""
        return K.utility(self.distance, np.diagonal(self.guess)[:, np.newaxis])


@dataclass(frozen=True)
class Bargain:
    """Positions proposed to the initiator and to the receiver; ``basis`` says whose estimate shaped it."""

    initiator: int
    receiver: int
    initiator_position: np.ndarray
    receiver_position: np.ndarray
    basis: str


@dataclass(frozen=True)
class Challenge:
    """An initiator's most advantageous target, the estimates behind it and the bargains it yields.

    ``estimates[(h, k)]`` is h's estimate of (P[initiator beats target], expected change in k's
    utility), for h, k ∈ {initiator, target}.
    """

    initiator: int
    target: int
    estimates: dict[tuple[int, int], tuple[float, float]]
    bargains: dict[str, Bargain]

    @property
    def gain(self) -> float:
        return self.estimates[(self.initiator, self.initiator)][1]

    @property
    def p_win(self) -> float:
        return self.estimates[(self.initiator, self.initiator)][0]


@dataclass(frozen=True)
class Choice:
    """One actor's election among the bargains that concern it (``None`` = keep its position)."""

    actor: int
    options: tuple[Bargain | None, ...]
    utility: np.ndarray
    strength: np.ndarray
    victory: np.ndarray
    probability: np.ndarray
    chosen: int


@dataclass(frozen=True)
class Turn:
    challenges: tuple[Challenge, ...]
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Distribution:
    """How likely each position is to prevail in a state.

    ``by_actor`` follows KTAB (positions within POSITION_TOL count as one, the first holder standing
    for them); ``label``/``probability`` group exactly equal positions, which does not depend on the
    order of the actors.
    """

    by_actor: np.ndarray
    label: np.ndarray
    probability: np.ndarray


@dataclass
class Run:
    """A whole run: positions and ideals per state (row 0 = start), and what happened in between."""

    positions: list[np.ndarray]
    ideals: list[np.ndarray]
    risks: list[np.ndarray]
    distributions: list[Distribution]
    turns: list[Turn]
    ratios: list[float]
    stop_reason: str
    assessments: list[Assessment] = field(default_factory=list)


def assess(position: np.ndarray, ideal: np.ndarray, actors: Actors, settings: Settings) -> Assessment:
    """Values, inferred risk attitudes and every actor's estimate of the utility matrix."""
    distance = K.salience_distance(ideal, position, actors.salience)
    value = K.utility(distance, np.zeros((actors.n, 1)))
    strength = K.coalitions(settings.voting_rule, actors.capability, value)
    p, _ = K.condorcet(settings.pce_model, settings.victory_prob_model, strength)
    risk = K.risk_from_probability(p, settings.big_r_range)
    utility = K.utility(distance, risk[:, np.newaxis])
    return Assessment(distance, value, risk, utility, K.estimated_risk(risk, settings.big_r_adjust))


# per third party n: n, and from the perspective at hand u[n, i], u[n, j], u[n, n] and 1 where n is
# neither principal (0 where it is one)
Views = Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def contest(assessment: Assessment, actors: Actors, settings: Settings, h: np.ndarray, k: np.ndarray,
            i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h's estimate of P[i beats j] and of the change in k's utility if i challenges j.

    The index arrays broadcast against each other (for instance a column of i and a row of j).
    """
    u = assessment.estimate
    n = np.arange(actors.n).reshape((-1,) + (1,) * len(np.broadcast(h, k, i, j).shape))
    u_ni, u_nj, u_nn = u(h, n, i), u(h, n, j), u(h, n, n)  # every third party n at once, along axis 0

    def views() -> Views:
        for m in range(actors.n):
            yield m, u_ni[m], u_nj[m], u_nn[m], (m != i) & (m != j)

    return _contest(u(h, i, i), u(h, i, j), u(h, j, i), u(h, j, j), u(h, k, i), u(h, k, j), i, j, views(),
                    actors, settings)


def challenge_all(assessment: Assessment, actors: Actors,
                  settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """[i, j]: i's estimate of P[i beats j] and of its own gain from challenging j, for every pair.

    The same arithmetic as :func:`contest` with h = k = i, laid out so that each third party's
    utilities come as whole planes (this is a turn's heaviest computation).
    """
    n = actors.n
    d, guess = assessment.distance, assessment.guess
    r = np.arange(n)

    def views() -> Views:
        for m in range(n):
            plane = K.utility(d[m][np.newaxis, :], guess[:, m][:, np.newaxis])  # [h, b]: h's view of u[m, b]
            counts = np.ones((n, n))
            counts[m, :] = counts[:, m] = 0.0
            yield m, np.diagonal(plane)[:, np.newaxis], plane, plane[:, m:m + 1], counts

    own = assessment.own
    u_ii = np.diagonal(own)[:, np.newaxis]
    u_ji = K.utility(d.T, guess)  # [i, j]: i's view of j's utility for i's position
    u_jj = K.utility(np.diagonal(d)[np.newaxis, :], guess)
    return _contest(u_ii, own, u_ji, u_jj, u_ii, own, r[:, np.newaxis], r[np.newaxis, :], views(), actors,
                    settings)


def _contest(u_ii: np.ndarray, u_ij: np.ndarray, u_ji: np.ndarray, u_jj: np.ndarray, u_ki: np.ndarray,
             u_kj: np.ndarray, i: np.ndarray, j: np.ndarray, views: Views, actors: Actors,
             settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The contest from one perspective, given that perspective's utilities.

    The principals back their own positions; each third party weighs in on the side it prefers
    after judging the little contest of the principals and itself, bound to the winner by the
    third-party commitment.
    """
    rule, commit = settings.voting_rule, settings.third_party_commit
    w, s = actors.weight, actors.salience_total
    status_quo, win, lose = u_ki + u_kj, u_ki + u_ki, u_kj + u_kj
    by_i = K.vote(rule, w[i], u_ii - u_ij)
    by_j = K.vote(rule, w[j], u_ji - u_jj)
    # adding or subtracting 0.0 leaves a number unchanged, so these sums equal KTAB's if-then sums
    for_i = (MIN_CONTEST + np.maximum(by_i, 0.0)) + np.maximum(by_j, 0.0)
    for_j = (MIN_CONTEST - np.minimum(by_i, 0.0)) - np.minimum(by_j, 0.0)
    base_i, base_j = for_i, for_j
    for n, u_ni, u_nj, u_nn, counts in views:
        own = K.vote(rule, w[n], u_ni - u_nj)
        side_i = base_i + np.maximum(own, 0.0)
        side_j = base_j - np.minimum(own, 0.0)
        p_in = side_i / (side_i + side_j)
        p_jn = 1.0 - p_in
        if commit == "FullCommit":
            a, b, c, d = u_ni + u_ni + u_ni, u_nj + u_nj + u_nj, u_ni + u_ni + u_ni, u_nj + u_nj + u_nj
        elif commit == "SemiCommit":
            a, b, c, d = u_ni + u_ni + u_nn, u_nj + u_nj + u_nj, u_ni + u_ni + u_ni, u_nj + u_nj + u_nn
        else:
            a, b, c, d = u_ni + u_ni + u_nn, u_nj + u_nj + u_nn, u_ni + u_ni + u_nn, u_nj + u_nj + u_nn
        # a principal is no third party: its vote is zeroed (a zero, even −0.0, changes no sum below)
        du = ((p_in * a) + (p_jn * b)) - ((p_in * c) + (p_jn * d))  # U(i and n beat j) − U(i beats j and n)
        third = counts * K.vote(rule, w[n], du)
        for_i = for_i + np.maximum(third, 0.0)
        for_j = for_j - np.minimum(third, 0.0)
    p_ij = for_i / (for_i + for_j)
    p_ji = for_j / (for_i + for_j)
    s_j = s[j]
    challenge = (1 - s_j) * win + s_j * (p_ij * win + p_ji * lose)
    return p_ij, challenge - status_quo


def _interpolate(t_i: np.ndarray, s_i: np.ndarray, p_i: np.ndarray, t_j: np.ndarray, s_j: np.ndarray,
                 p_j: np.ndarray, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Bargained positions for i and j: each moves toward the other by salience × win-probability."""
    if rule == "S2PMax":
        d_i = np.where(p_j > p_i, p_j - p_i, 0.0)
        d_j = np.where(p_i > p_j, p_i - p_j, 0.0)
        s_i2, s_j2 = s_i * s_i, s_j * s_j
        shift_i = (d_i * s_j2) / ((d_i * s_j2) + MIN_WEIGHT + ((1 - d_i) * s_i2))
        shift_j = (d_j * s_i2) / ((d_j * s_i2) + MIN_WEIGHT + ((1 - d_j) * s_j2))
        return t_i + shift_i * (t_j - t_i), t_j + shift_j * (t_i - t_j)
    power = 1 if rule == "S1P1" else 2
    w_i = (s_i ** power) * (p_i ** power)
    w_j = (s_j ** power) * (p_j ** power)
    total = w_i + MIN_WEIGHT + w_j
    b_i = ((w_i + MIN_WEIGHT) * t_i + w_j * t_j) / total
    b_j = (w_i * t_i + (MIN_WEIGHT + w_j) * t_j) / total
    # round to the grid: no spurious precision, and no spurious asymmetry between i and j
    return np.trunc(0.5 + b_i * GRID) / GRID, np.trunc(0.5 + b_j * GRID) / GRID


def challenges(position: np.ndarray, assessment: Assessment, actors: Actors,
               settings: Settings) -> tuple[Challenge, ...]:
    """Each actor's most advantageous target (if any gain is worth it) and the bargains it proposes."""
    odds, table = challenge_all(assessment, actors, settings)
    np.fill_diagonal(table, -np.inf)
    eligible = table > MIN_GAIN
    a = np.flatnonzero(eligible.any(axis=1))  # initiators
    b = np.argmax(np.where(eligible, table, -np.inf), axis=1)[a]  # their targets (first best)
    p_ii = odds[a, b]
    views = {"ij": contest(assessment, actors, settings, a, b, a, b),  # i's estimate of the effect on j
             "ji": contest(assessment, actors, settings, b, a, a, b),  # j's estimate of the effect on i
             "jj": contest(assessment, actors, settings, b, b, a, b)}  # j's estimate of the effect on j
    # KTAB shapes the receiver's bargain with j's estimate of i's expected *gain* in the place of a
    # probability; kept so that runs agree with KTAB's
    p_ji = views["ji"][1]
    t, s, rule = position, actors.salience, settings.inter_vec_brgn
    p_ii, p_ji = p_ii[:, np.newaxis], p_ji[:, np.newaxis]
    own_i, own_j = _interpolate(t[a], s[a], p_ii, t[b], s[b], 1 - p_ii, rule)
    their_i, their_j = _interpolate(t[a], s[a], p_ji, t[b], s[b], 1 - p_ji, rule)
    w_i = (actors.capability[a] * actors.salience_total[a])[:, np.newaxis]
    w_j = (actors.capability[a] * actors.salience_total[b])[:, np.newaxis]  # KTAB weighs j by i's capability
    mix_i = (w_i * own_i + w_j * their_i) / (w_i + w_j)
    mix_j = (w_i * own_j + w_j * their_j) / (w_i + w_j)
    out = []
    for r, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
        estimates = {(x, x): (float(p_ii[r, 0]), float(table[x, y]))}
        for key, (h, k) in (("ij", (x, y)), ("ji", (y, x)), ("jj", (y, y))):
            estimates[(h, k)] = (float(views[key][0][r]), float(views[key][1][r]))
        bargains = {
            "initiator": Bargain(x, y, own_i[r], own_j[r], "initiator"),
            "receiver": Bargain(x, y, their_i[r], their_j[r], "receiver"),
            "compromise": Bargain(x, y, mix_i[r], mix_j[r], "compromise"),
        }
        out.append(Challenge(x, y, estimates, bargains))
    return tuple(out)


def offers(challenge: Challenge, model: str) -> tuple[Bargain, ...]:
    """The bargains a challenge puts on both actors' tables under the bargaining model."""
    if model == "InitOnlyInterp":
        return (challenge.bargains["initiator"],)
    if model == "InitRcvrInterp":
        return challenge.bargains["initiator"], challenge.bargains["receiver"]
    return (challenge.bargains["compromise"],)


def _state_values(posted: list[Bargain], position: np.ndarray, ideal: np.ndarray, assessment: Assessment,
                  actors: Actors) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's average utility over the positions of the state a bargain would create.

    Returns the value of keeping every position (n,) and of each posted bargain (n, bargains). The
    state's own ideal and risk attitudes judge the proposed positions.
    """
    n = actors.n
    own = assessment.own
    keep = K.ordered_sum(own.T) / n
    if not posted:
        return keep, np.zeros((n, 0))
    init = np.array([b.initiator for b in posted])
    rcvr = np.array([b.receiver for b in posted])
    proposals = [np.array([getattr(b, side) for b in posted]) for side in ("initiator_position",
                                                                           "receiver_position")]
    risk = assessment.risk[:, np.newaxis]
    total = 0.0 + K.utility(K.salience_distance(ideal, proposals[0], actors.salience), risk)
    total = total + K.utility(K.salience_distance(ideal, proposals[1], actors.salience), risk)
    for m in range(n):
        unchanged = (init != m) & (rcvr != m)
        total = np.where(unchanged[np.newaxis, :], total + own[:, m:m + 1], total)
    return keep, total / n


def resolve(challenges_: tuple[Challenge, ...], position: np.ndarray, ideal: np.ndarray,
            assessment: Assessment, actors: Actors, settings: Settings,
            choose: Chooser, turn: int) -> tuple[tuple[Choice, ...], np.ndarray]:
    """Every actor's election among its bargains, and the positions that follow."""
    n = actors.n
    posted = [b for c in challenges_ for b in offers(c, settings.bargain_model)]
    keep, values = _state_values(posted, position, ideal, assessment, actors)
    queues: list[list[int]] = [[] for _ in range(n)]
    for m, b in enumerate(posted):
        queues[b.initiator].append(m)
        queues[b.receiver].append(m)
    choices = []
    new = position.copy()
    for k in range(n):
        utility = np.column_stack([keep] + [values[:, m] for m in queues[k]])
        strength = K.coalitions(settings.voting_rule, actors.capability, utility)
        probability, victory = K.condorcet(settings.pce_model, settings.victory_prob_model, strength)
        options = (None,) + tuple(posted[m] for m in queues[k])
        chosen = choose(turn, k, options, probability)
        choices.append(Choice(k, options, utility, strength, victory, probability, chosen))
        bargain = options[chosen]
        if bargain is not None:
            new[k] = bargain.initiator_position if bargain.initiator == k else bargain.receiver_position
    return tuple(choices), new


def transition(settings: Settings, rng: Uniform) -> Chooser:
    """KTAB's state transitions: the likeliest option, or one drawn in proportion to its probability."""

    def choose(turn: int, actor: int, options: tuple[Bargain | None, ...], probability: np.ndarray) -> int:
        if settings.state_transitions == "Deterministic":
            return int(np.argmax(probability))
        return draw(probability, rng.random())

    return choose


def draw(probability: np.ndarray, u: float) -> int:
    """The first option whose cumulative probability reaches the uniform number u."""
    hits = np.flatnonzero(u <= np.cumsum(probability))
    return int(hits[0]) if len(hits) else len(probability) - 1


def new_ideals(ideal: np.ndarray, position: np.ndarray, accommodation: np.ndarray | None) -> np.ndarray:
    """Ideals move toward the positions they accommodate; with no accommodation they are the positions."""
    if accommodation is None:
        return position.copy()
    pulled = K.ordered_sum(accommodation.T[:, :, np.newaxis] * position[:, np.newaxis, :])
    lag = 1.0 - np.minimum(K.ordered_sum(accommodation.T), 1.0)
    return pulled + lag[:, np.newaxis] * ideal


def distribution(position: np.ndarray, assessment: Assessment, actors: Actors,
                 settings: Settings) -> Distribution:
    """Probability that each position prevails, judged by every actor's own utilities."""
    n = actors.n
    own = assessment.own

    def election(columns: np.ndarray) -> np.ndarray:
        strength = K.coalitions(settings.voting_rule, actors.capability, own[:, columns])
        return K.condorcet(settings.pce_model, settings.victory_prob_model, strength)[0]

    diff = position[:, np.newaxis, :] - position[np.newaxis, :, :]
    gap = np.sqrt(K.ordered_sum((diff * diff).transpose(2, 0, 1)))
    near = gap < POSITION_TOL
    unique: list[int] = []
    for a in range(n):
        if not any(near[a, u] for u in unique):
            unique.append(a)
    p_near = election(np.array(unique))
    match = near[:, unique]
    last = match.shape[1] - 1 - np.argmax(match[:, ::-1], axis=1)  # KTAB takes the last equivalent
    by_actor = p_near[last]
    first, label = np.unique(position, axis=0, return_index=True, return_inverse=True)[1:]
    label = label.ravel()
    same = len(first) == len(unique) and all(label[u] != label[v] for u in unique for v in unique if u < v)
    if same:  # the two groupings coincide, so one election serves both
        p_exact = np.empty(len(first))
        p_exact[label[unique]] = p_near
    else:
        p_exact = election(first)
    return Distribution(by_actor, label, p_exact)


def state_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Sum over actors of the Euclidean distance between their positions in two states."""
    diff = a - b
    return float(K.ordered_sum(np.sqrt(K.ordered_sum((diff * diff).T))))


def run(position: np.ndarray, actors: Actors, settings: Settings, rng: Uniform, rounds: int = 100,
        target: float = 0.02, record: bool = False, choose: Chooser | None = None) -> Run:
    """Play turns from these starting positions until the step is small against the first one.

    ``record`` keeps every state's assessment; ``choose`` replaces the state-transition rule (for
    instance to replay another implementation's choices).
    """
    choose = choose or transition(settings, rng)
    ideal = position.copy()
    assessment = assess(position, ideal, actors, settings)
    first = distribution(position, assessment, actors, settings)
    result = Run([position], [ideal], [assessment.risk], [first], [], [], "round_limit",
                 [assessment] if record else [])
    for turn in range(1, rounds + 1):
        found = challenges(position, assessment, actors, settings)
        choices, position = resolve(found, position, ideal, assessment, actors, settings, choose, turn - 1)
        ideal = new_ideals(ideal, position, actors.accommodation)
        assessment = assess(position, ideal, actors, settings)
        result.turns.append(Turn(found, choices))
        result.positions.append(position)
        result.ideals.append(ideal)
        result.risks.append(assessment.risk)
        result.distributions.append(distribution(position, assessment, actors, settings))
        if record:
            result.assessments.append(assessment)
        step = state_distance(result.positions[0], result.positions[1]) + MIN_FIRST_STEP
        ratio = state_distance(result.positions[turn], result.positions[turn - 1]) / step
        result.ratios.append(ratio)
        if turn >= MIN_TURNS and ratio < target:
            result.stop_reason = "converged"
            break
    return result
