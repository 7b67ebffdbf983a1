//! The RSA public-key primitive (RFC 8017 §5.2.2 RSAVP1) and RSASSA-PKCS1-v1_5 verification
//! on top of it (§8.2.2).
//!
//! Every input here is public (the modulus, the exponent, the signature and the expected
//! encoding), so the square-and-multiply over `e`'s bits and the checks may take variable
//! time; the Montgomery steps themselves have fixed control flow (`modulus.rs`).

use super::modulus::{less_than_public, trim_leading_zeros, Limb, Modulus, Scratch};

/// Largest modulus accepted at all (bounds the cost of one operation; `keys` caps at 4096).
const MAX_BYTES: usize = 2048;

/// An RSA public key `(n, e)` with its Montgomery constants. Built once per key (it costs
/// about one verification), then shared.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicOperation {
    modulus: Modulus,
    /// The public exponent (keys cap it at 2^33 - 1).
    e: u64,
    /// The modulus size in bytes (`k` in RFC 8017).
    size: usize,
}

impl std::fmt::Debug for RsaPublicOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPublicOperation({} bytes, e = {})", self.size, self.e)
    }
}

impl RsaPublicOperation {
    /// From the big-endian modulus and public exponent. `None` unless `n` is odd, 5 to 2048
    /// bytes long, and `1 < e < 2^64`.
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
        if n_be.len() > MAX_BYTES || e_be.len() > 8 {
            return None;
        }
        let e = e_be.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e < 2 {
            return None;
        }
        // Room for any `size`-byte integer, so a signature of the right length always
        // converts and `s < n` is one comparison.
        let modulus = Modulus::new(n_be, n_be.len())?;
        Some(RsaPublicOperation {
            modulus,
            e,
            size: n_be.len(),
        })
    }

    /// The modulus size in bytes: the length of every signature under this key.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The public exponent.
    pub fn exponent(&self) -> u64 {
        self.e
    }

    pub(super) fn montgomery(&self) -> &Modulus {
        &self.modulus
    }

    /// RSAVP1: `s^e mod n` as `size()` big-endian bytes, or `None` when `signature` is not
    /// `size()` bytes long or, read as an integer, is not below `n` (RFC 8017 §8.2.2 steps
    /// 1 and 2.b).
    pub fn public_op(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.size {
            return None;
        }
        let s = self.modulus.limbs_of(signature, self.modulus.limbs())?;
        if !less_than_public(&s, &self.modulus.n) {
            return None;
        }
        let out = self.pow_e(&s, &mut Scratch::new(self.modulus.limbs()));
        Some(self.modulus.to_be(&out, self.size))
    }

    /// `x^e mod n` for normalised `x < n` (plain limbs in, plain limbs out).
    pub(super) fn pow_e(&self, x: &[Limb], scratch: &mut Scratch) -> Vec<Limb> {
        let m = &self.modulus;
        let mut base = vec![0; m.limbs()];
        m.mont_mul(x, &m.r2, &mut base, scratch);
        // Left to right over e's bits, in the Montgomery domain (x * R), but for the last
        // bit: a Montgomery multiplication by the plain `x` (or by 1) leaves the domain.
        let mut acc = base.clone();
        let mut tmp = vec![0; m.limbs()];
        let top = 63 - self.e.leading_zeros();
        for bit in (0..top).rev() {
            m.mont_square(&acc, &mut tmp, scratch);
            if bit == 0 {
                break;
            }
            if (self.e >> bit) & 1 == 1 {
                m.mont_mul(&tmp, &base, &mut acc, scratch);
            } else {
                std::mem::swap(&mut acc, &mut tmp);
            }
        }
        let last = if self.e & 1 == 1 { x.to_vec() } else { m.one() };
        m.mont_mul(&tmp, &last, &mut acc, scratch);
        acc
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): true when `signature` is the
    /// signature of the digest `hashed` whose DigestInfo DER prefix is `prefix`. The
    /// comparison is with the one encoding RFC 8017 §9.2 allows (no parsing of `EM`).
    pub fn verify_pkcs1v15(&self, prefix: &[u8], hashed: &[u8], signature: &[u8]) -> bool {
        let Some(expected) = encode_pkcs1v15(self.size, prefix, hashed) else {
            return false;
        };
        self.public_op(signature).is_some_and(|em| em == expected)
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): `0x00 || 0x01 || PS || 0x00 || prefix || hashed`, `k`
/// bytes, with at least eight `0xff` bytes of padding; `None` when `k` is too short.
pub(super) fn encode_pkcs1v15(k: usize, prefix: &[u8], hashed: &[u8]) -> Option<Vec<u8>> {
    let t_len = prefix.len() + hashed.len();
    if k < t_len + 11 {
        return None;
    }
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0, 1]);
    em.resize(k - t_len - 1, 0xff);
    em.push(0);
    em.extend_from_slice(prefix);
    em.extend_from_slice(hashed);
    Some(em)
}
