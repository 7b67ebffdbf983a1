//! Public keys for verifying, parsed and checked once, then held by the crypto backend.

use pkcs8::der::Decode;
use pkcs8::SubjectPublicKeyInfoRef;

use super::der::{
    check_curve, check_ec_point_encoding, check_null_parameters, der_error, kind_bits,
    rsa_public_bits, EC_PUBLIC_KEY,
};
use super::pem::{self, PemBlock};
use crate::crypto::{KeyKind, PublicKeyFormat, VerifyingKey};
use crate::error::KeyError;

/// A public key for verifying (RSA 2048 to 4096 bits, or ECDSA P-256), held by the backend.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: VerifyingKey,
    /// The key's canonical DER (PKCS#1 `RSAPublicKey` for RSA, SPKI for ECDSA), for equality:
    /// the same RSA key read from SPKI or PKCS#1 is the same key.
    identity: Vec<u8>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses a PEM public key: `PUBLIC KEY` (SPKI, what the CloudFront console takes; RSA or
    /// ECDSA P-256) or `RSA PUBLIC KEY` (PKCS#1), the first such block of the text, read as
    /// OpenSSL reads PEM (see [`PrivateKey::from_pem_with_passphrase`](crate::PrivateKey)).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let block = PemBlock::find(pem, &pem::PUBLIC)?;
        let document = block.public_document()?;
        if block.label() == "PUBLIC KEY" {
            return Self::from_spki_der(document.as_bytes());
        }
        // `RSA PUBLIC KEY`: PKCS#1.
        let bits = rsa_public_bits(document.as_bytes())?;
        Ok(PublicKey {
            key: VerifyingKey::from_der(
                KeyKind::Rsa { bits },
                PublicKeyFormat::Pkcs1,
                document.as_bytes(),
            )?,
            identity: document.as_bytes().to_vec(),
        })
    }

    /// An X.509 `SubjectPublicKeyInfo` in DER.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(der_error)?;
        let (kind, identity) = if spki.algorithm.oid == pkcs1::ALGORITHM_OID {
            check_null_parameters(&spki.algorithm)?;
            let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::Pem {
                detail: "public key bit string has unused bits".into(),
            })?;
            (
                KeyKind::Rsa {
                    bits: rsa_public_bits(bits)?,
                },
                bits.to_vec(),
            )
        } else if spki.algorithm.oid == EC_PUBLIC_KEY {
            check_curve(spki.algorithm.parameters_oid().ok())?;
            check_ec_point_encoding(Some(spki.subject_public_key.as_bytes().ok_or(
                KeyError::Pem {
                    detail: "public key bit string has unused bits".into(),
                },
            )?))?;
            (KeyKind::EcdsaP256, der.to_vec())
        } else {
            return Err(KeyError::UnsupportedKeyType);
        };
        Ok(PublicKey {
            key: VerifyingKey::from_der(kind, PublicKeyFormat::Spki, der)?,
            identity,
        })
    }

    /// RSA or ECDSA P-256, and the RSA modulus size.
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// Modulus size in bits for RSA, 256 for ECDSA P-256.
    pub fn bits(&self) -> usize {
        kind_bits(self.kind())
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }
}
