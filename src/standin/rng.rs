//! Deterministic randomness for reproducible faults.

/// Deterministic xorshift64* generator: reproducible pieces and garbage from a seed.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_make_different_streams_and_below_covers_its_range() {
        // Pieces and garbage vary with the seed (a test can try several); `below(n)`
        // gives every value under n and nothing else.
        let (mut a, mut b) = (Rng::new(1), Rng::new(2));
        assert!((0..100).any(|_| a.next() != b.next()));
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            seen[usize::try_from(a.below(7)).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| n > 700), "{seen:?}");
        assert_eq!(Rng::new(3).below(0), 0);
    }
}
