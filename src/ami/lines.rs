//! Finding AMI lines and their `": "` separators 64 bytes at a time.
//!
//! A typical AMI line is 20-30 bytes: calling `memchr` twice per line (once for `\n`, once
//! for `:`) costs more in set-up than in scanning. Classifying a 64-byte block at once (AVX2
//! where the CPU has it, else SSE2, the x86_64 baseline; byte by byte on other machines)
//! gives a bit per `\n` and per `": "`, and each line then costs a few bit operations.

use super::simd::{self, BLOCK};

/// Bit `i` of `newlines` / `colons` / `spaces` is set when byte `i` of a block is `\n` /
/// `:` / ` `.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    newlines: u64,
    colons: u64,
    spaces: u64,
}

#[cfg(target_arch = "x86_64")]
fn classify(block: &[u8; BLOCK]) -> Masks {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above; the check is cached).
        unsafe { classify_avx2(block) }
    } else {
        classify_sse2(block)
    }
}

impl Masks {
    fn of([newlines, colons, spaces]: [u64; 3]) -> Self {
        Masks {
            newlines,
            colons,
            spaces,
        }
    }
}

const CLASSIFIED: [u8; 3] = [b'\n', b':', b' '];

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn classify_avx2(block: &[u8; BLOCK]) -> Masks {
    Masks::of(simd::find_avx2(block, CLASSIFIED))
}

#[cfg(target_arch = "x86_64")]
fn classify_sse2(block: &[u8; BLOCK]) -> Masks {
    Masks::of(simd::find_sse2(block, CLASSIFIED))
}

/// The last bytes, fewer than a block: zero padding is none of the bytes classified.
#[cold]
fn classify_tail(tail: &[u8]) -> Masks {
    let mut padded = [0u8; BLOCK];
    padded[..tail.len()].copy_from_slice(tail);
    classify(&padded)
}

/// Which version classifies blocks. Chosen once by whoever iterates lines, so that a
/// caller compiled for AVX2 gets the AVX2 version inlined instead of a call (and a CPU
/// check) per block.
pub(crate) trait Classifier: Copy {
    fn classify(self, block: &[u8; BLOCK]) -> Masks;
}

/// Whatever the CPU has, asked per block.
#[derive(Clone, Copy)]
pub(crate) struct Detect;

impl Classifier for Detect {
    #[inline(always)]
    fn classify(self, block: &[u8; BLOCK]) -> Masks {
        classify(block)
    }
}

