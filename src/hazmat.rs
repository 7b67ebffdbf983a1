//! Hazardous materials: the RSA **public-key** primitive (RFC 8017 §5.2.2 RSAVP1) and the
//! RSASSA-PKCS1-v1_5 verification on top of it (§8.2.2), in **variable time**.
//!
//! Why it exists: the `rsa` crate's verification runs crypto-bigint's constant-time
//! machinery (fixed-window exponentiation with constant-time table lookups, boxed integers
//! allocated per step) even for the public exponent, which made one WASM verification ~15x
//! `node:crypto`'s. Verification handles no secret (the modulus, the exponent, the signature
//! and the expected encoding are all public), so timing variations leak nothing, and a plain
//! Montgomery square-and-multiply over `e`'s 17 bits with the Montgomery constants of `n`
//! computed once per key does the same work in a fraction of the time.
//!
//! Nothing here may ever touch a private key. Signing stays in the `rsa` crate, constant-time
//! and blinded. Tests compare this module with the `rsa` crate on thousands of random and
//! tampered signatures, natively and in WASM (tests/hazmat.rs).
//!
//! Representation: limbs of `w` = 28 bits (26 above 3360-bit moduli) held in `u64`s, with
//! carries left pending inside a Montgomery multiplication. Every product of two limbs is
//! under 2^56, so a `u64` can take the up to `2 * limbs` products that land on one limb
//! without overflowing, and the inner loop is three loads, two multiplications, two
//! additions and a store, with no carry chain: on wasm32 (no 64x64->128 multiplication)
//! that beats 32-bit limbs with carries by more than the extra limbs cost.

/// A normalised limb: `w` bits. Accumulators with pending carries are `u64`.
type Limb = u32;

/// An RSA public key `(n, e)` with its Montgomery constants, for variable-time public
/// operations. Built once per key (it costs about one verification), then shared.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicOperation {
    /// Bits per limb, `w`.
    width: u32,
    /// The modulus, little-endian normalised limbs.
    n: Vec<Limb>,
    /// `-n^-1 mod 2^w`.
    n0_inv: u32,
    /// `R^2 mod n`, `R = 2^(w * limbs)`: a Montgomery multiplication by it enters the domain.
    r2: Vec<Limb>,
    /// The public exponent (the `rsa` crate caps it at 2^33 - 1).
    e: u64,
    /// The modulus size in bytes (`k` in RFC 8017).
    size: usize,
}

impl std::fmt::Debug for RsaPublicOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPublicOperation({} bytes, e = {})", self.size, self.e)
    }
}

/// Most limbs for 28-bit limbs: `2 * limbs` products of 2^56 each, plus carries, stay
/// under 2^64 with room to spare (240 * 2^56 < 2^64).
const MAX_LIMBS_28: usize = 120;
/// Largest modulus accepted at all (bounds the cost of one operation; `keys` caps at 4096).
const MAX_BYTES: usize = 2048;

impl RsaPublicOperation {
    /// From the big-endian modulus and public exponent. `None` unless `n` is odd, 5 to 2048
    /// bytes long, and `1 < e < 2^64` (every key the `rsa` crate accepts qualifies).
    ///
    /// ```
    /// use cloudfront_edge_auth::hazmat::RsaPublicOperation;
    /// // n = 0x0100_0000_0000_0007 is not prime, but odd: enough for the arithmetic.
    /// let op = RsaPublicOperation::new(&[1, 0, 0, 0, 0, 0, 0, 7], &[3]).unwrap();
    /// assert_eq!(op.size(), 8);
    /// assert_eq!(op.public_op(&[0, 0, 0, 0, 0, 0, 0, 2]).unwrap(), [0, 0, 0, 0, 0, 0, 0, 8]);
    /// ```
    pub fn new(n_be: &[u8], e_be: &[u8]) -> Option<Self> {
        let n_be = trim_leading_zeros(n_be);
        let e_be = trim_leading_zeros(e_be);
        if n_be.len() <= 4
            || n_be.len() > MAX_BYTES
            || n_be[n_be.len() - 1] & 1 == 0
            || e_be.len() > 8
        {
            return None;
        }
        let e = e_be.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e < 2 {
            return None;
        }
        let size = n_be.len();
        let width = if (8 * size).div_ceil(28) <= MAX_LIMBS_28 {
            28
        } else {
            26
        };
        // Enough limbs for any `size`-byte integer, so a signature of the right length
        // always converts and `s < n` is one comparison.
        let limbs = (8 * size).div_ceil(width as usize);
        let n = limbs_from_be(n_be, width, limbs)?;
        let n0_inv = neg_inverse(n[0]) & mask32(width);
        let mut op = RsaPublicOperation {
            width,
            r2: Vec::new(),
            n,
            n0_inv,
            e,
            size,
        };
        op.r2 = op.compute_r2();
        Some(op)
    }

