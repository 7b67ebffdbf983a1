//! The command line: subcommands, flags and the manual text `--help` prints.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Sign, verify and inspect Amazon CloudFront signed URLs and signed cookies";

const LONG_ABOUT: &str = "\
Sign, verify and inspect Amazon CloudFront signed URLs and signed cookies.

sign-url produces the URL `aws cloudfront sign` produces (same flags, the date formats aws \
documents, same parameter order; AWS CLI v2's rules where v1 and v2 differ, see sign-url --help), only \
faster, and signs a whole file of URLs with one key parse (--batch). sign-cookies prints the cookie set @aws-sdk/cloudfront-signer's \
getSignedCookies returns. verify checks a signed URL or a Cookie header against your public \
keys the way CloudFront does; inspect decodes one without any key.

Data goes to stdout, diagnostics to stderr as one line: `cloudfront-edge-auth: error: ...`.";

const AFTER_LONG_HELP: &str = "\
EXIT STATUS:
    0   success: signed, keys written, credentials accepted, nothing wrong found
    1   refused: verify denied the credentials, or inspect found a problem
    2   usage or bad input: an unknown flag, a bad date, URL, CIDR or key
    3   I/O: a file, stdin or stdout could not be read or written
    4   internal error (valid input never causes it)

EXAMPLES:
    cloudfront-edge-auth keygen --out keys/
    cloudfront-edge-auth sign-url --url https://d111111abcdef8.cloudfront.net/a.mp4 \\
        --key-pair-id K2JCJMDEHXQW5F --private-key file://keys/private_key.pem \\
        --date-less-than 2030-01-01
    cloudfront-edge-auth sign-url --batch urls.txt --key-pair-id K2JCJMDEHXQW5F \\
        --private-key file://keys/private_key.pem --date-less-than 2030-01-01 > signed.txt
    cloudfront-edge-auth verify --public-key K2JCJMDEHXQW5F=file://keys/public_key.pem \\
        --url 'https://d111111abcdef8.cloudfront.net/a.mp4?Expires=...'
    cloudfront-edge-auth inspect --cookie \"$COOKIE_HEADER\"";

const SIGN_URL_ABOUT: &str = "\
Sign a URL as `aws cloudfront sign` does: the URL is signed as given (no normalisation), and \
`Expires` or `Policy`, then `Signature`, then `Key-Pair-Id` (then `Hash-Algorithm=SHA256` \
for SHA-256) are appended. Prints the signed URL and a newline (aws prints no newline).

The policy is canned (the URL and --date-less-than) unless a custom one is needed: for \
--date-greater-than, --ip-address, a `*` in the URL, or a --policy-resource other than the \
URL. --policy-resource 'https://d111111abcdef8.cloudfront.net/videos/*' signs one policy for \
the whole pattern (`*` any run of characters, `?` one) and appends it to --url, which must \
match it: the same query string then works for every URL the pattern covers.

AWS CLI v1 AND v2 (AWS CLI Command Reference, `cloudfront sign`). Where they differ this \
follows v2; where they agree (an RSA key, SHA-1, a valid URL) the bytes are v1's, which are \
also v2's:
  - --url must be an absolute http:// or https:// URL, ASCII without spaces (percent-encode \
    the rest, as a viewer's request arrives), without a #fragment and without the signing \
    parameters. v1 signs anything, also URLs CloudFront can never match.
  - A `*` in the URL selects a custom policy. v1 signs a canned one, which CloudFront \
    compares literally and never matches.
  - --policy-resource and --hash-algorithm (SHA1 or SHA256) exist in v2 only.
  - ECDSA P-256 keys (EC PRIVATE KEY or PRIVATE KEY, also after an EC PARAMETERS block) sign \
    with SHA-256 and append Hash-Algorithm=SHA256; --hash-algorithm SHA1 is refused for them. \
    v1 reads RSA PKCS#1 keys only.
  - --date-greater-than must be before --date-less-than, and --ip-address must be IPv4.
Beyond both: encrypted PKCS#8 keys (--passphrase-file; v2 refuses encrypted keys), an EC key \
without its public point (v2's crypto library needs the point; it follows from the private \
key), --batch, and the trailing newline.

--batch signs one URL per line of a file (or stdin with `-`) with one key parse, on every \
core, streaming: one signed URL per line out, in input order, blank lines skipped. The first \
bad line stops it (after the lines before it are written), named by its line number.";

const DATE_FORMATS: &str = "Epoch seconds, YYYY-MM-DD (midnight UTC), YYYY-MM-DDThh:mm:ss \
(UTC), or YYYY-MM-DDThh:mm:ss followed by Z, +hh:mm or -hh:mm: the forms aws documents. As \
with aws, YYYYMMDD is read as epoch seconds. Other forms aws also reads (`Tue, 01 Jan 2030 \
00:00:00 GMT`, `2030/01/01`, `Jan 1 2030`, `1e9`, `+1893456000`) are refused, as are epoch \
times outside 1 to 2147483647.";

/// The `cloudfront-edge-auth` command line.
#[derive(Debug, Parser)]
#[command(
    name = "cloudfront-edge-auth",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP,
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate an RSA or ECDSA P-256 key pair for CloudFront (PKCS#8 private, SPKI public)
    #[command(long_about = "\
Generate a key pair for CloudFront, RSA (the default) or ECDSA P-256 (--type ecdsa-p256): \
DIR/private_key.pem (PKCS#8, created with mode 0600) and DIR/public_key.pem (SPKI, the PEM \
the CloudFront console and `aws cloudfront create-public-key` take). DIR is created (mode \
0700) if missing. Prints the two paths. Refuses to overwrite unless --force, which replaces \
both files or, on failure, leaves the old pair as it was.")]
    Keygen(KeygenArgs),

    /// Sign a URL as `aws cloudfront sign` does (canned or custom policy)
    #[command(long_about = SIGN_URL_ABOUT, after_long_help = AFTER_LONG_HELP)]
    SignUrl(SignUrlArgs),

    /// Sign cookies as @aws-sdk/cloudfront-signer's getSignedCookies does
    #[command(long_about = "\
Sign a cookie set as @aws-sdk/cloudfront-signer's getSignedCookies does (same policy bytes, \
same cookies, same order): CloudFront-Key-Pair-Id, CloudFront-Signature, then \
CloudFront-Expires (canned policy) or CloudFront-Policy (custom policy, when \
--date-greater-than or --ip-address is given), then CloudFront-Hash-Algorithm for SHA-256.

For a whole path, use a wildcard URL with a custom policy, for example \
--url 'https://d.example/private/*' --date-greater-than 2024-01-01.", after_long_help = AFTER_LONG_HELP)]
    SignCookies(SignCookiesArgs),

    /// Verify a signed URL or cookies against public keys, as CloudFront does
    #[command(long_about = "\
Verify a request the way CloudFront does, in CloudFront's order: parse, key id, signature, \
time window, resource, viewer IP. Signed-URL parameters in --url win over --cookie. Prints \
`accepted ...` or `denied: REASON: ...` on stdout and exits 0 only when accepted (1 when \
denied). REASON is one of missing, malformed, unknown-key, bad-signature, expired, \
not-yet-valid, resource-mismatch, ip-mismatch.", after_long_help = AFTER_LONG_HELP)]
    Verify(VerifyArgs),

    /// Decode a signed URL or cookies and show the policy, without any key
    #[command(long_about = "\
Decode the signed-URL parameters of --url, or else the CloudFront cookies of --cookie, and \
print the policy (pretty-printed), its times as epoch seconds and ISO 8601 UTC, the key pair \
id and what is wrong with it (expired, not yet valid, resource or IP mismatch, malformed). \
The signature is not checked: that needs the public key (see verify). Exits 1 when it finds \
a problem.", after_long_help = AFTER_LONG_HELP)]
    Inspect(InspectArgs),
}

/// `keygen` flags.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Key type: RSA, or ECDSA on P-256 (CloudFront accepts both; an ECDSA signature is cheaper
    /// to make and makes shorter cookies and URLs)
    #[arg(long = "type", value_enum, default_value_t = KeyType::Rsa)]
    pub key_type: KeyType,

    /// RSA modulus size; CloudFront takes 2048-bit keys (ignored for ecdsa-p256)
    #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u16).range(2048..=4096))]
    pub bits: u16,

    /// Directory to write private_key.pem and public_key.pem into
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,

    /// Overwrite existing key files
    #[arg(long)]
    pub force: bool,
}

/// The kind of key `keygen` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyType {
    /// RSA (PKCS#1 v1.5 signatures), the default
    Rsa,
    /// ECDSA on NIST P-256 (secp256r1)
    #[value(name = "ecdsa-p256")]
    EcdsaP256,
}

