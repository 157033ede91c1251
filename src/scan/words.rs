//! The words of source text: maximal runs of ASCII letters, digits, `_` and the bytes of
//! non-ASCII characters (so that a word is never cut inside a character, or short of a name).
//!
//! Screening and the `name` extractor look at every word of every file, a hundred megabytes in
//! a large app. A loop that tests byte after byte mispredicts a branch at both ends of every
//! word; [`for_each`] instead classifies 64 bytes at a time into a bit mask (with SSE2 on
//! x86-64), without branches, and visits the word boundaries as the mask's bit changes.

use std::ops::Range;

/// Whether `b` is a byte of a word.
pub fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[usize::from(b)]
}

/// [`is_word_byte`] as a table.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    table
};

/// Call `f(start, end)` for every word of `text[range]`, in order. A word that runs over an end
/// of the range is cut there.
pub fn for_each(text: &[u8], range: Range<usize>, mut f: impl FnMut(usize, usize)) {
    let Range { start: mut at, end } = range;
    let mut in_word = false;
    let mut word_start = at;
    while at < end {
        let chunk = &text[at..end.min(at + 64)];
        let mask = classify(chunk);
        // A bit where the byte before (the last of the previous chunk, for bit 0) is of the
        // other kind. In a last, short chunk the bit after its end marks where a word ends.
        let mut edges = mask ^ ((mask << 1) | u64::from(in_word));
        while edges != 0 {
            let k = edges.trailing_zeros() as usize;
            edges &= edges - 1;
            if in_word {
                f(word_start, at + k);
            } else {
                word_start = at + k;
            }
            in_word = !in_word;
        }
        at += chunk.len();
    }
    if in_word {
        f(word_start, end);
    }
}

/// Bit `k` set when `chunk[k]` is a word byte (`chunk` is at most 64 bytes long).
fn classify(chunk: &[u8]) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Ok(whole) = <&[u8; 64]>::try_from(chunk) {
        // SAFETY: the function needs SSE2, which this build targets.
        return unsafe { sse2::classify(whole) };
    }
    by_table(chunk)
}

fn by_table(chunk: &[u8]) -> u64 {
    chunk.iter().enumerate().fold(0, |mask, (k, &b)| mask | u64::from(WORD_BYTES[usize::from(b)]) << k)
}

/// Classifying 16 bytes per instruction. SSE2 is part of every x86-64 processor (and enabled in
/// every x86-64 target), so no check is needed at run time.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "sse2")]
    pub fn classify(chunk: &[u8; 64]) -> u64 {
        let mut mask = 0u64;
        for (i, part) in chunk.chunks_exact(16).enumerate() {
            // SAFETY: `part` is 16 bytes long, and an unaligned load may read them anywhere.
            let v = unsafe { _mm_loadu_si128(part.as_ptr().cast()) };
            let byte = |b: u8| _mm_set1_epi8(b as i8);
            // Signed compares: a byte of 0x80 and above is negative, hence in neither range.
            let digit = _mm_and_si128(_mm_cmpgt_epi8(v, byte(b'0' - 1)), _mm_cmplt_epi8(v, byte(b'9' + 1)));
            let lower = _mm_or_si128(v, byte(0x20));
            let letter = _mm_and_si128(_mm_cmpgt_epi8(lower, byte(b'a' - 1)), _mm_cmplt_epi8(lower, byte(b'z' + 1)));
            let underscore = _mm_cmpeq_epi8(v, byte(b'_'));
            let non_ascii = _mm_cmplt_epi8(v, _mm_setzero_si128());
            let word = _mm_or_si128(_mm_or_si128(digit, letter), _mm_or_si128(underscore, non_ascii));
            mask |= u64::from(_mm_movemask_epi8(word) as u16) << (16 * i);
        }
        mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain loop [`for_each`] replaces.
    fn byte_by_byte(text: &[u8], range: Range<usize>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = range.start;
        while i < range.end {
            if !is_word_byte(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < range.end && is_word_byte(text[i]) {
                i += 1;
            }
            out.push((start, i));
        }
        out
    }

    fn words(text: &[u8], range: Range<usize>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for_each(text, range, |s, e| out.push((s, e)));
        out
    }

    #[test]
    fn the_table_is_the_rule() {
        for b in 0..=255u8 {
            assert_eq!(is_word_byte(b), b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80, "byte {b}");
        }
    }

    /// Every byte value at every position of a 64-byte chunk.
    #[test]
    fn chunks_are_classified_as_the_table_says() {
        for b in 0..=255u8 {
            for k in 0..64 {
                let mut chunk = [b' '; 64];
                chunk[k] = b;
                chunk[63 - k] = b.wrapping_add(k as u8);
                assert_eq!(classify(&chunk), by_table(&chunk), "byte {b} at {k}");
            }
        }
    }

    #[test]
    fn words_are_found_across_chunks_and_at_the_ends() {
        assert_eq!(words(b"ab, cd_1 (\xc3\xa9t\xc3\xa9)", 0..16), vec![(0, 2), (4, 8), (10, 15)]);
        assert_eq!(words(b"", 0..0), vec![]);
        assert_eq!(words(b"  ", 0..2), vec![]);
        // Words ending and starting at every position around the 64-byte chunk boundaries,
        // with text before and after the range.
        let mut text = Vec::new();
        for n in 1..=70 {
            text.extend(std::iter::repeat_n(b'w', n));
            text.extend(std::iter::repeat_n(b' ', n % 3 + 1));
        }
        for start in [0, 1, 5, 63, 64, 65, 200] {
            for end in [start, start + 1, start + 63, start + 64, start + 65, start + 128, start + 129, text.len()] {
                let end = end.min(text.len());
                assert_eq!(words(&text, start..end), byte_by_byte(&text, start..end), "{start}..{end}");
            }
        }
    }
}
