//! Trigger types: which exist, which block the chat server, and what their
//! events must contain.

use serde_json::Value;

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
    /// Checks that `event` has what this type requires; the message says
    /// what is missing.
    pub(crate) fn validate(&self, event: &Value) -> Result<(), String> {
        let Some(object) = event.as_object() else {
            return Err(format!("a {} event must be a JSON object", self.name));
        };
        for field in self.fields {
            let (name, ok, want) = match *field {
                Field::String(name) => (
                    name,
                    object.get(name).is_some_and(Value::is_string),
                    "a string",
                ),
                Field::Object(name) => (
                    name,
                    object.get(name).is_some_and(Value::is_object),
                    "an object",
                ),
                Field::OptionalObject(name) => (
                    name,
                    object
                        .get(name)
                        .is_none_or(|v| v.is_object() || v.is_null()),
                    "an object",
                ),
                Field::OptionalBool(name) => (
                    name,
                    object
                        .get(name)
                        .is_none_or(|v| v.is_boolean() || v.is_null()),
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
    use serde_json::json;

    use super::*;

    #[test]
    fn events_are_checked_against_their_type() {
        let start = find("user.attempted.start_session").map(|t| (t.blocking, t));
        let Some((true, start)) = start else {
            panic!("start_session is blocking")
        };
        assert!(
            start
                .validate(&json!({ "username": "a", "authParams": {} }))
                .is_ok()
        );
        assert!(start.validate(&json!({ "username": "a" })).is_ok());
        assert!(
            start
                .validate(&json!({ "username": 1 }))
                .expect_err("not a string")
                .contains("'username' as a string")
        );
        assert!(start.validate(&json!([])).is_err());
        assert!(find("user.sent.message").is_some_and(|t| !t.blocking));
        assert!(find("nope").is_none());
    }
}
