//! Reading key documents: the checks CloudFront's rules imply on the DER (RSA size, exponent and primes; EC curve), the same for every backend.

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::Decode;
use pkcs8::PrivateKeyInfoRef;

use super::{MAX_RSA_BITS, MIN_RSA_BITS};
use crate::crypto::{KeyKind, PrivateKeyFormat};
use crate::error::KeyError;

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
pub(super) const EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / `prime256v1` (RFC 5480 §2.1.1.1), the one curve CloudFront takes.
pub(super) const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

pub(super) fn kind_bits(kind: KeyKind) -> usize {
    match kind {
        KeyKind::Rsa { bits } => bits,
        KeyKind::EcdsaP256 => 256,
    }
}

/// The kind of a private key, read from its DER: RSA with two primes, 2048 to 4096 bits and an
/// odd exponent from 3 to 2^33 - 1, or an EC key on P-256.
pub(super) fn private_key_kind(format: PrivateKeyFormat, der: &[u8]) -> Result<KeyKind, KeyError> {
    match format {
        PrivateKeyFormat::Pkcs1 => rsa_private_kind(der),
        PrivateKeyFormat::Sec1 => {
            let key = sec1::EcPrivateKey::from_der(der).map_err(der_error)?;
            check_curve(key.parameters.and_then(|p| p.named_curve()))?;
            check_ec_private_key(&key)?;
            Ok(KeyKind::EcdsaP256)
        }
        PrivateKeyFormat::Pkcs8 => {
            let info = PrivateKeyInfoRef::from_der(der).map_err(der_error)?;
            check_pkcs8_v1(&info, der)?;
            if info.algorithm.oid == pkcs1::ALGORITHM_OID {
                check_null_parameters(&info.algorithm)?;
                rsa_private_kind(info.private_key.as_bytes())
            } else if info.algorithm.oid == EC_PUBLIC_KEY {
                check_curve(info.algorithm.parameters_oid().ok())?;
                let key =
                    sec1::EcPrivateKey::from_der(info.private_key.as_bytes()).map_err(der_error)?;
                // The inner key may repeat the curve; OpenSSL believes the inner one.
                if let Some(parameters) = key.parameters {
                    check_curve(parameters.named_curve())?;
                }
                check_ec_private_key(&key)?;
                Ok(KeyKind::EcdsaP256)
            } else {
                Err(KeyError::UnsupportedKeyType)
            }
        }
    }
}

/// A PKCS#8 `PrivateKeyInfo` of version 1 and nothing more: no `attributes`, no v2
/// `publicKey`. The `pkcs8` crate skips attributes and ignores a v2 public key (even one of
/// another key); OpenSSL refuses some of them. Refused alike, typed. `der` is the whole
/// `PrivateKeyInfo`, `info` its reading; re-encoding what was read must give `der` back.
fn check_pkcs8_v1(info: &PrivateKeyInfoRef<'_>, der: &[u8]) -> Result<(), KeyError> {
    use pkcs8::der::Encode as _;
    let unsupported = || KeyError::Pem {
        detail: "PKCS#8 keys with attributes or a public key field are not supported".into(),
    };
    if info.public_key.is_some() {
        return Err(unsupported());
    }
    let reencoded = zeroize::Zeroizing::new(info.to_der().map_err(der_error)?);
    if reencoded.as_slice() != der {
        return Err(unsupported());
    }
    Ok(())
}

/// An EC P-256 private key's embedded point, if any, well encoded, and its scalar `d` one
/// `p256` takes: 24 to 32 bytes, and `0 < d < n` (the group order). OpenSSL takes a zero
/// scalar, one at or over the order (reduced modulo it) and one of any length, and signs with
/// it; the same key must get the same answer in every build. `elliptic-curve`'s `SecretKey`
/// (the `p256` curve's, without its arithmetic: the Node build carries only the curve's
/// constants) decides, in constant time, as the web build's `p256` decides on import.
fn check_ec_private_key(key: &sec1::EcPrivateKey<'_>) -> Result<(), KeyError> {
    check_ec_point_encoding(key.public_key)?;
    if p256::SecretKey::from_slice(key.private_key).is_err() {
        return Err(KeyError::Invalid {
            detail: "the EC private scalar is not one P-256 takes (24 to 32 bytes, above zero and below the group order)".into(),
        });
    }
    Ok(())
}

/// An EC point as SEC1 encodes it for P-256: 65 bytes uncompressed (`04 x y`) or 33 bytes
/// compressed (`02 x` / `03 x`). The hybrid form (`06`/`07`), the point at infinity and other
/// lengths are refused here, for every backend (OpenSSL takes some of them, `p256` none).
/// Whether the point is on the curve is the backend's to find.
pub(super) fn check_ec_point_encoding(point: Option<&[u8]>) -> Result<(), KeyError> {
    match point {
        None => Ok(()),
        Some([0x04, rest @ ..]) if rest.len() == 64 => Ok(()),
        Some([0x02 | 0x03, rest @ ..]) if rest.len() == 32 => Ok(()),
        Some(_) => Err(KeyError::Invalid {
            detail: "the EC point is not a P-256 point encoding (65 bytes uncompressed or 33 compressed)".into(),
        }),
    }
}

