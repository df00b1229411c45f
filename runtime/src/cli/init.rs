//! `chatfn init`: a project folder to deploy with `chatfn deploy`:
//! `chatfn.toml`, an example handler per trigger type chosen (TypeScript),
//! a `tsconfig.json`, and `chatfn.d.ts` (each trigger's event, `Context`
//! and the platform API, so an editor completes and `tsc` checks them).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Failure;
use super::project::PROJECT_FILE;
use crate::triggers::TRIGGER_TYPES;

pub(crate) const TYPINGS_FILE: &str = "chatfn.d.ts";

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  chatfn init my-chat-functions\n  chatfn init . --trigger user.attempted.start_session --trigger user.received.notification\n  chatfn init --typings-only   (refresh chatfn.d.ts after upgrading chatfn)"
)]
pub(crate) struct InitArgs {
    /// The folder [default: the current one].
    dir: Option<PathBuf>,
    /// A trigger type to write a handler for; repeatable [default:
    /// user.attempted.start_session and user.sent.message].
    #[arg(long = "trigger", value_name = "TYPE")]
    triggers: Vec<String>,
    /// Only (re)write chatfn.d.ts.
    #[arg(long)]
    typings_only: bool,
}

fn write(dir: &Path, file: &str, text: &str) -> Result<(), Failure> {
    let path = dir.join(file);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::Usage(format!("{}: {e}", parent.display())))?;
    }
    std::fs::write(&path, text).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

/// `user.attempted.start_session` → `user-attempted-start-session`.
fn slug(trigger: &str) -> String {
    trigger.replace(['.', '_'], "-")
}

fn handler(trigger: &str, blocking: bool) -> String {
    let event = crate::platform::event_type_name(trigger);
    if blocking {
        return format!(
            "// Runs when a user tries to start a chat session: throw to deny it.\n\
             export async function handleEvent(event: {event}, context: Context) {{\n\
             \x20 console.log(\"sign-in attempt\", event.username);\n\
             \x20 if (event.username.endsWith(\"@blocked.example\")) {{\n\
             \x20   throw new Error(\"this account may not sign in\");\n\
             \x20 }}\n\
             \x20 return {{ allowed: true }};\n\
             }}\n"
        );
    }
    format!(
        "// Runs after `{trigger}`, from a queue (retried if it throws).\n\
         export async function handleEvent(event: {event}, context: Context) {{\n\
         \x20 console.log(\"{trigger}\", JSON.stringify(event));\n\
         \x20 // e.g. await context.getChannelApi().sendChannelMessage(702, {{ type: \"TEXT\", body: \"Hi\" }});\n\
         }}\n"
    )
}

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "ES2022",
    "moduleResolution": "bundler",
    "lib": ["ES2022"],
    "types": [],
    "strict": true,
    "noEmit": true
  },
  "include": ["chatfn.d.ts", "functions/**/*.ts"]
}
"#;

pub(crate) fn run(args: &InitArgs) -> Result<ExitCode, Failure> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if args.typings_only {
        write(&dir, TYPINGS_FILE, &crate::platform::typings())?;
        println!("wrote {}", dir.join(TYPINGS_FILE).display());
        return Ok(ExitCode::SUCCESS);
    }
    if dir.join(PROJECT_FILE).exists() {
        return Err(Failure::Usage(format!(
            "{} exists already: this folder is a project (`chatfn init --typings-only` refreshes its typings)",
            dir.join(PROJECT_FILE).display()
        )));
    }
    let triggers = if args.triggers.is_empty() {
        vec![
            "user.attempted.start_session".to_owned(),
            "user.sent.message".to_owned(),
        ]
    } else {
        args.triggers.clone()
    };
    let mut toml = String::from(
        "# A chatfn project: `chatfn deploy` makes the server's runtime and\n\
         # functions match this file. Paths are relative to this folder.\n\n\
         [runtime]\n\
         # initialization-script = \"init.ts\"\n\
         environment = {}\n\
         dependencies = {}\n",
    );
    for trigger in &triggers {
        let Some(known) = TRIGGER_TYPES.iter().find(|t| t.name == trigger) else {
            let names: Vec<&str> = TRIGGER_TYPES.iter().map(|t| t.name).collect();
            return Err(Failure::Usage(format!(
                "{trigger:?} is not a trigger type (one of {})",
                names.join(", ")
            )));
        };
        let file = format!("functions/{}.ts", slug(trigger));
        write(&dir, &file, &handler(trigger, known.blocking))?;
        toml.push_str(&format!(
            "\n[functions.\"{trigger}\"]\nname = \"{}\"\nhandler = \"{file}\"\n# timeout-ms = 5000\n# enabled = true\n# instance-reuse = \"sequential\"\n",
            slug(trigger)
        ));
    }
    write(&dir, PROJECT_FILE, &toml)?;
    write(&dir, "tsconfig.json", TSCONFIG)?;
    // `chatfn dev` keeps its local server's data here.
    write(&dir, ".gitignore", ".chatfn-dev/\n")?;
    write(&dir, TYPINGS_FILE, &crate::platform::typings())?;
    println!(
        "Made a chatfn project in {}: {PROJECT_FILE}, {} handler{}, tsconfig.json and {TYPINGS_FILE}.\n\
         Next: `chatfn login --url URL --key KEY`, then `chatfn deploy {}`.",
        dir.display(),
        triggers.len(),
        if triggers.len() == 1 { "" } else { "s" },
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