/// The hash a signature uses (named as AWS CLI v2's --hash-algorithm names them; any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Hash {
    /// SHA-1, CloudFront's default for RSA keys
    #[value(name = "SHA1")]
    Sha1,
    /// SHA-256, announced with Hash-Algorithm=SHA256
    #[value(name = "SHA256")]
    Sha256,
}

/// The flags `sign-url` and `sign-cookies` share (named as `aws cloudfront sign` names them).
#[derive(Debug, Args)]
pub struct SigningArgs {
    /// The CloudFront public key id (or legacy key pair id) of the signing key
    #[arg(long, value_name = "ID")]
    pub key_pair_id: String,

    /// The private key: file://PATH as with aws, a plain path, or the PEM text. RSA or ECDSA
    /// P-256: PKCS#1 (RSA PRIVATE KEY), SEC1 (EC PRIVATE KEY), PKCS#8 (PRIVATE KEY) or
    /// encrypted PKCS#8 (ENCRYPTED PRIVATE KEY)
    // The PEM text starts with dashes: without this clap takes it for a flag.
    #[arg(long, value_name = "file://PATH", allow_hyphen_values = true)]
    pub private_key: String,

    /// File whose first line is the passphrase of an encrypted PKCS#8 private key
    #[arg(long, value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,

    /// When the signature expires
    #[arg(long, value_name = "DATE", long_help = format!("When the signature expires. {DATE_FORMATS}"))]
    pub date_less_than: String,

