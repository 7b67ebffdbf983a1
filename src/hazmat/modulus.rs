//! Montgomery arithmetic modulo an odd integer, with fixed control flow.
//!
//! Representation: limbs of `w` = 28 bits (26 when a 28-bit layout would need more than
//! [`MAX_LIMBS_28`] limbs) held in `u32`s, with carries left pending in `u64` accumulators
//! inside a multiplication. Every product of two limbs is under 2^56, so a `u64` takes the
//! up to `2 * limbs` products that land on one limb without overflowing, and the inner loop
//! is loads, multiplications and additions with no carry chain: on wasm32 (no 64x64->128
//! multiplication) that beats 32-bit limbs with carries by more than the extra limbs cost.
//!
//! Constant time: in the Montgomery operations, `sub_mod_assign` and `R^2`, no branch and no
//! memory index depends on the value of an operand, only on the modulus size, so the same
//! code serves the public operation and the private one (`private.rs`). The one conditional
//! step, the final subtraction of a Montgomery operation, is done with a mask. The two
//! variable-time functions say so in their names (`less_than_public`, `inverse_vartime`)
//! and are called only on public or randomly masked values.

use core::hint::black_box;

/// A normalised limb: `w` bits. Accumulators with pending carries are `u64`.
pub(super) type Limb = u32;

/// Most limbs for 28-bit limbs: `2 * limbs` products of 2^56 each, plus carries, stay
/// under 2^64 with room to spare (240 * 2^56 < 2^64).
pub(super) const MAX_LIMBS_28: usize = 120;

/// An odd modulus `n` with its Montgomery constants, `R = 2^(w * limbs)`.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Modulus {
    /// Bits per limb, `w`.
    pub(super) width: u32,
    /// The modulus, little-endian normalised limbs.
    pub(super) n: Vec<Limb>,
    /// `-n^-1 mod 2^w`.
    n0_inv: u32,
    /// `R^2 mod n`: a Montgomery multiplication by it enters the domain.
    pub(super) r2: Vec<Limb>,
}

/// Scratch space for one Montgomery operation: `t` is `2 * limbs`, `u` is `limbs` long.
pub(super) struct Scratch {
    t: Vec<u64>,
    u: Vec<u64>,
}

impl Scratch {
    pub(super) fn new(limbs: usize) -> Self {
        Scratch {
            t: vec![0; 2 * limbs],
            u: vec![0; limbs],
        }
    }

    /// Clears what a private operation left behind.
    pub(super) fn wipe(&mut self) {
        wipe(&mut self.t);
        wipe(&mut self.u);
    }
}

impl Modulus {
    /// From the big-endian modulus, with room for any integer of `capacity` bytes (so that
    /// `R` exceeds every such integer). `None` unless `n` is odd, over 4 bytes, and fits.
    pub(super) fn new(n_be: &[u8], capacity: usize) -> Option<Self> {
        let n_be = trim_leading_zeros(n_be);
        if n_be.len() <= 4 || n_be.len() > capacity || n_be[n_be.len() - 1] & 1 == 0 {
            return None;
        }
        let width = if (8 * capacity).div_ceil(28) <= MAX_LIMBS_28 {
            28
        } else {
            26
        };
        let limbs = (8 * capacity).div_ceil(width as usize);
        let n = limbs_from_be(n_be, width, limbs)?;
        let n0_inv = neg_inverse(n[0]) & mask32(width);
        let mut modulus = Modulus {
            width,
            r2: Vec::new(),
            n,
            n0_inv,
        };
        modulus.r2 = modulus.compute_r2();
        Some(modulus)
    }

    /// Clears the modulus and its constants (for a secret prime).
    pub(super) fn wipe(&mut self) {
        wipe(&mut self.n);
        wipe(&mut self.r2);
    }

    /// Number of limbs.
    pub(super) fn limbs(&self) -> usize {
        self.n.len()
    }

