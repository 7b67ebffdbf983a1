//! The parsed keys of the free functions `getSignedUrl` / `getSignedCookies`, which take a PEM
//! on every call, as the SDK's do: a PEM is parsed (and handed to the backend) once, not per
//! call. Keyed by a SHA-256 digest of the PEM bytes and passphrase, so the cache never holds
//! their text; bounded, least recently used first out.

use std::cell::RefCell;

use crate::crypto;

/// How many parsed keys the free functions keep: a process signs with one key, or a few
/// during a rotation.
pub(super) const KEY_CACHE_SIZE: usize = 4;

/// What a cached key is found by: SHA-256 over the PEM's length and bytes, then whether a
/// passphrase was given and, if so, its length and bytes. The lengths keep the framing
/// unambiguous (no PEM and passphrase pair hashes as another pair's bytes), and "no passphrase"
/// differs from an empty one. A digest of the passphrase tells no more than the decrypted key
/// the same entry holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct KeyDigest([u8; 32]);

impl KeyDigest {
    /// The digest of `pem` and `passphrase`; `None` if the backend could not hash.
    pub(super) fn of(pem: &str, passphrase: Option<&str>) -> Option<KeyDigest> {
        let pem_len = (pem.len() as u64).to_be_bytes();
        let (tag, pass_len, pass): (&[u8], [u8; 8], &[u8]) = match passphrase {
            None => (&[0], [0; 8], &[]),
            Some(text) => (&[1], (text.len() as u64).to_be_bytes(), text.as_bytes()),
        };
        crypto::sha256(&[&pem_len, pem.as_bytes(), tag, &pass_len, pass]).map(KeyDigest)
    }
}

impl std::fmt::Debug for KeyDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyDigest(redacted)")
    }
}

/// Up to `capacity` values by digest; the most recently used last, the least first out.
pub(super) struct KeyCache<V> {
    capacity: usize,
    entries: Vec<(KeyDigest, V)>,
}

impl<V: Clone> KeyCache<V> {
    pub(super) const fn new(capacity: usize) -> Self {
        KeyCache {
            capacity,
            entries: Vec::new(),
        }
    }

    /// The value stored under `id`, now the most recently used.
    pub(super) fn get(&mut self, id: &KeyDigest) -> Option<V> {
        let at = self.entries.iter().position(|(known, _)| known == id)?;
        let entry = self.entries.remove(at);
        let value = entry.1.clone();
        self.entries.push(entry);
        Some(value)
    }

    /// Stores `value` under `id` as the most recently used, evicting the least recently used
    /// entry if the cache is full.
    pub(super) fn insert(&mut self, id: KeyDigest, value: V) {
        self.entries.retain(|(known, _)| *known != id);
        if self.entries.len() >= self.capacity {
            self.entries.remove(0);
        }
        self.entries.push((id, value));
    }

    /// The values, least recently used first.
    #[cfg(test)]
    fn values(&self) -> Vec<V> {
        self.entries
            .iter()
            .map(|(_, value)| value.clone())
            .collect()
    }
}

thread_local! {
    static KEY_CACHE: RefCell<KeyCache<crate::keys::PrivateKey>> =
        const { RefCell::new(KeyCache::new(KEY_CACHE_SIZE)) };
}

/// The key for `pem` and `passphrase`: from the cache, or parsed by `parse` and then cached.
/// A refusal is not cached (the next call parses again, and refuses again).
pub(super) fn cached_private_key<E>(
    pem: &str,
    passphrase: Option<&str>,
    parse: impl FnOnce(&str, Option<&str>) -> Result<crate::keys::PrivateKey, E>,
) -> Result<crate::keys::PrivateKey, E> {
    let Some(id) = KeyDigest::of(pem, passphrase) else {
        return parse(pem, passphrase);
    };
    // The borrow ends before `parse` runs: parsing calls into JS (the Node build), which can
    // call back into this module.
    if let Some(key) = KEY_CACHE.with_borrow_mut(|cache| cache.get(&id)) {
        return Ok(key);
    }
    let key = parse(pem, passphrase)?;
    KEY_CACHE.with_borrow_mut(|cache| cache.insert(id, key.clone()));
    Ok(key)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{KeyCache, KeyDigest};

    const PEM: &str =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";

    fn digest(pem: &str, passphrase: Option<&str>) -> KeyDigest {
        KeyDigest::of(pem, passphrase).expect("the backend hashes")
    }

    #[wasm_bindgen_test]
    fn key_digest_holds_32_bytes_and_never_the_pem_or_passphrase() {
        assert_eq!(std::mem::size_of::<KeyDigest>(), 32);
        let id = digest(PEM, Some("correct horse"));
        assert!(!id.0.windows(4).any(|bytes| bytes == b"MIIB"));
        assert_eq!(format!("{id:?}"), "KeyDigest(redacted)");
    }

    #[wasm_bindgen_test]
    fn key_digest_is_sha256_of_the_framed_pem_and_passphrase_in_every_build() {
        // sha256(00..05 "abc" 00 00..00): the same in the node:crypto and RustCrypto builds.
        let id = digest("abc", None);
        let mut framed = vec![0, 0, 0, 0, 0, 0, 0, 3];
        framed.extend(b"abc");
        framed.extend([0; 9]);
        assert_eq!(id.0, crate::crypto::sha256(&[&framed]).expect("hash"));
        // FIPS 180-2 B.1: the backend's SHA-256 itself.
        assert_eq!(
            crate::crypto::sha256(&[b"a", b"bc"]).expect("hash"),
            [
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
                0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
                0xf2, 0x00, 0x15, 0xad
            ]
        );
    }

    #[wasm_bindgen_test]
    fn a_pem_with_another_passphrase_or_none_is_another_entry() {
        let ids = [
            digest(PEM, None),
            digest(PEM, Some("")),
            digest(PEM, Some("one")),
            digest(PEM, Some("two")),
            // The framing: no pair's bytes run into another's.
            digest(&format!("{PEM}\u{1}"), None),
            digest("ab", Some("c")),
            digest("a", Some("bc")),
        ];
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(digest(PEM, Some("one")), digest(PEM, Some("one")));

        let mut cache = KeyCache::new(4);
        cache.insert(digest(PEM, Some("one")), "one");
        assert_eq!(cache.get(&digest(PEM, Some("two"))), None);
        assert_eq!(cache.get(&digest(PEM, None)), None);
        assert_eq!(cache.get(&digest(PEM, Some("one"))), Some("one"));
    }

    #[wasm_bindgen_test]
    fn the_cache_is_bounded_and_evicts_the_least_recently_used() {
        let ids: Vec<KeyDigest> = (0..6).map(|i| digest(&format!("pem {i}"), None)).collect();
        let mut cache = KeyCache::new(3);
        for (i, id) in ids[..3].iter().enumerate() {
            cache.insert(*id, i);
        }
        assert_eq!(cache.values(), [0, 1, 2]);
        // A hit makes 0 the most recently used: 1 is now the first out.
        assert_eq!(cache.get(&ids[0]), Some(0));
        cache.insert(ids[3], 3);
        assert_eq!(cache.values(), [2, 0, 3]);
        assert_eq!(cache.get(&ids[1]), None);
        cache.insert(ids[4], 4);
        cache.insert(ids[5], 5);
        assert_eq!(cache.values(), [3, 4, 5]);
        // Storing a known digest again replaces its entry, it does not take a second place.
        cache.insert(ids[4], 40);
        assert_eq!(cache.values(), [3, 5, 40]);
    }
}
