//! PEM framing as OpenSSL reads it (`PEM_read_bio`), so a key file `node:crypto` (and so
//! `@aws-sdk/cloudfront-signer`, `openssl` and the AWS CLI) takes is taken here too, in every
//! build: the first block whose label the call accepts, wherever it sits; other blocks
//! (`EC PARAMETERS` before an `openssl ecparam -genkey` key, a `CERTIFICATE` after it) and
//! text around the blocks ignored; one UTF-8 byte order mark before it all; trailing
//! whitespace on any line; the base64 body wrapped at any width.
//!
//! Only the framing is read here. The label must be one of the call's, exactly, and the body
//! is re-wrapped at 64 columns (RFC 7468 §2) and decoded by `pem-rfc7468` (through `der`'s
//! `Document`), so the base64 is the library's to refuse. RFC 1421 headers are refused:
//! `Proc-Type: 4,ENCRYPTED` with its own error, since the fix is a conversion.

use pkcs8::der::{Document, SecretDocument};
use zeroize::Zeroizing;

use super::der::der_error;
use super::MAX_PEM_LEN;
use crate::error::KeyError;

/// The labels a call accepts, and how its error names them.
pub(super) struct Labels {
    pub(super) accepted: &'static [&'static str],
    pub(super) described: &'static str,
}

/// The private key labels (RFC 7468 §10 and §11, and OpenSSL's PKCS#1 and SEC1 ones).
pub(super) const PRIVATE: Labels = Labels {
    accepted: &[
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "PRIVATE KEY",
        ENCRYPTED_LABEL,
    ],
    described: "RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY",
};

/// The public key labels (RFC 7468 §13, and PKCS#1's).
pub(super) const PUBLIC: Labels = Labels {
    accepted: &["PUBLIC KEY", "RSA PUBLIC KEY"],
    described: "PUBLIC KEY or RSA PUBLIC KEY",
};

/// The PEM label of an encrypted PKCS#8 key (RFC 7468 §11).
pub(super) const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// The block a call takes: its label (one of the accepted ones) and the block re-framed as
/// RFC 7468 PEM, wiped when dropped (a private key's body is the key).
pub(super) struct PemBlock {
    label: &'static str,
    strict: Zeroizing<String>,
}

impl PemBlock {
    /// The first block of `pem` whose label is one of `labels`, after the size cap.
    pub(super) fn find(pem: &str, labels: &Labels) -> Result<PemBlock, KeyError> {
        if pem.len() > MAX_PEM_LEN {
            return Err(pem_error(format!(
                "PEM is {} bytes, over the {MAX_PEM_LEN} byte limit",
                pem.len()
            )));
        }
        // OpenSSL's reader skips one byte order mark at the very start, and no other.
        let pem = pem.strip_prefix('\u{feff}').unwrap_or(pem);
        let mut lines = pem.split('\n').map(|line| line.trim_end_matches(is_space));
        let mut first_label = None;
        let mut begin_not_alone = false;
        while let Some(line) = lines.next() {
            let Some(label) = begin_label(line) else {
                begin_not_alone |= line.starts_with(BEGIN);
                continue;
            };
            first_label.get_or_insert(label);
            let accepted = labels.accepted.iter().find(|known| **known == label);
            let end = format!("-----END {label}-----");
            let mut body = Vec::new();
            let mut ended = false;
            for line in lines.by_ref() {
                if line == end {
                    ended = true;
                    break;
                }
                if accepted.is_some() {
                    body.push(line);
                }
            }
            if !ended {
                return Err(pem_error(format!("no \"{end}\" line")));
            }
            if let Some(label) = accepted {
                return Ok(PemBlock {
                    label,
                    strict: reframe(label, &body)?,
                });
            }
        }
        Err(match first_label {
            Some(label) => KeyError::UnsupportedLabel {
                label: label.to_string(),
                expected: labels.described,
            },
            // Never quote the line: when a key's line breaks were lost, it is the whole key.
            None if begin_not_alone => pem_error(
                "no \"-----BEGIN\" line on a line of its own (were the line breaks lost?)"
                    .to_string(),
            ),
            None => pem_error("no \"-----BEGIN\" line".to_string()),
        })
    }

