//! Use cases of scoreboard share links: made, listed and revoked by the cluster's organiser;
//! checked by the scoreboard page on every board it sends.

use thidua_domain::{
    Error,
    access::{
        share::{self, SHARE_TOKEN_PREFIX, ScoreboardShare, ShareName, check_share_token},
        token_digest,
    },
    names::TermName,
    text,
};
use thidua_storage::{Store, Tx};

use super::now;

/// Longest label of a link.
pub const MAX_LABEL_CHARS: usize = 200;

/// Makes a link to `term`'s scoreboard valid for `valid_seconds`, on behalf of `creator` (an
/// audit name); returns it and its token, which is not stored.
pub fn create(
    store: &Store,
    creator: String,
    term: &TermName,
    label: &str,
    valid_seconds: i64,
) -> Result<(ScoreboardShare, String), Error> {
    let now = now();
    let expires_at = share::expiry(valid_seconds, now).map_err(|v| Error::Invalid(vec![v]))?;
    let label = text::normalize(label.trim());
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(Error::Invalid(vec![thidua_domain::FieldViolation::new(
            "display_name",
            thidua_domain::words!("at-most-characters", max = MAX_LABEL_CHARS),
        )]));
    }
    let label = if label.is_empty() {
        format!("Hội nghị tổng kết năm {}", term.year)
    } else {
        label
    };
    let token = super::keys::new_secret(SHARE_TOKEN_PREFIX)?;
    let share = ScoreboardShare {
        name: ShareName {
            term: term.clone(),
            id: uuid::Uuid::now_v7().simple().to_string(),
        },
        label,
        created_at: now,
        created_by: creator,
        expires_at,
        revoked_at: None,
    };
    store.write(|tx| {
        tx.existing_term(term)?;
        tx.insert_share(&share, &token_digest(&token))
    })?;
    Ok((share, token))
}

/// The term's links, newest first.
pub fn list(store: &Store, term: &TermName) -> Result<Vec<ScoreboardShare>, Error> {
    store.read(|tx| {
        tx.existing_term(term)?;
        tx.shares_of(term)
    })
}

/// Whether `token` still opens `term`'s scoreboard: what the page's event stream checks before
/// each board it sends (the board itself says whether the term is there).
pub fn check_link(store: &Store, token: &str, term: &TermName) -> Result<(), Error> {
    check_share_token(token)?;
    let digest = token_digest(token);
    store.read(|tx| link_admits(tx, &digest, term))
}

/// The stored link of `digest` opens `term`'s scoreboard now.
fn link_admits(tx: &mut Tx, digest: &str, term: &TermName) -> Result<(), Error> {
    tx.share_by_digest(digest)?
        .ok_or_else(|| Error::Unauthenticated(thidua_domain::words!("link-not-valid")))?
        .admits(term, now())
}

/// Revokes a link.
pub fn revoke(store: &Store, name: &ShareName) -> Result<ScoreboardShare, Error> {
    store.write(|tx| tx.revoke_share(name, now()))
}

/// The page of `term`'s scoreboard opened with `token`: the cluster's name when the link opens
/// it now; UNAUTHENTICATED saying why not.
pub fn admit(store: &Store, token: &str, term: &TermName) -> Result<String, Error> {
    check_share_token(token)?;
    let digest = token_digest(token);
    store.read(|tx| {
        link_admits(tx, &digest, term)?;
        tx.existing_term(term)?;
        tx.cluster(&term.cluster_id)?
            .map(|c| c.name)
            .ok_or_else(|| Error::NotFound {
                resource: term.to_string(),
            })
    })
}
