//! The path of a `file://PATH` value as the AWS CLI reads it: awscli's `paramfile.get_file`
//! opens `os.path.expandvars(os.path.expanduser(PATH))`, so `file://~/keys/k.pem` and
//! `file://$HOME/keys/k.pem` name a file in the home directory even where no shell expanded
//! them (a quoted value, a config file, a CI variable).

use std::path::PathBuf;

/// `path` with a leading `~` or `~/` replaced by `$HOME`, then `$NAME` and `${NAME}` replaced
/// by the environment's values (names of ASCII letters, digits and `_`; an unset one stays as
/// written), as Python's `posixpath.expanduser` and `expandvars` do. `~user` is left as it is
/// (aws looks the user up in the password database).
pub fn expand(path: &str) -> PathBuf {
    let var = |name: &str| std::env::var(name).ok();
    PathBuf::from(expand_vars(&expand_user(path, var), var))
}

fn expand_user(path: &str, var: impl Fn(&str) -> Option<String>) -> String {
    let Some(rest) = path.strip_prefix('~') else {
        return path.to_string();
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return path.to_string();
    }
    let Some(home) = var("HOME") else {
        return path.to_string();
    };
    let expanded = format!("{}{rest}", home.trim_end_matches('/'));
    if expanded.is_empty() {
        "/".to_string()
    } else {
        expanded
    }
}

fn expand_vars(path: &str, var: impl Fn(&str) -> Option<String>) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        // `${...}` takes anything up to `}`; `$name` takes the run of name characters.
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            (&after[..end], end)
        };
        match (len, var(name)) {
            (1.., Some(value)) if !name.is_empty() => out.push_str(&value),
            _ => out.push_str(&rest[dollar..=dollar + len]),
        }
        rest = &rest[dollar + 1 + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/me/".into()),
            "KEYS" => Some("/srv/keys".into()),
            _ => None,
        }
    }

    /// Expected values printed by Python's os.path.expandvars(os.path.expanduser(p)) with
    /// HOME=/home/me/ and KEYS=/srv/keys.
    #[test]
    fn expands_as_awscli_paramfile_does() {
        for (path, expected) in [
            ("~/k.pem", "/home/me/k.pem"),
            ("~", "/home/me"),
            ("~other/k.pem", "~other/k.pem"),
            ("a/~/k.pem", "a/~/k.pem"),
            ("$KEYS/k.pem", "/srv/keys/k.pem"),
            ("${KEYS}/k.pem", "/srv/keys/k.pem"),
            ("$HOME/k.pem", "/home/me//k.pem"),
            ("~/$KEYS", "/home/me//srv/keys"),
            ("$UNSET/k.pem", "$UNSET/k.pem"),
            ("${UNSET}/k.pem", "${UNSET}/k.pem"),
            ("a$/k.pem", "a$/k.pem"),
            ("${KEYS", "${KEYS"),
            ("${}x", "${}x"),
            ("$KEYS$KEYS", "/srv/keys/srv/keys"),
            ("k$.pem", "k$.pem"),
        ] {
            let got = expand_vars(&expand_user(path, env), env);
            assert_eq!(got, expected, "{path}");
        }
    }
}
