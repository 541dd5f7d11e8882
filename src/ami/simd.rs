//! Which bytes of a 64-byte block equal given values, a bit per byte: with AVX2 where
//! the CPU has it, else SSE2 (the x86_64 baseline), byte by byte on other machines. The
//! line splitter ([`super::lines`]) and the message-end finder ([`super::blank`]) build
//! on it.

pub(crate) const BLOCK: usize = 64;

/// Bit `i` of `out[k]` is set when byte `i` of `block` is `bytes[k]`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) fn find_avx2<const N: usize>(block: &[u8; BLOCK], bytes: [u8; N]) -> [u64; N] {
    use std::arch::x86_64::{
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    let mut out = [0u64; N];
    for (i, lane) in block.chunks_exact(32).enumerate() {
        // SAFETY: `lane` is 32 readable bytes and `loadu` needs no alignment.
        let v = unsafe { _mm256_loadu_si256(lane.as_ptr().cast()) };
        for (o, &c) in out.iter_mut().zip(&bytes) {
            let mask = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8)));
            *o |= u64::from(mask as u32) << (32 * i);
        }
    }
    out
}

/// [`find_avx2`] with SSE2, which every x86_64 CPU has.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn find_sse2<const N: usize>(block: &[u8; BLOCK], bytes: [u8; N]) -> [u64; N] {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let mut out = [0u64; N];
    for (i, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has these
        // instructions; `lane` is 16 readable bytes and `loadu` needs no alignment.
        let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
        for (o, &c) in out.iter_mut().zip(&bytes) {
            // SAFETY: as above.
            let mask = unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))) };
            *o |= u64::from(mask as u16) << (16 * i);
        }
    }
    out
}

/// The definition the vector versions must agree with.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn find_bytewise<const N: usize>(block: &[u8; BLOCK], bytes: [u8; N]) -> [u64; N] {
    let mut out = [0u64; N];
    for (i, &b) in block.iter().enumerate() {
        for (o, &c) in out.iter_mut().zip(&bytes) {
            *o |= u64::from(b == c) << i;
        }
    }
    out
}
