//! The users domain: accounts, roles, passwords, sessions and tokens.
//!
//! - `domain`: the rules (validation, hashing, sign-in throttle, sessions and token rotation), no AWS types;
//! - `store`: the users table behind the `UserStore` trait;
//! - `handlers`: one module per endpoint, plus the API's authorizer;
//! - `src/main.rs` and `src/entrypoints/*.rs`: the binary, one thin entry point per function.

pub mod contact;
pub mod domain;
pub mod handlers;
pub mod store;
pub mod team;

use domain::token::Tokens;
use shared::ConfigError;
use store::dynamodb::DynamoUserStore;

/// The users table named by `USERS_TABLE`, with a client built once per cold start.
pub async fn store_from_env() -> Result<DynamoUserStore, ConfigError> {
    let table = shared::env_required("USERS_TABLE")?;
    let config = shared::aws_sdk_config().await;
    Ok(DynamoUserStore::new(aws_sdk_dynamodb::Client::new(&config), table))
}

/// Token settings from `TOKEN_SIGNING_KEY`, `TOKEN_ISSUER`, `TOKEN_AUDIENCE` and
/// `ACCESS_TOKEN_TTL_SECONDS`.
pub fn tokens_from_env() -> Result<Tokens, Box<dyn std::error::Error + Send + Sync>> {
    let key = shared::env_required("TOKEN_SIGNING_KEY")?;
    let ttl = shared::env_required("ACCESS_TOKEN_TTL_SECONDS")?.parse()?;
    Ok(Tokens::new(
        key.as_bytes(),
        &shared::env_required("TOKEN_ISSUER")?,
        &shared::env_required("TOKEN_AUDIENCE")?,
        ttl,
    )?)
}