    /// `value` (big-endian) as this modulus's limbs, `count` of them; `None` if it does not fit.
    pub(super) fn limbs_of(&self, value: &[u8], count: usize) -> Option<Vec<Limb>> {
        limbs_from_be(value, self.width, count)
    }

    /// Limbs to exactly `size` big-endian bytes (the caller knows the value fits).
    pub(super) fn to_be(&self, limbs: &[Limb], size: usize) -> Vec<u8> {
        limbs_to_be(limbs, self.width, size)
    }

    /// `1` in limbs.
    pub(super) fn one(&self) -> Vec<Limb> {
        let mut one = vec![0; self.limbs()];
        one[0] = 1;
        one
    }

    /// Montgomery multiplication, `out = a * b / R mod n` (normalised), for normalised
    /// limbs with `a * b < n * R` (so `a, b < n`, or one of them below `R` and the other
    /// below `n`). One pass per limb of `a` (CIOS), the reduction interleaved, carries
    /// pending in the accumulator until the end; each pass reads one buffer and writes the
    /// other (no aliasing: the inner loop vectorises).
    pub(super) fn mont_mul(&self, a: &[Limb], b: &[Limb], out: &mut [Limb], s: &mut Scratch) {
        // Plain slices, not the struct: `&mut` arguments tell LLVM the buffers do not
        // alias the modulus (measured: 20% of a WASM verification without it).
        self.mont_mul_into(a, b, out, &mut s.t, &mut s.u);
    }

    fn mont_mul_into(
        &self,
        a: &[Limb],
        b: &[Limb],
        out: &mut [Limb],
        t: &mut [u64],
        u: &mut [u64],
    ) {
        let n = &self.n[..];
        let k = n.len();
        let b = &b[..k];
        let w = self.width;
        let mask = mask32(w);
        let (mut t, mut u) = (&mut t[..k], &mut u[..k]);
        t.fill(0);
        for &ai in &a[..k] {
            let ai = u64::from(ai);
            let x0 = t[0] + ai * u64::from(b[0]);
            let m = (x0 as u32).wrapping_mul(self.n0_inv) & mask;
            let m = u64::from(m);
            // x0 + m * n0 is a multiple of 2^w: its high part carries into the next limb.
            let carry = (x0 + m * u64::from(n[0])) >> w;
            // u[j - 1] = t[j] + ai * b[j] + m * n[j]: the division by 2^w is the shift.
            for (((uj, &tj), &bj), &nj) in u.iter_mut().zip(&t[1..]).zip(&b[1..]).zip(&n[1..]) {
                *uj = tj + ai * u64::from(bj) + m * u64::from(nj);
            }
            u[k - 1] = 0;
            u[0] += carry;
            std::mem::swap(&mut t, &mut u);
        }
        self.normalise(t, out);
    }

    /// Montgomery squaring, `out = a * a / R mod n`, for normalised `a < n`: separated
    /// operand scanning, the cross products `a_i * a_j` once and doubled (a quarter fewer
    /// multiplications than `mont_mul(a, a)`), then the reduction.
    pub(super) fn mont_square(&self, a: &[Limb], out: &mut [Limb], s: &mut Scratch) {
        self.mont_square_into(a, out, &mut s.t);
    }

    fn mont_square_into(&self, a: &[Limb], out: &mut [Limb], t: &mut [u64]) {
        let k = self.limbs();
        let a = &a[..k];
        let t = &mut t[..2 * k];
        t.fill(0);
        // Rows i and i + 1 together: limb p gets 2 a_i a_(p-i) + 2 a_(i+1) a_(p-i-1).
        let mut i = 0;
        while i + 1 < k {
            let (ai, ai1) = (u64::from(a[i]), u64::from(a[i + 1]));
            let (twice_ai, twice_ai1) = (2 * ai, 2 * ai1);
            t[2 * i] += ai * ai;
            t[2 * i + 1] += twice_ai * ai1;
            t[2 * i + 2] += ai1 * ai1;
            if i + 2 < k {
                t[2 * i + 2] += twice_ai * u64::from(a[i + 2]);
                let both = t[2 * i + 3..i + k]
                    .iter_mut()
                    .zip(&a[i + 3..])
                    .zip(&a[i + 2..]);
                for ((tp, &aj), &aj_1) in both {
                    *tp += twice_ai * u64::from(aj) + twice_ai1 * u64::from(aj_1);
                }
                t[i + k] += twice_ai1 * u64::from(a[k - 1]);
            }
            i += 2;
        }
        if i < k {
            let ai = u64::from(a[i]);
            t[2 * i] += ai * ai;
        }
        self.reduce(t, out);
    }

