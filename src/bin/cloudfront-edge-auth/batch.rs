//! `sign-url --batch`: one URL per line in, one signed URL per line out, streaming.
//!
//! The key is parsed once. Lines are signed in chunks across the CPU's cores, and each chunk
//! is written, in input order, as soon as it is signed: memory stays flat for any number of
//! URLs, and a line typed on a terminal is answered at once.

use std::io::{BufRead, BufReader, Read, Write};

use crate::failure::Failure;
use crate::output::Stdout;
use crate::resource::UrlToSign;
use crate::url_signer::UrlSigner;

/// Most lines signed per chunk.
const CHUNK: usize = 512;
/// Longest line read (CloudFront's URL limit is 8 KiB; the cap only bounds memory).
const MAX_LINE: usize = 64 * 1024;

/// A line to sign and where it came from.
struct Line {
    number: usize,
    url: UrlToSign,
}

/// Signs every non-blank line of `reader`, named `name` in diagnostics.
pub fn sign_lines<R: Read>(
    reader: BufReader<R>,
    name: &str,
    signer: &UrlSigner,
    out: &mut Stdout,
) -> Result<(), Failure> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
    let mut reader = reader;
    let mut buffer = Vec::new();
    let mut chunk: Vec<Line> = Vec::with_capacity(CHUNK);
    let mut number = 0;
    let mut at_end = false;
    while !at_end {
        chunk.clear();
        // A bad line stops the batch, after the lines before it are signed and written.
        let mut stop = None;
        while chunk.len() < CHUNK {
            let limited = &mut (&mut reader).take(MAX_LINE as u64 + 1);
            let more = match read_line(limited, &mut buffer) {
                Ok(more) => more,
                Err(e) => {
                    stop = Some(Failure::io(name, &e));
                    break;
                }
            };
            if !more {
                at_end = true;
                break;
            }
            number += 1;
            let here = format!("{name}: line {number}");
            if buffer.len() > MAX_LINE {
                stop = Some(Failure::input("line is longer than 64 KiB").context(&here));
                break;
            }
            let Ok(url) = String::from_utf8(std::mem::take(&mut buffer)) else {
                stop = Some(Failure::input("not valid UTF-8").context(&here));
                break;
            };
            if url.trim().is_empty() {
                continue;
            }
            let url = match UrlToSign::parse(&url) {
                Ok(url) => url,
                Err(e) => {
                    stop = Some(Failure::input(e.to_string()).context(&here));
                    break;
                }
            };
            if let Err(e) = signer.check(&url) {
                stop = Some(e.context(&here));
                break;
            }
            chunk.push(Line { number, url });
            // Nothing more already read: sign what we have rather than wait for input.
            if reader.buffer().is_empty() {
                break;
            }
        }
        for signed in sign_chunk(&chunk, threads, name, signer)? {
            write_signed(out.writer(), &signed).map_err(|e| Stdout::error(&e))?;
        }
        out.flush()?;
        if let Some(failure) = stop {
            return Err(failure);
        }
    }
    Ok(())
}

/// Signs `lines` on up to `threads` threads; the results keep the input order, and the first
/// failing line (in input order) is the one reported.
fn sign_chunk(
    lines: &[Line],
    threads: usize,
    name: &str,
    signer: &UrlSigner,
) -> Result<Vec<String>, Failure> {
    let sign = |line: &Line| {
        signer
            .sign(&line.url)
            .map_err(|e| e.context(&format!("{name}: line {}", line.number)))
    };
    if threads <= 1 || lines.len() < 2 {
        return lines.iter().map(sign).collect();
    }
    let per_thread = lines.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = lines
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(sign).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut signed = Vec::with_capacity(lines.len());
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| Failure::internal("a signing thread failed"))??;
            signed.extend(part);
        }
        Ok(signed)
    })
}

/// Writes one signed URL and its newline.
fn write_signed(out: &mut impl Write, signed: &str) -> std::io::Result<()> {
    out.write_all(signed.as_bytes())?;
    out.write_all(b"\n")
}

/// Reads one line into `buffer`, without its `\n` or `\r\n`; `false` at the end of input.
fn read_line(reader: &mut impl BufRead, buffer: &mut Vec<u8>) -> std::io::Result<bool> {
    buffer.clear();
    if reader.read_until(b'\n', buffer)? == 0 {
        return Ok(false);
    }
    if buffer.last() == Some(&b'\n') {
        buffer.pop();
        if buffer.last() == Some(&b'\r') {
            buffer.pop();
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_without_their_terminators() {
        let mut input = std::io::Cursor::new(b"a\r\nb\n\nc".to_vec());
        let mut line = Vec::new();
        let mut lines = Vec::new();
        while read_line(&mut input, &mut line).unwrap() {
            lines.push(String::from_utf8(line.clone()).unwrap());
        }
        assert_eq!(lines, ["a", "b", "", "c"]);
    }
}