    /// The modulus size in bytes: the length of every signature under this key.
    pub fn size(&self) -> usize {
        self.size
    }

    /// RSAVP1: `s^e mod n` as `size()` big-endian bytes, or `None` when `signature` is not
    /// `size()` bytes long or, read as an integer, is not below `n` (RFC 8017 §8.2.2 steps
    /// 1 and 2.b).
    pub fn public_op(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.size {
            return None;
        }
        let k = self.n.len();
        let s = limbs_from_be(signature, self.width, k)?;
        if !less_than(&s, &self.n) {
            return None;
        }
        let (mut t, mut u) = (vec![0; 2 * k], vec![0; k]);
        let mut base = vec![0; k];
        self.mont_mul(&s, &self.r2, &mut base, &mut t, &mut u);
        // Left to right over e's bits, in the Montgomery domain (x * R), but for the last
        // bit: a Montgomery multiplication by the plain `s` (or by 1) leaves the domain.
        let mut acc = base.clone();
        let mut tmp = vec![0; k];
        let top = 63 - self.e.leading_zeros();
        for bit in (0..top).rev() {
            self.mont_square(&acc, &mut tmp, &mut t);
            if bit == 0 {
                break;
            }
            if (self.e >> bit) & 1 == 1 {
                self.mont_mul(&tmp, &base, &mut acc, &mut t, &mut u);
            } else {
                std::mem::swap(&mut acc, &mut tmp);
            }
        }
        let last = if self.e & 1 == 1 {
            s
        } else {
            let mut one = vec![0; k];
            one[0] = 1;
            one
        };
        self.mont_mul(&tmp, &last, &mut acc, &mut t, &mut u);
        let tmp = acc;
        Some(limbs_to_be(&tmp, self.width, self.size))
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): true when `signature` is the
    /// signature of the digest `hashed` whose DigestInfo DER prefix is `prefix`. The
    /// comparison is with the one encoding RFC 8017 §9.2 allows (no parsing of `EM`).
    pub fn verify_pkcs1v15(&self, prefix: &[u8], hashed: &[u8], signature: &[u8]) -> bool {
        let k = self.size;
        let t_len = prefix.len() + hashed.len();
        if k < t_len + 11 {
            return false;
        }
        let Some(em) = self.public_op(signature) else {
            return false;
        };
        // EM = 0x00 || 0x01 || PS (0xff, k - t_len - 3 bytes) || 0x00 || DigestInfo prefix || H
        let ps_end = k - t_len - 1;
        em[0] == 0
            && em[1] == 1
            && em[2..ps_end].iter().all(|&b| b == 0xff)
            && em[ps_end] == 0
            && em[ps_end + 1..k - hashed.len()] == *prefix
            && em[k - hashed.len()..] == *hashed
    }

