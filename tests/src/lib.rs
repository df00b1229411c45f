//! Drives the `chatfn` binary from outside: `chatfn serve` on loopback and
//! `chatfn apps create`. The end-to-end tests (in `tests/`) and the HTTP
//! benchmarks (in `benches/`) share it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A `chatfn serve` process on its own data directory; killed on drop.
///
/// The server also stops when its stdin closes (`--exit-on-stdin-close`),
/// so a test or bench that dies leaves no server behind.
pub struct Serve {
    child: Child,
    bin: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its data directory (removed on drop).
    pub data: tempfile::TempDir,
    /// Its `--database`, if not the data directory's.
    database: Option<String>,
}

impl Serve {
    /// Starts `bin serve` on `data` with `extra` flags; returns once it
    /// listens.
    ///
    /// # Panics
    /// When the server does not start or prints something unexpected.
    pub fn start(bin: &Path, data: tempfile::TempDir, extra: &[&str]) -> Serve {
        Serve::start_logging(bin, data, extra, "warn", Stdio::inherit())
    }

    /// [`Serve::start`], logging at `level` to `log`.
    ///
    /// # Panics
    /// When the server does not start or prints something unexpected.
    pub fn start_logging(
        bin: &Path,
        data: tempfile::TempDir,
        extra: &[&str],
        level: &str,
        log: Stdio,
    ) -> Serve {
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-level",
                level,
                "--exit-on-stdin-close",
                "--data-dir",
            ])
            .arg(data.path())
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start chatfn serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("chatfn listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        let database = extra
            .iter()
            .position(|flag| *flag == "--database")
            .and_then(|at| extra.get(at + 1))
            .map(|url| (*url).to_owned());
        Serve {
            child,
            bin: bin.to_owned(),
            base,
            data,
            database,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn authority(&self) -> &str {
        self.base.strip_prefix("http://").unwrap_or(&self.base)
    }

    /// Kills the server the hard way (SIGKILL: no shutdown, no flush) and
    /// returns its data directory.
    pub fn kill(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.data, tempfile::tempdir().expect("tempdir"))
    }

    /// Creates an application with `chatfn apps create` (`extra` flags
    /// added); returns its key.
    ///
    /// # Panics
    /// When the command fails.
    pub fn create_app(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["create", name];
        args.extend_from_slice(extra);
        let output = self.apps(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let created: Value =
            serde_json::from_slice(&output.stdout).expect("apps create prints JSON");
        created["key"].as_str().expect("a key").to_owned()
    }

    /// The id of the application named `name`, from `chatfn apps list`.
    ///
    /// # Panics
    /// When there is no such application.
    pub fn app_id(&self, name: &str) -> i64 {
        let list = self.apps(&["list"]);
        String::from_utf8_lossy(&list.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|app| app["name"] == name)
            .and_then(|app| app["id"].as_i64())
            .unwrap_or_else(|| panic!("no application {name} in `apps list`"))
    }

    /// Runs `chatfn apps ARGS...` on this server's data (and database).
    ///
    /// # Panics
    /// When the command cannot be started.
    pub fn apps(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.bin)
            .arg("apps")
            .args(args)
            .arg("--data-dir")
            .arg(self.data.path())
            .args(self.database.iter().flat_map(|url| ["--database", url]))
            .output()
            .expect("run chatfn apps")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