    /// `out = x / R mod n` for `x < n * R` given as `2 * limbs` normalised limbs (a plain
    /// integer, not in the Montgomery domain): reduces a double-width value in one step.
    pub(super) fn reduce_wide(&self, x: &[Limb], out: &mut [Limb], s: &mut Scratch) {
        let k = self.limbs();
        for (t, &xi) in s.t[..2 * k].iter_mut().zip(&x[..2 * k]) {
            *t = u64::from(xi);
        }
        self.reduce(&mut s.t, out);
    }

    /// Montgomery reduction, `out = t / R mod n`, for `t < n * R` in `2 * limbs` limbs,
    /// carries pending. Four limbs per pass: the four multipliers `m` are found
    /// first (each from the previous ones' effect on its limb), then one pass adds all four
    /// `m * n`, shifted, which quarters the loads and stores of `t` (V8's code is bound by
    /// them).
    // Inlined into each caller: called, V8's code for the four-row pass is ~20% slower
    // (measured on a WASM verification).
    #[inline(always)]
    fn reduce(&self, t: &mut [u64], out: &mut [Limb]) {
        const ROWS: usize = 4;
        let n = &self.n[..];
        let k = n.len();
        let w = self.width;
        let mask = mask32(w);
        let t = &mut t[..2 * k];
        let multiplier = |x: u64| u64::from((x as u32).wrapping_mul(self.n0_inv) & mask);
        let mut i = 0;
        while i + ROWS <= k {
            // The multipliers, and their products on limbs i .. i + ROWS - 1.
            let mut m = [0u64; ROWS];
            for r in 0..ROWS {
                m[r] = multiplier(t[i + r]);
                for q in r..ROWS {
                    t[i + q] += m[r] * u64::from(n[q - r]);
                }
                // t[i + r] is now a multiple of 2^w: its high part belongs to the next limb.
                t[i + r + 1] += t[i + r] >> w;
            }
            let [m0, m1, m2, m3] = m;
            let body = t[i + ROWS..i + k]
                .iter_mut()
                .zip(&n[ROWS..])
                .zip(&n[ROWS - 1..])
                .zip(&n[ROWS - 2..])
                .zip(&n[ROWS - 3..]);
            for ((((tj, &nj), &nj1), &nj2), &nj3) in body {
                *tj += m0 * u64::from(nj)
                    + m1 * u64::from(nj1)
                    + m2 * u64::from(nj2)
                    + m3 * u64::from(nj3);
            }
            // Limbs i + k .. i + k + ROWS - 2: the products that run past the top of n.
            for j in k..k + ROWS - 1 {
                for (r, &mr) in m.iter().enumerate().skip(j + 1 - k) {
                    t[i + j] += mr * u64::from(n[j - r]);
                }
            }
            i += ROWS;
        }
        while i < k {
            let m = multiplier(t[i]);
            for (tj, &nj) in t[i..i + k].iter_mut().zip(n) {
                *tj += m * u64::from(nj);
            }
            t[i + 1] += t[i] >> w;
            i += 1;
        }
        self.normalise(&t[k..], out);
    }