    /// Montgomery multiplication, `out = a * b / R mod n` (normalised), for normalised
    /// `a, b < n`. One pass per limb of `a` (CIOS), the reduction interleaved, carries
    /// pending in the accumulator until the end. `t` and `u` are `limbs` long; each pass
    /// reads one and writes the other (no aliasing: the inner loop vectorises).
    fn mont_mul(&self, a: &[Limb], b: &[Limb], out: &mut [Limb], t: &mut [u64], u: &mut [u64]) {
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
    /// multiplications than `mont_mul(a, a)`), then the reduction. `t` is `2 * limbs` long.
    fn mont_square(&self, a: &[Limb], out: &mut [Limb], t: &mut [u64]) {
        let n = &self.n[..];
        let k = n.len();
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

    /// Montgomery reduction, `out = t / R mod n`, for `t < n * R` in `2 * limbs` limbs with
    /// carries pending. Four limbs per pass: the four multipliers `m` are found first (each
    /// from the previous ones' effect on its limb), then one pass adds all four `m * n`,
    /// shifted, which quarters the loads and stores of `t` (V8's code is bound by them).
    fn reduce(&self, t: &mut [u64], out: &mut [Limb]) {
        const ROWS: usize = 4;
        let n = &self.n[..];
        let k = n.len();
        let w = self.width;
        let mask = mask32(w);
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
    /// subtraction is enough.
    fn normalise(&self, acc: &[u64], out: &mut [Limb]) {
        let n = &self.n[..];
        let k = n.len();
        let w = self.width;
        let mut carry = 0;
        for (o, &v) in out[..k].iter_mut().zip(&acc[..k]) {
            let v = v + carry;
            *o = v as Limb & mask32(w);
            carry = v >> w;
        }
        if carry != 0 || !less_than(&out[..k], n) {
            subtract_in_place(&mut out[..k], n, w);
        }
    }

    /// `R^2 mod n = 2^(2 * w * limbs) mod n`, by doubling from the top bit of `n`.
    fn compute_r2(&self) -> Vec<Limb> {
        let w = self.width as usize;
        let k = self.n.len();
        let top = k - 1 - self.n.iter().rev().take_while(|&&l| l == 0).count();
        let n_bits = top * w + (32 - self.n[top].leading_zeros() as usize);
        let mut x = vec![0; k];
        x[(n_bits - 1) / w] = 1 << ((n_bits - 1) % w);
        for _ in 0..2 * w * k - (n_bits - 1) {
            self.double_mod(&mut x);
        }
        x
    }

    /// `x = 2x mod n`, for normalised `x < n`.
    fn double_mod(&self, x: &mut [Limb]) {
        let w = self.width;
        let mut carry = 0;
        for limb in x.iter_mut() {
            let doubled = (*limb << 1) | carry;
            carry = doubled >> w;
            *limb = doubled & mask32(w);
        }
        if carry != 0 || !less_than(x, &self.n) {
            subtract_in_place(x, &self.n, w);
        }
    }
}

const fn mask32(width: u32) -> u32 {
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

/// `a < b` for equal-length normalised little-endian limbs.
fn less_than(a: &[Limb], b: &[Limb]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `x = x - n mod 2^(w * limbs)`, normalised (the caller knows the true difference fits,
/// counting a bit carried out of `x`'s top limb).
fn subtract_in_place(x: &mut [Limb], n: &[Limb], w: u32) {
    let mut borrow = 0;
    for (xi, &ni) in x.iter_mut().zip(n) {
        let d = xi.wrapping_sub(ni).wrapping_sub(borrow);
        *xi = d & mask32(w);
        borrow = d >> 31;
    }
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Big-endian bytes to `limbs` normalised `w`-bit limbs; `None` if they do not fit.
fn limbs_from_be(bytes: &[u8], w: u32, limbs: usize) -> Option<Vec<Limb>> {
    let mut out = Vec::with_capacity(limbs);
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
            return None;
        }
        out.truncate(limbs);
    }
    out.resize(limbs, 0);
    Some(out)
}

/// Normalised `w`-bit limbs to exactly `size` big-endian bytes (the value fits by
/// construction: it is below `n`).
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
