//! The RSA private-key primitive (RFC 8017 §5.1.2 RSADP / §5.2.1 RSASP1, the CRT form of
//! step 2.b) and RSASSA-PKCS1-v1_5 signing on top of it (§8.2.1), in **constant time**,
//! **blinded** and **checked**.
//!
//! - Constant time: the exponentiations modulo `p` and `q` use 4-bit fixed windows over
//!   every bit of the exponent limbs, with each table entry read through a mask; the
//!   Montgomery steps have fixed control flow (`modulus.rs`); the CRT recombination
//!   (Garner) and the blinding use the same masked arithmetic. No branch and no memory
//!   index depends on a secret; the loop counts depend on the key's size only.
//! - Blinded: the message is multiplied by `r^e` before the exponentiation and the result
//!   by `r^-1` after, for a random `r` (RSA blinding, as the `rsa` crate and OpenSSL do).
//!   A fresh pair costs an inversion modulo `n`, done in variable time on a randomly
//!   masked value (so its timing says nothing about `r`); like OpenSSL's `BN_BLINDING`, a
//!   pair is reused squared (`r -> r^2`) and replaced by a fresh one every
//!   [`BLINDING_REFRESH`] signatures.
//! - Checked: every signature is verified with the public key before it leaves (a fault,
//!   or a key whose CRT values disagree with `n`, would otherwise release a signature that
//!   reveals a factor of `n`: the Bellcore attack). A failed check returns an error.
//!
//! Why not the `rsa` crate: its crypto-bigint backend, on wasm32, made one 2048-bit
//! signature ~50x `node:crypto` and a private-key parse ~15 ms (validation and
//! precomputation); see bench/notes.md. Tests compare every signature with the `rsa` crate's
//! (PKCS#1 v1.5 is deterministic: the bytes must be identical), natively and in WASM.

use std::sync::{Mutex, PoisonError};

use super::modulus::{
    mask32, mask_if, trim_leading_zeros, wipe, Limb, Modulus, Scratch, MAX_LIMBS_28,
};
use super::public::{encode_pkcs1v15, RsaPublicOperation};

/// Signatures made with one blinding pair (squared between uses) before a fresh one.
pub const BLINDING_REFRESH: u32 = 32;

/// Bits per exponent window.
const WINDOW: usize = 4;

/// Why a private key's values cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidPrivateKey {
    /// The modulus or the public exponent is not usable (even, too short, `e < 2`).
    PublicPart,
    /// A prime is even, under five bytes, or over 3,360 bits (beyond 28-bit limbs' room).
    Prime,
    /// `n` is not `p * q`.
    ModulusMismatch,
    /// `d mod (p - 1)`, `d mod (q - 1)` or `q^-1 mod p` is wider than the primes.
    CrtValue,
}

impl std::fmt::Display for InvalidPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InvalidPrivateKey::PublicPart => "the modulus or public exponent is not usable",
            InvalidPrivateKey::Prime => "a prime factor is not usable",
            InvalidPrivateKey::ModulusMismatch => "the modulus is not the product of the primes",
            InvalidPrivateKey::CrtValue => "a CRT exponent or coefficient is out of range",
        })
    }
}

/// Why a signature was not produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignFailure {
    /// The modulus is too short for the digest and its DigestInfo prefix.
    MessageTooLong,
    /// The system random number generator failed (blinding needs it).
    Random,
    /// The result did not verify with the public key: the private values are inconsistent
    /// (or a fault occurred). Nothing was released.
    Inconsistent,
}

/// The big-endian components of a two-prime RSA private key, as PKCS#1 `RSAPrivateKey`
/// carries them (RFC 8017 §A.1.2). `d` itself is not needed with the CRT values.
#[derive(Clone, Copy)]
pub struct PrivateKeyComponents<'a> {
    /// `n`.
    pub modulus: &'a [u8],
    /// `e`.
    pub public_exponent: &'a [u8],
    /// `p`.
    pub prime1: &'a [u8],
    /// `q`.
    pub prime2: &'a [u8],
    /// `d mod (p - 1)`.
    pub exponent1: &'a [u8],
    /// `d mod (q - 1)`.
    pub exponent2: &'a [u8],
    /// `q^-1 mod p`.
    pub coefficient: &'a [u8],
}

