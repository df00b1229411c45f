//! From an API method call (operation + positional arguments) to an HTTP
//! request's parts. Pure: no I/O, so every encoding rule is unit-tested.

use std::fmt::Write;

use serde_json::Value;

use super::table::{Arg, Method, Operation};

/// A request to make against the platform's base URL.
#[derive(Debug, PartialEq)]
pub(crate) struct Request {
    pub(crate) method: Method,
    /// Starts with `/`; path segments and query values percent-encoded.
    pub(crate) path_and_query: String,
    pub(crate) body: Option<Body>,
}

#[derive(Debug, PartialEq)]
pub(crate) struct Body {
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// Builds the request for `op` called with `args`. The error is a message
/// for the caller's `TypeError`.
pub(crate) fn build(op: &Operation, args: &[Value], boundary: &str) -> Result<Request, String> {
    let mut path = op.path.to_owned();
    let mut query = String::new();
    let mut body = None;
    let mut form = Vec::new();
    for (index, arg) in op.args.iter().enumerate() {
        let value = args.get(index).unwrap_or(&Value::Null);
        let missing = || {
            format!(
                "{}: argument {} ({}) is required",
                op.name,
                index + 1,
                describe(arg)
            )
        };
        match *arg {
            Arg::Path(name) => {
                let text = scalar(value).ok_or_else(missing)?;
                if text.is_empty() {
                    return Err(missing());
                }
                path = path.replace(&format!("{{{name}}}"), &encode(&text, false));
            }
            Arg::Query(name) => {
                let values = match value {
                    Value::Null => Vec::new(),
                    Value::Array(items) => items.iter().filter_map(scalar).collect(),
                    Value::Object(_) => vec![value.to_string()],
                    other => scalar(other).into_iter().collect(),
                };
                for text in values {
                    query.push(if query.is_empty() { '?' } else { '&' });
                    let _ = write!(query, "{}={}", encode(name, true), encode(&text, true));
                }
            }
            Arg::Json | Arg::MergePatch if !value.is_null() => {
                let content_type = if *arg == Arg::Json {
                    "application/json"
                } else {
                    "application/json+merge-patch"
                };
                body = Some(Body {
                    content_type: content_type.into(),
                    bytes: serde_json::to_vec(value).map_err(|e| e.to_string())?,
                });
            }
            Arg::Json | Arg::MergePatch => {}
            Arg::Form(name) => match value {
                Value::Null => return Err(missing()),
                Value::String(text) => form.push((name, "application/octet-stream", text.clone())),
                other => form.push((name, "application/json", other.to_string())),
            },
        }
    }
    if !form.is_empty() {
        body = Some(multipart(&form, boundary));
    }
    Ok(Request {
        method: op.method,
        path_and_query: path + &query,
        body,
    })
}

fn describe(arg: &Arg) -> &'static str {
    match arg {
        Arg::Path(name) | Arg::Query(name) | Arg::Form(name) => name,
        Arg::Json | Arg::MergePatch => "request body",
    }
}

/// A path or query value's text: strings as they are, numbers and booleans
/// as JSON prints them.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters. In a path
/// segment `.` is encoded too, so `..` cannot climb out of the template.
fn encode(text: &str, query: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_' | b'~')
            || (query && byte == b'.');
        if keep {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn multipart(fields: &[(&str, &str, String)], boundary: &str) -> Body {
    let mut bytes = Vec::new();
    for (name, content_type, content) in fields {
        let _ = write!(
            Bytes(&mut bytes),
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        );
        bytes.extend_from_slice(content.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    let _ = write!(Bytes(&mut bytes), "--{boundary}--\r\n");
    Body {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        bytes,
    }
}

/// `fmt::Write` over a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::platform::table::operation;

    fn request(name: &str, args: Value) -> Result<Request, String> {
        let op = operation(name).expect("operation exists");
        let Value::Array(args) = args else {
            panic!("args must be an array")
        };
        build(op, &args, "BOUNDARY")
    }

    #[test]
    fn path_and_query_arguments_are_placed_and_encoded() {
        let r = request("checkUserExists", json!(["ada lovelace+1@example.com"])).expect("builds");
        assert_eq!(r.method, Method::Head);
        assert_eq!(
            r.path_and_query,
            "/v1/users?name=ada%20lovelace%2B1%40example.com"
        );
        assert_eq!(r.body, None);

        let r = request("listChannelMessages", json!([702, 25, null, "x/y"])).expect("builds");
        assert_eq!(
            r.path_and_query,
            "/v1/channels/702/messages?size=25&next=x%2Fy"
        );

        let r = request("retrieveUserSecret", json!(["../..", "a/b"])).expect("builds");
        assert_eq!(r.path_and_query, "/v1/users/%2E%2E%2F%2E%2E/secrets/a%2Fb");

        let r = request("listChannels", json!([0, 10, ["name,asc", "id,desc"]])).expect("builds");
        assert_eq!(
            r.path_and_query,
            "/v1/channels?page=0&size=10&sort=name%2Casc&sort=id%2Cdesc"
        );
    }

    #[test]
    fn bodies_carry_their_content_type() {
        let r = request(
            "addChannelMember",
            json!([702, { "id": 42 }, { "headers": {} }]),
        )
        .expect("builds");
        assert_eq!(r.path_and_query, "/v1/channels/702/members");
        assert_eq!(
            r.body,
            Some(Body {
                content_type: "application/json".into(),
                bytes: br#"{"id":42}"#.to_vec()
            })
        );
        let r = request("updateUser", json!([1, { "displayName": "A" }])).expect("builds");
        assert_eq!(
            r.body.map(|b| b.content_type),
            Some("application/json+merge-patch".into())
        );
    }

    #[test]
    fn form_fields_become_multipart() {
        let r = request("importUsers", json!([[{ "name": "ada" }]])).expect("builds");
        let body = r.body.expect("a body");
        assert_eq!(body.content_type, "multipart/form-data; boundary=BOUNDARY");
        assert_eq!(
            String::from_utf8(body.bytes).expect("utf-8"),
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/json\r\n\r\n[{\"name\":\"ada\"}]\r\n--BOUNDARY--\r\n"
        );
    }

    #[test]
    fn missing_required_arguments_are_named() {
        assert_eq!(
            request("retrieveUser", json!([])),
            Err("retrieveUser: argument 1 (id) is required".into())
        );
        assert_eq!(
            request("retrieveUser", json!([{ "id": 1 }])),
            Err("retrieveUser: argument 1 (id) is required".into())
        );
        assert_eq!(
            request("importUsers", json!([null])),
            Err("importUsers: argument 1 (file) is required".into())
        );
    }
}