    /// When the signature starts to be valid (selects a custom policy)
    #[arg(long, value_name = "DATE", long_help = format!("When the signature starts to be valid; selects a custom policy. {DATE_FORMATS}"))]
    pub date_greater_than: Option<String>,

    /// Viewer IPv4 address or range, x.x.x.x or x.x.x.x/n (selects a custom policy)
    #[arg(long, value_name = "CIDR")]
    pub ip_address: Option<String>,

    /// Signature hash: SHA1 or SHA256 (adds Hash-Algorithm=SHA256). Default: SHA1 for an
    /// RSA key; sign-url signs with an ECDSA key in SHA256 only, as AWS CLI v2 does
    #[arg(
        long = "hash-algorithm",
        visible_alias = "hash",
        value_name = "HASH",
        value_enum,
        ignore_case = true
    )]
    pub hash: Option<Hash>,
}

/// `sign-url` flags.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).args(["url", "batch"]))]
pub struct SignUrlArgs {
    /// The URL to sign, as viewers will request it
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Sign every URL of FILE, one per line (`-` for stdin), with one key parse
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,

    /// Sign a custom policy for RESOURCE instead of for the URL: a URL, or a pattern with `*`
    /// and `?` wildcards that --url (or every --batch line) must match
    #[arg(long, value_name = "RESOURCE")]
    pub policy_resource: Option<String>,

    #[command(flatten)]
    pub signing: SigningArgs,
}

/// How `sign-cookies` prints the cookie set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CookieFormat {
    /// One `Set-Cookie:` response header line per cookie
    SetCookie,
    /// The object getSignedCookies returns, as JSON
    Json,
    /// A curl command line that sends the cookies to --url
    Curl,
    /// The value of a `Cookie:` request header (what verify --cookie takes)
    Header,
}

/// `sign-cookies` flags.
#[derive(Debug, Args)]
pub struct SignCookiesArgs {
    /// The URL or wildcard pattern (https://d.example/private/*) the cookies grant
    #[arg(long, value_name = "URL")]
    pub url: String,

    #[command(flatten)]
    pub signing: SigningArgs,

    /// The cookies' Path attribute
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub path: String,

    /// The cookies' Domain attribute (omitted: host-only cookies)
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = CookieFormat::SetCookie)]
    pub format: CookieFormat,
}

/// How `verify` prints its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerdictFormat {
    /// `accepted ...` or `denied: REASON: ...`
    Text,
    /// The JS API's verdict object: {"ok":true,...} or {"ok":false,"reason":...}
    Json,
}

/// `verify` flags.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A trusted public key as KEY_ID=file://PATH; repeat for each key of the key group
    /// (up to 5)
    #[arg(
        long,
        value_name = "ID=file://PATH",
        required = true,
        allow_hyphen_values = true
    )]
    pub public_key: Vec<String>,

    /// The full request URL; it carries the signature itself for a signed URL, and is what
    /// the policy's Resource is compared with for cookies
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// The request's Cookie header (the `Cookie:` prefix is optional)
    #[arg(long, value_name = "HEADER")]
    pub cookie: Option<String>,

    /// The viewer's IP address (needed for a policy with an IP condition)
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,

    /// Verify as of this time instead of now (same formats as --date-less-than)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = VerdictFormat::Text)]
    pub format: VerdictFormat,
}

/// `inspect` flags.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).multiple(true).args(["url", "cookie"]))]
pub struct InspectArgs {
    /// A signed URL, or the request URL the cookies came with
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// A Cookie header with CloudFront-* cookies (the `Cookie:` prefix is optional)
    #[arg(long, value_name = "HEADER")]
    pub cookie: Option<String>,

    /// The viewer's IP address, to check an IP condition
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,

    /// Judge expiry as of this time instead of now
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
