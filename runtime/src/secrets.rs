//! Secrets: variables a handler reads from `process.env` that are never
//! returned, logged or written into an image. At rest they are sealed with
//! AES-256-GCM under the node's secrets key, each bound to its application
//! and name (so a sealed value moved to another row does not open); they
//! are opened when an invocation needs them and handed to the sandbox for
//! that invocation only.

use std::path::Path;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

/// The most secrets an application may have.
pub(crate) const MAX_SECRETS: usize = 64;
/// The longest secret name.
pub(crate) const MAX_NAME_BYTES: usize = 128;
/// The longest secret value, in characters (as the API's JSON Schema
/// counts them).
pub(crate) const MAX_VALUE_CHARS: usize = 16 << 10;

/// The key secrets are sealed with. Every node sharing a database needs
/// the same one.
pub(crate) struct SecretsKey(LessSafeKey);

/// Why a sealed secret did not open.
#[derive(Debug, thiserror::Error)]
#[error(
    "secret {name} could not be opened: it was sealed with another secrets key (give every node the same --secrets-key-file)"
)]
pub(crate) struct OpenError {
    pub(crate) name: String,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

impl SecretsKey {
    /// A key from its 32 bytes, written as 64 hex digits.
    pub(crate) fn from_hex(text: &str) -> Result<SecretsKey, String> {
        let text = text.trim();
        let bad = || "a secrets key is 64 hex digits (32 bytes)".to_owned();
        if text.len() != 64 || !text.is_ascii() {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| bad())?;
        Ok(SecretsKey(LessSafeKey::new(key)))
    }

    /// The key in `path`; when there is no such file, a new random key is
    /// written there first (readable by this user only).
    pub(crate) fn load_or_create(path: &Path) -> anyhow::Result<SecretsKey> {
        use anyhow::Context as _;
        match std::fs::read_to_string(path) {
            Ok(text) => {
                SecretsKey::from_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes)
                    .map_err(|e| anyhow::anyhow!("no randomness for a secrets key: {e}"))?;
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                write_private(path, &hex)
                    .with_context(|| format!("writing the secrets key {}", path.display()))?;
                tracing::info!("made a new secrets key in {}", path.display());
                SecretsKey::from_hex(&hex).map_err(anyhow::Error::msg)
            }
            Err(e) => Err(e).with_context(|| format!("reading the secrets key {}", path.display())),
        }
    }

    /// `value` sealed for secret `name` of application `app`: a random
    /// nonce, then the ciphertext and its tag.
    pub(crate) fn seal(&self, app: i64, name: &str, value: &str) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let mut sealed = value.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(app, name)),
                &mut sealed,
            )
            .map_err(|_| anyhow::anyhow!("sealing a secret failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The value of a sealed secret, if it was sealed with this key for
    /// this application and name.
    pub(crate) fn open(&self, app: i64, name: &str, sealed: &[u8]) -> Result<String, OpenError> {
        let failed = || OpenError {
            name: name.to_owned(),
        };
        if sealed.len() < NONCE_LEN {
            return Err(failed());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| failed())?;
        let mut buffer = ciphertext.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(aad(app, name)), &mut buffer)
            .map_err(|_| failed())?;
        String::from_utf8(plain.to_vec()).map_err(|_| failed())
    }
}

/// What a sealed value is bound to.
fn aad(app: i64, name: &str) -> Vec<u8> {
    let mut aad = app.to_le_bytes().to_vec();
    aad.extend_from_slice(name.as_bytes());
    aad
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Whether `name` may name a secret: an environment variable's name.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok
        || name.len() > MAX_NAME_BYTES
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!(
            "'{name}' is not a secret name: letters, digits and _, not starting with a digit, at most {MAX_NAME_BYTES} characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretsKey {
        SecretsKey::from_hex(&"ab".repeat(32)).expect("a key")
    }

    #[test]
    fn a_sealed_secret_opens_only_where_it_was_sealed() {
        let key = key();
        let sealed = key.seal(1, "STRIPE_KEY", "sk_test_123").expect("seals");
        assert!(
            !sealed.windows(11).any(|w| w == b"sk_test_123"),
            "no plain text"
        );
        assert_eq!(
            key.open(1, "STRIPE_KEY", &sealed).expect("opens"),
            "sk_test_123"
        );
        assert!(key.open(2, "STRIPE_KEY", &sealed).is_err(), "another app");
        assert!(key.open(1, "OTHER", &sealed).is_err(), "another name");
        let other = SecretsKey::from_hex(&"cd".repeat(32)).expect("a key");
        assert!(other.open(1, "STRIPE_KEY", &sealed).is_err(), "another key");
        assert_ne!(
            sealed,
            key.seal(1, "STRIPE_KEY", "sk_test_123").expect("seals"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn keys_are_made_once_and_private() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("secrets.key");
        let sealed = SecretsKey::load_or_create(&path)?.seal(1, "A", "v")?;
        let again = SecretsKey::load_or_create(&path)?;
        assert_eq!(again.open(1, "A", &sealed)?, "v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path)?.permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(SecretsKey::from_hex("not hex").is_err());
        Ok(())
    }

    #[test]
    fn names_are_environment_variable_names() {
        for good in ["A", "_X", "STRIPE_SECRET_KEY", "a1"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "1A", "A-B", "A B", "Ä", &"A".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