/// One prime's half of the CRT: the Montgomery constants of `p` and the exponents used
/// modulo `p`.
#[derive(Clone)]
struct PrimeHalf {
    p: Modulus,
    /// `R^3 mod p`: one Montgomery multiplication by it turns `x / R` into `x * R`.
    r3: Vec<Limb>,
    /// `d mod (p - 1)`, limbs.
    d: Vec<Limb>,
}

/// A blinding pair, both in the Montgomery domain of `n`: `r^e * R` and `r^-1 * R`.
struct Blinding {
    blind: Vec<Limb>,
    unblind: Vec<Limb>,
    uses: u32,
}

/// A two-prime RSA private key ready for constant-time CRT signing.
///
/// ```
/// use cloudfront_edge_auth::hazmat::{PrivateKeyComponents, RsaPrivateOperation};
/// # use rsa::pkcs1::EncodeRsaPrivateKey;
/// # let der = rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap().to_pkcs1_der().unwrap();
/// let key = pkcs1::RsaPrivateKeyRef::try_from(der.as_bytes()).unwrap();
/// let op = RsaPrivateOperation::new(PrivateKeyComponents {
///     modulus: key.modulus.as_bytes(),
///     public_exponent: key.public_exponent.as_bytes(),
///     prime1: key.prime1.as_bytes(),
///     prime2: key.prime2.as_bytes(),
///     exponent1: key.exponent1.as_bytes(),
///     exponent2: key.exponent2.as_bytes(),
///     coefficient: key.coefficient.as_bytes(),
/// })
/// .unwrap();
/// // DigestInfo prefix of SHA-1 (RFC 8017 §9.2), then a 20-byte digest.
/// let prefix = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
/// let signature = op.sign_pkcs1v15(&prefix, &[7; 20]).unwrap();
/// assert!(op.public().verify_pkcs1v15(&prefix, &[7; 20], &signature));
/// ```
pub struct RsaPrivateOperation {
    public: RsaPublicOperation,
    p: PrimeHalf,
    q: PrimeHalf,
    /// `q^-1 mod p`, limbs.
    qinv: Vec<Limb>,
    blinding: Mutex<Option<Blinding>>,
}

impl std::fmt::Debug for RsaPrivateOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RsaPrivateOperation({} bytes, redacted)",
            self.public.size()
        )
    }
}

impl RsaPrivateOperation {
    /// Checks the components' shapes and `n = p * q`, and precomputes the Montgomery
    /// constants of `p` and `q` (about a millisecond in WASM). Whether `d`'s CRT values
    /// match `e` is known only from a signature, which is checked before it is released.
    pub fn new(key: PrivateKeyComponents<'_>) -> Result<Self, InvalidPrivateKey> {
        let public = RsaPublicOperation::new(key.modulus, key.public_exponent)
            .ok_or(InvalidPrivateKey::PublicPart)?;
        let (p_be, q_be) = (
            trim_leading_zeros(key.prime1),
            trim_leading_zeros(key.prime2),
        );
        let capacity = p_be.len().max(q_be.len());
        // Windows of 4 bits tile 28-bit limbs; 28-bit limbs hold primes up to 3360 bits.
        if (8 * capacity).div_ceil(28) > MAX_LIMBS_28 {
            return Err(InvalidPrivateKey::Prime);
        }
        let p = Modulus::new(p_be, capacity).ok_or(InvalidPrivateKey::Prime)?;
        let q = Modulus::new(q_be, capacity).ok_or(InvalidPrivateKey::Prime)?;
        let k = p.limbs();
        let product = p.to_be(&mul_add(&p.n, &q.n, &[], p.width), 2 * capacity);
        if trim_leading_zeros(&product) != trim_leading_zeros(key.modulus) {
            return Err(InvalidPrivateKey::ModulusMismatch);
        }
        let limbs = |value: &[u8]| p.limbs_of(value, k).ok_or(InvalidPrivateKey::CrtValue);
        let qinv = limbs(key.coefficient)?;
        let (dp, dq) = (limbs(key.exponent1)?, limbs(key.exponent2)?);
        Ok(RsaPrivateOperation {
            public,
            p: PrimeHalf::new(p, dp),
            q: PrimeHalf::new(q, dq),
            qinv,
            blinding: Mutex::new(None),
        })
    }