    /// `out = acc mod n`, normalised, for `acc < 2n` with carries pending in its limbs: the
    /// value is below 2n < 2R, so at most one bit carries out of the top, and one
    /// subtraction, applied through a mask, is enough.
    fn normalise(&self, acc: &[u64], out: &mut [Limb]) {
        let k = self.limbs();
        let w = self.width;
        let mut carry = 0;
        for (o, &v) in out[..k].iter_mut().zip(&acc[..k]) {
            let v = v + carry;
            *o = v as Limb & mask32(w);
            carry = v >> w;
        }
        self.subtract_if_not_below(&mut out[..k], carry as u32);
    }

    /// `x = x - n` when `x >= n` or when a bit `overflow` (0 or 1) was carried out of its top
    /// limb; `x` otherwise. The decision is a mask, not a branch.
    fn subtract_if_not_below(&self, x: &mut [Limb], overflow: u32) {
        let w = self.width;
        let borrow = x.iter().zip(&self.n).fold(0, |borrow, (&xi, &ni)| {
            xi.wrapping_sub(ni).wrapping_sub(borrow) >> 31
        });
        // Subtract unless x < n with nothing carried out (borrow 1, overflow 0).
        subtract_masked(x, &self.n, mask_if(overflow | (borrow ^ 1)), w);
    }

    /// `a = (a - b) mod n` for normalised `a, b < n`, through a mask.
    pub(super) fn sub_mod_assign(&self, a: &mut [Limb], b: &[Limb]) {
        let w = self.width;
        // A borrow out of the top means a < b: add n back.
        let mask = mask_if(subtract_masked(a, b, u32::MAX, w));
        let mut carry = 0;
        for (o, &ni) in a.iter_mut().zip(&self.n) {
            let v = *o + (ni & mask) + carry;
            *o = v & mask32(w);
            carry = v >> w;
        }
    }

    /// `x^-1 mod n` for normalised `0 < x < n`, `None` when `gcd(x, n) != 1`: binary
    /// extended Euclid (HAC 14.61 for an odd modulus), in **variable time**. Call it only on
    /// a value that reveals nothing (a public one, or a secret multiplied by a fresh random
    /// mask, as the blinding does).
    pub(super) fn inverse_vartime(&self, x: &[Limb]) -> Option<Vec<Limb>> {
        let w = self.width;
        let n = &self.n;
        let is_zero = |a: &[Limb]| a.iter().all(|&l| l == 0);
        let is_one = |a: &[Limb]| a[0] == 1 && a[1..].iter().all(|&l| l == 0);
        // Invariants: x1 * x = u and x2 * x = v (mod n).
        let (mut u, mut v) = (x.to_vec(), n.clone());
        let (mut x1, mut x2) = (self.one(), vec![0; n.len()]);
        // `a / 2 mod n`: halve `a`, or `a + n` (even, as n is odd) when `a` is odd.
        let halve_mod = |a: &mut [Limb]| {
            let mut carry = 0;
            if a[0] & 1 == 1 {
                for (ai, &ni) in a.iter_mut().zip(n) {
                    let sum = *ai + ni + carry;
                    *ai = sum & mask32(w);
                    carry = sum >> w;
                }
            }
            shift_right_one(a, carry, w);
        };
        while !is_one(&u) && !is_one(&v) {
            if is_zero(&u) || is_zero(&v) {
                return None;
            }
            while u[0] & 1 == 0 {
                shift_right_one(&mut u, 0, w);
                halve_mod(&mut x1);
            }
            while v[0] & 1 == 0 {
                shift_right_one(&mut v, 0, w);
                halve_mod(&mut x2);
            }
            if less_than_public(&u, &v) {
                subtract_masked(&mut v, &u, u32::MAX, w);
                self.sub_mod_assign(&mut x2, &x1);
            } else {
                subtract_masked(&mut u, &v, u32::MAX, w);
                self.sub_mod_assign(&mut x1, &x2);
            }
        }
        Some(if is_one(&u) { x1 } else { x2 })
    }

