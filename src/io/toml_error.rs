//! TOML errors that name the offending field's key path and line, shared by the file formats
//! of this module ([`ModelFile`](super::ModelFile), [`StudyFile`](super::StudyFile)).

use crate::io::error::IoError;
use serde::de::DeserializeOwned;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// Parses `text` (read from `path`, or `<string>`) into `T`, turning a toml error into an
/// [`IoError::Toml`] that names the field and its line.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, path: &str) -> Result<T, IoError> {
    toml::from_str(text).map_err(|error| toml_error(path, text, &error))
}

/// One step of a key path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A table key.
    Key(String),
    /// An array index (0-based).
    Index(usize),
}

/// `model.tumors[0].growth.rate` (keys that are not bare TOML keys are quoted).
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                let bare = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    out.push_str(key);
                } else {
                    out.push_str(&format!("{key:?}"));
                }
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The innermost key or value of the document whose span holds `target`.
struct Located<'a, 'i> {
    path: Vec<Segment>,
    span: Range<usize>,
    value: &'a DeValue<'i>,
}

fn covers(span: &Range<usize>, target: &Range<usize>) -> bool {
    span.start <= target.start && target.end <= span.end
}

/// Walks the document, keeping the node with the smallest span holding `target` (the deeper
/// one on ties: a table header is the span of both the array of tables and its element).
fn visit<'a, 'i>(
    value: &'a DeValue<'i>,
    path: &mut Vec<Segment>,
    target: &Range<usize>,
    best: &mut Option<Located<'a, 'i>>,
) {
    match value {
        DeValue::Table(table) => {
            for (key, item) in table.iter() {
                path.push(Segment::Key(key.get_ref().to_string()));
                consider(path, key.span(), item.get_ref(), target, best);
                consider(path, item.span(), item.get_ref(), target, best);
                visit(item.get_ref(), path, target, best);
                path.pop();
            }
        }
        DeValue::Array(array) => {
            for (i, item) in array.iter().enumerate() {
                path.push(Segment::Index(i));
                consider(path, item.span(), item.get_ref(), target, best);
                visit(item.get_ref(), path, target, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn consider<'a, 'i>(
    path: &[Segment],
    span: Range<usize>,
    value: &'a DeValue<'i>,
    target: &Range<usize>,
    best: &mut Option<Located<'a, 'i>>,
) {
    if covers(&span, target) && best.as_ref().is_none_or(|b| span.len() <= b.span.len()) {
        *best = Some(Located {
            path: path.to_vec(),
            span,
            value,
        });
    }
}

/// The name in backticks right after `prefix` at the start of `message`.
fn field_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split('`').next()
}

/// How serde describes an unexpected value (`string "fast"`, `boolean `true``), to compare
/// with an `invalid type` message.
fn describes(value: &DeValue<'_>, unexpected: &str) -> bool {
    match value {
        DeValue::String(s) => unexpected == format!("string {s:?}"),
        DeValue::Boolean(b) => unexpected == format!("boolean `{b}`"),
        DeValue::Integer(_) => unexpected.starts_with("integer"),
        DeValue::Float(_) => unexpected.starts_with("floating point"),
        DeValue::Array(_) => unexpected == "sequence",
        DeValue::Table(_) => unexpected == "map",
        DeValue::Datetime(_) => false,
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Characters of the quoted line shown on each side of the error's column: a long line (a
/// 50 MB one-line value) is cut to this window, marked with `…`, so a message stays readable.
const SNIPPET_WINDOW: usize = 60;

/// Longest description kept from toml's message, in characters: it may quote the offending
/// value whole.
const DESCRIPTION_LIMIT: usize = 300;

/// The source line holding `span`, with carets under the span; a line longer than the window
/// around the column is cut (see [`SNIPPET_WINDOW`]).
pub(crate) fn snippet(text: &str, span: &Range<usize>, line: usize, column: usize) -> String {
    let content = text.lines().nth(line - 1).unwrap_or("");
    let length = content.chars().count();
    let first = column.saturating_sub(1).saturating_sub(SNIPPET_WINDOW);
    let last = (column - 1 + SNIPPET_WINDOW).min(length);
    let mut shown: String = content.chars().skip(first).take(last - first).collect();
    let mut caret_at = column - 1 - first;
    if first > 0 {
        shown.insert(0, '…');
        caret_at += 1;
    }
    if last < length {
        shown.push('…');
    }
    let width = (last - first).saturating_sub(column - 1 - first);
    let carets = text
        .get(span.clone())
        .map_or(1, |s| s.chars().take_while(|&c| c != '\n').count())
        .clamp(1, width.max(1));
    let gutter = " ".repeat(line.to_string().len());
    format!(
        "{gutter} |\n{line} | {shown}\n{gutter} | {}{}",
        " ".repeat(caret_at),
        "^".repeat(carets)
    )
}

/// `description` cut to [`DESCRIPTION_LIMIT`] characters, marked with `…` when cut.
fn capped(description: &str) -> String {
    let mut chars = description.chars();
    let mut kept: String = chars.by_ref().take(DESCRIPTION_LIMIT).collect();
    if chars.next().is_some() {
        kept.push('…');
    }
    kept
}

/// An [`IoError::Toml`] naming the offending field's key path and line.
///
/// toml's own message has the line but not always the field: values of internally tagged enums
/// (the growth, kill and effect laws) are buffered before they are read, so an error inside one
/// points at its whole table, and a wrong type there does not say which key. The document is
/// parsed again with spans to find the key path at the error's position, and, inside such a
/// table, the unknown key or the value of the wrong type.
fn toml_error(path: &str, text: &str, error: &toml::de::Error) -> IoError {
    let description = capped(error.message().trim_end());
    let mut span = error.span();
    let mut key: Option<Vec<Segment>> = None;
    let mut table_path: Option<String> = None;
    if let (Ok(document), Some(target)) = (DeTable::parse(text), span.clone()) {
        // An error about the document as a whole (a missing top-level section) has the empty
        // span of the root table: no line to show.
        let whole_document = target.is_empty() && target == document.span();
        if whole_document {
            span = None;
        }
        let root = DeValue::Table(document.into_inner());
        let mut best = None;
        if !whole_document {
            visit(&root, &mut Vec::new(), &target, &mut best);
        }
        let (mut located_path, located_value) = match best {
            Some(found) => (found.path, Some(found.value)),
            None => (Vec::new(), None),
        };
        let table = match located_value {
            Some(DeValue::Table(t)) => Some(t),
            None => match &root {
                DeValue::Table(t) => Some(t),
                _ => None,
            },
            _ => None,
        };
        if let Some(field) = field_after(&description, "missing field ") {
            table_path = Some(render(&located_path));
            located_path.push(Segment::Key(field.to_string()));
        } else if let Some(field) = field_after(&description, "unknown field ") {
            // Found at the key itself, or (inside a tagged law) at the table holding it.
            match located_path.split_last() {
                Some((Segment::Key(k), parent)) if k == field => {
                    table_path = Some(render(parent));
                }
                _ => {
                    table_path = Some(render(&located_path));
                    if let Some((k, _)) = table.and_then(|t| t.get_key_value(field)) {
                        span = Some(k.span());
                        located_path.push(Segment::Key(field.to_string()));
                    }
                }
            }
        } else if let Some(rest) = description.strip_prefix("invalid type: ") {
            let unexpected = rest.split(", expected").next().unwrap_or(rest);
            if let Some(t) = table {
                let mut matching = t.iter().filter(|(_, v)| describes(v.get_ref(), unexpected));
                if let (Some((k, v)), None) = (matching.next(), matching.next()) {
                    span = Some(v.span());
                    located_path.push(Segment::Key(k.get_ref().to_string()));
                }
            }
        }
        key = Some(located_path);
    }
    let key = key.map(|k| render(&k)).filter(|k| !k.is_empty());
    let place = match (&table_path, &key) {
        (Some(table), _) if !table.is_empty() => format!("in `{table}`"),
        (Some(_), _) => "at the top level".to_string(),
        (None, Some(key)) => format!("at `{key}`"),
        (None, None) => String::new(),
    };
    assemble(path, text, span, key, &place, &description)
}

/// An [`IoError::Toml`] about the field at `key` of the document `text`, for a value that
/// parsed but is not accepted (it conflicts with another field, say): the line and column of
/// the key when the document has it, and the key path in any case.
pub(crate) fn at_key(path: &str, text: &str, key: &[Segment], description: &str) -> IoError {
    let span = DeTable::parse(text)
        .ok()
        .and_then(|document| find(&DeValue::Table(document.into_inner()), key));
    if key.is_empty() {
        return assemble(path, text, None, None, "at the top level", description);
    }
    let rendered = render(key);
    let place = format!("at `{rendered}`");
    assemble(path, text, span, Some(rendered), &place, description)
}

/// The span of the key (or, for an array element, of the element) at `key` in `value`.
fn find(value: &DeValue<'_>, key: &[Segment]) -> Option<Range<usize>> {
    let (first, rest) = key.split_first()?;
    let (span, inner) = match (value, first) {
        (DeValue::Table(table), Segment::Key(name)) => {
            let (k, v) = table.get_key_value(name.as_str())?;
            (k.span(), v.get_ref())
        }
        (DeValue::Array(array), Segment::Index(i)) => {
            let item = array.get(*i)?;
            (item.span(), item.get_ref())
        }
        _ => return None,
    };
    if rest.is_empty() {
        Some(span)
    } else {
        find(inner, rest)
    }
}

/// The error: `line L, column C, <place>: <description>` and the source line with carets.
fn assemble(
    path: &str,
    text: &str,
    span: Option<Range<usize>>,
    key: Option<String>,
    place: &str,
    description: &str,
) -> IoError {
    let (line, column, source_line) = match span {
        Some(span) => {
            let (line, column) = position(text, span.start);
            (Some(line), Some(column), snippet(text, &span, line, column))
        }
        None => (None, None, String::new()),
    };
    let mut message = match (line, column) {
        (Some(line), Some(column)) => format!("line {line}, column {column}"),
        _ => String::new(),
    };
    if !place.is_empty() {
        if !message.is_empty() {
            message.push_str(", ");
        }
        message.push_str(place);
    }
    if !message.is_empty() {
        message.push_str(": ");
    }
    message.push_str(description);
    if !source_line.is_empty() {
        message.push('\n');
        message.push_str(&source_line);
    }
    IoError::Toml {
        path: path.to_string(),
        line,
        column,
        key,
        message,
    }
}