    /// The public half.
    pub fn public(&self) -> &RsaPublicOperation {
        &self.public
    }

    /// RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.1) of the digest `hashed` whose
    /// DigestInfo DER prefix is `prefix`: `size()` bytes.
    pub fn sign_pkcs1v15(&self, prefix: &[u8], hashed: &[u8]) -> Result<Vec<u8>, SignFailure> {
        let size = self.public.size();
        let em = encode_pkcs1v15(size, prefix, hashed).ok_or(SignFailure::MessageTooLong)?;
        let n = self.public.montgomery();
        // EM starts with 0x00, so it is below n.
        let m = n
            .limbs_of(&em, n.limbs())
            .ok_or(SignFailure::MessageTooLong)?;
        let (blind, unblind) = self.take_blinding()?;
        let mut scratch = Scratch::new(n.limbs());
        let mut c = vec![0; n.limbs()];
        n.mont_mul(&m, &blind, &mut c, &mut scratch);
        let mut blinded = self.crt_pow(&c)?;
        let mut s = vec![0; n.limbs()];
        n.mont_mul(&blinded, &unblind, &mut s, &mut scratch);
        wipe(&mut blinded);
        wipe(&mut c);
        scratch.wipe();
        let signature = n.to_be(&s, size);
        if self.public.public_op(&signature).as_deref() != Some(&em[..]) {
            return Err(SignFailure::Inconsistent);
        }
        Ok(signature)
    }

    /// The blinding pair for one signature: a fresh one every [`BLINDING_REFRESH`] uses,
    /// otherwise the previous one squared.
    fn take_blinding(&self) -> Result<(Vec<Limb>, Vec<Limb>), SignFailure> {
        // Each signature takes the pair out and puts the next one back: a panic elsewhere
        // cannot leave a half-updated pair behind the lock.
        let mut state = self.blinding.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pair = match state.take() {
            Some(pair) if pair.uses < BLINDING_REFRESH => self.square_blinding(pair),
            _ => self.fresh_blinding()?,
        };
        pair.uses += 1;
        let taken = (pair.blind.clone(), pair.unblind.clone());
        *state = Some(pair);
        Ok(taken)
    }

    /// `(r^e, r^-1)` to `(r^2e, r^-2)`: a valid pair again, for two squarings.
    fn square_blinding(&self, mut pair: Blinding) -> Blinding {
        let n = self.public.montgomery();
        let mut scratch = Scratch::new(n.limbs());
        let mut next = vec![0; n.limbs()];
        n.mont_square(&pair.blind, &mut next, &mut scratch);
        std::mem::swap(&mut pair.blind, &mut next);
        n.mont_square(&pair.unblind, &mut next, &mut scratch);
        std::mem::swap(&mut pair.unblind, &mut next);
        wipe(&mut next);
        scratch.wipe();
        pair
    }

    /// A new pair from a random `r < n`: `r^e` by the public operation, `r^-1` as
    /// `r^(p-2) mod p` and `r^(q-2) mod q` joined by the CRT, then checked (`r * r^-1 = 1`;
    /// it fails only for an `r` sharing a factor with `n`, or for a key whose primes are
    /// not prime).
    fn fresh_blinding(&self) -> Result<Blinding, SignFailure> {
        let n = self.public.montgomery();
        let (mut r, mut mask) = (self.random_below_n()?, self.random_below_n()?);
        let mut scratch = Scratch::new(n.limbs());
        let r_e = self.public.pow_e(&r, &mut scratch);
        // r^-1 by a variable-time inverse of x = r * mask / R, uniformly random and
        // independent of r, then r^-1 = x^-1 * mask / R: the inverse's timing says nothing
        // about r (the masked inversion of BoringSSL's BN_mod_inverse_blinded). Fermat,
        // r^(p-2) mod p, would be constant time too, at the cost of a whole private
        // operation (~3 ms in WASM).
        let (mut x, mut r_inv) = (vec![0; n.limbs()], vec![0; n.limbs()]);
        n.mont_mul(&r, &mask, &mut x, &mut scratch);
        let mut x_inv = n.inverse_vartime(&x).ok_or(SignFailure::Inconsistent)?;
        n.mont_mul(&x_inv, &mask, &mut r_inv, &mut scratch);
        let (mut blind, mut unblind, mut check) =
            (vec![0; n.limbs()], vec![0; n.limbs()], vec![0; n.limbs()]);
        n.mont_mul(&r_e, &n.r2, &mut blind, &mut scratch);
        n.mont_mul(&r_inv, &n.r2, &mut unblind, &mut scratch);
        n.mont_mul(&unblind, &r, &mut check, &mut scratch);
        for buffer in [&mut r, &mut mask, &mut x, &mut x_inv, &mut r_inv] {
            wipe(buffer);
        }
        scratch.wipe();
        // Fails only for an r or a mask sharing a factor with n.
        if check != n.one() {
            return Err(SignFailure::Inconsistent);
        }
        Ok(Blinding {
            blind,
            unblind,
            uses: 0,
        })
    }