    /// `R^2 mod n`, `R = 2^(w * limbs)`: doublings from the top bit of `n` up to
    /// `R * 2^j mod n`, the Montgomery form of `2^j`, then Montgomery squarings, each of
    /// which doubles `j`, until `2^j = R`. Eight times fewer steps than doubling all the
    /// way, which matters at a cold start (the first calls run in V8's baseline tier). The
    /// step counts depend on the bit length of `n` only.
    fn compute_r2(&self) -> Vec<Limb> {
        let w = self.width as usize;
        let k = self.limbs();
        let r_bits = w * k;
        let squarings = r_bits.trailing_zeros() as usize;
        let j = r_bits >> squarings;
        let top = k - 1 - self.n.iter().rev().take_while(|&&l| l == 0).count();
        let n_bits = top * w + (32 - self.n[top].leading_zeros() as usize);
        let mut x = vec![0; k];
        x[(n_bits - 1) / w] = 1 << ((n_bits - 1) % w);
        for _ in 0..r_bits + j - (n_bits - 1) {
            let mut carry = 0;
            for limb in x.iter_mut() {
                let doubled = (*limb << 1) | carry;
                carry = doubled >> w;
                *limb = doubled & mask32(self.width);
            }
            self.subtract_if_not_below(&mut x, carry);
        }
        let mut scratch = Scratch::new(k);
        let mut next = vec![0; k];
        for _ in 0..squarings {
            self.mont_square(&x, &mut next, &mut scratch);
            std::mem::swap(&mut x, &mut next);
        }
        scratch.wipe();
        wipe(&mut next);
        x
    }
}

/// All ones when `bit` is 1, zero when it is 0, without a branch the compiler could add.
pub(super) fn mask_if(bit: u32) -> u32 {
    black_box(bit & 1).wrapping_neg()
}

pub(super) const fn mask32(width: u32) -> u32 {
    (1 << width) - 1
}

