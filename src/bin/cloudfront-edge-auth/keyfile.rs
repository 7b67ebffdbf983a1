//! Reading keys the way `aws` takes them (`file://PATH`), and writing new key pairs.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use cloudfront_edge_auth::{KeyGroup, KeyId, PrivateKey, PublicKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

use crate::cli::KeyType;
use crate::failure::Failure;
use crate::paramfile;

/// Largest key or passphrase file read (a 4096-bit PEM key is about 3.3 KB).
const MAX_KEY_FILE: u64 = 64 * 1024;

/// File names `keygen` writes, as in the CloudFront developer guide's examples.
pub const PRIVATE_KEY_FILE: &str = "private_key.pem";
/// See [`PRIVATE_KEY_FILE`].
pub const PUBLIC_KEY_FILE: &str = "public_key.pem";

/// Where a `--private-key` / `--public-key` value points: `file://PATH` or `fileb://PATH`
/// as `aws` spells it, a plain path, or (like `aws`) the PEM text itself.
enum KeySource<'a> {
    File(PathBuf),
    Inline(&'a str),
}

fn key_source(spec: &str) -> KeySource<'_> {
    if let Some(path) = spec
        .strip_prefix("file://")
        .or_else(|| spec.strip_prefix("fileb://"))
    {
        // `~` and `$VAR` as aws expands them in a file:// value.
        KeySource::File(paramfile::expand(path))
    } else if spec.contains("-----") || spec.contains('\n') {
        // PEM text, maybe mangled (its line breaks lost): never taken for a path, since a
        // failed open would print the path, the key.
        KeySource::Inline(spec)
    } else {
        KeySource::File(PathBuf::from(spec))
    }
}

fn read_pem(spec: &str) -> Result<String, Failure> {
    match key_source(spec) {
        KeySource::Inline(pem) => Ok(pem.to_string()),
        // A key's base64 body without its BEGIN line is not echoed as a missing file's name.
        KeySource::File(path) if spec.len() > MAX_ECHOED_PATH => {
            read_small_text(&path).map_err(|_| {
                Failure::input(format!(
                    "a key value of {} characters is neither a readable file nor PEM text \
                     starting with \"-----BEGIN\"",
                    spec.len()
                ))
            })
        }
        KeySource::File(path) => read_small_text(&path),
    }
}

/// The longest key path a diagnostic names; a longer value is more likely key text.
const MAX_ECHOED_PATH: usize = 256;

/// Reads a small text file, refusing anything over [`MAX_KEY_FILE`] before reading it.
pub fn read_small_text(path: &Path) -> Result<String, Failure> {
    let file = File::open(path).map_err(|e| Failure::file(path, &e))?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| match e.kind() {
            // The file was read; what it holds is bad input, as an oversized one is.
            std::io::ErrorKind::InvalidData => Failure::input(format!(
                "{}: not valid UTF-8 text; not a PEM key or passphrase file",
                path.display()
            )),
            _ => Failure::file(path, &e),
        })?;
    if text.len() as u64 > MAX_KEY_FILE {
        return Err(Failure::input(format!(
            "{}: larger than {MAX_KEY_FILE} bytes; not a key file",
            path.display()
        )));
    }
    Ok(text)
}

/// Parses `--private-key`, decrypting with the first line of `passphrase_file` if given.
pub fn load_private_key(spec: &str, passphrase_file: Option<&Path>) -> Result<PrivateKey, Failure> {
    let pem = read_pem(spec)?;
    let passphrase = passphrase_file.map(read_passphrase).transpose()?;
    // The core picks the key's block out of a file with others (`openssl ecparam -genkey`'s
    // EC PARAMETERS, a certificate), as OpenSSL and AWS CLI v2 do.
    PrivateKey::from_pem_with_passphrase(&pem, passphrase.as_deref())
        .map_err(|e| Failure::input(format!("--private-key: {e}")))
}

fn read_passphrase(path: &Path) -> Result<String, Failure> {
    let text = read_small_text(path)?;
    // Only the line break an editor or `echo` adds is dropped; other spaces are part of it.
    let line = text.split(['\n', '\r']).next().unwrap_or("");
    Ok(line.to_string())
}

