//! Authorization and audit of one call: who calls (the [`Principal`] the authentication layer
//! put in the request), what the call touches (a [`Scope`]), the decision of the policy table
//! (`thidua_domain::access`), and the audit event.
//!
//! A handler opens a [`Call`], names the scope as soon as it has parsed the resource name, and
//! is admitted or refused before it validates anything else, so a caller learns nothing about
//! resources outside its scope. An admitted write runs on a store whose every write
//! transaction re-checks the decision on the facts it sees, appends the audit event before
//! committing, and rolls back if the caller went away.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use prost::Message;
use sha2::{Digest, Sha256};
use thidua_domain::{
    Error, FieldViolation,
    access::{Effect, Need, Principal, decide, hex, rule},
    audit::Outcome,
    time::Timestamp,
};
use thidua_storage::{CallGuard, NewEvent, Store, Tx};
use tonic::{Request, Status};

use crate::{admissions::Admissions, app, auth::Credentials, rates::Rates, status::to_status};

mod scope;

pub use scope::Scope;

/// Whether `principal` may read `term`, decided as a call reading it would be: for listings
/// that gather terms of many clusters (a unit's history) and leave out the others.
pub fn may_read_term(
    tx: &mut Tx<'_>,
    principal: &Principal,
    term: &thidua_domain::names::TermName,
) -> Result<bool, Error> {
    let facts = Scope::Term(term.clone()).facts(tx)?;
    Ok(facts.iter().all(|f| decide(principal, Need::Read, f)))
}

/// Who holds the key with digest `credentials`, and whether they may call `need` on `scope`,
/// as `tx` sees it.
fn who_and_whether(
    tx: &mut Tx<'_>,
    credentials: &str,
    need: Need,
    scope: &Scope,
) -> Result<Decision, Error> {
    let key = crate::auth::key_in(tx, credentials)?;
    let principal = key.principal();
    let admitted = allowed(&principal, need, scope, tx)?;
    Ok(Decision {
        principal,
        expires_at: key.expires_at,
        admitted,
    })
}

/// What [`who_and_whether`] found.
struct Decision {
    principal: Principal,
    /// The key's expiry, for [`Admissions`] to keep.
    expires_at: Option<Timestamp>,
    admitted: bool,
}

/// Whether `principal` may call `need` on `scope`, on the facts `tx` sees.
fn allowed(
    principal: &Principal,
    need: Need,
    scope: &Scope,
    tx: &mut Tx<'_>,
) -> Result<bool, Error> {
    Ok(scope
        .facts(tx)?
        .iter()
        .all(|facts| decide(principal, need, facts)))
}

/// One call being served: its caller's key digest, method and request digest.
#[derive(Debug, Clone)]
pub struct Call {
    credentials: String,
    /// The server's admissions kept in memory; absent for calls not made through the
    /// authentication layer.
    admissions: Option<Arc<Admissions>>,
    /// The server's rate limiters; absent for calls not made through the authentication
    /// layer.
    rates: Option<Arc<Rates>>,
    method: &'static str,
    need: Need,
    effect: Effect,
    request_id: String,
    digest: String,
}

impl Call {
    /// Opens a unary call: the key digest and method the authentication layer attached, the
    /// digest of the request. The key itself is looked up when the call is admitted.
    pub fn open<T: Message>(request: Request<T>) -> Result<(Self, T), Status> {
        let caller = caller_of(&request)?;
        let message = request.into_inner();
        let digest = message_digest(&message);
        Ok((Self::new(caller, digest)?, message))
    }

    /// Opens a streaming call; its digest is set once the stream is read ([`Call::digest`]).
    pub fn open_stream<T>(request: Request<T>) -> Result<(Self, T), Status> {
        let caller = caller_of(&request)?;
        Ok((Self::new(caller, String::new())?, request.into_inner()))
    }

