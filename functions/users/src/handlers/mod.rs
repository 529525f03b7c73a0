//! One module per endpoint; each turns a request into a response using the domain
//! rules and a [`UserStore`](crate::store::UserStore).

pub mod admin;
pub mod authorizer;
pub mod bootstrap;
pub mod login;
pub mod me;
pub mod register;

use crate::domain::account::{Profile, User};
use crate::store::StoreError;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use shared::ApiError;

/// The HTTP edge of the users store: each outcome's status and code.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::EmailTaken => ApiError::conflict("email_taken", "an account with this email already exists"),
            StoreError::NotFound => ApiError::not_found("no such user"),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid; start again without it"),
            StoreError::Storage(failure) => failure.into(),
        }
    }
}

/// Now, as epoch seconds and as the RFC 3339 text we store.
pub(crate) fn now() -> (i64, String) {
    let now = chrono::Utc::now();
    (now.timestamp(), now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

pub(crate) fn profile_response(status: StatusCode, user: &User) -> Response<Body> {
    shared::json_response(status, &Profile::from(user))
}

pub(crate) fn no_content() -> Response<Body> {
    Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("static response")
}