/// A PKCS#1 `RSAPrivateKey` (two primes; RFC 8017 §A.1.2).
pub(super) fn rsa_private_kind(der: &[u8]) -> Result<KeyKind, KeyError> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(der_error)?;
    if key.version() != pkcs1::Version::TwoPrime {
        return Err(KeyError::Invalid {
            detail: "multi-prime RSA keys are not supported".into(),
        });
    }
    let bits = modulus_bits(key.modulus.as_bytes())?;
    check_public_exponent(key.public_exponent.as_bytes())?;
    check_rsa_prime_widths(&key)?;
    Ok(KeyKind::Rsa { bits })
}

/// Both primes at most half the modulus wide, as every key generator makes them (`openssl
/// genrsa`, `ssh-keygen`, AWS). The `rsa` crate's constant-time CRT arithmetic sizes its
/// buffers from the modulus and refuses wider primes; OpenSSL takes them: refused here for
/// every build. Only the integers' widths are read, no arithmetic on them.
pub(crate) fn check_rsa_prime_widths(key: &pkcs1::RsaPrivateKeyRef<'_>) -> Result<(), KeyError> {
    let width = |integer: &[u8]| {
        let significant = &integer[integer
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(integer.len())..];
        significant.first().map_or(0, |&top| {
            significant.len() * 8 - top.leading_zeros() as usize
        })
    };
    // Half the modulus's own width, as the `rsa` crate counts it (`bits` counts whole bytes,
    // as CloudFront's "2048-bit" does: a 2041-bit modulus is a 2048-bit key there).
    let half = width(key.modulus.as_bytes()).div_ceil(2);
    if width(key.prime1.as_bytes()) > half || width(key.prime2.as_bytes()) > half {
        return Err(KeyError::Invalid {
            detail: "RSA keys whose primes differ in size are not supported".into(),
        });
    }
    Ok(())
}

/// The size of a PKCS#1 `RSAPublicKey`, checked.
pub(super) fn rsa_public_bits(der: &[u8]) -> Result<usize, KeyError> {
    let key = pkcs1::RsaPublicKeyRef::from_der(der).map_err(der_error)?;
    let bits = modulus_bits(key.modulus.as_bytes())?;
    check_public_exponent(key.public_exponent.as_bytes())?;
    Ok(bits)
}

/// The modulus size, counted in bytes as CloudFront's "2048-bit" is, and checked: odd, 2048
/// to 4096 bits.
pub(super) fn modulus_bits(n: &[u8]) -> Result<usize, KeyError> {
    let n = &n[n.iter().position(|&b| b != 0).unwrap_or(n.len())..];
    let bits = n.len() * 8;
    if bits < MIN_RSA_BITS {
        return Err(KeyError::TooSmall { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyError::TooLarge { bits });
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(KeyError::Invalid {
            detail: "the modulus is even".into(),
        });
    }
    Ok(bits)
}

/// The `rsa` crate's bounds on `e`, for both backends: odd, 3 to 2^33 - 1.
pub(super) fn check_public_exponent(e: &[u8]) -> Result<(), KeyError> {
    let e = &e[e.iter().position(|&b| b != 0).unwrap_or(e.len())..];
    let value = if e.len() > 8 {
        u64::MAX
    } else {
        e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
    };
    if !(3..1 << 33).contains(&value) || value & 1 == 0 {
        return Err(KeyError::Invalid {
            detail: "the public exponent is not an odd number from 3 to 2^33 - 1".into(),
        });
    }
    Ok(())
}

pub(super) fn check_curve(curve: Option<ObjectIdentifier>) -> Result<(), KeyError> {
    match curve {
        Some(oid) if oid == P256 => Ok(()),
        Some(_) => Err(KeyError::UnsupportedKeyType),
        None => Err(KeyError::Pem {
            detail: "EC key without its named curve".into(),
        }),
    }
}

/// `rsaEncryption` with NULL parameters (RFC 8017 §A.1), the algorithm CloudFront keys use.
pub(super) fn check_null_parameters(
    algorithm: &pkcs8::spki::AlgorithmIdentifierRef<'_>,
) -> Result<(), KeyError> {
    match algorithm.parameters_any() {
        Ok(params) if params == pkcs8::der::asn1::Null.into() => Ok(()),
        _ => Err(KeyError::Pem {
            detail: "rsaEncryption parameters must be NULL".into(),
        }),
    }
}

pub(crate) fn der_error(e: impl std::fmt::Display) -> KeyError {
    KeyError::Pem {
        detail: e.to_string(),
    }
}