/// Parses every `--public-key ID=SPEC` into a key group.
pub fn load_key_group(specs: &[String]) -> Result<KeyGroup, Failure> {
    let mut keys = Vec::with_capacity(specs.len());
    for spec in specs {
        let (id, source) = match spec.split_once('=') {
            Some((id, source)) if !matches!(key_source(id), KeySource::Inline(_)) => (id, source),
            // PEM text is not echoed: a private key passed by mistake would be printed.
            _ if matches!(key_source(spec), KeySource::Inline(_)) || spec.contains("-----") => {
                return Err(Failure::input(
                    "--public-key: PEM text without a key id: expected KEY_ID=file://PATH or \
                     KEY_ID=<PEM text>",
                ))
            }
            _ => {
                return Err(Failure::input(format!(
                    "--public-key {spec:?}: expected KEY_ID=file://PATH (the public key id CloudFront shows, then the PEM file)"
                )))
            }
        };
        let id = KeyId::new(id).map_err(|e| Failure::input(format!("--public-key: {e}")))?;
        let pem = read_pem(source)?;
        let key = PublicKey::from_pem(&pem)
            .map_err(|e| Failure::input(format!("--public-key {id}: {e}")))?;
        keys.push((id, key));
    }
    KeyGroup::new(keys).map_err(|e| Failure::input(format!("--public-key: {e}")))
}

/// Generates a key pair (RSA of `bits`, or ECDSA P-256) and writes `private_key.pem` (PKCS#8,
/// mode 0600) and `public_key.pem` (SPKI, what the CloudFront console takes) into `dir`.
pub fn keygen(
    key_type: KeyType,
    bits: usize,
    dir: &Path,
    force: bool,
) -> Result<(PathBuf, PathBuf), Failure> {
    let (private_pem, public_pem) = match key_type {
        KeyType::Rsa => {
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
                .map_err(|e| Failure::internal(format!("key generation failed: {e}")))?;
            let public = key.to_public_key().to_public_key_pem(LineEnding::LF);
            (key.to_pkcs8_pem(LineEnding::LF), public)
        }
        KeyType::EcdsaP256 => {
            let key = p256_secret_key()?;
            let public = key.public_key().to_public_key_pem(LineEnding::LF);
            (key.to_pkcs8_pem(LineEnding::LF), public)
        }
    };
    let private_pem = private_pem
        .map_err(|e| Failure::internal(format!("encoding the private key failed: {e}")))?;
    let public_pem = public_pem
        .map_err(|e| Failure::internal(format!("encoding the public key failed: {e}")))?;

    create_dir(dir)?;
    let private_path = dir.join(PRIVATE_KEY_FILE);
    let public_path = dir.join(PUBLIC_KEY_FILE);
    let pair = [
        (&private_path, private_pem.as_bytes(), 0o600),
        (&public_path, public_pem.as_bytes(), 0o644),
    ];
    if force {
        replace_pair(&pair)?;
    } else {
        write_new_pair(&pair)?;
    }
    Ok((private_path, public_path))
}

/// A file to write: its path, its bytes and its mode.
type KeyFile<'a> = (&'a PathBuf, &'a [u8], u32);

/// Creates `dir` (and its parents) if missing, as only the user's (0700 on Unix).
fn create_dir(dir: &Path) -> Result<(), Failure> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Failure::file(dir, &e))
}

