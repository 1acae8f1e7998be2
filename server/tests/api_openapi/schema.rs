//! Just enough JSON Schema (2020-12, as OpenAPI 3.1 uses it) to check real
//! requests and responses against the served document: `$ref`, `allOf`,
//! `oneOf`, `anyOf`, `type`, `enum`, `required`, `properties`,
//! `additionalProperties`, `items`, `prefixItems`, `minimum`, `maximum` and
//! `maxLength`. Other keywords (`format`, `description`, …) are not checked.

use serde_json::Value;

/// The schema a `$ref` names, e.g. `#/components/schemas/Step`.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Every reason `value` does not fit `schema`; empty when it fits.
pub fn errors(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(doc, schema, value, "$", &mut found);
    found
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            found.push(format!("{at}: nothing is allowed here"));
        }
        return;
    };
    if let Some(Value::String(r)) = schema.get("$ref") {
        match resolve(doc, r) {
            Some(target) => check(doc, target, value, at, found),
            None => found.push(format!("{at}: unresolved {r}")),
        }
    }
    for part in list(schema.get("allOf")) {
        check(doc, part, value, at, found);
    }
    if let Some(Value::Array(options)) = schema.get("oneOf") {
        let fitting = options
            .iter()
            .filter(|o| errors(doc, o, value).is_empty())
            .count();
        if fitting != 1 {
            found.push(format!(
                "{at}: fits {fitting} of the oneOf options, not exactly 1: {value}"
            ));
        }
    }
    if let Some(Value::Array(options)) = schema.get("anyOf")
        && !options.iter().any(|o| errors(doc, o, value).is_empty())
    {
        found.push(format!("{at}: fits none of the anyOf options: {value}"));
    }
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            other => other.as_str().into_iter().collect(),
        };
        if !names.iter().any(|t| has_type(value, t)) {
            found.push(format!("{at}: expected {names:?}, got {value}"));
        }
    }
    if let Some(Value::Array(allowed)) = schema.get("enum")
        && !allowed.contains(value)
    {
        found.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    bounds(schema, value, at, found);
    match value {
        Value::Object(object) => {
            for key in list(schema.get("required"))
                .iter()
                .filter_map(|k| k.as_str())
            {
                if !object.contains_key(key) {
                    found.push(format!("{at}: `{key}` is required"));
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            for (key, item) in object {
                let here = format!("{at}.{key}");
                match (
                    properties.and_then(|p| p.get(key)),
                    schema.get("additionalProperties"),
                ) {
                    (Some(property), _) => check(doc, property, item, &here, found),
                    (None, Some(extra)) => check(doc, extra, item, &here, found),
                    (None, None) => {}
                }
            }
        }
        Value::Array(items) => {
            let prefix = list(schema.get("prefixItems"));
            for (i, item) in items.iter().enumerate() {
                let here = format!("{at}[{i}]");
                match (prefix.get(i), schema.get("items")) {
                    (Some(first), _) => check(doc, first, item, &here, found),
                    (None, Some(rest)) => check(doc, rest, item, &here, found),
                    (None, None) => {}
                }
            }
        }
        _ => {}
    }
}

fn list(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

fn bounds(
    schema: &serde_json::Map<String, Value>,
    value: &Value,
    at: &str,
    found: &mut Vec<String>,
) {
    let limit = |key: &str| schema.get(key).and_then(Value::as_f64);
    if let Some(n) = value.as_f64()
        && (limit("minimum").is_some_and(|min| n < min)
            || limit("maximum").is_some_and(|max| n > max))
    {
        found.push(format!("{at}: {n} is out of range"));
    }
    if let (Some(text), Some(max)) = (value.as_str(), limit("maxLength"))
        && text.chars().count() as f64 > max
    {
        found.push(format!("{at}: longer than {max} characters"));
    }
}