    /// A random integer below `n` (its top byte zero), never zero in practice.
    fn random_below_n(&self) -> Result<Vec<Limb>, SignFailure> {
        let n = self.public.montgomery();
        let mut bytes = vec![0; self.public.size()];
        getrandom::fill(&mut bytes[1..]).map_err(|_| SignFailure::Random)?;
        let value = n.limbs_of(&bytes, n.limbs()).ok_or(SignFailure::Random);
        wipe(&mut bytes);
        value
    }

    /// `x^d mod n` through `x^(d mod (p-1)) mod p` and `x^(d mod (q-1)) mod q`, joined by
    /// Garner's formula (RFC 8017 §5.1.2 step 2.b): `m2 + q * ((m1 - m2) * qInv mod p)`, for
    /// `x < n` in `n`'s limbs; the result in `n`'s limbs.
    fn crt_pow(&self, x: &[Limb]) -> Result<Vec<Limb>, SignFailure> {
        let n = self.public.montgomery();
        let (p, q) = (&self.p.p, &self.q.p);
        let k = p.limbs();
        let mut scratch = Scratch::new(k);
        // x < n = p * q < R^2: two limb-widths of p hold it (p and q share limb layouts).
        let mut x_be = n.to_be(x, self.public.size());
        let x_wide = p.limbs_of(&x_be, 2 * k).ok_or(SignFailure::Inconsistent);
        wipe(&mut x_be);
        let x_wide = x_wide?;
        let mut m1 = self.p.pow(&x_wide, &self.p.d, &mut scratch);
        let mut m2 = self.q.pow(&x_wide, &self.q.d, &mut scratch);
        // m2 leaves q's Montgomery domain, then enters p's: m2 < q < R and R^2 mod p < p.
        let mut m2_plain = vec![0; k];
        q.mont_mul(&m2, &q.one(), &mut m2_plain, &mut scratch);
        p.mont_mul(&m2_plain, &p.r2, &mut m2, &mut scratch);
        p.sub_mod_assign(&mut m1, &m2);
        // (m1 - m2) * R times qInv, divided by R: (m1 - m2) * qInv mod p, plain.
        let mut h = vec![0; k];
        p.mont_mul(&m1, &self.qinv, &mut h, &mut scratch);
        let s = mul_add(&h, &q.n, &m2_plain, p.width);
        let mut s_be = p.to_be(&s, self.public.size());
        // s = m2 + q * h < q + q * (p - 1) = n: it fits n's limbs.
        let out = n
            .limbs_of(&s_be, n.limbs())
            .ok_or(SignFailure::Inconsistent);
        for buffer in [&mut m1, &mut m2, &mut m2_plain, &mut h] {
            wipe(buffer);
        }
        wipe(&mut s_be);
        scratch.wipe();
        out
    }
}

impl Clone for RsaPrivateOperation {
    /// A copy of the key with a blinding state of its own.
    fn clone(&self) -> Self {
        RsaPrivateOperation {
            public: self.public.clone(),
            p: self.p.clone(),
            q: self.q.clone(),
            qinv: self.qinv.clone(),
            blinding: Mutex::new(None),
        }
    }
}

impl Drop for RsaPrivateOperation {
    fn drop(&mut self) {
        wipe(&mut self.qinv);
        if let Some(pair) = self
            .blinding
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
        {
            wipe(&mut pair.blind);
            wipe(&mut pair.unblind);
        }
    }
}