    /// The label, one of those the call accepts.
    pub(super) fn label(&self) -> &'static str {
        self.label
    }

    /// The DER of a private key (wiped when dropped).
    pub(super) fn secret_document(&self) -> Result<SecretDocument, KeyError> {
        let (found, document) = SecretDocument::from_pem(&self.strict).map_err(der_error)?;
        self.check_label(found)?;
        Ok(document)
    }

    /// The DER of a public key.
    pub(super) fn public_document(&self) -> Result<Document, KeyError> {
        let (found, document) = Document::from_pem(&self.strict).map_err(der_error)?;
        self.check_label(found)?;
        Ok(document)
    }

    /// The library read the label this module framed: a guard on the re-framing.
    fn check_label(&self, found: &str) -> Result<(), KeyError> {
        if found != self.label {
            return Err(pem_error(format!(
                "PEM label {found:?} is not the block's {:?}",
                self.label
            )));
        }
        Ok(())
    }
}

const BEGIN: &str = "-----BEGIN ";

/// The longest label taken as one; every RFC 7468 and OpenSSL key label is far shorter.
const MAX_LABEL_LEN: usize = 64;

/// OpenSSL's `-----BEGIN LABEL-----` line, at the start of a line. The label is not empty and,
/// as every RFC 7468 label, upper-case letters, digits and spaces: errors quote it, so a line
/// that is not one (a whole key on one line, its body after the dashes) must not pass as one.
fn begin_label(line: &str) -> Option<&str> {
    let label = line.strip_prefix(BEGIN)?.strip_suffix("-----")?;
    let well_formed = !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');
    well_formed.then_some(label)
}

/// Space, tab, carriage return and the other ASCII whitespace OpenSSL strips from a line's
/// end and skips inside base64.
fn is_space(c: char) -> bool {
    c.is_ascii_whitespace() || c == '\u{b}'
}

