"""KTAB's pseudo-random generator, for replaying KTAB's stochastic runs draw for draw.

KTAB draws from the 64-bit Mersenne twister (MT19937-64, as in C++'s ``std::mt19937_64``), passes each
64-bit word through the bijection q(x) = (x + a)(2x + 3) mod 2⁶⁴ with a = 0xE08C1D668B756F83, and
divides by 2⁶⁴ − 1 to get a uniform number on [0, 1]. :class:`KtabRandom` offers that stream through
``random()``, the one method the SMP's stochastic state transitions call, so
``SpatialModel(...).solve_many(datas, rng=KtabRandom(seed))`` uses the numbers KTAB would.
"""

from __future__ import annotations

MASK = (1 << 64) - 1
_N, _M = 312, 156
_MATRIX_A = 0xB5026F5AA96619E9
_UPPER, _LOWER = 0xFFFFFFFF80000000, 0x7FFFFFFF
_Q_ODD = 0xE08C1D668B756F83
KTAB_DEFAULT_SEED = 0xD67CC16FE69C185C  # smpc's seed when none is given (CSV input)


class KtabRandom:
    """Uniform draws on [0, 1] exactly as KTAB's ``PRNG::uniform(0, 1)`` makes them."""

    def __init__(self, seed: int = KTAB_DEFAULT_SEED):
        state = [seed & MASK]
        for k in range(1, _N):
            prev = state[-1]
            state.append((6364136223846793005 * (prev ^ (prev >> 62)) + k) & MASK)
        self._state = state
        self._index = _N

    def _twist(self) -> None:
        mt = self._state
        for k in range(_N):
            y = (mt[k] & _UPPER) | (mt[(k + 1) % _N] & _LOWER)
            mt[k] = mt[(k + _M) % _N] ^ (y >> 1) ^ (_MATRIX_A if y & 1 else 0)
        self._index = 0

    def word(self) -> int:
        """The next 64-bit word of MT19937-64."""
        if self._index >= _N:
            self._twist()
        y = self._state[self._index]
        self._index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK

    def random(self) -> float:
        """The next uniform number on [0, 1]."""
        x = self.word()
        x = ((x + _Q_ODD) * (2 * x + 3)) & MASK
        return float(x) / float(MASK)