impl PrimeHalf {
    fn new(p: Modulus, d: Vec<Limb>) -> Self {
        let mut scratch = Scratch::new(p.limbs());
        let mut r3 = vec![0; p.limbs()];
        p.mont_mul(&p.r2, &p.r2, &mut r3, &mut scratch);
        scratch.wipe();
        PrimeHalf { p, r3, d }
    }

    /// `x^exponent` modulo this prime, in its Montgomery domain, for `x < p * R` given in
    /// `2 * limbs` limbs: 4-bit fixed windows over all `28 * limbs` exponent bits, each
    /// table entry selected through masks.
    fn pow(&self, x_wide: &[Limb], exponent: &[Limb], scratch: &mut Scratch) -> Vec<Limb> {
        let p = &self.p;
        let k = p.limbs();
        let mut x = vec![0; k];
        let mut base = vec![0; k];
        // x / R, then times R^3 / R: x * R mod p.
        p.reduce_wide(x_wide, &mut x, scratch);
        p.mont_mul(&x, &self.r3, &mut base, scratch);
        let mut table = vec![0; (1 << WINDOW) * k];
        p.mont_mul(&p.r2, &p.one(), &mut table[..k], scratch);
        table[k..2 * k].copy_from_slice(&base);
        for i in 2..1 << WINDOW {
            let (done, rest) = table.split_at_mut(i * k);
            p.mont_mul(&done[(i - 1) * k..], &base, &mut rest[..k], scratch);
        }
        let windows_per_limb = p.width as usize / WINDOW;
        let window =
            |j: usize| (exponent[j / windows_per_limb] >> (WINDOW * (j % windows_per_limb))) & 0xf;
        let windows = k * windows_per_limb;
        let mut acc = vec![0; k];
        let mut tmp = vec![0; k];
        select(&table, k, window(windows - 1), &mut acc);
        for j in (0..windows - 1).rev() {
            for _ in 0..WINDOW / 2 {
                p.mont_square(&acc, &mut tmp, scratch);
                p.mont_square(&tmp, &mut acc, scratch);
            }
            select(&table, k, window(j), &mut x);
            p.mont_mul(&acc, &x, &mut tmp, scratch);
            std::mem::swap(&mut acc, &mut tmp);
        }
        for buffer in [&mut x, &mut base, &mut table, &mut tmp] {
            wipe(buffer);
        }
        acc
    }
}

impl Drop for PrimeHalf {
    fn drop(&mut self) {
        wipe(&mut self.d);
        wipe(&mut self.r3);
        self.p.wipe();
    }
}

/// `out = table[index]` (entries of `k` limbs), reading every entry and keeping the one
/// whose position equals `index` through a mask.
fn select(table: &[Limb], k: usize, index: u32, out: &mut [Limb]) {
    out[..k].fill(0);
    for (i, entry) in table.chunks_exact(k).enumerate() {
        let diff = i as u32 ^ index;
        // 1 when diff is non-zero; the mask is all ones only for the wanted entry.
        let nonzero = (diff | diff.wrapping_neg()) >> 31;
        let mask = mask_if(nonzero ^ 1);
        for (o, &v) in out.iter_mut().zip(entry) {
            *o |= v & mask;
        }
    }
}

/// `a * b + c` as plain integers (`2 * limbs` limbs), for `w`-bit limbs with `a`, `b` of
/// the same length (at most [`MAX_LIMBS_28`]) and `c` no longer.
fn mul_add(a: &[Limb], b: &[Limb], c: &[Limb], w: u32) -> Vec<Limb> {
    let k = a.len();
    let mut acc = vec![0u64; 2 * k];
    for (t, &ci) in acc.iter_mut().zip(c) {
        *t = u64::from(ci);
    }
    for (i, &ai) in a.iter().enumerate() {
        let ai = u64::from(ai);
        for (t, &bj) in acc[i..i + k].iter_mut().zip(b) {
            *t += ai * u64::from(bj);
        }
    }
    let mut out = vec![0; 2 * k];
    let mut carry = 0;
    for (o, &v) in out.iter_mut().zip(&acc) {
        let v = v + carry;
        *o = v as Limb & mask32(w);
        carry = v >> w;
    }
    wipe(&mut acc);
    out
}
