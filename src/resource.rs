//! Matching a policy's `Resource` against a request URL.
//!
//! AWS: *Values that you specify in the policy statement for a signed URL that uses a custom
//! policy* — "`*` matches zero or more characters, `?` matches exactly one character". The
//! comparison is case-sensitive, on the URL as the viewer sent it (still percent-encoded).

/// Whether `url` matches the wildcard `pattern`.
///
/// Linear-memory greedy matching with one backtrack point, so hostile patterns such as
/// `*a*a*a*a*b` against long URLs stay O(pattern × url) and never recurse.
pub(crate) fn matches(pattern: &str, url: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = url.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;
    use proptest::prelude::*;

    #[test]
    fn star_matches_any_run_including_empty() {
        assert!(matches("a*b", "ab"));
        assert!(matches("a*b", "axxxb"));
        assert!(matches("*", ""));
        assert!(matches("*", "anything"));
        assert!(!matches("a*b", "axxxc"));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(matches("a?c", "abc"));
        assert!(matches("a?c", "aéc"));
        assert!(!matches("a?c", "ac"));
        assert!(!matches("a?c", "abbc"));
    }

    #[test]
    fn matching_is_case_sensitive_and_exact() {
        assert!(!matches(
            "https://d.example/Private/*",
            "https://d.example/private/x"
        ));
        assert!(!matches(
            "https://d.example/a.png",
            "https://d.example/a.png?x=1"
        ));
        assert!(matches(
            "https://d.example/a.png",
            "https://d.example/a.png"
        ));
    }

    #[test]
    fn a_prefix_pattern_does_not_match_a_sibling_prefix() {
        assert!(!matches(
            "https://d.example/private/*",
            "https://d.example/privateer/x"
        ));
        assert!(matches(
            "https://d.example/private*",
            "https://d.example/privateer/x"
        ));
    }

    #[test]
    fn hostile_patterns_finish_quickly() {
        let pattern = "*a".repeat(200) + "b";
        let text = "a".repeat(8000);
        assert!(!matches(&pattern, &text));
    }

    /// A slow reference matcher (dynamic programming) to check the fast one against.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        let mut dp = vec![vec![false; text.len() + 1]; pattern.len() + 1];
        dp[0][0] = true;
        for i in 1..=pattern.len() {
            dp[i][0] = dp[i - 1][0] && pattern[i - 1] == '*';
            for j in 1..=text.len() {
                dp[i][j] = match pattern[i - 1] {
                    '*' => dp[i - 1][j] || dp[i][j - 1],
                    '?' => dp[i - 1][j - 1],
                    c => c == text[j - 1] && dp[i - 1][j - 1],
                };
            }
        }
        dp[pattern.len()][text.len()]
    }

    proptest! {
        #[test]
        fn agrees_with_a_reference_matcher(pattern in "[ab*?]{0,12}", text in "[ab]{0,16}") {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            prop_assert_eq!(matches(&pattern, &text), reference(&p, &t));
        }
    }
}
