//! `cloudfront-sign-peer KEY_PAIR_ID PKCS1_PEM_FILE EXPIRES < urls > signed`: every line of
//! stdin signed with the `cloudfront_sign` crate's `get_signed_url` (a canned policy), one
//! signed URL per line out, in input order. Lines are signed in chunks of 4096 on every core,
//! as `cloudfront-edge-auth sign-url --batch` signs them, so the two differ only in the
//! signing library. The crate takes the PEM text with each call and parses it each time: its
//! API has no parsed-key type, so that is its natural use.

use std::borrow::Cow;
use std::io::{BufRead, BufWriter, Write};

const CHUNK: usize = 4096;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, key_pair_id, pem_file, expires] = args.as_slice() else {
        eprintln!("usage: cloudfront-sign-peer KEY_PAIR_ID PKCS1_PEM_FILE EXPIRES < urls");
        std::process::exit(2);
    };
    let private_key = std::fs::read_to_string(pem_file).expect("read the PEM file");
    let options = cloudfront_sign::SignedOptions {
        key_pair_id: Cow::from(key_pair_id.as_str()),
        private_key: Cow::from(private_key),
        date_less_than: expires.parse().expect("EXPIRES is epoch seconds"),
        ..Default::default()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut lines = stdin.lines();
    loop {
        let chunk: Vec<String> = lines
            .by_ref()
            .take(CHUNK)
            .map(|line| line.expect("read stdin"))
            .collect();
        if chunk.is_empty() {
            break;
        }
        let per_thread = chunk.len().div_ceil(threads);
        let signed: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .chunks(per_thread)
                .map(|part| {
                    let options = &options;
                    scope.spawn(move || {
                        part.iter()
                            .map(|url| cloudfront_sign::get_signed_url(url, options).expect("sign"))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("signing thread"))
                .collect()
        });
        for url in signed {
            writeln!(out, "{url}").expect("write stdout");
        }
    }
    out.flush().expect("write stdout");
}