/// `-x^-1 mod 2^32` for odd `x` (Newton's iteration doubles the correct bits each step).
fn neg_inverse(x: u32) -> u32 {
    let mut inv: u32 = 1;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// `a = (a + carry * 2^(w * limbs)) / 2` for normalised limbs.
fn shift_right_one(a: &mut [Limb], carry: u32, w: u32) {
    let mut high = carry;
    for limb in a.iter_mut().rev() {
        let low = *limb & 1;
        *limb = (*limb >> 1) | (high << (w - 1));
        high = low;
    }
}

/// `a = a - (b & mask) mod 2^(w * limbs)` for normalised limbs, the mask all ones or zero
/// (then `a` is rewritten unchanged, in the same time); returns the borrow out of the top.
fn subtract_masked(a: &mut [Limb], b: &[Limb], mask: u32, w: u32) -> u32 {
    let mut borrow = 0;
    for (ai, &bi) in a.iter_mut().zip(b) {
        let d = ai.wrapping_sub(bi & mask).wrapping_sub(borrow);
        *ai = d & mask32(w);
        borrow = d >> 31;
    }
    borrow
}

/// `a < b` for equal-length normalised little-endian limbs, in **variable time**: only for
/// public values.
pub(super) fn less_than_public(a: &[Limb], b: &[Limb]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

pub(super) fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Big-endian bytes to `limbs` normalised `w`-bit limbs; `None` if they do not fit.
fn limbs_from_be(bytes: &[u8], w: u32, limbs: usize) -> Option<Vec<Limb>> {
    let mut out = Vec::with_capacity(limbs.max(bytes.len() * 8 / w as usize + 1));
    let (mut acc, mut bits) = (0u64, 0u32);
    for &byte in bytes.iter().rev() {
        acc |= u64::from(byte) << bits;
        bits += 8;
        if bits >= w {
            out.push(acc as Limb & mask32(w));
            acc >>= w;
            bits -= w;
        }
    }
    if bits > 0 {
        out.push(acc as Limb);
    }
    if out.len() > limbs {
        // Only zero limbs may be dropped.
        if out[limbs..].iter().any(|&l| l != 0) {
            wipe(&mut out);
            return None;
        }
        out.truncate(limbs);
    }
    out.resize(limbs, 0);
    Some(out)
}

/// Normalised `w`-bit limbs to exactly `size` big-endian bytes (the value fits by
/// construction: it is below the modulus).
fn limbs_to_be(limbs: &[Limb], w: u32, size: usize) -> Vec<u8> {
    let mut le = Vec::with_capacity(size + 8);
    let (mut acc, mut bits) = (0u64, 0u32);
    for &limb in limbs {
        acc |= u64::from(limb) << bits;
        bits += w;
        while bits >= 8 {
            le.push(acc as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    le.push(acc as u8);
    le.resize(size, 0);
    le.reverse();
    le
}

/// Overwrites secret intermediate values before their memory is released.
pub(super) fn wipe<T: zeroize::DefaultIsZeroes>(values: &mut [T]) {
    zeroize::Zeroize::zeroize(values);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `1_000_000_007 * 998_244_353`, two primes: small enough to check with `u128`.
    const P: u64 = 1_000_000_007;
    const Q: u64 = 998_244_353;

    fn limbs(m: &Modulus, value: u64) -> Vec<Limb> {
        m.limbs_of(&value.to_be_bytes(), m.limbs()).unwrap()
    }

    fn value(m: &Modulus, limbs: &[Limb]) -> u64 {
        u64::from_be_bytes(m.to_be(limbs, 8).try_into().unwrap())
    }

    #[test]
    fn inverts_units_and_refuses_the_rest() {
        let n = P * Q;
        let m = Modulus::new(&n.to_be_bytes(), 8).unwrap();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = x % n;
            let inverse = m.inverse_vartime(&limbs(&m, a));
            if a.is_multiple_of(P) || a.is_multiple_of(Q) {
                assert_eq!(inverse, None, "{a}");
            } else {
                let inverse = value(&m, &inverse.unwrap());
                assert!(inverse < n);
                assert_eq!(
                    u128::from(a) * u128::from(inverse) % u128::from(n),
                    1,
                    "{a}"
                );
            }
        }
        for (a, expected) in [
            (1, Some(1)),
            (n - 1, Some(n - 1)),
            (0, None),
            (P, None),
            (Q * 5, None),
        ] {
            let inverse = m.inverse_vartime(&limbs(&m, a)).map(|l| value(&m, &l));
            assert_eq!(inverse, expected, "{a}");
        }
    }

    #[test]
    fn montgomery_operations_match_u128_arithmetic() {
        let n = P * Q;
        let m = Modulus::new(&n.to_be_bytes(), 8).unwrap();
        let r = 1u128 << (m.width as usize * m.limbs());
        let r_mod_n = (r % u128::from(n)) as u64;
        let mut s = Scratch::new(m.limbs());
        let mut out = vec![0; m.limbs()];
        let mut x: u64 = 12345;
        for _ in 0..500 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (a, b) = (x % n, x.rotate_left(17) % n);
            // mont_mul(a * R, b) = a * b mod n.
            let a_r = ((u128::from(a) * u128::from(r_mod_n)) % u128::from(n)) as u64;
            m.mont_mul(&limbs(&m, a_r), &limbs(&m, b), &mut out, &mut s);
            let expected = (u128::from(a) * u128::from(b) % u128::from(n)) as u64;
            assert_eq!(value(&m, &out), expected);
            m.mont_square(&limbs(&m, a_r), &mut out, &mut s);
            let a_r_a = (u128::from(a_r) * u128::from(a) % u128::from(n)) as u64;
            assert_eq!(value(&m, &out), a_r_a);
            let mut difference = limbs(&m, a);
            m.sub_mod_assign(&mut difference, &limbs(&m, b));
            assert_eq!(value(&m, &difference), (a + n - b) % n);
        }
        let r2 = (u128::from(r_mod_n) * u128::from(r_mod_n) % u128::from(n)) as u64;
        assert_eq!(value(&m, &m.r2), r2);
    }
}
