//! Where the cursor is in a document being edited, without parsing it (it is often
//! incomplete while typed): the path of keys and sequence items from the root to
//! the cursor, and whether the cursor is on a key or on a value.
//!
//! YAML block style is read by indentation (a line's key is a child of the nearest
//! line above whose key is indented less; `- ` starts a sequence item); JSON by its
//! brackets and strings.

/// One step of a path: a mapping key, or an item of a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A mapping key.
    Key(String),
    /// An item of a sequence.
    Item,
}

/// What is under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The path of the mapping the cursor's key belongs to (for a value: of the
    /// mapping holding the key the value belongs to).
    pub parent: Vec<Step>,
    /// The key written at the cursor (for a key: the word at the cursor; for a value:
    /// the key the value belongs to).
    pub key: String,
    /// Whether the cursor is on a value rather than on a key.
    pub on_value: bool,
    /// Byte range of the word at the cursor (the key, or the value typed so far).
    pub word: std::ops::Range<usize>,
}

/// The cursor at byte `at` of a YAML or JSON text.
#[must_use]
pub fn cursor(text: &str, at: usize, json: bool) -> Cursor {
    if json {
        json_cursor(text, at)
    } else {
        yaml_cursor(text, at)
    }
}

/// Whether a character can be part of a bare key or value word.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$' | '/')
}

/// Leading spaces, then `- ` markers: the column of each marker and of the content.
fn markers(line: &str) -> (Vec<usize>, usize) {
    let mut dashes = Vec::new();
    let mut at = line.len() - line.trim_start_matches(' ').len();
    loop {
        let rest = &line[at..];
        if rest == "-" || rest.starts_with("- ") {
            dashes.push(at);
            at += 1;
            at += line[at..].len() - line[at..].trim_start_matches(' ').len();
        } else {
            return (dashes, at);
        }
    }
}

/// The key of a YAML line's content (`key:` or `key: value`), unquoted.
fn line_key(content: &str) -> Option<(String, usize)> {
    let content = content.trim_end();
    if content.starts_with('#') {
        return None;
    }
    let (key, colon) = if let Some(rest) = content.strip_prefix('"') {
        let end = rest.find('"')?;
        (rest[..end].to_owned(), end + 2)
    } else if let Some(rest) = content.strip_prefix('\'') {
        let end = rest.find('\'')?;
        (rest[..end].to_owned(), end + 2)
    } else {
        let colon = content
            .find(": ")
            .or_else(|| content.strip_suffix(':').map(str::len))?;
        (content[..colon].trim_end().to_owned(), colon)
    };
    content[colon..].starts_with(':').then_some((key, colon))
}

fn yaml_cursor(text: &str, at: usize) -> Cursor {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let column = (at - line_start).min(line.len());
    let (dashes, content_at) = markers(line);
    let mut parent_reversed: Vec<Step> = Vec::new();
    let (key, on_value, word);
    let content = &line[content_at.min(line.len())..];
    if let Some((found, colon)) = line_key(content).filter(|(_, colon)| content_at + colon < column)
    {
        // On a value: `key: val|`.
        key = found;
        on_value = true;
        let value_start = content_at + colon + 1;
        let value_start = value_start + line[value_start.min(line.len())..].len()
            - line[value_start.min(line.len())..].trim_start().len();
        word = line_start + value_start.min(column)..line_start + column;
    } else {
        let before = &line[..column.min(line.len())];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c) || *c == '"')
            .last()
            .map_or(before.len(), |(i, _)| i);
        let after = &line[column.min(line.len())..];
        let end = column + after.find(|c: char| !is_word(c)).unwrap_or(after.len());
        key = line[start..end].trim_matches('"').to_owned();
        on_value = false;
        word = line_start + start..line_start + end;
    }
    // The cursor's own line: its dashes are items the key is in.
    let mut indent = content_at.min(column);
    for dash in dashes.iter().rev() {
        if *dash < column {
            parent_reversed.push(Step::Item);
            indent = *dash;
        }
    }
    // Lines above, nearest first.
    for above in text[..line_start].lines().rev() {
        let above = above.trim_end_matches('\r');
        let (dashes, content_at) = markers(above);
        let content = &above[content_at..];
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        if content_at < indent {
            if let Some((key, _)) = line_key(content) {
                parent_reversed.push(Step::Key(key));
            }
            indent = content_at;
            for dash in dashes.iter().rev() {
                parent_reversed.push(Step::Item);
                indent = *dash;
            }
        } else {
            // `- other: x` at a shallower item: the cursor is in that item.
            let limit = indent;
            for d in dashes.iter().rev().filter(|d| **d < limit) {
                parent_reversed.push(Step::Item);
                indent = *d;
            }
        }
        if indent == 0 {
            break;
        }
    }
    parent_reversed.reverse();
    Cursor {
        parent: parent_reversed,
        key,
        on_value,
        word,
    }
}

