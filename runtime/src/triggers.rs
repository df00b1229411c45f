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
    /// An object whose own `.1` field is a string (a custom event's
    /// `event.type`).
    ObjectWithString(&'static str, &'static str),
}

pub(crate) struct TriggerType {
    pub(crate) name: &'static str,
    /// The chat server waits for the result (and denies on a throw).
    pub(crate) blocking: bool,
    pub(crate) fields: &'static [Field],
    /// An event as the chat server sends it (shaped as the spec's), JSON:
    /// the API document's example, and a dashboard's starting test event.
    pub(crate) example: &'static str,
}

pub(crate) const TRIGGER_TYPES: &[TriggerType] = &[
    TriggerType {
        name: "user.attempted.start_session",
        blocking: true,
        fields: &[
            Field::String("username"),
            Field::OptionalObject("authParams"),
        ],
        example: r#"{"username": "jane@example.com", "authParams": {"displayName": "Jane Doe"}}"#,
    },
    TriggerType {
        name: "user.received.notification",
        blocking: false,
        fields: &[
            Field::Object("user"),
            Field::Object("notification"),
            Field::OptionalBool("userHasActiveSession"),
        ],
        example: concat!(
            r#"{"user": "#,
            r#"{"id": 39805, "type": "PERSON", "name": "jane@example.com", "displayName": "Jane Doe", "displayPictureUrl": null, "presence": {"status": "AVAILABLE", "online": true}, "properties": {}}"#,
            r#", "notification": {"id": 1, "title": "New message", "body": "Hello, Jane", "channel": null, "data": {"type": "USER:SENT:MESSAGE"}}, "userHasActiveSession": false}"#
        ),
    },
    TriggerType {
        name: "user.sent.message",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("message")],
        example: concat!(
            r#"{"user": "#,
            r#"{"id": 39805, "type": "PERSON", "name": "jane@example.com", "displayName": "Jane Doe", "displayPictureUrl": null, "presence": {"status": "AVAILABLE", "online": true}, "properties": {}}"#,
            r#", "channel": "#,
            r#"{"id": 702, "type": "PUBLIC", "name": "general", "displayName": "General", "properties": {}}"#,
            r#", "message": {"id": 44902, "type": "TEXT", "body": "Hello, World!", "channelId": 702, "createdTime": "2026-12-06T10:00:00.000Z", "properties": {}}}"#
        ),
    },
    TriggerType {
        name: "user.started.chat_session",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("channel")],
        example: concat!(
            r#"{"user": "#,
            r#"{"id": 39805, "type": "PERSON", "name": "jane@example.com", "displayName": "Jane Doe", "displayPictureUrl": null, "presence": {"status": "AVAILABLE", "online": true}, "properties": {}}"#,
            r#", "channel": "#,
            r#"{"id": 702, "type": "PUBLIC", "name": "general", "displayName": "General", "properties": {}}"#,
            r#", "channelUnread": false, "channelMessagesCount": 12}"#
        ),
    },
    TriggerType {
        name: "user.read.message",
        blocking: false,
        fields: &[Field::Object("user"), Field::Object("message")],
        example: concat!(
            r#"{"user": "#,
            r#"{"id": 39805, "type": "PERSON", "name": "jane@example.com", "displayName": "Jane Doe", "displayPictureUrl": null, "presence": {"status": "AVAILABLE", "online": true}, "properties": {}}"#,
            r#", "message": {"id": 44902, "type": "TEXT", "body": "Hello, World!", "channelId": 702}, "receipt": {"createdTime": "2026-12-06T10:00:05.000Z"}}"#
        ),
    },
    TriggerType {
        name: "user.received.channel_invite",
        blocking: false,
        fields: &[
            Field::Object("user"),
            Field::Object("channel"),
            Field::OptionalObject("invitingUser"),
        ],
        example: concat!(
            r#"{"user": "#,
            r#"{"id": 39805, "type": "PERSON", "name": "jane@example.com", "displayName": "Jane Doe", "displayPictureUrl": null, "presence": {"status": "AVAILABLE", "online": true}, "properties": {}}"#,
            r#", "channel": "#,
            r#"{"id": 702, "type": "PUBLIC", "name": "general", "displayName": "General", "properties": {}}"#,
            r#", "invitingUser": {"id": 39806, "name": "john@example.com", "displayName": "John Doe"}}"#
        ),
    },
    // A custom event, as the Platform API's channel events are shaped:
    // `event` is `{type, properties}`.
    TriggerType {
        name: "user.triggered.event",
        blocking: false,
        fields: &[
            Field::Object("user"),
            Field::Object("channel"),
            Field::ObjectWithString("event", "type"),
        ],
        example: concat!(
            r#"{"user": "#,
            r#"{"id": 39805, "type": "PERSON", "name": "jane@example.com", "displayName": "Jane Doe", "displayPictureUrl": null, "presence": {"status": "AVAILABLE", "online": true}, "properties": {}}"#,
            r#", "channel": "#,
            r#"{"id": 702, "type": "PUBLIC", "name": "general", "displayName": "General", "properties": {}}"#,
            r#", "event": {"type": "Order Shipped", "properties": {"orderId": "A-1001"}}}"#
        ),
    },
    TriggerType {
        name: "system.triggered.event",
        blocking: false,
        fields: &[
            Field::Object("channel"),
            Field::ObjectWithString("event", "type"),
        ],
        example: concat!(
            r#"{"channel": "#,
            r#"{"id": 702, "type": "PUBLIC", "name": "general", "displayName": "General", "properties": {}}"#,
            r#", "event": {"type": "Daily Digest", "properties": {"day": "2026-12-06"}}}"#
        ),
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
                Field::ObjectWithString(name, inner) => {
                    let nested = object.get(name).and_then(|v| {
                        serde_json::from_str::<BTreeMap<String, &RawValue>>(v.get()).ok()
                    });
                    let ok = nested
                        .as_ref()
                        .and_then(|o| o.get(inner))
                        .and_then(|v| v.get().bytes().next())
                        == Some(b'"');
                    if !ok {
                        return Err(format!(
                            "a {} event needs '{name}' as an object with a string '{inner}'",
                            self.name
                        ));
                    }
                    continue;
                }
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

    /// Events shaped as the spec's (`shared/spec/README.md`) examples pass,
    /// extra fields included; the field a type is named after is required.
    #[test]
    fn spec_shaped_events_pass_for_every_type() {
        let user = json!({ "id": 1, "name": "ada", "displayName": "Ada" });
        let channel = json!({ "id": 2, "type": "PUBLIC", "name": "general" });
        let custom = json!({ "type": "My Custom Event", "properties": { "n": 1 } });
        let cases = [
            (
                "user.attempted.start_session",
                json!({ "username": "", "authParams": { "displayName": "N" } }),
            ),
            (
                "user.received.notification",
                json!({ "user": user, "notification": { "data": { "type": "X" } }, "userHasActiveSession": true }),
            ),
            (
                "user.sent.message",
                json!({ "user": user, "channel": channel, "message": { "id": 3, "body": "hi" } }),
            ),
            (
                "user.started.chat_session",
                json!({ "user": user, "channel": channel, "channelUnread": true, "channelMessagesCount": 4 }),
            ),
            (
                "user.read.message",
                json!({ "user": user, "message": { "id": 3 }, "receipt": { "createdTime": "x" } }),
            ),
            (
                "user.received.channel_invite",
                json!({ "user": user, "channel": channel, "invitingUser": user }),
            ),
            (
                "user.received.channel_invite",
                json!({ "user": user, "channel": channel }),
            ),
            (
                "user.triggered.event",
                json!({ "user": user, "channel": channel, "event": custom, "extra": [1] }),
            ),
            (
                "system.triggered.event",
                json!({ "channel": channel, "event": custom }),
            ),
        ];
        for (name, event) in &cases {
            let trigger = find(name).expect("a trigger type");
            assert_eq!(
                trigger.validate(&raw(event.clone())),
                Ok(()),
                "{name}: {event}"
            );
        }
        assert_eq!(
            cases
                .iter()
                .map(|(n, _)| *n)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            TRIGGER_TYPES.len(),
            "every type has a case"
        );
        for trigger in TRIGGER_TYPES {
            let example = raw(serde_json::from_str(trigger.example).expect("the example parses"));
            assert_eq!(
                trigger.validate(&example),
                Ok(()),
                "{}'s example",
                trigger.name
            );
        }
        let system = find("system.triggered.event").expect("a trigger type");
        for bad in [
            json!({ "type": "x" }),
            json!({ "channel": channel, "event": { "properties": {} } }),
            json!({ "channel": channel, "event": "x" }),
        ] {
            assert!(system.validate(&raw(bad.clone())).is_err(), "{bad}");
        }
        let invite = find("user.received.channel_invite").expect("a trigger type");
        let bad = json!({ "user": user, "channel": channel, "invitingUser": 5 });
        assert!(invite.validate(&raw(bad)).is_err());
    }
}