    fn new(caller: Caller, digest: String) -> Result<Self, Status> {
        let Caller {
            request_id,
            credentials,
            admissions,
            rates,
            method,
        } = caller;
        // A method without a policy row is refused: deny by default.
        let (need, effect) = rule(method).ok_or_else(|| {
            to_status(Error::PermissionDenied {
                method: method.to_owned(),
            })
        })?;
        Ok(Self {
            credentials,
            admissions,
            rates,
            method,
            need,
            effect,
            request_id,
            digest,
        })
    }

    /// Records the client's request id (the message's idempotency key) in the audit event,
    /// in place of the call's `x-request-id`; an empty one leaves the call's.
    pub fn request_id(mut self, request_id: &str) -> Self {
        if !request_id.is_empty() {
            request_id.clone_into(&mut self.request_id);
        }
        self
    }

    /// Sets the digest of a streamed request from its messages.
    pub fn digest(self, message: &impl Message) -> Self {
        self.digest_of(message_digest(message))
    }

    /// Sets the digest of a streamed request, computed by [`message_digest`].
    pub fn digest_of(mut self, digest: String) -> Self {
        self.digest = digest;
        self
    }

    /// Counts the call against its key's rate (the key is known to exist by now).
    fn count_rate(&self, principal: &Principal) -> Result<(), Error> {
        match &self.rates {
            Some(rates) => rates.admit_key(&principal.key_id),
            None => Ok(()),
        }
    }

    fn event(&self, principal: &Principal, scope: &Scope, outcome: Outcome) -> NewEvent {
        NewEvent {
            time: app::now(),
            principal: principal.audit_name(),
            method: self.method.to_owned(),
            resource: scope.resource(),
            outcome,
            request_id: self.request_id.clone(),
            digest: self.digest.clone(),
        }
    }

    /// Decides the call on `scope`: refused calls are audited and answered PERMISSION_DENIED;
    /// admitted ones get the store to run on.
    pub async fn admit(self, store: &Store, scope: Scope) -> Result<Admitted, Status> {
        let need = self.need;
        let generation = store.generation();
        let (principal, ok) = match self.kept(&scope, generation) {
            Some(principal) => (principal, true),
            None => {
                let check_store = store.clone();
                let credentials = self.credentials.clone();
                let check_scope = scope.clone();
                // Who, and may they: one read transaction.
                let decision = crate::service::blocking(move || {
                    check_store.read(|tx| who_and_whether(tx, &credentials, need, &check_scope))
                })
                .await?;
                self.keep(&scope, &decision, generation);
                (decision.principal, decision.admitted)
            }
        };
        tracing::Span::current().record("principal", principal.audit_name());
        self.count_rate(&principal).map_err(to_status)?;
        if !ok {
            let denied = Error::PermissionDenied {
                method: self.method.to_owned(),
            };
            self.record_failure(&principal, store, &scope, &denied)
                .await;
            return Err(to_status(denied));
        }
        let cancelled = Arc::new(AtomicBool::new(false));
        let store = match self.effect {
            Effect::Read => store.clone(),
            Effect::Write => {
                let audit = self.event(&principal, &scope, Outcome::Ok);
                let checked = principal.clone();
                let method = self.method;
                let check_scope = scope.clone();
                store.for_call(CallGuard {
                    check: Box::new(move |tx| {
                        if allowed(&checked, need, &check_scope, tx)? {
                            Ok(())
                        } else {
                            Err(Error::PermissionDenied {
                                method: method.to_owned(),
                            })
                        }
                    }),
                    audit: Some(audit),
                    cancelled: cancelled.clone(),
                })
            }
        };
        Ok(Admitted {
            principal,
            call: self,
            scope,
            base: store.clone(),
            store,
            cancel: CancelOnDrop(cancelled),
        })
    }

