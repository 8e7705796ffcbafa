//! `thidua key …` and `thidua whoami`: API keys.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, refs, render};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key and print its secret, once (only a digest is stored).
    Create {
        /// What the key is for, e.g. "Cổng tích hợp tỉnh Bắc Kạn".
        #[arg(long)]
        label: String,
        /// admin, organiser, reporter or observer.
        #[arg(long)]
        role: String,
        /// The scope unit (code, scheme~code or units/…); required for every role but admin.
        #[arg(long)]
        scope: Option<String>,
        /// The key stops working after this many days.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key; calls with it fail at once.
    Revoke {
        /// The key, keys/{id} or {id}.
        key: String,
    },
}

fn role(s: &str) -> Result<pb::Role, Failure> {
    match s {
        "admin" => Ok(pb::Role::Admin),
        "organiser" | "organizer" => Ok(pb::Role::Organiser),
        "reporter" => Ok(pb::Role::Reporter),
        "observer" => Ok(pb::Role::Observer),
        other => Err(Failure::flag_value(
            "--role",
            other,
            "admin, organiser, reporter, observer",
        )),
    }
}

fn role_name(r: i32) -> &'static str {
    match pb::Role::try_from(r).unwrap_or(pb::Role::Unspecified) {
        pb::Role::Admin => "admin",
        pb::Role::Organiser => "organiser",
        pb::Role::Reporter => "reporter",
        pb::Role::Observer => "observer",
        pb::Role::Unspecified => "",
    }
}

fn keys_section(keys: &[pb::ApiKey]) -> Section {
    let mut s = Section::new(
        "API keys",
        vec![
            "name", "label", "role", "scope", "prefix", "created", "creator", "expires", "revoked",
        ],
    );
    for k in keys {
        s.row(vec![
            k.name.clone(),
            k.display_name.clone(),
            role_name(k.role).to_owned(),
            k.scope.clone(),
            k.display_prefix.clone(),
            render::time(k.create_time.as_ref()),
            k.creator.clone(),
            render::time(k.expire_time.as_ref()),
            render::time(k.revoke_time.as_ref()),
        ]);
    }
    s
}

/// Runs a key command.
pub async fn run_key(ctx: &mut Context, command: KeyCommand) -> Result<(), Failure> {
    match command {
        KeyCommand::Create {
            label,
            role: r,
            scope,
            expires_in_days,
        } => create(ctx, label, r, scope, expires_in_days).await,
        KeyCommand::List => list(ctx).await,
        KeyCommand::Revoke { key } => revoke(ctx, key).await,
    }
}

async fn create(
    ctx: &mut Context,
    label: String,
    r: String,
    scope: Option<String>,
    expires_in_days: Option<u32>,
) -> Result<(), Failure> {
    let expire_time = expires_in_days.map(|days| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        prost_types::Timestamp {
            seconds: i64::try_from(now).unwrap_or(0) + i64::from(days) * 86_400,
            nanos: 0,
        }
    });
    let created = ctx
        .access
        .create_api_key(pb::CreateApiKeyRequest {
            api_key: Some(pb::ApiKey {
                name: String::new(),
                display_name: label,
                role: role(&r)?.into(),
                scope: scope
                    .map(|s| refs::unit(&s, &ctx.scheme))
                    .unwrap_or_default(),
                display_prefix: String::new(),
                create_time: None,
                creator: String::new(),
                expire_time,
                revoke_time: None,
            }),
        })
        .await?
        .into_inner();
    let key = created.api_key.unwrap_or_default();
    eprintln!("{}", crate::i18n::text("secret-once"));
    let mut s = keys_section(&[key]);
    s.title = "API key created".into();
    // On its own line, not as the last column of a wide table, so it is copied whole.
    let secret = Section::fields("secret", vec![("secret", created.secret)]);
    ctx.print(&[s, secret])
}

async fn list(ctx: &mut Context) -> Result<(), Failure> {
    let mut keys = Vec::new();
    let mut token = String::new();
    loop {
        let page = ctx
            .access
            .list_api_keys(pb::ListApiKeysRequest {
                page_size: 1000,
                page_token: token,
            })
            .await?
            .into_inner();
        keys.extend(page.api_keys);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    ctx.print(&[keys_section(&keys)])
}

async fn revoke(ctx: &mut Context, key: String) -> Result<(), Failure> {
    let name = if key.starts_with("keys/") {
        key
    } else {
        format!("keys/{key}")
    };
    let revoked = ctx
        .access
        .revoke_api_key(pb::RevokeApiKeyRequest { name })
        .await?
        .into_inner()
        .api_key
        .unwrap_or_default();
    ctx.print(&[keys_section(&[revoked])])
}

/// Prints the key the CLI is using.
pub async fn run_whoami(ctx: &mut Context) -> Result<(), Failure> {
    let key = ctx
        .access
        .get_caller(pb::GetCallerRequest {})
        .await?
        .into_inner()
        .api_key
        .unwrap_or_default();
    ctx.print(&[keys_section(&[key])])
}
