//! The `mail-parser/fields/*.json` vectors of the shared corpus. Every
//! vector must match, or be listed with its RFC reason in DIVERGENCES.md as
//! `file.json#index`; a listed vector that matches fails the test too, so the
//! list stays true.

mod common;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use yubin_message::field::{address, content_type, date, ids, received, unstructured};
use yubin_message::{Address, DateTime, Mailbox, Message};

fn listed() -> BTreeSet<String> {
    let text = include_str!("DIVERGENCES.md");
    text.lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .filter_map(|line| line.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// The value of the first field after `Name:` + the vector's header text,
/// as the header scanner delimits it (a following field or blank line ends it).
fn with_value(header: &str, f: impl FnOnce(&[u8]) -> Value) -> Value {
    let raw = format!("X-Test:{header}");
    let message = Message::parse(raw.as_bytes());
    let value = message
        .header("X-Test")
        .map(|h| h.raw_value().to_vec())
        .unwrap_or_default();
    f(&value)
}

fn date_json(date: Option<DateTime>) -> Value {
    match date {
        None => Value::Null,
        Some(d) => json!({
            "year": d.year, "month": d.month, "day": d.day,
            "hour": d.hour, "minute": d.minute, "second": d.second,
            "tz_before_gmt": d.offset_minutes < 0,
            "tz_hour": d.offset_minutes.abs() / 60,
            "tz_minute": d.offset_minutes.abs() % 60,
        }),
    }
}

fn mailbox_json(m: &Mailbox) -> Value {
    json!({"name": m.name, "address": m.address})
}

fn address_json(list: &[Address]) -> Value {
    if list.is_empty() {
        return Value::Null;
    }
    if list.iter().all(|a| matches!(a, Address::Mailbox(_))) {
        let items: Vec<Value> = list
            .iter()
            .filter_map(|a| match a {
                Address::Mailbox(m) => Some(mailbox_json(m)),
                Address::Group(_) => None,
            })
            .collect();
        return json!({ "List": items });
    }
    // mail-parser's shape: mailboxes outside groups form unnamed groups.
    let mut groups: Vec<Value> = Vec::new();
    let mut loose: Vec<Value> = Vec::new();
    for entry in list {
        match entry {
            Address::Mailbox(m) => loose.push(mailbox_json(m)),
            Address::Group(g) => {
                if !loose.is_empty() {
                    groups.push(json!({"name": null, "addresses": std::mem::take(&mut loose)}));
                }
                let members: Vec<Value> = g.members.iter().map(mailbox_json).collect();
                groups.push(json!({"name": g.name, "addresses": members}));
            }
        }
    }
    if !loose.is_empty() {
        groups.push(json!({"name": null, "addresses": loose}));
    }
    json!({ "Group": groups })
}

fn content_type_json(value: &[u8]) -> Value {
    let Some(ct) = content_type::parse(value) else {
        return Value::Null;
    };
    let mut attributes = Vec::new();
    for param in &ct.params {
        if let Some(language) = &param.language {
            attributes.push(json!([format!("{}-language", param.name), language]));
        }
        attributes.push(json!([param.name, param.value]));
    }
    json!({
        "c_type": ct.media_type,
        "c_subtype": ct.subtype,
        "attributes": if attributes.is_empty() { Value::Null } else { Value::Array(attributes) },
    })
}

fn host(value: &Value) -> Value {
    match value {
        Value::Object(map) => map.values().next().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// An address literal without its brackets (RFC 5321 §4.1.3), as mail-parser
/// reports it.
fn literal(value: Option<String>) -> Value {
    json!(value.map(|v| v.trim_start_matches('[').trim_end_matches(']').to_owned()))
}

fn lower(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.to_ascii_lowercase()),
        other => other.clone(),
    }
}

/// Received: the clauses yubin reads (from, by, with, id, for, date); the
/// protocol compared without case, mail-parser reports it as an enum.
fn received_pair(value: &[u8], expected: &Value) -> (Value, Value) {
    let got = received::parse(value);
    let ours = json!({
        "from": literal(got.from), "by": got.by, "with": lower(&json!(got.with)), "id": got.id,
        "for": got.for_path, "date": date_json(got.date),
    });
    let theirs = json!({
        "from": host(&expected["from"]), "by": host(&expected["by"]),
        "with": lower(&expected["with"]), "id": expected["id"], "for": expected["for_"],
        "date": expected["date"],
    });
    (ours, theirs)
}

#[test]
fn mail_parser_field_vectors() {
    let dir = common::corpus().join("mail-parser/fields");
    let listed = listed();
    let mut unlisted = Vec::new();
    let mut stale = Vec::new();
    let mut checked = 0;
    for file in [
        "address",
        "content_type",
        "date",
        "id",
        "list",
        "received",
        "unstructured",
    ] {
        let path = dir.join(format!("{file}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let vectors: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (index, vector) in vectors.iter().enumerate() {
            let header = vector["header"].as_str().unwrap_or_default();
            let expected = vector["expected"].clone();
            let (got, expected) = match file {
                "address" => (
                    with_value(header, |v| address_json(&address::parse(v))),
                    expected,
                ),
                "content_type" => {
                    // A vector may leave out "attributes" when there are none.
                    let mut expected = expected;
                    if let Value::Object(map) = &mut expected {
                        map.entry("attributes").or_insert(Value::Null);
                    }
                    (with_value(header, content_type_json), expected)
                }
                // Date vectors are bare values without a line break.
                "date" => (with_value(header, |v| date_json(date::parse(v))), expected),
                "id" => (
                    with_value(header, |v| {
                        let list = ids::parse(v);
                        if list.is_empty() {
                            Value::Null
                        } else {
                            json!(list)
                        }
                    }),
                    expected,
                ),
                "list" => (
                    with_value(header, |v| json!(unstructured::list(v))),
                    expected,
                ),
                "unstructured" => (
                    with_value(header, |v| json!(unstructured::decode(v))),
                    expected,
                ),
                _ => {
                    let mut pair = (Value::Null, Value::Null);
                    with_value(header, |v| {
                        pair = received_pair(v, &expected);
                        Value::Null
                    });
                    pair
                }
            };
            checked += 1;
            let key = format!("{file}.json#{index}");
            match (got == expected, listed.contains(&key)) {
                (false, false) => unlisted.push(format!(
                    "{key}: {header:?}\n   got      {got}\n   expected {expected}"
                )),
                (true, true) => stale.push(key),
                _ => {}
            }
        }
    }
    assert!(checked >= 400, "only {checked} vectors found");
    assert!(
        stale.is_empty(),
        "listed in DIVERGENCES.md but matching now: {stale:?}"
    );
    assert!(
        unlisted.is_empty(),
        "{} unlisted divergences:\n{}",
        unlisted.len(),
        unlisted.join("\n")
    );
}