    /// Decides a read on `scope` and, when admitted, runs `f` in the same read transaction:
    /// one thread hop and one transaction for the whole call, for hot reads whose request
    /// needs no further validation. A refusal is audited as in [`Call::admit`].
    ///
    /// When the admission is kept in memory ([`Admissions`]) and `fresh` answers from memory
    /// for the store's current generation, the call touches no database at all. Otherwise `f`
    /// runs with the generation read before its transaction, to tag what it keeps.
    pub async fn admit_read<R: Send + 'static>(
        self,
        store: &Store,
        scope: Scope,
        fresh: impl FnOnce(Option<u64>) -> Option<R>,
        f: impl FnOnce(&mut Tx<'_>, Option<u64>) -> Result<R, Error> + Send + 'static,
    ) -> Result<R, Status> {
        if self.effect != Effect::Read {
            return Err(to_status(Error::Internal(format!(
                "{} is not a read",
                self.method
            ))));
        }
        let generation = store.generation();
        if let Some(principal) = self.kept(&scope, generation)
            && let Some(r) = fresh(generation)
        {
            tracing::Span::current().record("principal", principal.audit_name());
            self.count_rate(&principal).map_err(to_status)?;
            return Ok(r);
        }
        let store = store.clone();
        let outcome = crate::service::on_db(move || {
            let (principal, served) = store.read(|tx| {
                let decision = who_and_whether(tx, &self.credentials, self.need, &scope)?;
                self.keep(&scope, &decision, generation);
                self.count_rate(&decision.principal)?;
                if decision.admitted {
                    f(tx, generation).map(|r| (decision.principal, Some(r)))
                } else {
                    Ok((decision.principal, None))
                }
            })?;
            if let Some(r) = served {
                return Ok((principal.audit_name(), Ok(r)));
            }
            let event = self.event(&principal, &scope, Outcome::PermissionDenied);
            store.write(|tx| tx.append_audit(event))?;
            Ok((
                principal.audit_name(),
                Err(Error::PermissionDenied {
                    method: self.method.to_owned(),
                }),
            ))
        })
        .await
        .map_err(to_status)?;
        let (who, result) = outcome.map_err(to_status)?;
        tracing::Span::current().record("principal", who);
        result.map_err(to_status)
    }

    /// The admission of this read kept at `generation`, if any. Writes are always decided in
    /// the database: their transaction re-checks the scope, not the key.
    fn kept(&self, scope: &Scope, generation: Option<u64>) -> Option<Principal> {
        if self.effect != Effect::Read {
            return None;
        }
        self.admissions
            .as_ref()?
            .get(&self.credentials, self.need, scope, generation, app::now())
    }

    /// Keeps an admitted read's decision, made in a transaction begun at `generation`.
    fn keep(&self, scope: &Scope, decision: &Decision, generation: Option<u64>) {
        if let Some(admissions) = &self.admissions
            && self.effect == Effect::Read
            && decision.admitted
        {
            admissions.put(
                &self.credentials,
                self.need,
                scope,
                &decision.principal,
                decision.expires_at,
                generation,
            );
        }
    }

    /// Writes the event of a refused or failed call in a transaction of its own (the call's
    /// own transaction was rolled back). An audit failure is logged; the caller gets the
    /// original error either way.
    async fn record_failure(
        &self,
        principal: &Principal,
        store: &Store,
        scope: &Scope,
        error: &Error,
    ) {
        let event = self.event(principal, scope, Outcome::of(error));
        let store = store.clone();
        let written = crate::service::on_db(move || store.write(|tx| tx.append_audit(event))).await;
        if !matches!(written, Ok(Ok(_))) {
            tracing::error!(
                method = self.method,
                "could not write the audit event of a refusal"
            );
        }
    }
}

/// Sets the call's cancellation flag when the handler's future is dropped: tonic drops it when
/// the client cancels or the deadline passes, and the write transaction then rolls back.
#[derive(Debug)]
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Where a use case runs: beside interactive calls, or at idle priority for bulk work.
#[derive(Debug, Clone, Copy)]
enum Thread {
    Interactive,
    Bulk,
}

/// An admitted call: runs its use case and audits its failure.
#[derive(Debug)]
pub struct Admitted {
    principal: Principal,
    call: Call,
    scope: Scope,
    /// The store without the call's guard, for the audit event of a failure.
    base: Store,
    store: Store,
    cancel: CancelOnDrop,
}

impl Admitted {
    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// Runs the use case on a blocking thread with the call's store. A write that fails (or a
    /// read refused inside its transaction) is audited with its outcome.
    pub async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Status> {
        self.run_on(Thread::Interactive, f).await
    }

