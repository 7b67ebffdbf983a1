//! Private keys for signing, parsed and checked once, then held by the crypto backend.

use super::der::{der_error, kind_bits, private_key_kind};
use super::encrypted::{check_plaintext, EncryptedKey};
use super::pem::{self, PemBlock, ENCRYPTED_LABEL};
use super::PublicKey;
use crate::crypto::{self, KeyKind, PrivateKeyFormat, SigningKey};
use crate::error::KeyError;

/// A private key for signing (RSA 2048 to 4096 bits, or ECDSA P-256), parsed and checked once
/// and held by the crypto backend. Cloning shares the parsed key.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({}, redacted)", self.kind())
    }
}

impl PrivateKey {
    /// Parses an unencrypted PEM private key (`RSA PRIVATE KEY`, `EC PRIVATE KEY` or
    /// `PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_pem_with_passphrase(pem, None)
    }

    /// Parses a PEM private key, decrypting `ENCRYPTED PRIVATE KEY` with `passphrase`. The
    /// text is read as OpenSSL reads it: the first private key block, wherever it is (after
    /// `openssl ecparam -genkey`'s `EC PARAMETERS`, before a certificate), its base64 at any
    /// line width. Legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED`) is refused.
    pub fn from_pem_with_passphrase(pem: &str, passphrase: Option<&str>) -> Result<Self, KeyError> {
        let block = PemBlock::find(pem, &pem::PRIVATE)?;
        let format = match block.label() {
            "RSA PRIVATE KEY" => PrivateKeyFormat::Pkcs1,
            "EC PRIVATE KEY" => PrivateKeyFormat::Sec1,
            ENCRYPTED_LABEL => {
                // Parse, then decide: a malformed key is the same refusal in every build,
                // the web build (which cannot decrypt) included.
                let document = block.secret_document()?;
                let encrypted = EncryptedKey::read(document.as_bytes())?;
                if !crypto::CAN_DECRYPT {
                    return Err(KeyError::DecryptUnsupported);
                }
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                let plaintext = crypto::decrypt_pbes2(
                    &encrypted.scheme,
                    encrypted.ciphertext,
                    passphrase.as_bytes(),
                )?;
                return Self::from_der(PrivateKeyFormat::Pkcs8, &check_plaintext(plaintext)?);
            }
            // `PRIVATE KEY`, the one accepted label left.
            _ => PrivateKeyFormat::Pkcs8,
        };
        Self::from_der(format, block.secret_document()?.as_bytes())
    }

    /// Checks the key's type and size, then hands its DER to the backend.
    fn from_der(format: PrivateKeyFormat, der: &[u8]) -> Result<Self, KeyError> {
        let kind = private_key_kind(format, der)?;
        Ok(PrivateKey {
            key: SigningKey::from_der(kind, format, der)?,
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

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_spki_der(&self.key.public_key_spki_der()?)
    }

    /// The matching public key as `PUBLIC KEY` (SPKI) PEM: what CloudFront's console and
    /// `AWS::CloudFront::PublicKey` take.
    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        let der = self.key.public_key_spki_der()?;
        pkcs8::der::pem::encode_string("PUBLIC KEY", pkcs8::der::pem::LineEnding::LF, &der)
            .map_err(der_error)
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}
