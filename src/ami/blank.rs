//! Where a message ends, without looking at its lines one by one: the first blank line
//! (`\n` right after a line ending, `\r\n` or bare `\n`), found 64 bytes at a time.
//!
//! The decoder uses this to pass over an event its reader does not want: it costs a few
//! vector compares per 64 bytes, where splitting the lines costs a search per line.

use super::simd::{self, BLOCK};

/// Bits of a block's `\n` and `\r` bytes.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Masks {
    newlines: u64,
    returns: u64,
}

impl Masks {
    fn of([newlines, returns]: [u64; 2]) -> Self {
        Masks { newlines, returns }
    }
}

const ENDINGS: [u8; 2] = [b'\n', b'\r'];

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn masks_avx2(block: &[u8; BLOCK]) -> Masks {
    Masks::of(simd::find_avx2(block, ENDINGS))
}

#[cfg(target_arch = "x86_64")]
fn masks_sse2(block: &[u8; BLOCK]) -> Masks {
    Masks::of(simd::find_sse2(block, ENDINGS))
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn masks_bytewise(block: &[u8; BLOCK]) -> Masks {
    Masks::of(simd::find_bytewise(block, ENDINGS))
}

/// The end (index just past its `\n`) of the first blank line in `hay` that follows the
/// line ending at `hay[from]` (a `\n`), or `None` if `hay` holds none yet. A line is
/// blank when nothing but one optional `\r` precedes its `\n`, as the decoder reads it.
pub(crate) fn blank_line_end(hay: &[u8], from: usize) -> Option<usize> {
    debug_assert_eq!(hay.get(from), Some(&b'\n'));
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above; the check is cached).
            return unsafe { blank_line_end_avx2(hay, from) };
        }
        blank_line_end_with(hay, from, masks_sse2)
    }
    #[cfg(not(target_arch = "x86_64"))]
    blank_line_end_with(hay, from, masks_bytewise)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn blank_line_end_avx2(hay: &[u8], from: usize) -> Option<usize> {
    // Within this AVX2 function the AVX2 one is inlined, and safe to call.
    blank_line_end_with(hay, from, |b| masks_avx2(b))
}

#[inline(always)]
fn blank_line_end_with(
    hay: &[u8],
    from: usize,
    masks: impl Fn(&[u8; BLOCK]) -> Masks,
) -> Option<usize> {
    // What the bytes just before the block were: a `\n` one or two back, a `\r` one back.
    let mut before = Masks::default();
    let mut at = from;
    while at < hay.len() {
        let m = match hay.get(at..at + BLOCK) {
            Some(block) => masks(block.try_into().expect("a block")),
            None => {
                let mut padded = [0u8; BLOCK];
                padded[..hay.len() - at].copy_from_slice(&hay[at..]);
                masks(&padded)
            }
        };
        let newline_1 = (m.newlines << 1) | (before.newlines >> 63);
        let newline_2 = (m.newlines << 2) | (before.newlines >> 62);
        let return_1 = (m.returns << 1) | (before.returns >> 63);
        let ends = m.newlines & (newline_1 | (return_1 & newline_2));
        if ends != 0 {
            return Some(at + ends.trailing_zeros() as usize + 1);
        }
        before = m;
        at += BLOCK;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder's definition, line by line.
    fn reference(hay: &[u8], from: usize) -> Option<usize> {
        let mut start = from + 1;
        while let Some(nl) = hay[start..].iter().position(|&b| b == b'\n') {
            let end = start + nl;
            if end == start || (end == start + 1 && hay[start] == b'\r') {
                return Some(end + 1);
            }
            start = end + 1;
        }
        None
    }

    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b"ab\r\n: "[(x % 6) as usize]
            })
            .collect()
    }

    #[test]
    fn agrees_with_the_line_by_line_definition() {
        for seed in 0..3000u64 {
            let mut hay = b"Event: Newexten\r\n".to_vec();
            hay.extend(bytes(seed, (seed % 300) as usize));
            let want = reference(&hay, 16);
            assert_eq!(blank_line_end(&hay, 16), want, "{seed}: {hay:?}");
            #[cfg(target_arch = "x86_64")]
            assert_eq!(blank_line_end_with(&hay, 16, masks_sse2), want);
            assert_eq!(blank_line_end_with(&hay, 16, masks_bytewise), want);
        }
    }

    #[test]
    fn the_usual_endings() {
        assert_eq!(blank_line_end(b"Event: A\r\n\r\nEvent: B", 9), Some(12));
        assert_eq!(blank_line_end(b"Event: A\n\nX", 8), Some(10));
        assert_eq!(blank_line_end(b"Event: A\nK: v\n\r\n", 8), Some(16));
        assert_eq!(blank_line_end(b"Event: A\r\nK: v\r\r\n", 9), None);
        assert_eq!(blank_line_end(b"Event: A\r\nK: v\r\n", 9), None);
    }
}