    /// [`Admitted::run`] for the bulk work of a whole-file import, on a thread that yields the
    /// processor to interactive calls (see [`crate::service::on_db_bulk`]).
    pub async fn run_bulk<T: Send + 'static>(
        self,
        f: impl FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Status> {
        self.run_on(Thread::Bulk, f).await
    }

    /// A write first waits for its turn in the store's queue (SQLite's one writer), for as
    /// long as the call's deadline allows; a read goes at once.
    async fn run_on<T: Send + 'static>(
        self,
        thread: Thread,
        f: impl FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Status> {
        let turn = if self.call.effect == Effect::Write {
            match self.store.write_turn().await {
                Ok(turn) => Some(turn),
                Err(e) => return self.finish(Err(e)).await,
            }
        } else {
            None
        };
        let store = self.store.clone();
        let work = move || f(&store);
        let result = match thread {
            Thread::Interactive => crate::service::on_db(work).await,
            Thread::Bulk => crate::service::on_db_bulk(work).await,
        };
        drop(turn);
        self.finish(result).await
    }

    async fn finish<T>(self, result: Result<Result<T, Error>, Error>) -> Result<T, Status> {
        match result.and_then(|r| r) {
            Ok(value) => {
                drop(self.cancel);
                Ok(value)
            }
            Err(error) => {
                if self.call.effect == Effect::Write
                    || matches!(error, Error::PermissionDenied { .. })
                {
                    self.call
                        .record_failure(&self.principal, &self.base, &self.scope, &error)
                        .await;
                }
                Err(to_status(error))
            }
        }
    }
}

/// The SHA-256 of a message's encoding, in hex: what the audit log records of a request.
pub fn message_digest(message: &impl Message) -> String {
    hex(&Sha256::digest(message.encode_to_vec()))
}

/// The method of a call, `Service/Method`, as named in the policy table; the authentication
/// layer attaches it, having refused methods the table does not name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalledMethod(pub &'static str);

/// What the authentication layer attached to a call.
struct Caller {
    request_id: String,
    credentials: String,
    admissions: Option<Arc<Admissions>>,
    rates: Option<Arc<Rates>>,
    method: &'static str,
}

fn caller_of<T>(request: &Request<T>) -> Result<Caller, Status> {
    let credentials = request.extensions().get::<Credentials>().cloned();
    let admissions = request.extensions().get::<Arc<Admissions>>().cloned();
    let rates = request.extensions().get::<Arc<Rates>>().cloned();
    let request_id = request
        .extensions()
        .get::<crate::logging::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let method = request.extensions().get::<CalledMethod>().copied();
    match (credentials, method) {
        (Some(Credentials(credentials)), Some(CalledMethod(method))) => Ok(Caller {
            request_id,
            credentials,
            admissions,
            rates,
            method,
        }),
        _ => Err(to_status(Error::Unauthenticated(thidua_domain::words!(
            "key-missing"
        )))),
    }
}

/// A request that names what it touches. Implemented per request type in
/// `service::scopes`, the resource column of the policy table.
pub trait Scoped {
    /// The scope, from the resource fields alone; a malformed name is the only error.
    fn scope(&self) -> Result<Scope, FieldViolation>;

    /// The client's request id, recorded in the audit event; empty when the request has none.
    fn request_id(&self) -> &str {
        ""
    }
}

/// Opens a unary call, reads its scope and decides it: the first line of every unary handler.
pub async fn admit<T: Message + Scoped>(
    store: &Store,
    request: Request<T>,
) -> Result<(Admitted, T), Status> {
    let (call, message) = Call::open(request)?;
    let scope = message
        .scope()
        .map_err(|v| to_status(Error::Invalid(vec![v])))?;
    let call = call.request_id(message.request_id());
    Ok((call.admit(store, scope).await?, message))
}

/// A unit key from a `units/{key}` name, without validating it: authorization compares keys,
/// validation comes after.
pub fn unit_key(name: &str) -> String {
    name.strip_prefix("units/").unwrap_or(name).to_owned()
}