/// Without --force: neither file may exist. Both are created new (never clobbering one made
/// meanwhile); if the second cannot be, the first is removed, so no half pair is left.
fn write_new_pair(pair: &[KeyFile<'_>; 2]) -> Result<(), Failure> {
    // Checked up front so that neither file is written when one already exists.
    for (path, _, _) in pair {
        if path.exists() {
            return Err(Failure::file(
                path,
                &std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            ));
        }
    }
    let [(first, bytes, mode), (second, second_bytes, second_mode)] = *pair;
    write_new(first, bytes, mode)?;
    write_new(second, second_bytes, second_mode).inspect_err(|_| {
        let _ = fs::remove_file(first);
    })
}

/// With --force: the new pair replaces the old one whole, or the old pair is left as it was.
/// Both are written to temporary files beside the targets first (where a full disk or a
/// permission stops it); then the old public key is set aside, the new public key and last
/// the new private key renamed into place, undoing the public key's step if that fails.
fn replace_pair(pair: &[KeyFile<'_>; 2]) -> Result<(), Failure> {
    for (path, _, _) in pair {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let error = std::io::Error::from(std::io::ErrorKind::IsADirectory);
                return Err(Failure::file(path, &error));
            }
            _ => {}
        }
    }
    let [(private, private_bytes, private_mode), (public, public_bytes, public_mode)] = *pair;
    let new_private = temporary(private);
    let new_public = temporary(public);
    let old_public = temporary(&public.with_extension("old"));
    let remove = |paths: &[&Path]| {
        for path in paths {
            let _ = fs::remove_file(path);
        }
    };
    // Left over by a run of the same process id that was killed: ours to replace.
    remove(&[&new_private, &new_public]);
    let written = write_new(&new_private, private_bytes, private_mode)
        .and_then(|()| write_new(&new_public, public_bytes, public_mode));
    if let Err(failure) = written {
        remove(&[&new_private, &new_public]);
        return Err(failure);
    }
    let had_public = public.exists();
    if had_public {
        if let Err(e) = fs::rename(public, &old_public) {
            remove(&[&new_private, &new_public]);
            return Err(Failure::file(public, &e));
        }
    }
    let restore_public = || {
        if had_public {
            let _ = fs::rename(&old_public, public);
        } else {
            let _ = fs::remove_file(public);
        }
    };
    if let Err(e) = fs::rename(&new_public, public) {
        restore_public();
        remove(&[&new_private, &new_public]);
        return Err(Failure::file(public, &e));
    }
    if let Err(e) = fs::rename(&new_private, private) {
        restore_public();
        remove(&[&new_private]);
        return Err(Failure::file(private, &e));
    }
    remove(&[&old_public]);
    Ok(())
}

/// A name beside `path` that no other run picks: `.NAME.PID.tmp`.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// A P-256 secret scalar from the OS generator: 32 random bytes, drawn again in the 2^-32
/// case that they are zero or not below the group order.
fn p256_secret_key() -> Result<p256::SecretKey, Failure> {
    loop {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| {
            Failure::internal(format!("the OS random number generator failed: {e}"))
        })?;
        if let Ok(key) = p256::SecretKey::from_slice(bytes.as_ref()) {
            return Ok(key);
        }
    }
}

/// Creates `path` with `mode` from the start (never world-readable, even for an instant).
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Failure> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| Failure::file(path, &e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::file(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs_are_read_like_the_aws_cli_reads_them() {
        assert!(
            matches!(key_source("file:///k.pem"), KeySource::File(p) if p == Path::new("/k.pem"))
        );
        assert!(
            matches!(key_source("fileb://k.pem"), KeySource::File(p) if p == Path::new("k.pem"))
        );
        assert!(
            matches!(key_source("keys/k.pem"), KeySource::File(p) if p == Path::new("keys/k.pem"))
        );
        assert!(matches!(
            key_source("-----BEGIN PRIVATE KEY-----\n"),
            KeySource::Inline(_)
        ));
    }

    #[test]
    fn public_key_specs_need_an_id() {
        let err = load_key_group(&["file://x.pem".into()]).unwrap_err();
        assert!(err.message().contains("KEY_ID=file://PATH"));
        let pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx\n";
        for spec in [pem.to_string(), format!("{pem}AQAB==\n")] {
            let err = load_key_group(&[spec]).unwrap_err();
            assert!(
                err.message().contains("without a key id"),
                "{}",
                err.message()
            );
            assert!(!err.message().contains("MIIB"), "{}", err.message());
        }
        let err = load_key_group(&["bad id=x.pem".into()]).unwrap_err();
        assert!(err.message().contains("invalid key id"));
    }
}