/// AVX2: only [`Avx2::detect`] makes one, on a CPU that has it.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    pub(crate) fn detect() -> Option<Avx2> {
        std::arch::is_x86_feature_detected!("avx2").then_some(Avx2(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl Classifier for Avx2 {
    #[inline(always)]
    fn classify(self, block: &[u8; BLOCK]) -> Masks {
        // SAFETY: an `Avx2` exists only where the CPU has AVX2 (`Avx2::detect`).
        unsafe { classify_avx2(block) }
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(block: &[u8; BLOCK]) -> Masks {
    classify_bytewise(block)
}

/// The definition the vector version must agree with.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytewise(block: &[u8; BLOCK]) -> Masks {
    Masks::of(simd::find_bytewise(block, CLASSIFIED))
}

/// One line of `hay`: `start..newline` (the `\n` excluded; a `\r` before it is not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) start: usize,
    /// Index of the line's `\n`.
    pub(crate) newline: usize,
    /// Index of the first `": "` in the line, if any.
    pub(crate) separator: Option<usize>,
}

/// The complete lines of `hay` in order; a last line without `\n` is not yielded.
pub(crate) struct Lines<'a, C: Classifier = Detect> {
    classifier: C,
    hay: &'a [u8],
    /// Start of the block `newlines` and `separators` describe.
    block: usize,
    newlines: u64,
    /// Bit `i`: byte `i` of the block is a `:` followed by a space.
    separators: u64,
    line_start: usize,
    separator: Option<usize>,
}

impl<'a> Lines<'a> {
    #[cfg(test)]
    pub(crate) fn new(hay: &'a [u8]) -> Self {
        Lines::with(hay, Detect)
    }
}

impl<'a, C: Classifier> Lines<'a, C> {
    #[inline(always)]
    pub(crate) fn with(hay: &'a [u8], classifier: C) -> Self {
        let (newlines, separators) = load(hay, 0, classifier);
        Lines {
            classifier,
            hay,
            block: 0,
            newlines,
            separators,
            line_start: 0,
            separator: None,
        }
    }
}

/// The `\n`s and the `": "` separators of the block at `hay[at..]`.
#[inline(always)]
fn load(hay: &[u8], at: usize, classifier: impl Classifier) -> (u64, u64) {
    let m = match hay.get(at..at + BLOCK) {
        Some(block) => classifier.classify(block.try_into().expect("a 64-byte slice")),
        None => classify_tail(hay.get(at..).unwrap_or_default()),
    };
    // A colon ending the block is a separator if the next block starts with a space.
    let next_is_space = hay.get(at + BLOCK) == Some(&b' ');
    let spaces_after = (m.spaces >> 1) | (u64::from(next_is_space) << 63);
    (m.newlines, m.colons & spaces_after)
}

impl<C: Classifier> Iterator for Lines<'_, C> {
    type Item = Line;

    #[inline]
    fn next(&mut self) -> Option<Line> {
        loop {
            let newline_bit = self.newlines.trailing_zeros();
            // Separators before this block's next `\n` belong to the current line.
            let before = if newline_bit == 64 {
                u64::MAX
            } else {
                (1u64 << newline_bit) - 1
            };
            let separators = self.separators & before;
            if self.separator.is_none() && separators != 0 {
                self.separator = Some(self.block + separators.trailing_zeros() as usize);
            }
            if newline_bit == 64 {
                self.block += BLOCK;
                if self.block >= self.hay.len() {
                    return None;
                }
                (self.newlines, self.separators) = load(self.hay, self.block, self.classifier);
                continue;
            }
            let newline = self.block + newline_bit as usize;
            let line = Line {
                start: self.line_start,
                newline,
                separator: self.separator.take(),
            };
            self.line_start = newline + 1;
            // Clear this `\n` and every separator up to it.
            let through = before | (before + 1);
            self.newlines &= !through;
            self.separators &= !through;
            return Some(line);
        }
    }
}

/// Index of the first `": "` in `line`.
pub(crate) fn find_separator(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b':', &line[from..]) {
        let at = from + i;
        if line.get(at + 1) == Some(&b' ') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines the slow way: split on `\n`, first `": "` by search.
    fn reference(hay: &[u8]) -> Vec<Line> {
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(i) = hay[start..].iter().position(|&b| b == b'\n') {
            let newline = start + i;
            let separator = hay[start..newline]
                .windows(2)
                .position(|w| w == b": ")
                .map(|p| start + p);
            out.push(Line {
                start,
                newline,
                separator,
            });
            start = newline + 1;
        }
        out
    }

    /// A small xorshift generator: deterministic, and no test-only dependency.
    fn bytes(seed: u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn blocks_agree_with_the_bytewise_definition() {
        for seed in 0..2000 {
            let block: [u8; BLOCK] = bytes(seed, BLOCK, b"\n: \rab\x00\xff").try_into().unwrap();
            let want = classify_bytewise(&block);
            assert_eq!(classify(&block), want, "{block:?}");
            // Both x86_64 versions, whichever this CPU would pick.
            #[cfg(target_arch = "x86_64")]
            {
                assert_eq!(classify_sse2(&block), want, "{block:?}");
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    assert_eq!(unsafe { classify_avx2(&block) }, want, "{block:?}");
                }
            }
        }
    }

    #[test]
    fn lines_agree_with_the_slow_split() {
        // Short alphabets make separators, bare colons and lines across blocks common.
        for seed in 0..3000 {
            let len = (seed as usize * 7) % 400;
            let hay = bytes(seed, len, b"\n: :a\rb  c:");
            let want = reference(&hay);
            assert_eq!(Lines::new(&hay).collect::<Vec<_>>(), want, "{hay:?}");
            #[cfg(target_arch = "x86_64")]
            if let Some(avx2) = Avx2::detect() {
                assert_eq!(Lines::with(&hay, avx2).collect::<Vec<_>>(), want, "{hay:?}");
            }
        }
        let long_line = [b"Key: ".as_slice(), &[b'x'; 300], b"\r\nA:B: c\n"].concat();
        assert_eq!(
            Lines::new(&long_line).collect::<Vec<_>>(),
            reference(&long_line)
        );
        assert_eq!(Lines::new(b"").count(), 0);
        assert_eq!(Lines::new(b"no newline: at all").count(), 0);
    }
}