/// The block as RFC 7468 writes it: the body's base64 characters, whatever the original
/// line width and whitespace, in lines of 64, between the block's own BEGIN and END lines.
fn reframe(label: &str, body: &[&str]) -> Result<Zeroizing<String>, KeyError> {
    if let Some(header) = body.iter().find(|line| line.contains(':')) {
        return Err(
            if header.starts_with("Proc-Type:") && header.contains("ENCRYPTED") {
                KeyError::LegacyEncryption
            } else {
                pem_error("PEM headers are not supported".to_string())
            },
        );
    }
    let length: usize = body.iter().map(|line| line.len()).sum();
    let mut out = Zeroizing::new(String::with_capacity(
        2 * label.len() + length + length / 64 + 32,
    ));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut column = 0;
    for c in body.iter().flat_map(|line| line.chars()) {
        if is_space(c) {
            continue;
        }
        if !c.is_ascii() {
            return Err(pem_error("PEM body is not base64".to_string()));
        }
        out.push(c);
        column += 1;
        if column == 64 {
            out.push('\n');
            column = 0;
        }
    }
    if column != 0 {
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    Ok(out)
}

fn pem_error(detail: String) -> KeyError {
    KeyError::Pem { detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";

    fn block(pem: &str) -> Result<PemBlock, KeyError> {
        PemBlock::find(pem, &PUBLIC)
    }

    #[test]
    fn reframes_a_block_at_64_columns_whatever_its_width_and_whitespace() {
        let body = "A".repeat(100);
        for pem in [
            format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"),
            format!(
                "\u{feff}-----BEGIN PUBLIC KEY----- \r\n{} \t\n{}\r\n-----END PUBLIC KEY-----  \n",
                &body[..30],
                &body[30..]
            ),
            format!(
                "-----BEGIN PUBLIC KEY-----\n {}\n\n{}\n-----END PUBLIC KEY-----",
                &body[..1],
                &body[1..]
            ),
        ] {
            let found = block(&pem).unwrap();
            assert_eq!(found.label(), "PUBLIC KEY");
            assert_eq!(
                *found.strict,
                format!(
                    "-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n",
                    &body[..64],
                    &body[64..]
                ),
                "{pem:?}"
            );
        }
    }

    #[test]
    fn takes_the_first_accepted_block_and_skips_the_others_and_text_around() {
        let pem = format!(
            "a certificate bundle\n-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n\
             -----BEGIN RSA PUBLIC KEY-----\n{BODY}\n-----END RSA PUBLIC KEY-----\ntrailing text\n\
             -----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n-----BEGIN X"
        );
        let found = block(&pem).unwrap();
        assert_eq!(found.label(), "RSA PUBLIC KEY");
        assert!(found.strict.contains(BODY));
    }

    #[test]
    fn refuses_what_openssl_refuses() {
        let ok = format!("-----BEGIN PUBLIC KEY-----\n{BODY}\n-----END PUBLIC KEY-----\n");
        assert!(block(&ok).is_ok());
        for (pem, detail) in [
            // BEGIN not at the start of its line, two byte order marks.
            (format!("x{ok}"), "no \"-----BEGIN\" line"),
            (format!("\u{feff}\u{feff}{ok}"), "no \"-----BEGIN\" line"),
            // An END of another label, text after END on its line, no END at all.
            (
                ok.replace("END PUBLIC", "END RSA PUBLIC"),
                "no \"-----END PUBLIC KEY-----\" line",
            ),
            (
                ok.replace("END PUBLIC KEY-----", "END PUBLIC KEY-----x"),
                "no \"-----END PUBLIC KEY-----\" line",
            ),
            (
                format!("-----BEGIN FOO-----\nAAAA\n{ok}"),
                "no \"-----END FOO-----\" line",
            ),
            (
                ok.replace(
                    "-----BEGIN PUBLIC KEY-----\n",
                    "-----BEGIN PUBLIC KEY-----\nComment: x\n\n",
                ),
                "PEM headers are not supported",
            ),
            (ok.replacen('M', "\u{e9}", 1), "PEM body is not base64"),
        ] {
            match block(&pem) {
                Err(KeyError::Pem { detail: found }) => assert_eq!(found, detail, "{pem:?}"),
                Err(other) => panic!("{pem:?}: {other:?}"),
                Ok(_) => panic!("{pem:?} was taken"),
            }
        }
    }

    #[test]
    fn names_the_first_label_when_none_is_accepted() {
        let pem = "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n\
                   -----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            block(pem),
            Err(KeyError::UnsupportedLabel { label, .. }) if label == "CERTIFICATE"
        ));
    }

    #[test]
    fn refuses_legacy_encryption_in_any_private_key_block() {
        for label in ["RSA PRIVATE KEY", "EC PRIVATE KEY"] {
            let pem = format!(
                "-----BEGIN {label}-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n\
                 {BODY}\n-----END {label}-----\n"
            );
            assert!(matches!(
                PemBlock::find(&pem, &PRIVATE),
                Err(KeyError::LegacyEncryption)
            ));
        }
    }

    #[test]
    fn errors_for_a_key_on_one_line_never_quote_its_body() {
        let body = "MIIEpAIBAAKCAQEAyFPRhqgeZnZg911VifwUdWnbgAQ8NmHjfE+2xCvGpTnBBV+mp55a==";
        for (begin, end) in [
            (
                "-----BEGIN RSA PRIVATE KEY-----",
                "-----END RSA PRIVATE KEY-----",
            ),
            ("-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"),
            (
                "-----BEGIN EC PRIVATE KEY-----",
                "-----END EC PRIVATE KEY-----",
            ),
        ] {
            for pem in [
                format!("{begin}{body}{end}"),
                format!("{begin}{body}{end}\n"),
                format!("{begin} {body} {end}"),
                format!("{begin}\n{body}{end}\n"),
            ] {
                for labels in [&PRIVATE, &PUBLIC] {
                    let error = match PemBlock::find(&pem, labels) {
                        Err(error) => error.to_string(),
                        Ok(_) => panic!("{pem:?} was taken"),
                    };
                    assert!(!error.contains("MIIE"), "{error}");
                    assert!(error.len() < 200, "{error}");
                }
            }
        }
    }

    #[test]
    fn takes_only_upper_case_labels_of_up_to_64_characters() {
        assert_eq!(
            begin_label("-----BEGIN RSA PRIVATE KEY-----"),
            Some("RSA PRIVATE KEY")
        );
        assert_eq!(begin_label("-----BEGIN X509 CRL-----"), Some("X509 CRL"));
        for line in [
            "-----BEGIN -----",
            "-----BEGIN private key-----",
            "-----BEGIN PRIVATE KEY-----MIIE-----END PRIVATE KEY-----",
        ] {
            assert_eq!(begin_label(line), None, "{line}");
        }
        let long = format!("-----BEGIN {}-----", "A".repeat(65));
        assert_eq!(begin_label(&long), None);
    }

    #[test]
    fn caps_the_text_before_reading_it() {
        let pem = format!("{}\n-----BEGIN PUBLIC KEY-----\n", " ".repeat(MAX_PEM_LEN));
        assert!(matches!(block(&pem), Err(KeyError::Pem { detail }) if detail.contains("limit")));
    }
}