fn json_cursor(text: &str, at: usize) -> Cursor {
    let at = at.min(text.len());
    let bytes = text.as_bytes();
    // Each open container: whether it is an object, and the step it is at.
    let mut stack: Vec<(bool, Option<Step>)> = Vec::new();
    let mut last_key: Option<String> = None;
    let mut after_colon = false;
    let mut i = 0;
    while i < at {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                if j >= at {
                    // The cursor is inside this string.
                    let in_object = stack.last().is_some_and(|(object, _)| *object);
                    let end = j.min(text.len());
                    let word_text = text.get(start..end).unwrap_or_default().to_owned();
                    return finish(
                        &stack,
                        if in_object && !after_colon {
                            word_text
                        } else {
                            last_key.clone().unwrap_or_default()
                        },
                        in_object && after_colon,
                        start..end,
                    );
                }
                let s = text.get(start..j).unwrap_or_default().to_owned();
                if stack.last().is_some_and(|(object, _)| *object) && !after_colon {
                    last_key = Some(s);
                }
                i = j + 1;
                continue;
            }
            b':' => after_colon = true,
            b',' => {
                after_colon = false;
            }
            b'{' | b'[' => {
                let step = match stack.last() {
                    Some((true, _)) => last_key.clone().map(Step::Key),
                    Some((false, _)) => Some(Step::Item),
                    None => None,
                };
                stack.push((bytes[i] == b'{', step));
                after_colon = false;
                last_key = None;
            }
            b'}' | b']' => {
                stack.pop();
                after_colon = false;
            }
            _ => {}
        }
        i += 1;
    }
    let in_object = stack.last().is_some_and(|(object, _)| *object);
    let on_value = in_object && after_colon;
    finish(
        &stack,
        if on_value {
            last_key.unwrap_or_default()
        } else {
            String::new()
        },
        on_value,
        at..at,
    )
}

fn finish(
    stack: &[(bool, Option<Step>)],
    key: String,
    on_value: bool,
    word: std::ops::Range<usize>,
) -> Cursor {
    Cursor {
        parent: stack.iter().filter_map(|(_, s)| s.clone()).collect(),
        key,
        on_value,
        word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::Key(k) => k.clone(),
                Step::Item => "-".into(),
            })
            .collect()
    }

    fn at(text: &str) -> Cursor {
        let at = text.find('|').unwrap();
        let text = text.replace('|', "");
        cursor(&text, at, false)
    }

    #[test]
    fn yaml_keys_under_items_and_mappings() {
        let c = at("routes:\n  - name: a\n    plugins:\n      limit-count:\n        co|\n");
        assert_eq!(keys(&c.parent), ["routes", "-", "plugins", "limit-count"]);
        assert_eq!((c.key.as_str(), c.on_value), ("co", false));
        let c = at("routes:\n  - na|\n");
        assert_eq!(keys(&c.parent), ["routes", "-"]);
        let c = at("upstreams:\n  - nodes:\n      - ho|\n");
        assert_eq!(keys(&c.parent), ["upstreams", "-", "nodes", "-"]);
        let c = at("routes:\n  - name: a\n    uris: [/a]\n    |\n");
        assert_eq!(keys(&c.parent), ["routes", "-"]);
        assert_eq!(c.key, "");
        let c =
            at("routes:\n  - name: a\n    plugins:\n      cors:\n        allow_credential: tr|\n");
        assert_eq!(keys(&c.parent), ["routes", "-", "plugins", "cors"]);
        assert_eq!((c.key.as_str(), c.on_value), ("allow_credential", true));
    }

    #[test]
    fn json_keys_and_values() {
        let text = r#"{"routes": [{"plugins": {"cors": {"allow_cr"#;
        let c = cursor(text, text.len() - 2, true);
        assert_eq!(keys(&c.parent), ["routes", "-", "plugins", "cors"]);
        assert_eq!(c.key, "allow_cr");
        let text = r#"{"routes": [{"name": "a", "#;
        let c = cursor(text, text.len(), true);
        assert_eq!(keys(&c.parent), ["routes", "-"]);
        assert!(!c.on_value);
    }
}
