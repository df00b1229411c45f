//! `chatfn secrets set|list|unset`: the runtime's secrets. Values go in
//! (from standard input unless given), and never come back out.

use std::io::Read as _;
use std::process::ExitCode;

use hyper::Method;
use serde_json::{Map, Value};

use super::output::table;
use super::profile::Remote;
use super::{Failure, block_on};

#[derive(clap::Subcommand, Debug)]
pub(crate) enum SecretsCommand {
    /// Set a secret (a handler reads it as `process.env.NAME`).
    #[command(
        after_help = "Examples:\n  printf %s \"$STRIPE_KEY\" | chatfn secrets set STRIPE_KEY\n  chatfn secrets set STRIPE_KEY --value sk_test_…   (visible in the process list)"
    )]
    Set {
        /// The variable name.
        name: String,
        /// The value [default: standard input, to its end, without a final newline].
        #[arg(long, value_name = "VALUE")]
        value: Option<String>,
        #[command(flatten)]
        remote: Remote,
    },
    /// List the secrets' names and when they were set.
    #[command(after_help = "Example:\n  chatfn secrets list")]
    List {
        #[command(flatten)]
        remote: Remote,
    },
    /// Remove a secret.
    #[command(after_help = "Example:\n  chatfn secrets unset STRIPE_KEY")]
    Unset {
        /// The variable name.
        name: String,
        #[command(flatten)]
        remote: Remote,
    },
}

const PATH: &str = "/v1/runtimes/nodejs/secrets";

pub(crate) fn run(command: SecretsCommand) -> Result<ExitCode, Failure> {
    match command {
        SecretsCommand::Set {
            name,
            value,
            remote,
        } => {
            let value = match value {
                Some(value) => value,
                None => {
                    let mut text = String::new();
                    std::io::stdin()
                        .read_to_string(&mut text)
                        .map_err(|e| Failure::Usage(format!("reading the value: {e}")))?;
                    text.strip_suffix('\n').map(str::to_owned).unwrap_or(text)
                }
            };
            change(&remote, &name, Value::String(value))?;
            println!("{name} set");
            Ok(ExitCode::SUCCESS)
        }
        SecretsCommand::Unset { name, remote } => {
            change(&remote, &name, Value::Null)?;
            println!("{name} unset");
            Ok(ExitCode::SUCCESS)
        }
        SecretsCommand::List { remote } => {
            let client = remote.client()?;
            let list = block_on(client.get(PATH))??;
            let rows: Vec<Vec<String>> = list["secrets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    vec![
                        s["name"].as_str().unwrap_or_default().to_owned(),
                        s["updatedTime"].as_str().unwrap_or_default().to_owned(),
                    ]
                })
                .collect();
            print!("{}", table(&["NAME", "SET"], &rows));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn change(remote: &Remote, name: &str, value: Value) -> Result<(), Failure> {
    let client = remote.client()?;
    let mut body = Map::new();
    body.insert(name.to_owned(), value);
    block_on(client.call(Method::PUT, PATH, Some(&Value::Object(body))))??;
    Ok(())
}
