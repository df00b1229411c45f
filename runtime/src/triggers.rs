//! Trigger types: which exist, which block the chat server, and what their
//! events must contain.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    String(&'static str),
    Object(&'static str),
    /// Must be an object if present.
    OptionalObject(&'static str),
    /// Must be a boolean if present.
    OptionalBool(&'static str),
}

pub(crate) struct TriggerType {
    pub(crate) name: &'static str,
    /// The chat server waits for the result (and denies on a throw).
    pub(crate) blocking: bool,
    pub(crate) fields: &'static [Field],
}

pub(crate) const TRIGGER_TYPES: &[TriggerType] = &[
    TriggerType {
        name: "user.attempted.start_session",
        blocking: true,
        fields: &[
            Field::String("username"),
            Field::OptionalObject("authParams"),
        ],
    },
    TriggerType {
        name: "user.received.notification",
        blocking: false,
        fields: &[
            Field::Object("user"),
            Field::Object("notification"),
            Field::OptionalBool("userHasActiveSession"),
        ],
    },
    TriggerType {
        name: "user.sent.message",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("message")],
    },
    TriggerType {
        name: "user.started.chat_session",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("channel")],
    },
    TriggerType {
        name: "user.read.message",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("message")],
    },
    TriggerType {
        name: "user.received.channel_invite",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("channel")],
    },
    TriggerType {
        name: "user.triggered.event",
        blocking: false,
        fields: &[Field::Object("user"), Field::String("type")],
    },
    TriggerType {
        name: "system.triggered.event",
        blocking: false,
        fields: &[Field::String("type")],
    },
];

pub(crate) fn find(name: &str) -> Option<&'static TriggerType> {
    TRIGGER_TYPES.iter().find(|t| t.name == name)
}

pub(crate) fn names() -> String {
    TRIGGER_TYPES
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl TriggerType {
    /// Checks an event's top-level fields without building its value tree:
    /// events are parsed once, as raw JSON, and handed to the guest as is.
    pub(crate) fn validate(&self, event: &RawValue) -> Result<(), String> {
        let Ok(object) = serde_json::from_str::<BTreeMap<String, &RawValue>>(event.get()) else {
            return Err(format!("a {} event must be a JSON object", self.name));
        };
        // The first byte of valid JSON tells its type.
        let kind = |name: &str| object.get(name).and_then(|v| v.get().bytes().next());
        for field in self.fields {
            let (name, ok, want) = match *field {
                Field::String(name) => (name, kind(name) == Some(b'"'), "a string"),
                Field::Object(name) => (name, kind(name) == Some(b'{'), "an object"),
                Field::OptionalObject(name) => (
                    name,
                    matches!(kind(name), None | Some(b'{' | b'n')),
                    "an object",
                ),
                Field::OptionalBool(name) => (
                    name,
                    matches!(kind(name), None | Some(b't' | b'f' | b'n')),
                    "a boolean",
                ),
            };
            if !ok {
                return Err(format!("a {} event needs '{name}' as {want}", self.name));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use serde_json::json;

    use super::*;

    fn raw(value: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).expect("serializes")
    }

    #[test]
    fn events_are_checked_against_their_type() {
        let start = find("user.attempted.start_session").map(|t| (t.blocking, t));
        let Some((true, start)) = start else {
            panic!("start_session is blocking")
        };
        assert!(
            start
                .validate(&raw(json!({ "username": "a", "authParams": {} })))
                .is_ok()
        );
        assert!(start.validate(&raw(json!({ "username": "a" }))).is_ok());
        assert!(
            start
                .validate(&raw(json!({ "username": 1 })))
                .expect_err("not a string")
                .contains("'username' as a string")
        );
        assert!(start.validate(&raw(json!([]))).is_err());
        assert!(find("user.sent.message").is_some_and(|t| !t.blocking));
        assert!(find("nope").is_none());
    }
}
