//! `sign-url --batch`: one URL per line in, one signed URL per line out, in input order.
//!
//! The key is parsed once, before the first line. Lines are read and checked in chunks of at
//! most [`CHUNK`]; each chunk is signed on every core (threads take small runs of lines from
//! a shared counter, so a slow core holds up no one) and written, in input order, before the
//! next chunk is read: memory stays bounded for any number of URLs (a line longer than
//! CloudFront's URL limit is refused as it is read), and from a terminal or a pipe a line is
//! answered as soon as nothing more is waiting.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use cloudfront_edge_auth::MAX_URL_LEN;

use crate::failure::Failure;
use crate::output::Stdout;
use crate::resource::UrlToSign;
use crate::url_signer::UrlSigner;

/// Most lines read, checked and signed together.
const CHUNK: usize = 4096;
/// Lines a thread takes at a time: enough to make the shared counter cheap, few enough that
/// the threads finish a chunk together.
const RUN: usize = 16;

/// Where the lines come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A file: every chunk is filled, since reading never waits.
    File,
    /// Standard input, maybe a terminal or a pipe fed line by line: a chunk is signed as soon
    /// as no more input is already buffered, rather than after waiting for a full one.
    Stream,
}

/// A checked line and its number.
struct Line {
    number: usize,
    url: UrlToSign,
}

/// Why a chunk stopped growing.
enum ChunkEnd {
    /// It is full, or (from a stream) nothing more is waiting: sign it, then read on.
    More,
    /// The input ended.
    EndOfInput,
    /// A line could not be read or is bad: sign the lines before it, then stop with this.
    Stop(Failure),
}

/// The numbered lines of one input.
struct Lines<'a, R> {
    reader: BufReader<R>,
    name: &'a str,
    input: Input,
    number: usize,
    buffer: Vec<u8>,
}

impl<R: Read> Lines<'_, R> {
    /// Reads and checks lines into `chunk` (emptied first) until it is full, the input ends
    /// or a line is bad.
    fn read_chunk(&mut self, signer: &UrlSigner, chunk: &mut Vec<Line>) -> ChunkEnd {
        chunk.clear();
        while chunk.len() < CHUNK {
            // Room for the longest URL and its `\r\n`: one byte more is a line too long.
            let limited = &mut self.reader.by_ref().take(MAX_URL_LEN as u64 + 2);
            match read_line(limited, &mut self.buffer) {
                Ok(true) => {}
                Ok(false) => return ChunkEnd::EndOfInput,
                Err(e) => return ChunkEnd::Stop(Failure::io(self.name, &e)),
            }
            self.number += 1;
            match self.check(signer) {
                Ok(Some(url)) => chunk.push(Line {
                    number: self.number,
                    url,
                }),
                Ok(None) => {}
                Err(failure) => {
                    let here = format!("{}: line {}", self.name, self.number);
                    return ChunkEnd::Stop(failure.context(&here));
                }
            }
            if self.input == Input::Stream && self.reader.buffer().is_empty() {
                break;
            }
        }
        ChunkEnd::More
    }

    /// The line just read as a URL to sign, `None` when it is blank.
    fn check(&self, signer: &UrlSigner) -> Result<Option<UrlToSign>, Failure> {
        if self.buffer.len() > MAX_URL_LEN {
            return Err(Failure::input(format!(
                "longer than CloudFront's {MAX_URL_LEN}-byte URL limit"
            )));
        }
        let text =
            std::str::from_utf8(&self.buffer).map_err(|_| Failure::input("not valid UTF-8"))?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let url = UrlToSign::parse(text).map_err(|e| Failure::input(e.to_string()))?;
        signer.check(&url)?;
        Ok(Some(url))
    }
}

/// Signs every non-blank line of `reader`, named `name` in diagnostics.
pub fn sign_lines<R: Read>(
    reader: BufReader<R>,
    name: &str,
    input: Input,
    signer: &UrlSigner,
    out: &mut Stdout,
) -> Result<(), Failure> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
    let mut lines = Lines {
        reader,
        name,
        input,
        number: 0,
        buffer: Vec::new(),
    };
    let mut chunk: Vec<Line> = Vec::with_capacity(CHUNK);
    loop {
        let end = lines.read_chunk(signer, &mut chunk);
        let signed = sign_chunk(&chunk, threads, signer);
        for (line, result) in chunk.iter().zip(signed) {
            let url = result.map_err(|e| e.context(&format!("{name}: line {}", line.number)))?;
            write_line(out.writer(), &url).map_err(|e| Stdout::error(&e))?;
        }
        out.flush()?;
        match end {
            ChunkEnd::More => {}
            ChunkEnd::EndOfInput => return Ok(()),
            ChunkEnd::Stop(failure) => return Err(failure),
        }
    }
}

/// Signs `lines` on up to `threads` threads (this one included); the answers are in the
/// order of `lines`.
fn sign_chunk(lines: &[Line], threads: usize, signer: &UrlSigner) -> Vec<Result<String, Failure>> {
    let sign = |line: &Line| signer.sign(&line.url);
    let threads = threads.min(lines.len().div_ceil(RUN));
    if threads <= 1 {
        return lines.iter().map(sign).collect();
    }
    let next = AtomicUsize::new(0);
    // Each thread's runs, as (first index, answers); put back in order at the end.
    let work = || {
        let mut runs = Vec::new();
        loop {
            let start = next.fetch_add(RUN, Ordering::Relaxed);
            if start >= lines.len() {
                return runs;
            }
            let end = (start + RUN).min(lines.len());
            runs.push((
                start,
                lines[start..end].iter().map(sign).collect::<Vec<_>>(),
            ));
        }
    };
    let mut runs = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut runs = work();
        for helper in helpers {
            // A helper that panicked has aborted the process (panic = "abort"); in a debug
            // build its lines are answered as failed below.
            runs.extend(helper.join().unwrap_or_default());
        }
        runs
    });
    runs.sort_unstable_by_key(|(start, _)| *start);
    let mut signed: Vec<Result<String, Failure>> = Vec::with_capacity(lines.len());
    for (start, answers) in runs {
        while signed.len() < start {
            signed.push(Err(Failure::internal("a signing thread failed")));
        }
        signed.extend(answers);
    }
    signed.resize_with(lines.len(), || {
        Err(Failure::internal("a signing thread failed"))
    });
    signed
}

/// Writes one signed URL and its newline.
fn write_line(out: &mut impl Write, signed: &str) -> std::io::Result<()> {
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
